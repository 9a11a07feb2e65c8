/**
 * Point-in-time recovery: while PITR is on for a table, every item change stages a log entry
 * (the old image, with its commit time) in the change's own write unit, numbered in commit
 * order and expiring after the recovery window; a table's state at time T is its current
 * items rolled back through the entries after T.
 * @module
 */
import type { Entry, Key, Snapshot, WriteTx } from "../../../src/store/mod.ts";
import type { Item } from "../attribute_value.ts";
import { encodeItem } from "./item_codec.ts";
import { itemStoreKey, tableItemsPrefix } from "./keys.ts";
import { nextSequence, sequenceText } from "./streams.ts";
import type { TableRecord } from "./tables.ts";

/** AWS's longest (and default) recovery period, in days. */
export const MAX_RECOVERY_DAYS = 35;
const DAY_MS = 24 * 3600 * 1000;

/** Prefix of a table's change log: ["pitr", tableId, sequence]. */
export function changeLogPrefix(tableId: string): Key {
  return ["pitr", tableId];
}

/** Store key of a table's change log sequence counter. */
export function changeLogCounterKey(tableId: string): Key {
  return ["pitrseq", tableId];
}

/** What a log entry keeps besides the old image (in its data; empty when there was none). */
interface LogMeta {
  /** Commit time (ms). */
  t: number;
  /** The item's key attributes. */
  k: Item;
  /** True when the item existed before the change. */
  o: boolean;
}

/** Stage the log entry of one item change when the table (as the unit read it) has PITR on. */
export async function logChange(
  tx: WriteTx,
  table: TableRecord,
  change: { keys: Item; old: Item | null; current: Item | null },
): Promise<void> {
  if (!table.pitr || (change.old === null && change.current === null)) return;
  const seq = await nextSequence(tx, changeLogCounterKey(table.id));
  tx.set<LogMeta>([...changeLogPrefix(table.id), sequenceText(seq)], {
    meta: { t: tx.now, k: change.keys, o: change.old !== null },
    data: change.old ? encodeItem(change.old) : undefined,
    expiresAt: tx.now + table.pitr.days * DAY_MS,
  });
}

/** The restorable window of a table with PITR on (ms): from enabling (or the window's start). */
export function restorableWindow(
  pitr: NonNullable<TableRecord["pitr"]>,
  now = Date.now(),
): { earliest: number; latest: number } {
  return { earliest: Math.max(pitr.enabledAt, now - pitr.days * DAY_MS), latest: now };
}

/** The prefixes a snapshot for a restore to a point in time must cover. */
export function pointInTimePrefixes(table: TableRecord): Key[] {
  return [tableItemsPrefix(table.id), changeLogPrefix(table.id)];
}

function keyId(key: Key): string {
  return key.map((p) => p instanceof Uint8Array ? Array.from(p).join(",") : String(p)).join("/");
}

/**
 * The items of `table` at time `at` (ms), from a snapshot of its items and change log: for
 * each item changed after `at`, the old image of its first such change (null: it did not
 * exist then); every other item as it is now. Entries come in store-key order.
 */
export function itemsAt(table: TableRecord, snapshot: Snapshot, at: number): Entry[] {
  const items = new Map<string, Entry>();
  const logPrefix = changeLogPrefix(table.id);
  const log: Entry<LogMeta>[] = [];
  for (const entry of snapshot.entries) {
    if (entry.key[0] === logPrefix[0]) log.push(entry as Entry<LogMeta>);
    else items.set(keyId(entry.key), entry);
  }
  const rolledBack = new Set<string>();
  for (const entry of log) {
    const meta = entry.meta!;
    if (meta.t <= at) continue;
    const key = itemStoreKey(table, meta.k);
    const id = keyId(key);
    if (rolledBack.has(id)) continue;
    rolledBack.add(id);
    if (meta.o) items.set(id, { ...entry, key, data: entry.data, meta: undefined });
    else items.delete(id);
  }
  return [...items.values()];
}

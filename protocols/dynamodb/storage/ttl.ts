/**
 * TTL as DynamoDB does it: an item past its TTL attribute stays readable until the sweeper
 * deletes it. Each item with a deadline has an entry in one expiry queue ordered by deadline,
 * kept in the item's commit; the sweeper deletes due items (with their index entries and a
 * service REMOVE stream record) in bounded write units.
 * @module
 */
import type { Key, Store, WriteTx } from "../../../src/store/mod.ts";
import type { Item } from "../attribute_value.ts";
import { decodeItem } from "./item_codec.ts";
import { keyOfItem, tableItemsAfter } from "./keys.ts";
import { tableKey, type TableRecord } from "./tables.ts";

/** TTL values older than this are ignored, as DynamoDB ignores them (five years). */
export const TTL_MAX_AGE_MS = 5 * 365 * 24 * 3600 * 1000;
/** Queue entries handled per sweep write unit. */
const SWEEP_BATCH = 50;
/** Items read per TTL backfill write unit. */
const BACKFILL_BATCH = 100;
const QUEUE = "ttlq";

/** The deadline (ms) of an item under the table's TTL setting, or null when none. */
export function ttlDeadline(table: TableRecord, item: Item): number | null {
  if (!table.ttl?.enabled) return null;
  const v = item[table.ttl.attribute];
  if (!v || !("N" in v)) return null;
  const ms = Number(v.N) * 1000;
  if (!Number.isFinite(ms) || ms < Date.now() - TTL_MAX_AGE_MS) return null;
  return ms;
}

/** The queue entry of an item (its store key) due at `deadline`. */
function queueKey(deadline: number, storeKey: Key): Key {
  return [QUEUE, deadline, ...storeKey];
}

/**
 * Keep the queue in step with an item write: drop the old deadline's entry and add the new
 * one. `old` is null when unknown (a blind write); a stale entry is dropped by the sweeper.
 */
export function stageTtlEntry(
  tx: WriteTx,
  table: TableRecord,
  storeKey: Key,
  old: Item | null,
  next: Item | null,
): void {
  const before = old ? ttlDeadline(table, old) : null;
  const after = next ? ttlDeadline(table, next) : null;
  if (before === after) return;
  if (before !== null) tx.delete(queueKey(before, storeKey));
  if (after !== null) tx.set(queueKey(after, storeKey), { meta: table.name });
}

/** What the sweeper needs of the item writer: delete one item as the TTL service. */
export type ExpireItem = (
  tx: WriteTx,
  table: TableRecord,
  key: Item,
  deadline: number,
) => Promise<boolean>;

/**
 * Delete every item whose deadline is at or before `cutoff`, in write units of a bounded
 * size. Returns how many items were deleted.
 */
export async function sweepExpired(
  store: Store,
  cutoff: number,
  expire: ExpireItem,
): Promise<number> {
  const selector = { start: [QUEUE], end: [QUEUE, cutoff + 1] };
  // Most sweeps find nothing due: look outside the write loop first.
  const first = await store.listPage(selector, { limit: 1, keysOnly: true });
  if (first.entries.length === 0) return 0;
  let deleted = 0;
  while (true) {
    const step = await store.write(async (tx) => {
      const due = await tx.list<string>(selector, { limit: SWEEP_BATCH });
      let count = 0;
      for (const entry of due) {
        tx.delete(entry.key);
        const deadline = entry.key[1] as number;
        const storeKey = entry.key.slice(2);
        const table = (await tx.get<TableRecord>(tableKey(entry.meta ?? "")))?.meta;
        if (!table || table.id !== storeKey[1]) continue;
        const item = await tx.get(storeKey);
        if (!item) continue;
        if (await expire(tx, table, keyOfItem(table, decodeItem(item)), deadline)) count++;
      }
      return { count, more: due.length === SWEEP_BATCH };
    });
    deleted += step.count;
    if (!step.more) return deleted;
  }
}

/**
 * Queue every existing item of table `name` that has a deadline (TTL just enabled), one batch
 * per write unit; writes in between queue their own items. Ends by marking TTL ENABLED.
 */
export async function backfillTtl(store: Store, name: string, id: string): Promise<void> {
  let after: Key | null = null;
  while (true) {
    const last: Key | null | "done" = await store.write(async (tx) => {
      const table = (await tx.get<TableRecord>(tableKey(name)))?.meta;
      if (!table || table.id !== id || !table.ttl?.enabled) return "done";
      const entries = await tx.list(tableItemsAfter(table.id, after), { limit: BACKFILL_BATCH });
      for (const entry of entries) {
        const deadline = ttlDeadline(table, decodeItem(entry));
        if (deadline !== null) tx.set(queueKey(deadline, entry.key), { meta: table.name });
      }
      if (entries.length < BACKFILL_BATCH) {
        tx.set(tableKey(name), { meta: { ...table, ttl: { ...table.ttl, status: undefined } } });
        return "done";
      }
      return entries[entries.length - 1].key;
    });
    if (last === "done") return;
    after = last;
  }
}

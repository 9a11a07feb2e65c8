/**
 * Items in the store: encoding (JSON bytes in the entry's data; the store chunks large ones),
 * reads, and the one generic conditional write every item operation goes through.
 * @module
 */
import type { Store, WriteTx } from "../../../src/store/mod.ts";
import type { Item } from "../attribute_value.ts";
import { conditionalCheckFailed, resourceNotFound } from "../errors.ts";
import { itemStoreKey } from "./keys.ts";
import type { TableRecord } from "./tables.ts";
import { isActive, tableKey } from "./tables.ts";
import { recordChange } from "./streams.ts";
import { logChange } from "./pitr.ts";
import { decodeItem, encodeItem } from "./item_codec.ts";
import { indexesOf, stageIndexEntries } from "./indexes.ts";
import { stageTtlEntry, ttlDeadline } from "./ttl.ts";

export { decodeItem, encodeItem } from "./item_codec.ts";

/** Read one item (committed state), or null. */
export async function readItem(store: Store, table: TableRecord, key: Item): Promise<Item | null> {
  const data = await readItemJson(store, table, key);
  return data ? decodeItem({ data }) : null;
}

/** One item's stored JSON (committed state), or null: for replies that send it as is. */
export async function readItemJson(
  store: Store,
  table: TableRecord,
  key: Item,
): Promise<Uint8Array | null> {
  return (await store.get(itemStoreKey(table, key)))?.data ?? null;
}

/** What a write decides given the current item: the new item, null to delete, or unchanged. */
export type Mutation = (old: Item | null) => Item | null | undefined;

/** A condition on the current item; false fails the write with ConditionalCheckFailed. */
export type Condition = (old: Item | null) => boolean;

/** The outcome of a write. */
export interface WriteResult {
  old: Item | null;
  /** The item after the write (null when absent). */
  current: Item | null;
}

/** One planned item write: the table and key, the condition and the change. */
export interface PreparedWrite {
  table: TableRecord;
  key: Item;
  condition?: Condition;
  mutate: Mutation;
  /** Attach the old item to the condition failure (ReturnValuesOnConditionCheckFailure). */
  returnOldOnFailure?: boolean;
  /**
   * False when nothing needs the current item (an unconditional put or delete whose reply
   * asks for no old values or capacity): the write is then staged blind, sparing the write
   * loop one read. The reported `old` is null.
   */
  needsOld?: boolean;
  /** The TTL sweeper's delete: its stream record names the DynamoDB service. */
  byService?: boolean;
}

/** What applying a prepared write inside a write unit gave. */
export type Applied = { ok: true; result: WriteResult } | { ok: false; old: Item | null };

/**
 * A write must read the old item when a stream or the PITR log records it or an index entry
 * may move.
 */
function needsOldImage(table: TableRecord): boolean {
  return table.stream?.StreamEnabled === true || table.pitr !== undefined ||
    indexesOf(table).length > 0;
}

/**
 * Apply one prepared write inside a write unit: check the table still exists (same id), read
 * the item, check the condition, apply the change and stage it. A false condition stages
 * nothing and reports the old item.
 */
export async function applyWrite(tx: WriteTx, w: PreparedWrite): Promise<Applied> {
  const storeKey = itemStoreKey(w.table, w.key);
  const blind = w.needsOld === false && !w.condition && !needsOldImage(w.table);
  const [tableEntry, entry] = blind
    ? [await tx.get<TableRecord>(tableKey(w.table.name)), null]
    : await tx.getMany<TableRecord>([tableKey(w.table.name), storeKey]);
  if (tableEntry?.meta?.id !== w.table.id || !isActive(tableEntry.meta)) throw resourceNotFound();
  if (blind && needsOldImage(tableEntry.meta)) {
    // A stream or an index appeared since the plan was made: both need the old image.
    return await applyWrite(tx, { ...w, needsOld: true });
  }
  const old = entry ? decodeItem(entry) : null;
  if (w.condition && !w.condition(old)) return { ok: false, old };
  const next = w.mutate(old);
  if (next === undefined) return { ok: true, result: { old, current: old } };
  const table = tableEntry.meta;
  if (next === null) {
    if (entry || blind) tx.delete(storeKey);
  } else {
    tx.set(storeKey, { data: encodeItem(next) });
  }
  stageIndexEntries(tx, table, old, next);
  stageTtlEntry(tx, table, storeKey, old, next);
  // Without a stream or PITR there is nothing to record: no call, no promise to wait on.
  if (table.stream?.StreamEnabled || table.pitr) {
    const change = { keys: w.key, old, current: next, byService: w.byService };
    await recordChange(tx, table, change);
    await logChange(tx, table, change);
  }
  return { ok: true, result: { old, current: next } };
}

/**
 * The TTL sweeper's delete of one item, inside its write unit: only while the item's deadline
 * is still `deadline` (a write since may have moved or removed it). True when deleted.
 */
export async function expireItem(
  tx: WriteTx,
  table: TableRecord,
  key: Item,
  deadline: number,
): Promise<boolean> {
  const applied = await applyWrite(tx, {
    table,
    key,
    condition: (old) => old !== null && ttlDeadline(table, old) === deadline,
    mutate: () => null,
    byService: true,
  });
  return applied.ok;
}

/**
 * The generic single-item write (as Redis's setGenericCommand) in its own write unit;
 * a false condition is ConditionalCheckFailedException (with the old item when asked).
 */
export function writeItem(store: Store, w: PreparedWrite): Promise<WriteResult> {
  // The unit reads the table record and the item: prefetched before it runs.
  const keys = [tableKey(w.table.name), itemStoreKey(w.table, w.key)];
  return store.write(async (tx) => {
    const applied = await applyWrite(tx, w);
    if (!applied.ok) {
      throw conditionalCheckFailed(w.returnOldOnFailure && applied.old ? applied.old : undefined);
    }
    return applied.result;
  }, { keys });
}

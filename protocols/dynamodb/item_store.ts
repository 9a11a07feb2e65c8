/**
 * Items in the store: encoding (JSON bytes in the entry's data; the store chunks large ones),
 * reads, and the one generic conditional write every item operation goes through.
 * @module
 */
import type { Entry, Store } from "../../src/store/types.ts";
import type { Item } from "./attribute_value.ts";
import { conditionalCheckFailed, resourceNotFound } from "./errors.ts";
import { itemStoreKey } from "./keys.ts";
import type { TableRecord } from "./tables.ts";
import { tableKey } from "./tables.ts";

/** TTL values older than this are ignored, as DynamoDB ignores them (five years). */
export const TTL_MAX_AGE_MS = 5 * 365 * 24 * 3600 * 1000;

/**
 * The store deadline of an item under the table's TTL setting (null = none): the TTL
 * attribute's epoch seconds, so the store's exact expiry removes the item.
 */
export function ttlDeadline(table: TableRecord, item: Item, now: number): number | null {
  if (!table.ttl?.enabled) return null;
  const v = item[table.ttl.attribute];
  if (!v || !("N" in v)) return null;
  const ms = Number(v.N) * 1000;
  if (!Number.isFinite(ms) || ms < now - TTL_MAX_AGE_MS) return null;
  return ms;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Item -> entry bytes. */
export function encodeItem(item: Item): Uint8Array {
  return encoder.encode(JSON.stringify(item));
}

/** Entry bytes -> item. */
export function decodeItem(entry: Entry): Item {
  return JSON.parse(decoder.decode(entry.data)) as Item;
}

/** Read one item (committed state), or null. */
export async function readItem(store: Store, table: TableRecord, key: Item): Promise<Item | null> {
  const entry = await store.get(itemStoreKey(table, key));
  return entry ? decodeItem(entry) : null;
}

/** What a write decides given the current item: the new item, null to delete, or unchanged. */
export type Mutation = (old: Item | null) => Item | null | undefined;

/** A condition on the current item; false fails the write with ConditionalCheckFailed. */
export type Condition = (old: Item | null) => boolean;

/** The outcome of {@link writeItem}. */
export interface WriteResult {
  old: Item | null;
  /** The item after the write (null when absent). */
  current: Item | null;
}

/**
 * The generic item write (as Redis's setGenericCommand): in one write unit, check the table
 * still exists (same id), read the item, check `condition`, apply `mutate`, stage the result.
 * `returnOldOnFailure` attaches the old item to ConditionalCheckFailedException.
 */
export function writeItem(
  store: Store,
  table: TableRecord,
  key: Item,
  options: { condition?: Condition; mutate: Mutation; returnOldOnFailure?: boolean },
): Promise<WriteResult> {
  const storeKey = itemStoreKey(table, key);
  return store.write(async (tx) => {
    const [tableEntry, entry] = await tx.getMany<TableRecord>([tableKey(table.name), storeKey]);
    if (tableEntry?.meta?.id !== table.id) throw resourceNotFound();
    const old = entry ? decodeItem(entry) : null;
    if (options.condition && !options.condition(old)) {
      throw conditionalCheckFailed(options.returnOldOnFailure && old ? old : undefined);
    }
    const next = options.mutate(old);
    if (next === undefined) return { old, current: old };
    if (next === null) {
      if (entry) tx.delete(storeKey);
      return { old, current: null };
    }
    tx.set(storeKey, { data: encodeItem(next), expiresAt: ttlDeadline(table, next, tx.now) });
    return { old, current: next };
  });
}

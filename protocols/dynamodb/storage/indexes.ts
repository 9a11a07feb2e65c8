/**
 * Secondary index entries in the store: where an item's entry lives in each GSI/LSI, what it
 * holds (the item projected as the index says), and keeping entries in step with item writes
 * inside the item's own write unit.
 *
 * Layout: ["index", tableId, indexId, ...partition parts, ...sort parts, ...table key parts].
 * Each partition attribute is one part (its partitionPart), each sort attribute one part (its
 * order-preserving keyBytes), then the item's own store-key tail (partition part, sort bytes),
 * so a range read over ["index", tableId, indexId, partition...] returns the index partition
 * in DynamoDB's order, ties broken by the table key. The value is the projected item.
 * @module
 */
import { sameBytes } from "../../../src/bytes.ts";
import { sha256 } from "../../../src/sha256.ts";
import { type Key, MAX_KEY_BYTES, sameKey, type WriteTx } from "../../../src/store/mod.ts";
import type { AttributeValue, Item } from "../attribute_value.ts";
import { encodeItem } from "./item_codec.ts";
import { itemStoreKey, keyBytes, partitionPart } from "./keys.ts";
import type { IndexRecord, TableRecord } from "./tables.ts";

/** The store-key prefix under which every index entry lives. */
export const INDEX_PREFIX = "index";

/** An index's stable id in store keys (its name for records made before ids existed). */
export function indexId(index: IndexRecord): string {
  return index.id ?? index.IndexName;
}

/** Every secondary index of a table (GSIs, then LSIs). */
export function indexesOf(table: TableRecord): IndexRecord[] {
  return [...table.gsis, ...table.lsis];
}

/** Prefix of every entry of one index. */
export function indexPrefix(table: TableRecord, index: IndexRecord): Key {
  return [INDEX_PREFIX, table.id, indexId(index)];
}

/** Prefix of every index entry of a table. */
export function tableIndexesPrefix(tableId: string): Key {
  return [INDEX_PREFIX, tableId];
}

function isKeyValue(v: AttributeValue | undefined): v is AttributeValue {
  return v !== undefined && ("S" in v || "N" in v || "B" in v);
}

/** The partition attributes of an index key schema, in order. */
export function hashNames(index: IndexRecord): string[] {
  return index.KeySchema.filter((k) => k.KeyType === "HASH").map((k) => k.AttributeName);
}

/** The sort attributes of an index key schema, in order. */
export function rangeNames(index: IndexRecord): string[] {
  return index.KeySchema.filter((k) => k.KeyType === "RANGE").map((k) => k.AttributeName);
}

/**
 * The store key of `item`'s entry in `index`, or null when the item lacks one of the index's
 * key attributes (a sparse index leaves it out). `item` needs only the table and index keys.
 */
export function indexEntryKey(table: TableRecord, index: IndexRecord, item: Item): Key | null {
  const parts: Deno.KvKeyPart[] = [...indexPrefix(table, index)];
  for (const name of hashNames(index)) {
    const v = item[name];
    if (!isKeyValue(v)) return null;
    parts.push(partitionPart(v));
  }
  for (const name of rangeNames(index)) {
    const v = item[name];
    if (!isKeyValue(v)) return null;
    parts.push(keyBytes(v));
  }
  const tail = itemStoreKey(table, item).slice(2) as Uint8Array[];
  if (keySize(parts) + keySize(tail) > MAX_KEY_BYTES - KEY_HEADROOM) {
    // Long index and table keys together would pass Deno KV's key limit: the table key is
    // then stood for by its digest (it only orders entries with equal index keys).
    const digest = new Uint8Array(17);
    digest[0] = TAIL_DIGEST_TAG;
    // Each part as its length in decimal, ":", its bytes.
    const pieces = tail.flatMap((part) => [`${part.length}:`, part]);
    digest.set(sha256(pieces).subarray(0, 16), 1);
    parts.push(digest);
  } else {
    parts.push(...tail);
  }
  return parts;
}

/** Room left under MAX_KEY_BYTES for the store's namespace parts. */
const KEY_HEADROOM = 64;
/** Leading byte of a digested table-key tail (a partition part starts with 0x00 or 0x01). */
const TAIL_DIGEST_TAG = 0x02;

/** Encoded size of key parts as Deno KV counts it (zero bytes are escaped). */
function keySize(parts: readonly Deno.KvKeyPart[]): number {
  let size = 0;
  for (const part of parts) {
    const bytes = part instanceof Uint8Array ? part : encoder.encode(String(part));
    size += 2 + bytes.length + bytes.filter((b) => b === 0).length;
  }
  return size;
}

const encoder = new TextEncoder();

/** The attribute names an index entry always carries: the table's and the index's keys. */
export function indexKeyNames(table: TableRecord, index: IndexRecord): string[] {
  const names = table.keySchema.map((k) => k.AttributeName);
  for (const k of index.KeySchema) {
    if (!names.includes(k.AttributeName)) names.push(k.AttributeName);
  }
  return names;
}

/** `item` as `index` projects it. */
export function projectForIndex(table: TableRecord, index: IndexRecord, item: Item): Item {
  if (index.Projection.ProjectionType === "ALL") return item;
  const out: Item = {};
  const names = [...indexKeyNames(table, index), ...(index.Projection.NonKeyAttributes ?? [])];
  for (const n of names) if (Object.hasOwn(item, n)) out[n] = item[n];
  return out;
}

/**
 * Stage the index entries that take `old` to `next` in every index of `table` (the table
 * record as the write unit read it): delete an entry the item left (key changed, key
 * attribute removed, item deleted), write the new one unless it is byte-for-byte unchanged.
 * A TTL expiry is an item delete by the sweeper, so it removes them with the item.
 */
export function stageIndexEntries(
  tx: WriteTx,
  table: TableRecord,
  old: Item | null,
  next: Item | null,
): void {
  for (const index of indexesOf(table)) {
    const oldKey = old ? indexEntryKey(table, index, old) : null;
    const newKey = next ? indexEntryKey(table, index, next) : null;
    if (newKey && next) {
      const data = encodeItem(projectForIndex(table, index, next));
      if (oldKey && old && sameKey(oldKey, newKey)) {
        const before = encodeItem(projectForIndex(table, index, old));
        if (sameBytes(before, data)) continue;
      }
      if (oldKey && !sameKey(oldKey, newKey)) tx.delete(oldKey);
      tx.set(newKey, { data });
    } else if (oldKey) {
      tx.delete(oldKey);
    }
  }
}

/**
 * Stage `item`'s entry in one index (backfill); nothing when the index leaves it out.
 * Returns the bytes staged (key and value), so a unit can bound its commit.
 */
export function stageBackfillEntry(
  tx: WriteTx,
  table: TableRecord,
  index: IndexRecord,
  item: Item,
): { keyBytes: number; dataBytes: number } {
  const key = indexEntryKey(table, index, item);
  if (!key) return { keyBytes: 0, dataBytes: 0 };
  const data = encodeItem(projectForIndex(table, index, item));
  tx.set(key, { data });
  return { keyBytes: keySize(key), dataBytes: data.length };
}

/**
 * ReturnConsumedCapacity and ReturnItemCollectionMetrics, computed as DynamoDB bills: writes
 * in 1 KB units of the larger of old and new item plus each secondary index entry written or
 * deleted, reads in 4 KB units (half when eventual).
 * @module
 */
import type { Item } from "../attribute_value.ts";
import type { IndexRecord, TableRecord } from "../storage/tables.ts";
import { indexEntryKey, projectForIndex } from "../storage/indexes.ts";
import { encodeItem } from "../storage/item_store.ts";
import { sameKey } from "../../../src/store/mod.ts";
import { sameBytes } from "../../../src/bytes.ts";
import { itemSize } from "../types.ts";
import type { Constraints } from "../validation.ts";

/** Bytes per write capacity unit. */
export const WRITE_UNIT_BYTES = 1024;
/** Bytes per read capacity unit. */
export const READ_UNIT_BYTES = 4096;

const RETURN_CAPACITY = ["INDEXES", "TOTAL", "NONE"] as const;
const RETURN_METRICS = ["SIZE", "NONE"] as const;

/** Check the two Return* enums. */
export function checkReturnOptions(c: Constraints, body: Record<string, unknown>): void {
  c.oneOf("returnConsumedCapacity", body.ReturnConsumedCapacity, RETURN_CAPACITY);
  c.oneOf("returnItemCollectionMetrics", body.ReturnItemCollectionMetrics, RETURN_METRICS);
}

/** The TableName a reply names: the table's ARN when the request gave its ARN. */
export function replyTableName(table: TableRecord, requested: unknown): string {
  return requested === table.arn ? table.arn : table.name;
}

/** Whether a ReturnConsumedCapacity value asks for ConsumedCapacity. */
export function wantsCapacity(mode: unknown): boolean {
  return mode === "TOTAL" || mode === "INDEXES";
}

function shape(table: TableRecord, mode: unknown, units: number, requested: unknown) {
  const out: Record<string, unknown> = {
    TableName: replyTableName(table, requested),
    CapacityUnits: units,
  };
  if (mode === "INDEXES") out.Table = { CapacityUnits: units };
  return out;
}

/** Write units of `bytes` (at least one). */
function writeUnits(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / WRITE_UNIT_BYTES));
}

/**
 * Write units a change costs in one secondary index, as the Developer Guide bills them: a put
 * into the index or a delete from it is one write of the entry's size; a changed index key is
 * both; a changed projection under the same key is one write; an item in the index neither
 * before nor after costs nothing.
 */
function indexWriteUnits(
  table: TableRecord,
  index: IndexRecord,
  old: Item | null,
  current: Item | null,
): number {
  const oldKey = old ? indexEntryKey(table, index, old) : null;
  const newKey = current ? indexEntryKey(table, index, current) : null;
  const before = oldKey && old ? projectForIndex(table, index, old) : null;
  const after = newKey && current ? projectForIndex(table, index, current) : null;
  if (before && after && sameKey(oldKey!, newKey!)) {
    return sameBytes(encodeItem(before), encodeItem(after)) ? 0 : writeUnits(itemSize(after));
  }
  return (before ? writeUnits(itemSize(before)) : 0) + (after ? writeUnits(itemSize(after)) : 0);
}

/** ConsumedCapacity of a write, or undefined when not asked for. */
export function writeCapacity(
  table: TableRecord,
  mode: unknown,
  items: { old: Item | null; current: Item | null },
  requested?: unknown,
): Record<string, unknown> | undefined {
  // Sizing walks the items: only when the reply carries it.
  if (!wantsCapacity(mode)) return undefined;
  const size = Math.max(
    items.old ? itemSize(items.old) : 0,
    items.current ? itemSize(items.current) : 0,
  );
  const tableUnits = writeUnits(size);
  let total = tableUnits;
  const perIndex: Record<"GlobalSecondaryIndexes" | "LocalSecondaryIndexes", Capacities> = {
    GlobalSecondaryIndexes: {},
    LocalSecondaryIndexes: {},
  };
  for (
    const [member, indexes] of [
      ["GlobalSecondaryIndexes", table.gsis],
      ["LocalSecondaryIndexes", table.lsis],
    ] as const
  ) {
    for (const index of indexes) {
      const units = indexWriteUnits(table, index, items.old, items.current);
      if (units === 0) continue;
      total += units;
      perIndex[member][index.IndexName] = { CapacityUnits: units };
    }
  }
  const out = shape(table, mode, total, requested);
  if (mode === "INDEXES") {
    out.Table = { CapacityUnits: tableUnits };
    for (const [member, capacities] of Object.entries(perIndex)) {
      if (Object.keys(capacities).length > 0) out[member] = capacities;
    }
  }
  return out;
}

/** Capacity units per index name, as ConsumedCapacity's index maps carry them. */
type Capacities = Record<string, { CapacityUnits: number }>;

/** ConsumedCapacity of a single-item read, or undefined when not asked for. */
export function readCapacity(
  table: TableRecord,
  mode: unknown,
  item: Item | null,
  consistent: boolean,
  requested?: unknown,
): Record<string, unknown> | undefined {
  if (!wantsCapacity(mode)) return undefined;
  const units = Math.max(1, Math.ceil((item ? itemSize(item) : 0) / READ_UNIT_BYTES));
  return shape(table, mode, consistent ? units : units / 2, requested);
}

/** ItemCollectionMetrics (tables with local secondary indexes only), or undefined. */
export function collectionMetrics(
  table: TableRecord,
  mode: unknown,
  key: Item,
): Record<string, unknown> | undefined {
  if (mode !== "SIZE" || table.lsis.length === 0) return undefined;
  const hash = table.keySchema[0].AttributeName;
  return { ItemCollectionKey: { [hash]: key[hash] }, SizeEstimateRangeGB: [0, 1] };
}

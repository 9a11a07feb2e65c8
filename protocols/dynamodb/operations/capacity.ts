/**
 * ReturnConsumedCapacity and ReturnItemCollectionMetrics, computed as DynamoDB bills: writes
 * in 1 KB units of the larger of old and new item, reads in 4 KB units (half when eventual).
 * @module
 */
import type { Item } from "../attribute_value.ts";
import type { TableRecord } from "../storage/tables.ts";
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
  return shape(table, mode, Math.max(1, Math.ceil(size / WRITE_UNIT_BYTES)), requested);
}

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

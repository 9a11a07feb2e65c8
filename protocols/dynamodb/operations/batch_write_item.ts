/**
 * BatchWriteItem: up to 25 puts and deletes over several tables, each applied on its own (not
 * atomically, as DynamoDB), all submitted at once so they share commits.
 * @module
 */
import type { Item } from "../attribute_value.ts";
import { checkReturnOptions, collectionMetrics, writeCapacity } from "./capacity.ts";
import type { OperationContext } from "../context.ts";
import { constraintErrors, FORMATS, MESSAGES, validation } from "../errors.ts";
import { writeItem } from "../storage/item_store.ts";
import { checkKey, itemId, keyOfItem } from "../storage/keys.ts";
import { getTable, type TableRecord } from "../storage/tables.ts";
import { checkItemSize, normalizeItem } from "../types.ts";
import { type Body, checkShape, Constraints, structure } from "../validation.ts";

/** Most write requests one BatchWriteItem may carry. */
export const MAX_BATCH_WRITES = 25;

interface WriteRequest {
  PutRequest?: { Item?: unknown };
  DeleteRequest?: { Key?: unknown };
}

interface PlannedWrite {
  table: TableRecord;
  key: Item;
  item: Item | null;
}

/** BatchWriteItem. */
export async function batchWriteItem(ctx: OperationContext, body: Body) {
  const request = checkShape(body, {
    RequestItems: structure<Record<string, WriteRequest[]>>(),
    ReturnConsumedCapacity: "string",
    ReturnItemCollectionMetrics: "string",
  });
  const c = new Constraints();
  c.required("requestItems", request.RequestItems);
  checkReturnOptions(c, request);
  const requests = Object.entries(c.checked(request, "RequestItems").RequestItems);
  if (requests.length === 0) throw validation(FORMATS.requestItemsRequired("BatchWriteItem"));
  const total = requests.reduce((n, [, list]) => n + (Array.isArray(list) ? list.length : 0), 0);
  // One table's list out of 1..25 breaks the member constraint; lists that each fit but add up
  // to more than 25 get AWS's own sentence.
  if (
    requests.some(([, list]) =>
      !Array.isArray(list) || !list.length || list.length > MAX_BATCH_WRITES
    )
  ) {
    throw constraintErrors([FORMATS.requestItemsLength(MAX_BATCH_WRITES)]);
  }
  if (total > MAX_BATCH_WRITES) {
    throw validation(FORMATS.tooManyBatchItems("BatchWriteItem"));
  }
  const planned: PlannedWrite[] = [];
  for (const [name, list] of requests) {
    const table = await getTable(ctx.store, name);
    const seen = new Set<string>();
    for (const request of list) {
      const put = request?.PutRequest;
      const del = request?.DeleteRequest;
      if ((put === undefined) === (del === undefined)) {
        throw validation(MESSAGES.multipleTypes);
      }
      let key: Item;
      let item: Item | null = null;
      if (put) {
        item = normalizeItem(put.Item);
        key = keyOfItem(table, item);
        checkItemSize(item);
      } else {
        key = checkKey(table, normalizeItem(del!.Key));
      }
      const id = itemId(table, key);
      if (seen.has(id)) throw validation(MESSAGES.duplicateKeys);
      seen.add(id);
      planned.push({ table, key, item });
    }
  }
  const results = await Promise.all(
    planned.map((w) =>
      writeItem(ctx.store, {
        table: w.table,
        key: w.key,
        mutate: () => w.item,
        needsOld: request.ReturnConsumedCapacity === "TOTAL" ||
          request.ReturnConsumedCapacity === "INDEXES",
      })
    ),
  );
  const out: Record<string, unknown> = { UnprocessedItems: {} };
  const mode = request.ReturnConsumedCapacity;
  // Per table: the summed ConsumedCapacity of its writes (INDEXES shape, trimmed for TOTAL).
  const consumed = new Map<string, Capacity>();
  const metrics: Record<string, unknown[]> = {};
  planned.forEach((w, i) => {
    if (mode === "TOTAL" || mode === "INDEXES") {
      const cap = writeCapacity(w.table, "INDEXES", results[i]) as unknown as Capacity;
      const sum = consumed.get(w.table.name);
      consumed.set(w.table.name, sum ? addCapacity(sum, cap) : cap);
    }
    const m = collectionMetrics(w.table, request.ReturnItemCollectionMetrics, w.key);
    if (m) (metrics[w.table.name] ??= []).push(m);
  });
  if (mode === "TOTAL" || mode === "INDEXES") {
    out.ConsumedCapacity = [...consumed.values()].map((c) =>
      mode === "INDEXES" ? c : { TableName: c.TableName, CapacityUnits: c.CapacityUnits }
    );
  }
  if (request.ReturnItemCollectionMetrics === "SIZE") out.ItemCollectionMetrics = metrics;
  return out;
}

/** One table's ConsumedCapacity in the INDEXES shape. */
interface Capacity {
  TableName: string;
  CapacityUnits: number;
  Table: { CapacityUnits: number };
  GlobalSecondaryIndexes?: Record<string, { CapacityUnits: number }>;
  LocalSecondaryIndexes?: Record<string, { CapacityUnits: number }>;
}

/** Two ConsumedCapacity records of one table added up, index by index. */
function addCapacity(a: Capacity, b: Capacity): Capacity {
  const out: Capacity = {
    TableName: a.TableName,
    CapacityUnits: a.CapacityUnits + b.CapacityUnits,
    Table: { CapacityUnits: a.Table.CapacityUnits + b.Table.CapacityUnits },
  };
  for (const member of ["GlobalSecondaryIndexes", "LocalSecondaryIndexes"] as const) {
    const names = new Set([...Object.keys(a[member] ?? {}), ...Object.keys(b[member] ?? {})]);
    if (names.size === 0) continue;
    const merged: Record<string, { CapacityUnits: number }> = {};
    for (const name of names) {
      merged[name] = {
        CapacityUnits: (a[member]?.[name]?.CapacityUnits ?? 0) +
          (b[member]?.[name]?.CapacityUnits ?? 0),
      };
    }
    out[member] = merged;
  }
  return out;
}

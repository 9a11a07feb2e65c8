/**
 * BatchGetItem: up to 100 keys over several tables, each table with its own projection and
 * consistency; the reply stops at 16 MB and returns the rest as UnprocessedKeys.
 * @module
 */
import type { Item } from "../attribute_value.ts";
import { checkReturnOptions, READ_UNIT_BYTES } from "./capacity.ts";
import type { OperationContext } from "../context.ts";
import { constraintErrors, FORMATS, MESSAGES, validation } from "../errors.ts";
import { projectItem } from "../expressions/mod.ts";
import { parseItemExpressions } from "./item_expressions.ts";
import { readItem } from "../storage/item_store.ts";
import { checkKey, itemId } from "../storage/keys.ts";
import { getTable } from "../storage/tables.ts";
import { itemSize, normalizeItem } from "../types.ts";
import { type Body, checkShape, Constraints, structure } from "../validation.ts";
import type { ItemRequest } from "./item_common.ts";

/** Most keys one BatchGetItem may ask for. */
export const MAX_BATCH_KEYS = 100;
/** Largest BatchGetItem reply before keys are left unprocessed. */
export const MAX_BATCH_REPLY_BYTES = 16 * 1024 * 1024;

/** One table's part of RequestItems: its keys, projection and consistency. */
type TableRequest = ItemRequest & { Keys?: unknown[] };

/** BatchGetItem. */
export async function batchGetItem(ctx: OperationContext, body: Body) {
  const shaped = checkShape(body, {
    RequestItems: structure<Record<string, TableRequest>>(),
    ReturnConsumedCapacity: "string",
  });
  const c = new Constraints();
  c.required("requestItems", shaped.RequestItems);
  checkReturnOptions(c, shaped);
  const requests = Object.entries(c.checked(shaped, "RequestItems").RequestItems);
  if (requests.length === 0) throw validation(FORMATS.requestItemsRequired("BatchGetItem"));
  const total = requests.reduce((n, [, r]) => n + (Array.isArray(r?.Keys) ? r.Keys.length : 0), 0);
  if (requests.some(([, r]) => !Array.isArray(r?.Keys))) {
    throw constraintErrors([FORMATS.requestItemsLength(MAX_BATCH_KEYS)]);
  }
  // One table's Keys out of 1..100 breaks its member constraint; lists that each fit but add up
  // to more than 100 get AWS's own sentence.
  const outOfRange = requests.find(([, r]) => !r.Keys!.length || r.Keys!.length > MAX_BATCH_KEYS);
  if (outOfRange) {
    const [name, r] = outOfRange;
    throw constraintErrors([FORMATS.batchKeysLength(name, r.Keys!.length, MAX_BATCH_KEYS)]);
  }
  if (total > MAX_BATCH_KEYS) {
    throw validation(FORMATS.tooManyBatchItems("BatchGetItem"));
  }
  const plans = [];
  for (const [name, request] of requests) {
    const table = await getTable(ctx.store, name);
    const expressions = parseItemExpressions(request, { projection: true });
    const seen = new Set<string>();
    const keys = request.Keys!.map((raw) => {
      const key = checkKey(table, normalizeItem(raw));
      const id = itemId(table, key);
      if (seen.has(id)) throw validation(MESSAGES.duplicateKeys);
      seen.add(id);
      return key;
    });
    plans.push({ name, table, request, expressions, keys });
  }
  const responses: Record<string, Item[]> = {};
  const unprocessed: Record<string, TableRequest> = {};
  const capacity: Record<string, unknown>[] = [];
  let bytes = 0;
  for (const plan of plans) {
    const found = await Promise.all(plan.keys.map((k) => readItem(ctx.store, plan.table, k)));
    const items: Item[] = [];
    let units = 0;
    found.forEach((item, i) => {
      const size = item ? itemSize(item) : 0;
      if (bytes + size > MAX_BATCH_REPLY_BYTES) {
        const rest = (unprocessed[plan.name] ??= { ...plan.request, Keys: [] });
        rest.Keys!.push(plan.keys[i]);
        return;
      }
      bytes += size;
      units += Math.max(1, Math.ceil(size / READ_UNIT_BYTES));
      if (item) {
        items.push(
          plan.expressions.projection ? projectItem(item, plan.expressions.projection) : item,
        );
      }
    });
    responses[plan.name] = items;
    const consistent = plan.request.ConsistentRead === true;
    const total = consistent ? units : units / 2;
    if (shaped.ReturnConsumedCapacity === "TOTAL") {
      capacity.push({ TableName: plan.name, CapacityUnits: total });
    }
    if (shaped.ReturnConsumedCapacity === "INDEXES") {
      capacity.push({
        TableName: plan.name,
        CapacityUnits: total,
        Table: { CapacityUnits: total },
      });
    }
  }
  const out: Record<string, unknown> = { Responses: responses, UnprocessedKeys: unprocessed };
  if (capacity.length > 0) out.ConsumedCapacity = capacity;
  return out;
}

/**
 * What Put/Get/Update/DeleteItem share: the common member checks in AWS's order, reading the
 * table and key, TTL deadlines and assembling the reply (Attributes, ConsumedCapacity,
 * ItemCollectionMetrics).
 * @module
 */
import type { Item } from "../attribute_value.ts";
import { checkReturnOptions, collectionMetrics, writeCapacity } from "./capacity.ts";
import type { OperationContext } from "../context.ts";
import { MESSAGES, validation } from "../errors.ts";
import { checkKey } from "../storage/keys.ts";
import { type PreparedWrite, writeItem } from "../storage/item_store.ts";
import { getTable, type TableRecord } from "../storage/tables.ts";
import { normalizeItem } from "../types.ts";
import { type Body, checkShape, Constraints } from "../validation.ts";

/** ReturnValues DynamoDB knows, in the order its enum error lists them. */
export const RETURN_VALUES = ["ALL_NEW", "UPDATED_OLD", "ALL_OLD", "NONE", "UPDATED_NEW"] as const;
export type ReturnValues = typeof RETURN_VALUES[number];

/** Member types of the item operations. */
const SHAPE = {
  TableName: "string",
  Item: "object",
  Key: "object",
  ReturnValues: "string",
  ReturnConsumedCapacity: "string",
  ReturnItemCollectionMetrics: "string",
  ReturnValuesOnConditionCheckFailure: "string",
  ConditionExpression: "string",
  UpdateExpression: "string",
  ProjectionExpression: "string",
  ExpressionAttributeNames: "object",
  ExpressionAttributeValues: "object",
  Expected: "object",
  AttributeUpdates: "object",
  AttributesToGet: "array",
  ConditionalOperator: "string",
  ConsistentRead: "boolean",
} as const;

/** Check the members common to item operations; `member` is "item" or "key". */
export function checkItemRequest(body: Body, member: "item" | "key"): void {
  checkShape(body, SHAPE);
  const c = new Constraints();
  c.name("tableName", body.TableName, { arn: true });
  c.required(member, member === "item" ? body.Item : body.Key);
  c.oneOf("returnValues", body.ReturnValues, RETURN_VALUES);
  checkReturnOptions(c, body);
  c.oneOf("returnValuesOnConditionCheckFailure", body.ReturnValuesOnConditionCheckFailure, [
    "ALL_OLD",
    "NONE",
  ]);
  c.oneOf("conditionalOperator", body.ConditionalOperator, ["AND", "OR"]);
  c.throwIfAny();
}

/** Put and Delete accept only NONE and ALL_OLD. */
export function onlyAllOld(body: Body): void {
  if (
    body.ReturnValues !== undefined && body.ReturnValues !== "NONE" &&
    body.ReturnValues !== "ALL_OLD"
  ) {
    throw validation(MESSAGES.returnValuesOldOrNone);
  }
}

/** Resolve the table and validate the `Key` member against it. */
export async function tableAndKey(ctx: OperationContext, body: Body): Promise<[TableRecord, Item]> {
  const key = normalizeItem(body.Key);
  const table = await getTable(ctx.store, body.TableName as string);
  return [table, checkKey(table, key)];
}

/**
 * Whether a put or delete's reply needs the item it replaces: ALL_OLD, or consumed capacity
 * (billed on the larger of old and new item).
 */
export function needsOldItem(body: Body): boolean {
  return body.ReturnValues === "ALL_OLD" || body.ReturnConsumedCapacity === "TOTAL" ||
    body.ReturnConsumedCapacity === "INDEXES";
}

/** The reply of a write: Attributes (when asked and present), capacity and metrics. */
export function writeReply(
  table: TableRecord,
  body: Body,
  key: Item,
  result: { old: Item | null; current: Item | null },
  attributes: Item | null | undefined,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (attributes && Object.keys(attributes).length > 0) out.Attributes = attributes;
  const capacity = writeCapacity(table, body.ReturnConsumedCapacity, result, body.TableName);
  if (capacity) out.ConsumedCapacity = capacity;
  const metrics = collectionMetrics(table, body.ReturnItemCollectionMetrics, key);
  if (metrics) out.ItemCollectionMetrics = metrics;
  return out;
}

/**
 * Put/DeleteItem: the member checks, plan the write, run it and reply; their only
 * ReturnValues beyond NONE is ALL_OLD.
 */
export async function runAllOldWrite(
  ctx: OperationContext,
  body: Body,
  member: "item" | "key",
  prepare: (ctx: OperationContext, body: Body) => Promise<PreparedWrite>,
): Promise<Record<string, unknown>> {
  checkItemRequest(body, member);
  onlyAllOld(body);
  const write = await prepare(ctx, body);
  const result = await writeItem(ctx.store, write);
  return writeReply(
    write.table,
    body,
    write.key,
    result,
    body.ReturnValues === "ALL_OLD" ? result.old : null,
  );
}

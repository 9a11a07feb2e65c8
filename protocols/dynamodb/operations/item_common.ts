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
import type { AttributeValueUpdate, ExpectedAttributeValue } from "../expressions/mod.ts";
import {
  type Body,
  checkShape,
  Constraints,
  listOf,
  type Request,
  structure,
} from "../validation.ts";

/** ReturnValues DynamoDB knows, in the order its enum error lists them. */
export const RETURN_VALUES = ["ALL_NEW", "UPDATED_OLD", "ALL_OLD", "NONE", "UPDATED_NEW"] as const;
export type ReturnValues = typeof RETURN_VALUES[number];

/** Member types of the item operations (and of a transaction's Put, Update, Delete, Get). */
export const ITEM_SHAPE = {
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
  ExpressionAttributeNames: structure<Record<string, string>>(),
  ExpressionAttributeValues: "object",
  Expected: structure<Record<string, ExpectedAttributeValue>>(),
  AttributeUpdates: structure<Record<string, AttributeValueUpdate>>(),
  AttributesToGet: listOf<string>(),
  ConditionalOperator: "string",
  ConsistentRead: "boolean",
} as const;

/**
 * An item request. The top-level operations check it with `checkItemRequest`; a transaction's
 * actions arrive as declared by TransactItems' shape, with only their expressions checked.
 */
export type ItemRequest = Request<typeof ITEM_SHAPE>;

/** Check the members common to item operations; `member` is "item" or "key". */
export function checkItemRequest(body: Body, member: "item" | "key"): ItemRequest {
  const request = checkShape(body, ITEM_SHAPE);
  const c = new Constraints();
  c.name("tableName", request.TableName, { arn: true });
  c.required(member, member === "item" ? request.Item : request.Key);
  c.oneOf("returnValues", request.ReturnValues, RETURN_VALUES);
  checkReturnOptions(c, request);
  c.oneOf("returnValuesOnConditionCheckFailure", request.ReturnValuesOnConditionCheckFailure, [
    "ALL_OLD",
    "NONE",
  ]);
  c.oneOf("conditionalOperator", request.ConditionalOperator, ["AND", "OR"]);
  c.throwIfAny();
  return request;
}

/**
 * The table an item request names. Top-level requests and transaction actions both have
 * TableName checked as required before this runs.
 */
export function requestTable(ctx: OperationContext, request: ItemRequest): Promise<TableRecord> {
  return getTable(ctx.store, request.TableName!);
}

/** Put and Delete accept only NONE and ALL_OLD. */
export function onlyAllOld(body: ItemRequest): void {
  if (
    body.ReturnValues !== undefined && body.ReturnValues !== "NONE" &&
    body.ReturnValues !== "ALL_OLD"
  ) {
    throw validation(MESSAGES.returnValuesOldOrNone);
  }
}

/** Resolve the table and validate the `Key` member against it. */
export async function tableAndKey(
  ctx: OperationContext,
  body: ItemRequest,
): Promise<[TableRecord, Item]> {
  const key = normalizeItem(body.Key);
  const table = await requestTable(ctx, body);
  return [table, checkKey(table, key)];
}

/**
 * Whether a put or delete's reply needs the item it replaces: ALL_OLD, or consumed capacity
 * (billed on the larger of old and new item).
 */
export function needsOldItem(body: ItemRequest): boolean {
  return body.ReturnValues === "ALL_OLD" || body.ReturnConsumedCapacity === "TOTAL" ||
    body.ReturnConsumedCapacity === "INDEXES";
}

/** The reply of a write: Attributes (when asked and present), capacity and metrics. */
export function writeReply(
  table: TableRecord,
  body: ItemRequest,
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
  prepare: (ctx: OperationContext, request: ItemRequest) => Promise<PreparedWrite>,
): Promise<Record<string, unknown>> {
  const request = checkItemRequest(body, member);
  onlyAllOld(request);
  const write = await prepare(ctx, request);
  const result = await writeItem(ctx.store, write);
  return writeReply(
    write.table,
    request,
    write.key,
    result,
    request.ReturnValues === "ALL_OLD" ? result.old : null,
  );
}

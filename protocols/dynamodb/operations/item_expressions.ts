/**
 * Turns an item request's expression parameters (ConditionExpression, UpdateExpression,
 * ProjectionExpression + ExpressionAttributeNames/Values) or their legacy equivalents
 * (Expected + ConditionalOperator, AttributeUpdates, AttributesToGet) into one shape the
 * operations use; both kinds are evaluated by the expression language's one engine.
 * @module
 */
import type { AttributeValue, Item } from "../attribute_value.ts";
import { FORMATS, invalidParameter, MESSAGES, validation } from "../errors.ts";
import {
  applyAttributeUpdates,
  applyUpdate,
  type AttributeValueUpdate,
  checkAttributeUpdates,
  checkExpressionParameters,
  type Condition,
  conditionFromExpected,
  evaluateCondition,
  type ExpectedAttributeValue,
  ExpressionContext,
  parseCondition,
  parseProjection,
  parseUpdate,
  type Path,
  pathsFromAttributesToGet,
  updatedAttributes,
} from "../expressions/mod.ts";
import { normalizeValue } from "../types.ts";
import { setEntry } from "../expressions/values.ts";
import type { ItemRequest } from "./item_common.ts";

/** An update, from UpdateExpression or AttributeUpdates. */
export interface ItemUpdate {
  /** Top-level attributes the update writes (key attributes may not be among them). */
  targets: string[];
  /** The new item from a copy of the current one (or the key). */
  apply(item: Item): Item;
  /** The attributes the update touched, as UPDATED_OLD/UPDATED_NEW return them. */
  touched(item: Item): Item;
}

/** The parsed expressions of one item request. */
export interface ItemExpressions {
  condition?: Condition;
  update?: ItemUpdate;
  /** Paths to keep (absent = whole item). */
  projection?: Path[];
}

/** Which expression parameters an operation takes. */
export interface ExpressionParams {
  condition?: boolean;
  update?: boolean;
  projection?: boolean;
}

const PARAMS = {
  condition: ["ConditionExpression", "Expected"],
  update: ["UpdateExpression", "AttributeUpdates"],
  projection: ["ProjectionExpression", "AttributesToGet"],
} as const;

function normalizeMap(
  raw: unknown,
  onError: (key: string, message: string) => never,
): Record<string, AttributeValue> | undefined {
  if (raw === undefined || raw === null) return undefined;
  const out: Record<string, AttributeValue> = {};
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    try {
      setEntry(out, k, normalizeValue(v));
    } catch (error) {
      onError(k, (error as Error).message);
    }
  }
  return out;
}

function expressionValues(body: ItemRequest): Record<string, AttributeValue> | undefined {
  return normalizeMap(body.ExpressionAttributeValues, (key, message) => {
    throw validation(FORMATS.invalidAttributeValue(message, key));
  });
}

function normalizeExpected(
  raw: Record<string, ExpectedAttributeValue>,
): Record<string, ExpectedAttributeValue> {
  const out: Record<string, ExpectedAttributeValue> = {};
  for (const [name, entry] of Object.entries(raw)) {
    setEntry(out, name, {
      ...entry,
      Value: entry.Value === undefined ? undefined : normalizeValue(entry.Value),
      AttributeValueList: entry.AttributeValueList?.map((v) => normalizeValue(v)),
    });
  }
  return out;
}

function pick(item: Item, names: readonly string[]): Item {
  const out: Item = {};
  for (const n of names) if (Object.hasOwn(item, n)) setEntry(out, n, item[n]);
  return out;
}

function legacyUpdate(raw: Record<string, AttributeValueUpdate>): ItemUpdate {
  const updates: Record<string, AttributeValueUpdate> = {};
  for (const [name, u] of Object.entries(raw)) {
    setEntry(updates, name, {
      ...u,
      Value: u.Value === undefined ? undefined : normalizeValue(u.Value),
    });
  }
  checkAttributeUpdates(updates);
  const targets = Object.keys(updates);
  return {
    targets,
    apply: (item) => applyAttributeUpdates(updates, item),
    touched: (item) => pick(item, targets),
  };
}

/** Parse a request's expressions (or legacy parameters) for an item operation. */
export function parseItemExpressions(
  body: ItemRequest,
  params: ExpressionParams,
): ItemExpressions {
  const kinds = (Object.keys(params) as (keyof ExpressionParams)[]).filter((k) => params[k]);
  checkExpressionParameters(
    body,
    kinds.map((k) => PARAMS[k][0]),
    kinds.map((k) => PARAMS[k][1]),
  );
  if (body.ConditionalOperator !== undefined && body.Expected === undefined) {
    throw invalidParameter(MESSAGES.conditionalOperatorAlone);
  }
  const out: ItemExpressions = {};
  if (params.condition && body.Expected !== undefined) {
    out.condition = conditionFromExpected(
      normalizeExpected(body.Expected),
      body.ConditionalOperator,
    );
  }
  if (params.update && body.AttributeUpdates !== undefined) {
    out.update = legacyUpdate(body.AttributeUpdates);
  }
  if (params.projection && body.AttributesToGet !== undefined) {
    out.projection = pathsFromAttributesToGet(body.AttributesToGet);
  }
  // An expression member counts when it is a string (a transaction's actions are unchecked).
  const text = (member: string | undefined) => typeof member === "string" ? member : undefined;
  const modern = {
    update: params.update ? text(body.UpdateExpression) : undefined,
    condition: params.condition ? text(body.ConditionExpression) : undefined,
    projection: params.projection ? text(body.ProjectionExpression) : undefined,
  };
  if (
    modern.update === undefined && modern.condition === undefined &&
    modern.projection === undefined
  ) {
    return out;
  }
  const ctx = new ExpressionContext({
    names: body.ExpressionAttributeNames,
    values: expressionValues(body),
  });
  if (modern.update !== undefined) {
    const update = parseUpdate(modern.update, ctx);
    out.update = {
      targets: update.paths.map((p) => String(p[0])),
      apply: (item) => applyUpdate(update, item),
      touched: (item) => updatedAttributes(item, update),
    };
  }
  if (modern.condition !== undefined) {
    out.condition = parseCondition(modern.condition, ctx, "ConditionExpression");
  }
  if (modern.projection !== undefined) {
    out.projection = parseProjection(modern.projection, ctx).paths;
  }
  ctx.assertAllUsed();
  return out;
}

/** Evaluate the request's condition (true when there is none). */
export function conditionHolds(expressions: ItemExpressions, item: Item | null): boolean {
  return !expressions.condition || evaluateCondition(expressions.condition, item ?? undefined);
}

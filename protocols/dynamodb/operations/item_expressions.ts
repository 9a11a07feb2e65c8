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
import type { Body } from "../validation.ts";

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

function expressionValues(body: Body): Record<string, AttributeValue> | undefined {
  return normalizeMap(body.ExpressionAttributeValues, (key, message) => {
    throw validation(FORMATS.invalidAttributeValue(message, key));
  });
}

function normalizeExpected(raw: unknown): Record<string, ExpectedAttributeValue> {
  const out: Record<string, ExpectedAttributeValue> = {};
  for (const [name, entry] of Object.entries(raw as Record<string, ExpectedAttributeValue>)) {
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

function legacyUpdate(raw: unknown): ItemUpdate {
  const updates: Record<string, AttributeValueUpdate> = {};
  for (const [name, u] of Object.entries(raw as Record<string, AttributeValueUpdate>)) {
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
export function parseItemExpressions(body: Body, params: ExpressionParams): ItemExpressions {
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
      body.ConditionalOperator as string | undefined,
    );
  }
  if (params.update && body.AttributeUpdates !== undefined) {
    out.update = legacyUpdate(body.AttributeUpdates);
  }
  if (params.projection && body.AttributesToGet !== undefined) {
    out.projection = pathsFromAttributesToGet(body.AttributesToGet as string[]);
  }
  const modern = kinds.filter((k) => typeof body[PARAMS[k][0]] === "string");
  if (modern.length === 0) return out;
  const ctx = new ExpressionContext({
    names: body.ExpressionAttributeNames as Record<string, string> | undefined,
    values: expressionValues(body),
  });
  if (modern.includes("update")) {
    const update = parseUpdate(body.UpdateExpression as string, ctx);
    out.update = {
      targets: update.paths.map((p) => String(p[0])),
      apply: (item) => applyUpdate(update, item),
      touched: (item) => updatedAttributes(item, update),
    };
  }
  if (modern.includes("condition")) {
    out.condition = parseCondition(body.ConditionExpression as string, ctx, "ConditionExpression");
  }
  if (modern.includes("projection")) {
    out.projection = parseProjection(body.ProjectionExpression as string, ctx).paths;
  }
  ctx.assertAllUsed();
  return out;
}

/** Evaluate the request's condition (true when there is none). */
export function conditionHolds(expressions: ItemExpressions, item: Item | null): boolean {
  return !expressions.condition || evaluateCondition(expressions.condition, item ?? undefined);
}

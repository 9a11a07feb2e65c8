/**
 * The expressions of Query and Scan: KeyConditionExpression (or legacy KeyConditions),
 * FilterExpression (or QueryFilter/ScanFilter + ConditionalOperator) and ProjectionExpression
 * (or AttributesToGet), parsed against one ExpressionContext.
 * @module
 */
import type { AttributeValue } from "../attribute_value.ts";
import {
  checkExpressionParameters,
  type Condition,
  conditionFromFilter,
  ExpressionContext,
  type KeyCondition,
  keyConditionFromKeyConditions,
  type KeySchema,
  type LegacyCondition,
  parseCondition,
  parseKeyCondition,
  parseProjection,
  type Path,
  pathsFromAttributesToGet,
} from "../expressions/mod.ts";
import { normalizeValue } from "../types.ts";
import { setEntry } from "../expressions/values.ts";
import { FORMATS, MESSAGES, validation } from "../errors.ts";
import type { ReadRequest } from "./read_request.ts";

/** The parsed expressions of one Query or Scan. */
export interface ReadExpressions {
  key?: KeyCondition;
  filter?: Condition;
  projection?: Path[];
}

function normalizeLegacy(raw: Record<string, LegacyCondition>): Record<string, LegacyCondition> {
  const out: Record<string, LegacyCondition> = {};
  for (const [name, entry] of Object.entries(raw)) {
    setEntry(out, name, {
      ...entry,
      AttributeValueList: entry.AttributeValueList?.map((v) => normalizeValue(v)),
    });
  }
  return out;
}

function expressionValues(body: ReadRequest): Record<string, AttributeValue> | undefined {
  const raw = body.ExpressionAttributeValues;
  if (raw === undefined || raw === null) return undefined;
  const out: Record<string, AttributeValue> = {};
  for (const [k, v] of Object.entries(raw)) {
    try {
      setEntry(out, k, normalizeValue(v));
    } catch (error) {
      throw validation(FORMATS.invalidAttributeValue((error as Error).message, k));
    }
  }
  return out;
}

/**
 * Parse a Query's (`schema` given) or Scan's expressions. Throws ExpressionError or
 * DynamoError with DynamoDB's messages.
 */
export function parseReadExpressions(body: ReadRequest, schema?: KeySchema): ReadExpressions {
  const filterName = schema ? "QueryFilter" : "ScanFilter";
  const expressions = ["FilterExpression", "ProjectionExpression"];
  const legacy = [filterName, "AttributesToGet"];
  if (schema) {
    expressions.unshift("KeyConditionExpression");
    legacy.unshift("KeyConditions");
  }
  checkExpressionParameters(body, expressions, legacy);
  const out: ReadExpressions = {};
  if (schema && body.KeyConditions !== undefined) {
    out.key = keyConditionFromKeyConditions(normalizeLegacy(body.KeyConditions), schema);
  }
  const filter = schema ? body.QueryFilter : body.ScanFilter;
  if (filter !== undefined) {
    out.filter = conditionFromFilter(normalizeLegacy(filter), body.ConditionalOperator);
  }
  if (body.AttributesToGet !== undefined) {
    out.projection = pathsFromAttributesToGet(body.AttributesToGet);
  }
  const used = [
    schema ? body.KeyConditionExpression : undefined,
    body.FilterExpression,
    body.ProjectionExpression,
  ].filter((text) => typeof text === "string");
  if (used.length > 0) {
    const ctx = new ExpressionContext({
      names: body.ExpressionAttributeNames,
      values: expressionValues(body),
    });
    if (schema && typeof body.KeyConditionExpression === "string") {
      out.key = parseKeyCondition(body.KeyConditionExpression, ctx, schema);
    }
    if (typeof body.FilterExpression === "string") {
      out.filter = parseCondition(body.FilterExpression, ctx, "FilterExpression");
    }
    if (typeof body.ProjectionExpression === "string") {
      out.projection = parseProjection(body.ProjectionExpression, ctx).paths;
    }
    ctx.assertAllUsed();
  }
  if (schema && !out.key) {
    throw validation(MESSAGES.keyConditionMissing);
  }
  return out;
}

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
import { normalizeValue, typeOf } from "../types.ts";
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
 * The commonest Query, `KeyConditionExpression` alone and one value: the partition key name its
 * parse found, by everything that parse read except the value itself (whose normalisation still
 * runs for each request) — the text, the names, the value's reference and type, the key schema.
 * Parsing "pk = :pk" costs ~12 us, a third of a Query served from kept replies.
 */
const hashEqualities = new Map<string, string>();
/** Entries kept at most; past it the memo starts over. */
const MAX_HASH_EQUALITIES = 1024;

/** The members other than KeyConditionExpression that make a Query's parse not memoised. */
const UNMEMOISED = [
  "FilterExpression",
  "ProjectionExpression",
  "KeyConditions",
  "QueryFilter",
  "AttributesToGet",
] as const;

/** The memo key of a lone-value KeyConditionExpression, or null when it is not one. */
function equalityKey(
  body: ReadRequest,
  schema: KeySchema,
  values: Record<string, AttributeValue> | undefined,
): string | null {
  if (schema.multi || !values) return null;
  if (UNMEMOISED.some((name) => body[name] !== undefined)) return null;
  const refs = Object.keys(values);
  if (refs.length !== 1) return null;
  return [
    schema.hashKey,
    schema.rangeKey ?? "",
    schema.types?.[schema.hashKey] ?? "",
    refs[0],
    typeOf(values[refs[0]]),
    JSON.stringify(body.ExpressionAttributeNames ?? null),
    body.KeyConditionExpression,
  ].join("\u0000");
}

/**
 * Parse a Query's (`schema` given) or Scan's expressions. Throws ExpressionError or
 * DynamoError with DynamoDB's messages.
 */
export function parseReadExpressions(body: ReadRequest, schema?: KeySchema): ReadExpressions {
  if (!schema || typeof body.KeyConditionExpression !== "string") return parseAll(body, schema);
  // What parseAll does first, in its order: with a key expression, no legacy member passes this.
  checkExpressionParameters(
    body,
    ["KeyConditionExpression", "FilterExpression", "ProjectionExpression"],
    ["KeyConditions", "QueryFilter", "AttributesToGet"],
  );
  const values = expressionValues(body);
  const memo = equalityKey(body, schema, values);
  const name = memo === null ? undefined : hashEqualities.get(memo);
  if (name !== undefined) return { key: { hash: { name, value: Object.values(values!)[0] } } };
  const out = parseAll(body, schema, { values });
  const key = out.key;
  if (
    memo !== null && key && !key.range && !key.hashValues && !key.sortEquals &&
    key.hash.value === Object.values(values!)[0]
  ) {
    if (hashEqualities.size >= MAX_HASH_EQUALITIES) hashEqualities.clear();
    hashEqualities.set(memo, key.hash.name);
  }
  return out;
}

/**
 * The whole parse. `checked` carries the request's normalised ExpressionAttributeValues when
 * the caller has already checked the parameters and normalised them (in that order, as here).
 */
function parseAll(
  body: ReadRequest,
  schema?: KeySchema,
  checked?: { values: Record<string, AttributeValue> | undefined },
): ReadExpressions {
  const filterName = schema ? "QueryFilter" : "ScanFilter";
  const expressions = ["FilterExpression", "ProjectionExpression"];
  const legacy = [filterName, "AttributesToGet"];
  if (schema) {
    expressions.unshift("KeyConditionExpression");
    legacy.unshift("KeyConditions");
  }
  if (!checked) checkExpressionParameters(body, expressions, legacy);
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
      values: checked ? checked.values : expressionValues(body),
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

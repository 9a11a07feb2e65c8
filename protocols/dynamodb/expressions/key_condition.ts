/**
 * KeyConditionExpression: parsed as a condition, then reduced to one equality on the partition
 * key and at most one range condition on the sort key, in the structured form Query turns
 * into a range read. Errors use DynamoDB's messages.
 * @module
 */
import type { AttributeValue } from "../attribute_value.ts";
import type { Condition, KeyCondition, KeyOperator, KeySchema, Operand } from "./ast.ts";
import type { ExpressionContext } from "./context.ts";
import { ExpressionError, MESSAGES } from "./errors.ts";
import { parseCondition } from "./parser.ts";
import { typeOf } from "./values.ts";

const OPERATORS: Record<string, KeyOperator> = {
  "=": "EQ",
  "<": "LT",
  "<=": "LE",
  ">": "GT",
  ">=": "GE",
};
// `:v < key` means `key > :v`.
const MIRRORED: Record<string, string> = { "=": "=", "<": ">", "<=": ">=", ">": "<", ">=": "<=" };
const INDEXABLE: ReadonlySet<string> = new Set([
  "EQ",
  "LE",
  "LT",
  "GE",
  "GT",
  "BEGINS_WITH",
  "BETWEEN",
]);
const DISALLOWED_FUNCTIONS = new Set([
  "attribute_exists",
  "attribute_not_exists",
  "attribute_type",
  "contains",
]);

/** One attribute's key condition (operator as the legacy ComparisonOperator names it). */
export interface KeyPart {
  operator: string;
  values: AttributeValue[];
}

function fail(message: string): never {
  throw new ExpressionError(message);
}

function checkNestedOperand(operand: Operand): void {
  if (operand.kind === "function") {
    if (DISALLOWED_FUNCTIONS.has(operand.name)) fail(MESSAGES.keyInvalidOperator(operand.name));
    if (operand.name === "size") fail(MESSAGES.keyNested);
  }
}

/** One leaf condition → (attribute name, operator, values). */
function keyPart(
  operator: string,
  args: Operand[],
  parts: Map<string, KeyPart>,
): void {
  let name: string | undefined;
  let nameIndex = 0;
  args.forEach((arg, i) => {
    if (arg.kind === "path") {
      if (name !== undefined) fail(MESSAGES.keyMultipleNames);
      if (arg.path.length > 1) fail(MESSAGES.keyNestedAttribute);
      name = arg.path[0] as string;
      nameIndex = i;
    } else {
      checkNestedOperand(arg);
    }
  });
  if (name === undefined) fail(MESSAGES.keyNoAttribute);
  if (parts.has(name)) fail(MESSAGES.keyOneConditionPerKey);
  const values = args.filter((_, i) => i !== nameIndex).map((arg) =>
    arg.kind === "value" ? arg.value : fail(MESSAGES.keyNested)
  );
  let keyOperator: KeyOperator;
  if (operator === "BETWEEN" || operator === "BEGINS_WITH") keyOperator = operator;
  else keyOperator = OPERATORS[nameIndex === 0 ? operator : MIRRORED[operator]];
  parts.set(name, { operator: keyOperator, values });
}

function collect(condition: Condition, parts: Map<string, KeyPart>): void {
  switch (condition.kind) {
    case "and":
      collect(condition.left, parts);
      collect(condition.right, parts);
      return;
    case "or":
    case "not":
    case "in":
      return fail(MESSAGES.keyInvalidOperator(condition.kind.toUpperCase()));
    case "function":
      if (DISALLOWED_FUNCTIONS.has(condition.name)) {
        fail(MESSAGES.keyInvalidOperator(condition.name));
      }
      if (condition.name === "size") fail(MESSAGES.keyNested);
      if (condition.args[0].kind !== "path") fail(MESSAGES.keyFirstOperand(condition.name));
      return keyPart("BEGINS_WITH", condition.args, parts);
    case "between":
      if (condition.operand.kind !== "path") fail(MESSAGES.keyFirstOperand("BETWEEN"));
      return keyPart("BETWEEN", [condition.operand, condition.low, condition.high], parts);
    case "compare":
      if (condition.operator === "<>") fail(MESSAGES.keyInvalidOperator("<>"));
      return keyPart(condition.operator, [condition.left, condition.right], parts);
  }
}

/**
 * Parses a KeyConditionExpression and checks it against the table's (or index's) key schema.
 * @throws {ExpressionError} syntax and semantic errors ("Invalid KeyConditionExpression: …"),
 *   structural errors ("Invalid operator used in KeyConditionExpression: OR") and schema errors
 *   ("Query condition missed key schema element: pk")
 */
export function parseKeyCondition(
  text: string,
  ctx: ExpressionContext,
  schema: KeySchema,
): KeyCondition {
  const condition = parseCondition(text, ctx, "KeyConditionExpression");
  const parts = new Map<string, KeyPart>();
  collect(condition, parts);
  return checkKeyParts(parts, schema);
}

/**
 * Checks per-attribute key conditions against the key schema (shared with the legacy
 * KeyConditions parameter) and returns the structured form.
 * @throws {ExpressionError} DynamoDB's schema errors
 */
export function checkKeyParts(parts: Map<string, KeyPart>, schema: KeySchema): KeyCondition {
  if (schema.multi) return checkMultiKeyParts(parts, schema, schema.multi);
  if (parts.size !== 1 && parts.size !== 2) fail(MESSAGES.keyConditionCount);
  // DynamoDB's order: per key attribute (hash, then range), presence, operator, type, then EQ.
  const keys = schema.rangeKey === undefined ? [schema.hashKey] : [schema.hashKey, schema.rangeKey];
  keys.forEach((name, i) => {
    const isHash = i === 0;
    if (isHash && keys.length === 1 && parts.size > 1) fail(MESSAGES.keyNotSupported);
    const part = parts.get(name);
    if (!part) {
      if (isHash || parts.size > 1) fail(MESSAGES.keyMissedElement(name));
      return;
    }
    if (!INDEXABLE.has(part.operator)) fail(MESSAGES.keyNotIndexable);
    const type = schema.types?.[name];
    if (type && part.values.some((value) => typeOf(value) !== type)) {
      fail(MESSAGES.keyTypeMismatch);
    }
    if (isHash && part.operator !== "EQ") fail(MESSAGES.keyNotSupported);
  });
  const hash = parts.get(schema.hashKey)!;
  const result: KeyCondition = { hash: { name: schema.hashKey, value: hash.values[0] } };
  const range = schema.rangeKey === undefined ? undefined : parts.get(schema.rangeKey);
  if (range && schema.rangeKey !== undefined) {
    result.range = {
      name: schema.rangeKey,
      operator: range.operator as KeyOperator,
      values: range.values,
    };
  }
  return result;
}

/**
 * Key conditions on a multi-attribute GSI key: an equality on every partition attribute; sort
 * attributes used left to right without gaps, equalities on all but the last one used.
 */
function checkMultiKeyParts(
  parts: Map<string, KeyPart>,
  schema: KeySchema,
  multi: { hashKeys: string[]; rangeKeys: string[] },
): KeyCondition {
  for (const name of parts.keys()) {
    if (!multi.hashKeys.includes(name) && !multi.rangeKeys.includes(name)) {
      fail(MESSAGES.keyNotSupported);
    }
  }
  const check = (name: string, part: KeyPart) => {
    if (!INDEXABLE.has(part.operator)) fail(MESSAGES.keyNotIndexable);
    const type = schema.types?.[name];
    if (type && part.values.some((value) => typeOf(value) !== type)) {
      fail(MESSAGES.keyTypeMismatch);
    }
  };
  const hashValues = multi.hashKeys.map((name) => {
    const part = parts.get(name);
    if (!part) fail(MESSAGES.keyMissedElement(name));
    check(name, part);
    if (part.operator !== "EQ") fail(MESSAGES.keyNotSupported);
    return part.values[0];
  });
  const used = multi.rangeKeys.filter((name) => parts.has(name));
  multi.rangeKeys.slice(0, used.length).forEach((name) => {
    if (!parts.has(name)) fail(MESSAGES.keyMissedElement(name));
  });
  const sortEquals = used.map((name, i) => {
    const part = parts.get(name)!;
    check(name, part);
    if (i < used.length - 1 && part.operator !== "EQ") fail(MESSAGES.keyNotSupported);
    return part.values[0];
  });
  const result: KeyCondition = {
    hash: { name: multi.hashKeys[0], value: hashValues[0] },
    hashValues,
    sortEquals: sortEquals.slice(0, -1),
  };
  const last = used.at(-1);
  if (last !== undefined) {
    const part = parts.get(last)!;
    result.range = { name: last, operator: part.operator as KeyOperator, values: part.values };
  }
  return result;
}

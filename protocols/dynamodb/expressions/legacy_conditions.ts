/**
 * The legacy (pre-expression) read and condition parameters older SDKs and ORMs still send,
 * turned into the expression trees so one evaluator serves both: Expected +
 * ConditionalOperator, QueryFilter / ScanFilter, KeyConditions and AttributesToGet; plus the
 * check that a request does not mix them with expressions. Errors use DynamoDB's messages.
 * @module
 */
import type { AttributeValue } from "../attribute_value.ts";
import type { Condition, KeyCondition, KeySchema, Operand, Path } from "./ast.ts";
import { ExpressionError } from "./errors.ts";
import { checkKeyParts, type KeyPart } from "./key_condition.ts";
import { compareAttributeValues, typeOf } from "./values.ts";

const INVALID = "One or more parameter values were invalid: ";

/** One entry of `Expected`. */
export interface ExpectedAttributeValue {
  Value?: AttributeValue;
  Exists?: boolean;
  ComparisonOperator?: string;
  AttributeValueList?: AttributeValue[];
}

/** One entry of `QueryFilter`, `ScanFilter` or `KeyConditions`. */
export interface LegacyCondition {
  ComparisonOperator: string;
  AttributeValueList?: AttributeValue[];
}

function fail(message: string): never {
  throw new ExpressionError(message);
}

/**
 * Rejects a request mixing expression and legacy parameters, or sending attribute names or
 * values without an expression, as DynamoDB does.
 * @param request the request body
 * @param expressions the operation's expression parameters, e.g. ["UpdateExpression",
 *   "ConditionExpression"]
 * @param legacy its legacy parameters, e.g. ["AttributeUpdates", "Expected"]
 */
export function checkExpressionParameters(
  request: Record<string, unknown>,
  expressions: string[],
  legacy: string[],
): void {
  const present = (name: string) => request[name] !== undefined && request[name] !== null;
  const used = expressions.filter(present);
  if (used.length > 0) {
    // A Query may pair KeyConditions with expression parameters other than a key expression.
    const others = legacy.filter((name) =>
      present(name) && !(name === "KeyConditions" && !present("KeyConditionExpression"))
    );
    if (others.length > 0) {
      fail(
        "Can not use both expression and non-expression parameters in the same request: " +
          `Non-expression parameters: {${others.join(", ")}} ` +
          `Expression parameters: {${used.join(", ")}}`,
      );
    }
  }
  if (present("ExpressionAttributeNames") && used.length === 0) {
    fail("ExpressionAttributeNames can only be specified when using expressions");
  }
  const valueExpressions = expressions.filter((name) => name !== "ProjectionExpression");
  if (
    valueExpressions.length > 0 && present("ExpressionAttributeValues") &&
    !valueExpressions.some(present)
  ) {
    fail(
      "ExpressionAttributeValues can only be specified when using expressions: " +
        `${valueExpressions.join(" and ")} ${valueExpressions.length > 1 ? "are" : "is"} null`,
    );
  }
}

const path = (name: string): Operand => ({ kind: "path", path: [name] });
const literal = (value: AttributeValue): Operand => ({ kind: "value", ref: "", value });

/** The condition one legacy comparison stands for. */
function comparison(name: string, operator: string, values: AttributeValue[]): Condition {
  const [first, second] = values.map(literal);
  const compare = (op: "=" | "<>" | "<" | "<=" | ">" | ">="): Condition => ({
    kind: "compare",
    operator: op,
    left: path(name),
    right: first,
  });
  switch (operator) {
    case "EQ":
      return compare("=");
    case "NE":
      return compare("<>");
    case "LT":
      return compare("<");
    case "LE":
      return compare("<=");
    case "GT":
      return compare(">");
    case "GE":
      return compare(">=");
    case "NULL":
      return { kind: "function", name: "attribute_not_exists", args: [path(name)] };
    case "NOT_NULL":
      return { kind: "function", name: "attribute_exists", args: [path(name)] };
    case "CONTAINS":
      return { kind: "function", name: "contains", args: [path(name), first] };
    case "NOT_CONTAINS":
      return {
        kind: "not",
        condition: { kind: "function", name: "contains", args: [path(name), first] },
      };
    case "BEGINS_WITH":
      return { kind: "function", name: "begins_with", args: [path(name), first] };
    case "IN":
      return { kind: "in", operand: path(name), list: values.map(literal) };
    default: // BETWEEN
      return { kind: "between", operand: path(name), low: first, high: second };
  }
}

function combine(conditions: Condition[], operator: string | undefined): Condition | undefined {
  if (conditions.length === 0) return undefined;
  const kind = operator === "OR" ? "or" : "and";
  return conditions.reduce((left, right) => ({ kind, left, right }));
}

const ARITY: Record<string, [number, number]> = {
  NULL: [0, 0],
  NOT_NULL: [0, 0],
  EQ: [1, 1],
  NE: [1, 1],
  LE: [1, 1],
  LT: [1, 1],
  GE: [1, 1],
  GT: [1, 1],
  CONTAINS: [1, 1],
  NOT_CONTAINS: [1, 1],
  BEGINS_WITH: [1, 1],
  IN: [1, Infinity],
  BETWEEN: [2, 2],
};
const FILTER_TYPES: Record<string, string[]> = {
  EQ: ["S", "N", "B", "SS", "NS", "BS"],
  NE: ["S", "N", "B", "SS", "NS", "BS"],
  LE: ["S", "N", "B"],
  LT: ["S", "N", "B"],
  GE: ["S", "N", "B"],
  GT: ["S", "N", "B"],
  CONTAINS: ["S", "N", "B"],
  NOT_CONTAINS: ["S", "N", "B"],
  BEGINS_WITH: ["S", "B"],
  IN: ["S", "N", "B"],
  BETWEEN: ["S", "N", "B"],
};

function checkSameType(values: AttributeValue[]): void {
  if (values.some((value) => typeOf(value) !== typeOf(values[0]))) {
    fail(`${INVALID}AttributeValues inside AttributeValueList must be of same type`);
  }
}

function checkBetweenOrder(operator: string, values: AttributeValue[]): void {
  if (operator === "BETWEEN" && (compareAttributeValues(values[0], values[1]) ?? 0) > 0) {
    fail(
      "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound",
    );
  }
}

function checkArity(operator: string, count: number): void {
  const [min, max] = ARITY[operator] ?? [0, -1];
  if (count < min || count > max) {
    fail(`${INVALID}Invalid number of argument(s) for the ${operator} ComparisonOperator`);
  }
}

/**
 * Turns `Expected` (+ `ConditionalOperator`) into a condition, validating it as DynamoDB does.
 * @returns undefined when `Expected` is empty
 */
export function conditionFromExpected(
  expected: Record<string, ExpectedAttributeValue>,
  conditionalOperator?: string,
): Condition | undefined {
  const conditions: Condition[] = [];
  for (const [name, entry] of Object.entries(expected)) {
    if (entry.AttributeValueList !== undefined && entry.Value !== undefined) {
      fail(`${INVALID}Value and AttributeValueList cannot be used together for Attribute: ${name}`);
    }
    if (entry.ComparisonOperator !== undefined) {
      const operator = entry.ComparisonOperator;
      if (entry.Exists !== undefined) {
        fail(
          `${INVALID}Exists and ComparisonOperator cannot be used together for Attribute: ${name}`,
        );
      }
      if (
        operator !== "NULL" && operator !== "NOT_NULL" && entry.AttributeValueList === undefined &&
        entry.Value === undefined
      ) {
        fail(
          `${INVALID}Value or AttributeValueList must be used with ComparisonOperator: ${operator} for Attribute: ${name}`,
        );
      }
      const values = entry.AttributeValueList ?? (entry.Value ? [entry.Value] : []);
      checkArity(operator, values.length);
      checkSameType(values);
      checkBetweenOrder(operator, values);
      conditions.push(comparison(name, operator, values));
    } else if (entry.AttributeValueList !== undefined) {
      fail(
        `${INVALID}AttributeValueList can only be used with a ComparisonOperator for Attribute: ${name}`,
      );
    } else {
      const exists = entry.Exists ?? true;
      if (exists && entry.Value === undefined) {
        fail(
          `${INVALID}Value must be provided when Exists is ${
            entry.Exists === undefined ? "null" : entry.Exists
          } for Attribute: ${name}`,
        );
      }
      if (!exists && entry.Value !== undefined) {
        fail(`${INVALID}Value cannot be used when Exists is false for Attribute: ${name}`);
      }
      conditions.push(
        exists ? comparison(name, "EQ", [entry.Value!]) : comparison(name, "NULL", []),
      );
    }
  }
  return combine(conditions, conditionalOperator);
}

function checkFilterEntry(operator: string, values: AttributeValue[]): void {
  checkArity(operator, values.length);
  checkSameType(values);
  for (const value of values) {
    const type = typeOf(value);
    if (FILTER_TYPES[operator] && !FILTER_TYPES[operator].includes(type)) {
      fail(`${INVALID}ComparisonOperator ${operator} is not valid for ${type} AttributeValue type`);
    }
  }
  checkBetweenOrder(operator, values);
}

/**
 * Turns `QueryFilter` / `ScanFilter` (+ `ConditionalOperator`) into a condition.
 * @returns undefined when the filter is empty
 */
export function conditionFromFilter(
  filter: Record<string, LegacyCondition>,
  conditionalOperator?: string,
): Condition | undefined {
  const conditions = Object.entries(filter).map(([name, entry]) => {
    const values = entry.AttributeValueList ?? [];
    checkFilterEntry(entry.ComparisonOperator, values);
    return comparison(name, entry.ComparisonOperator, values);
  });
  return combine(conditions, conditionalOperator);
}

/** Turns the legacy `KeyConditions` of a Query into the structured key condition. */
export function keyConditionFromKeyConditions(
  keyConditions: Record<string, LegacyCondition>,
  schema: KeySchema,
): KeyCondition {
  const parts = new Map<string, KeyPart>();
  for (const [name, entry] of Object.entries(keyConditions)) {
    const values = entry.AttributeValueList ?? [];
    checkFilterEntry(entry.ComparisonOperator, values);
    parts.set(name, { operator: entry.ComparisonOperator, values });
  }
  return checkKeyParts(parts, schema);
}

/** The projection `AttributesToGet` stands for. */
export function pathsFromAttributesToGet(names: string[]): Path[] {
  return names.map((name) => [name]);
}

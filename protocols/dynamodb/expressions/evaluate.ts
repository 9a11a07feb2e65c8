/**
 * Evaluates a parsed condition against an item with DynamoDB's semantics: a missing attribute
 * or a comparison across types is false (not an error), numbers compare numerically, strings
 * and binaries by byte order, sets and lists by membership for contains().
 * @module
 */
import type { AttributeValue, Item } from "../attribute_value.ts";
import type { Condition, Operand } from "./ast.ts";
import { getPath } from "./paths.ts";
import {
  attributeValuesEqual,
  binaryBytes,
  compareAttributeValues,
  memberEquals,
  typeOf,
} from "./values.ts";

const encoder = new TextEncoder();

/** size(): string and binary length in bytes, element count of sets, lists and maps. */
function sizeOf(value: AttributeValue | undefined): AttributeValue | undefined {
  if (value === undefined) return undefined;
  let size: number;
  if ("S" in value) size = encoder.encode(value.S).length;
  else if ("B" in value) size = binaryBytes(value.B).length;
  else if ("SS" in value) size = value.SS.length;
  else if ("NS" in value) size = value.NS.length;
  else if ("BS" in value) size = value.BS.length;
  else if ("L" in value) size = value.L.length;
  else if ("M" in value) size = Object.keys(value.M).length;
  else return undefined;
  return { N: String(size) };
}

function resolve(operand: Operand, item: Item | undefined): AttributeValue | undefined {
  switch (operand.kind) {
    case "path":
      return getPath(item, operand.path);
    case "value":
      return operand.value;
    case "function":
      return operand.name === "size" ? sizeOf(resolve(operand.args[0], item)) : undefined;
    case "arithmetic":
      return undefined;
  }
}

function ordered(a: AttributeValue | undefined, b: AttributeValue | undefined): number | null {
  return a === undefined || b === undefined ? null : compareAttributeValues(a, b);
}

function equal(a: AttributeValue | undefined, b: AttributeValue | undefined): boolean {
  return a !== undefined && b !== undefined && attributeValuesEqual(a, b);
}

function beginsWith(value: AttributeValue | undefined, prefix: AttributeValue | undefined) {
  if (value === undefined || prefix === undefined) return false;
  if ("S" in value && "S" in prefix) return value.S.startsWith(prefix.S);
  if ("B" in value && "B" in prefix) {
    const bytes = binaryBytes(value.B);
    const start = binaryBytes(prefix.B);
    return start.length <= bytes.length && start.every((byte, i) => bytes[i] === byte);
  }
  return false;
}

function hasSubsequence(bytes: Uint8Array, part: Uint8Array): boolean {
  outer: for (let start = 0; start + part.length <= bytes.length; start++) {
    for (let i = 0; i < part.length; i++) if (bytes[start + i] !== part[i]) continue outer;
    return true;
  }
  return false;
}

function contains(value: AttributeValue | undefined, operand: AttributeValue | undefined) {
  if (value === undefined || operand === undefined) return false;
  if ("S" in value) return "S" in operand && value.S.includes(operand.S);
  if ("B" in value) {
    return "B" in operand && hasSubsequence(binaryBytes(value.B), binaryBytes(operand.B));
  }
  if ("L" in value) return value.L.some((element) => attributeValuesEqual(element, operand));
  for (const setType of ["SS", "NS", "BS"] as const) {
    if (setType in value) {
      const scalar = setType[0];
      if (typeOf(operand) !== scalar) return false;
      const member = (operand as Record<string, string>)[scalar];
      const same = memberEquals(setType);
      return (value as Record<string, string[]>)[setType].some((m) => same(m, member));
    }
  }
  return false;
}

function callFunction(name: string, args: Operand[], item: Item | undefined): boolean {
  switch (name) {
    case "attribute_exists":
      return resolve(args[0], item) !== undefined;
    case "attribute_not_exists":
      return resolve(args[0], item) === undefined;
    case "attribute_type": {
      const value = resolve(args[0], item);
      const type = resolve(args[1], item);
      return value !== undefined && type !== undefined && "S" in type && typeOf(value) === type.S;
    }
    case "begins_with":
      return beginsWith(resolve(args[0], item), resolve(args[1], item));
    case "contains":
      return contains(resolve(args[0], item), resolve(args[1], item));
    default:
      return false;
  }
}

/**
 * Evaluates a condition.
 * @param item the item as stored, or undefined when there is none (then only
 *   attribute_not_exists and `<>` style conditions can hold)
 * @returns whether the condition holds
 */
export function evaluateCondition(condition: Condition, item: Item | undefined): boolean {
  switch (condition.kind) {
    case "and":
      return evaluateCondition(condition.left, item) && evaluateCondition(condition.right, item);
    case "or":
      return evaluateCondition(condition.left, item) || evaluateCondition(condition.right, item);
    case "not":
      return !evaluateCondition(condition.condition, item);
    case "function":
      return callFunction(condition.name, condition.args, item);
    case "in": {
      const value = resolve(condition.operand, item);
      return condition.list.some((candidate) => equal(value, resolve(candidate, item)));
    }
    case "between": {
      const value = resolve(condition.operand, item);
      const low = ordered(value, resolve(condition.low, item));
      const high = ordered(value, resolve(condition.high, item));
      return low !== null && high !== null && low >= 0 && high <= 0;
    }
    case "compare": {
      const left = resolve(condition.left, item);
      const right = resolve(condition.right, item);
      switch (condition.operator) {
        case "=":
          return equal(left, right);
        case "<>":
          return !equal(left, right);
        default: {
          const order = ordered(left, right);
          if (order === null) return false;
          if (condition.operator === "<") return order < 0;
          if (condition.operator === "<=") return order <= 0;
          if (condition.operator === ">") return order > 0;
          return order >= 0;
        }
      }
    }
  }
}

/**
 * ADD and DELETE on one attribute value — number addition, set union and difference, list
 * append (legacy AttributeUpdates only) — shared by UpdateExpression and AttributeUpdates,
 * which differ only in the message for a type mismatch.
 * @module
 */
import type { AttributeValue } from "../attribute_value.ts";
import { addNumbers, NumberError, subtractNumbers } from "../number.ts";
import { ExpressionError } from "./errors.ts";
import { memberEquals } from "./values.ts";

const SET_TYPES = ["SS", "NS", "BS"] as const;
type SetType = typeof SET_TYPES[number];

function members(value: AttributeValue, type: SetType): string[] {
  return (value as Record<SetType, string[]>)[type];
}

function setTypeOf(value: AttributeValue): SetType | undefined {
  return SET_TYPES.find((type) => type in value);
}

/**
 * Exact `a + b` or `a - b`.
 * @throws {ExpressionError} DynamoDB's overflow, underflow or precision message
 */
export function numberArithmetic(operator: "+" | "-", a: string, b: string): string {
  try {
    return operator === "+" ? addNumbers(a, b) : subtractNumbers(a, b);
  } catch (error) {
    if (error instanceof NumberError) throw new ExpressionError(error.message);
    throw error;
  }
}

/**
 * ADD: a number is added (to 0 when absent), a set gains the new members, a list (legacy only)
 * is appended to.
 * @param mismatch the message when the existing value has another type
 * @returns the new value
 */
export function addValue(
  existing: AttributeValue | undefined,
  value: AttributeValue,
  mismatch: string,
): AttributeValue {
  if ("N" in value) {
    if (existing !== undefined && !("N" in existing)) throw new ExpressionError(mismatch);
    return { N: numberArithmetic("+", existing?.N ?? "0", value.N) };
  }
  if ("L" in value) {
    if (existing !== undefined && !("L" in existing)) throw new ExpressionError(mismatch);
    return { L: [...(existing?.L ?? []), ...structuredClone(value.L)] };
  }
  const type = setTypeOf(value)!;
  if (existing === undefined) return structuredClone(value);
  if (!(type in existing)) throw new ExpressionError(mismatch);
  const same = memberEquals(type);
  const union = [...members(existing, type)];
  for (const member of members(value, type)) {
    if (!union.some((m) => same(m, member))) union.push(member);
  }
  return { [type]: union } as AttributeValue;
}

/**
 * DELETE of set members.
 * @param mismatch the message when the existing value is not a set of the same type
 * @returns the remaining set, or undefined when nothing remains (or nothing was there)
 */
export function deleteValue(
  existing: AttributeValue | undefined,
  value: AttributeValue,
  mismatch: string,
): AttributeValue | undefined {
  if (existing === undefined) return undefined;
  const type = setTypeOf(value)!;
  if (!(type in existing)) throw new ExpressionError(mismatch);
  const same = memberEquals(type);
  const drop = members(value, type);
  const kept = members(existing, type).filter((member) => !drop.some((d) => same(d, member)));
  return kept.length === 0 ? undefined : { [type]: kept } as AttributeValue;
}

/** AttributeValue comparison (stub). @module */
import type { AttributeValue } from "../attribute_value.ts";

/** DynamoDB equality of two values. */
export function attributeValuesEqual(_a: AttributeValue, _b: AttributeValue): boolean {
  throw new Error("not implemented");
}
/** Orders two scalar values of one type (S, N, B); null when not comparable. */
export function compareAttributeValues(_a: AttributeValue, _b: AttributeValue): number | null {
  throw new Error("not implemented");
}

/**
 * The legacy `AttributeUpdates` parameter of UpdateItem: validated and applied with its own
 * semantics (PUT replaces; ADD adds numbers, merges sets and appends to lists; DELETE without a
 * value removes the attribute, with a value removes set members).
 * @module
 */
import type { AttributeValue, Item } from "../attribute_value.ts";
import { addValue, deleteValue } from "./add_delete.ts";
import { ExpressionError } from "./errors.ts";
import { setEntry, typeOf } from "./values.ts";

const INVALID = "One or more parameter values were invalid: ";

/** One entry of `AttributeUpdates`. */
export interface AttributeValueUpdate {
  Action?: "PUT" | "ADD" | "DELETE";
  Value?: AttributeValue;
}

function fail(message: string): never {
  throw new ExpressionError(message);
}

/**
 * Validates `AttributeUpdates` as DynamoDB does before touching the item.
 * @throws {ExpressionError} an action the value's type does not allow
 */
export function checkAttributeUpdates(updates: Record<string, AttributeValueUpdate>): void {
  for (const update of Object.values(updates)) {
    const action = update.Action ?? "PUT";
    if (update.Value === undefined) {
      if (action !== "DELETE") {
        fail(`${INVALID}Only DELETE action is allowed when no attribute value is specified`);
      }
      continue;
    }
    const type = typeOf(update.Value);
    if (action === "DELETE" && !["SS", "NS", "BS"].includes(type)) {
      fail(`${INVALID}DELETE action with value is not supported for the type ${type}`);
    }
    if (action === "ADD" && !["L", "SS", "NS", "BS", "N"].includes(type)) {
      fail(`${INVALID}ADD action is not supported for the type ${type}`);
    }
  }
}

const TYPE_MISMATCH = "Type mismatch for attribute to update";

/**
 * Applies `AttributeUpdates` to a copy of the item: PUT replaces, ADD adds numbers and merges
 * sets and appends lists, DELETE removes the attribute or the given set members.
 * @throws {ExpressionError} "Type mismatch for attribute to update" or a number out of range
 */
export function applyAttributeUpdates(
  updates: Record<string, AttributeValueUpdate>,
  item: Item,
): Item {
  checkAttributeUpdates(updates);
  const result = structuredClone(item);
  for (const [name, update] of Object.entries(updates)) {
    const action = update.Action ?? "PUT";
    const value = update.Value;
    const existing = Object.hasOwn(result, name) ? result[name] : undefined;
    let next: AttributeValue | undefined;
    if (value === undefined) next = undefined; // DELETE without a value
    else if (action === "PUT") next = structuredClone(value);
    else if (action === "ADD") next = addValue(existing, value, TYPE_MISMATCH);
    else next = deleteValue(existing, value, TYPE_MISMATCH);
    if (next === undefined) delete result[name];
    else setEntry(result, name, next);
  }
  return result;
}

/** Condition evaluation (stub). @module */
import type { Item } from "../attribute_value.ts";
import type { Condition } from "./ast.ts";

/** Evaluates a condition against an item (undefined = no item). */
export function evaluateCondition(_condition: Condition, _item: Item | undefined): boolean {
  throw new Error("not implemented");
}

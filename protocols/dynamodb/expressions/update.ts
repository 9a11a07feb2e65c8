/** Applying updates (stub). @module */
import type { Item } from "../attribute_value.ts";
import type { UpdateExpression } from "./ast.ts";

/** Applies an update to a copy of the item and returns the new item. */
export function applyUpdate(_update: UpdateExpression, _item: Item): Item {
  throw new Error("not implemented");
}
/** The attributes an update touched, as in UPDATED_OLD/UPDATED_NEW. */
export function updatedAttributes(_item: Item, _update: UpdateExpression): Item {
  throw new Error("not implemented");
}

/** Projection (stub). @module */
import type { Item } from "../attribute_value.ts";
import type { Path, Projection } from "./ast.ts";

/** Keeps only the projected paths of an item. */
export function projectItem(_item: Item, _projection: Projection | Path[]): Item {
  throw new Error("not implemented");
}

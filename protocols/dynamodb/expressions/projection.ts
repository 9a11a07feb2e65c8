/**
 * Projects an item onto document paths (ProjectionExpression, UPDATED_OLD/NEW): nested maps
 * keep only the projected keys, lists only the projected elements, in index order.
 * @module
 */
import type { AttributeValue, Item } from "../attribute_value.ts";
import type { Path, Projection } from "./ast.ts";
import { cloneValue, setEntry } from "./values.ts";

type Node =
  | { kind: "leaf"; value: AttributeValue }
  | { kind: "map"; entries: Map<string, Node> }
  | { kind: "list"; entries: Map<number, Node> };

function toValue(node: Node): AttributeValue {
  if (node.kind === "leaf") return cloneValue(node.value);
  if (node.kind === "map") {
    const map: Record<string, AttributeValue> = {};
    for (const [key, child] of node.entries) setEntry(map, key, toValue(child));
    return { M: map };
  }
  const indexes = [...node.entries.keys()].sort((a, b) => a - b);
  return { L: indexes.map((index) => toValue(node.entries.get(index)!)) };
}

function insert(root: Map<string, Node>, item: Item, path: Path): void {
  const head = path[0] as string;
  if (!Object.hasOwn(item, head)) return;
  let source: AttributeValue = item[head];
  // Walk the source first: a path that does not resolve projects nothing.
  const values: AttributeValue[] = [source];
  for (let i = 1; i < path.length; i++) {
    const step = path[i];
    let next: AttributeValue | undefined;
    if (typeof step === "number") next = "L" in source ? source.L[step] : undefined;
    else next = "M" in source && Object.hasOwn(source.M, step) ? source.M[step] : undefined;
    if (next === undefined) return;
    values.push(next);
    source = next;
  }
  let entries: Map<string | number, Node> = root;
  for (let i = 0; i < path.length; i++) {
    const step = path[i];
    if (i === path.length - 1) {
      entries.set(step, { kind: "leaf", value: values[i] });
      return;
    }
    let node = entries.get(step);
    if (node?.kind === "leaf") return; // an enclosing path is already projected whole
    if (!node) {
      node = typeof path[i + 1] === "number"
        ? { kind: "list", entries: new Map() }
        : { kind: "map", entries: new Map() };
      entries.set(step, node);
    }
    entries = node.entries as Map<string | number, Node>;
  }
}

/**
 * Keeps only the given document paths of an item (missing paths are skipped).
 * @returns a new item; the input is not modified
 */
export function projectItem(item: Item, projection: Projection | Path[]): Item {
  const paths = Array.isArray(projection) ? projection : projection.paths;
  const root = new Map<string, Node>();
  for (const path of paths) insert(root, item, path);
  const result: Item = {};
  for (const [key, node] of root) setEntry(result, key, toValue(node));
  return result;
}

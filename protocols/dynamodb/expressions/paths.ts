/**
 * Document paths (`a.b[2].c`): reading a value at a path and rendering a path as DynamoDB's
 * error messages do (`[a, b, [2], c]`).
 * @module
 */
import type { AttributeValue, Item } from "../attribute_value.ts";
import type { Path } from "./ast.ts";

/** Renders a path as DynamoDB's messages do: `[a, b, [2], c]`. */
export function formatPath(path: Path): string {
  return `[${path.map((step) => typeof step === "number" ? `[${step}]` : step).join(", ")}]`;
}

/**
 * Reads the value at a path.
 * @returns the value, or undefined when any step is missing or of the wrong type
 */
export function getPath(item: Item | undefined, path: Path): AttributeValue | undefined {
  if (!item || path.length === 0 || typeof path[0] !== "string") return undefined;
  let current: AttributeValue | undefined = Object.hasOwn(item, path[0])
    ? item[path[0]]
    : undefined;
  for (let i = 1; i < path.length && current !== undefined; i++) {
    const step = path[i];
    if (typeof step === "number") {
      current = "L" in current ? current.L[step] : undefined;
    } else {
      current = "M" in current && Object.hasOwn(current.M, step) ? current.M[step] : undefined;
    }
  }
  return current;
}

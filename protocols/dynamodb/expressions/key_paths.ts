/**
 * Checks that tie expressions to a table's key schema: key attributes are scalars (no nested
 * paths into them), and a Query filter may not name a key attribute.
 * @module
 */
import type { Condition, Operand, Path } from "./ast.ts";
import { ExpressionError } from "./errors.ts";

function operandPaths(operand: Operand, out: Path[]): void {
  if (operand.kind === "path") out.push(operand.path);
  else if (operand.kind === "function") { for (const arg of operand.args) operandPaths(arg, out); }
  else if (operand.kind === "arithmetic") {
    operandPaths(operand.left, out);
    operandPaths(operand.right, out);
  }
}

/** Every document path a condition reads, in text order. */
export function conditionPaths(condition: Condition): Path[] {
  const out: Path[] = [];
  const visit = (node: Condition): void => {
    switch (node.kind) {
      case "and":
      case "or":
        visit(node.left);
        visit(node.right);
        return;
      case "not":
        return visit(node.condition);
      case "compare":
        operandPaths(node.left, out);
        operandPaths(node.right, out);
        return;
      case "between":
        for (const operand of [node.operand, node.low, node.high]) operandPaths(operand, out);
        return;
      case "in":
        for (const operand of [node.operand, ...node.list]) operandPaths(operand, out);
        return;
      case "function":
        for (const arg of node.args) operandPaths(arg, out);
        return;
    }
  };
  visit(condition);
  return out;
}

/**
 * Rejects paths that reach inside a key attribute (`pk.a`, `sk[0]`), as DynamoDB does for
 * condition, filter, projection and update expressions.
 * @param keys the table's key attribute names
 * @param indexKeys the key attribute names of its secondary indexes
 */
export function checkKeyPaths(paths: Path[], keys: string[], indexKeys: string[] = []): void {
  const nested = new Set(paths.filter((path) => path.length > 1).map((path) => path[0] as string));
  const scalars = "Key attributes must be scalars; list random access '[]' and map lookup '.' " +
    "are not allowed";
  for (const key of keys) if (nested.has(key)) throw new ExpressionError(`${scalars}: Key: ${key}`);
  for (const key of indexKeys) {
    if (nested.has(key)) throw new ExpressionError(`${scalars}: IndexKey: ${key}`);
  }
}

/**
 * Rejects a Query filter that names a key attribute of the queried table or index.
 * @param parameter "Filter Expression" for FilterExpression, "QueryFilter" for the legacy form
 */
export function checkFilterKeys(
  condition: Condition,
  keys: string[],
  parameter: "Filter Expression" | "QueryFilter" = "Filter Expression",
): void {
  const heads = new Set(conditionPaths(condition).map((path) => path[0] as string));
  for (const key of keys) {
    if (heads.has(key)) {
      throw new ExpressionError(
        `${parameter} can only contain non-primary key attributes: Primary key attribute: ${key}`,
      );
    }
  }
}

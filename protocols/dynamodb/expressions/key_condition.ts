/** KeyConditionExpression (stub). @module */
import type { KeyCondition, KeySchema } from "./ast.ts";
import type { ExpressionContext } from "./context.ts";

/** Parses a KeyConditionExpression and checks it against the key schema. */
export function parseKeyCondition(
  _text: string,
  _ctx: ExpressionContext,
  _schema: KeySchema,
): KeyCondition {
  throw new Error("not implemented");
}

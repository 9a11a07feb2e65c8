/** Recursive-descent parser (stub; implementation follows). @module */
import type { Condition, Projection, UpdateExpression } from "./ast.ts";
import type { ExpressionContext } from "./context.ts";
import type { ExpressionKind } from "./errors.ts";

/** Parses a ConditionExpression or FilterExpression. */
export function parseCondition(
  _text: string,
  _ctx: ExpressionContext,
  _kind: ExpressionKind = "ConditionExpression",
): Condition {
  throw new Error("not implemented");
}
/** Parses an UpdateExpression. */
export function parseUpdate(_text: string, _ctx: ExpressionContext): UpdateExpression {
  throw new Error("not implemented");
}
/** Parses a ProjectionExpression. */
export function parseProjection(_text: string, _ctx: ExpressionContext): Projection {
  throw new Error("not implemented");
}

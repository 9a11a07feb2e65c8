/**
 * DynamoDB's expression language, pure (no I/O): parse condition, filter, key-condition, update
 * and projection expressions against one per-request {@link ExpressionContext}, evaluate
 * conditions, apply updates and project items. Every validation failure is an
 * {@link ExpressionError} whose message is DynamoDB's text (the service sends it as a
 * ValidationException); a condition that is false is not an error.
 *
 * @example
 * const ctx = new ExpressionContext({ names, values });
 * const update = parseUpdate(body.UpdateExpression, ctx);
 * const condition = parseCondition(body.ConditionExpression, ctx);
 * ctx.assertAllUsed();
 * if (!evaluateCondition(condition, oldItem)) throw conditionalCheckFailed();
 * const newItem = applyUpdate(update, oldItem ?? key);
 * @module
 */
export { ExpressionError, MESSAGES } from "./errors.ts";
export type { ExpressionKind } from "./errors.ts";
export { ExpressionContext } from "./context.ts";
export type { ExpressionAttributes } from "./context.ts";
export type {
  Comparator,
  Condition,
  KeyCondition,
  KeyOperator,
  KeySchema,
  Operand,
  Path,
  PathElement,
  Projection,
  UpdateAction,
  UpdateExpression,
} from "./ast.ts";
export { parseCondition, parseProjection, parseUpdate } from "./parser.ts";
export { parseKeyCondition } from "./key_condition.ts";
export { evaluateCondition } from "./evaluate.ts";
export { applyUpdate, updatedAttributes } from "./update.ts";
export { projectItem } from "./projection.ts";
export { formatPath, getPath } from "./paths.ts";
export { attributeValuesEqual, compareAttributeValues } from "./values.ts";
export { applyAttributeUpdates, checkAttributeUpdates } from "./attribute_updates.ts";
export type { AttributeValueUpdate } from "./attribute_updates.ts";
export {
  checkExpressionParameters,
  conditionFromExpected,
  conditionFromFilter,
  keyConditionFromKeyConditions,
  pathsFromAttributesToGet,
} from "./legacy_conditions.ts";
export type { ExpectedAttributeValue, LegacyCondition } from "./legacy_conditions.ts";
export { checkFilterKeys, checkKeyPaths, conditionPaths } from "./key_paths.ts";

/** DeleteItem: check the condition, delete the item atomically. */
import type { OperationContext } from "../context.ts";
import { conditionHolds, parseItemExpressions } from "./item_expressions.ts";
import type { PreparedWrite } from "../storage/item_store.ts";
import type { Body } from "../validation.ts";
import { type ItemRequest, needsOldItem, runAllOldWrite, tableAndKey } from "./item_common.ts";

/**
 * Validate a delete (DeleteItem, or a transaction's Delete / ConditionCheck with `keep`) and
 * plan it.
 */
export async function prepareDelete(
  ctx: OperationContext,
  body: ItemRequest,
  keep = false,
): Promise<PreparedWrite> {
  const expressions = parseItemExpressions(body, { condition: true });
  const [table, key] = await tableAndKey(ctx, body);
  return {
    table,
    key,
    condition: expressions.condition ? (old) => conditionHolds(expressions, old) : undefined,
    mutate: () => keep ? undefined : null,
    returnOldOnFailure: body.ReturnValuesOnConditionCheckFailure === "ALL_OLD",
    needsOld: keep || needsOldItem(body),
  };
}

/** DeleteItem. */
export function deleteItem(ctx: OperationContext, body: Body): Promise<Record<string, unknown>> {
  return runAllOldWrite(ctx, body, "key", (c, b) => prepareDelete(c, b));
}

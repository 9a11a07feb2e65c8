/** PutItem: validate the item, check the condition, replace the item atomically. */
import type { OperationContext } from "../context.ts";
import { conditionHolds, parseItemExpressions } from "./item_expressions.ts";
import type { PreparedWrite } from "../storage/item_store.ts";
import { keyOfItem } from "../storage/keys.ts";
import { checkItemSize, normalizeItem } from "../types.ts";
import type { Body } from "../validation.ts";
import { type ItemRequest, needsOldItem, requestTable, runAllOldWrite } from "./item_common.ts";

/** Validate a put (PutItem, or a transaction's Put) and plan it. */
export async function preparePut(
  ctx: OperationContext,
  body: ItemRequest,
): Promise<PreparedWrite> {
  const item = normalizeItem(body.Item);
  const expressions = parseItemExpressions(body, { condition: true });
  const table = await requestTable(ctx, body);
  const key = keyOfItem(table, item);
  checkItemSize(item);
  return {
    table,
    key,
    condition: expressions.condition ? (old) => conditionHolds(expressions, old) : undefined,
    mutate: () => item,
    returnOldOnFailure: body.ReturnValuesOnConditionCheckFailure === "ALL_OLD",
    needsOld: needsOldItem(body),
  };
}

/** PutItem. */
export function putItem(ctx: OperationContext, body: Body): Promise<Record<string, unknown>> {
  return runAllOldWrite(ctx, body, "item", preparePut);
}

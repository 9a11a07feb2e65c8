/** DeleteItem: check the condition, delete the item atomically. */
import type { OperationContext } from "../context.ts";
import { conditionHolds, parseItemExpressions } from "../item_expressions.ts";
import { writeItem } from "../item_store.ts";
import type { Body } from "../validation.ts";
import { checkItemRequest, onlyAllOld, tableAndKey, writeReply } from "./item_common.ts";

/** DeleteItem. */
export async function deleteItem(ctx: OperationContext, body: Body) {
  checkItemRequest(body, "key");
  onlyAllOld(body);
  const expressions = parseItemExpressions(body, { condition: true });
  const [table, key] = await tableAndKey(ctx, body);
  const result = await writeItem(ctx.store, table, key, {
    condition: (old) => conditionHolds(expressions, old),
    mutate: () => null,
    returnOldOnFailure: body.ReturnValuesOnConditionCheckFailure === "ALL_OLD",
  });
  return writeReply(table, body, key, result, body.ReturnValues === "ALL_OLD" ? result.old : null);
}

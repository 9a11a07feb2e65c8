/** PutItem: validate the item, check the condition, replace the item atomically. */
import type { OperationContext } from "../context.ts";
import { conditionHolds, parseItemExpressions } from "../item_expressions.ts";
import { writeItem } from "../item_store.ts";
import { keyOfItem } from "../keys.ts";
import { getTable } from "../tables.ts";
import { checkItemSize, normalizeItem } from "../types.ts";
import type { Body } from "../validation.ts";
import { checkItemRequest, onlyAllOld, writeReply } from "./item_common.ts";

/** PutItem. */
export async function putItem(ctx: OperationContext, body: Body) {
  checkItemRequest(body, "item");
  onlyAllOld(body);
  const item = normalizeItem(body.Item);
  const expressions = parseItemExpressions(body, { condition: true });
  const table = await getTable(ctx.store, body.TableName as string);
  const key = keyOfItem(table, item);
  checkItemSize(item);
  const result = await writeItem(ctx.store, table, key, {
    condition: (old) => conditionHolds(expressions, old),
    mutate: () => item,
    returnOldOnFailure: body.ReturnValuesOnConditionCheckFailure === "ALL_OLD",
  });
  return writeReply(table, body, key, result, body.ReturnValues === "ALL_OLD" ? result.old : null);
}

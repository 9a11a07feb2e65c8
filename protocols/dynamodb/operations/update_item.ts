/**
 * UpdateItem: apply an UpdateExpression (or legacy AttributeUpdates) to the current item (or
 * the key when absent) inside one write unit, after checking the condition.
 * @module
 */
import type { OperationContext } from "../context.ts";
import { FORMATS, invalidParameter } from "../errors.ts";
import { conditionHolds, type ItemUpdate, parseItemExpressions } from "./item_expressions.ts";
import { type PreparedWrite, writeItem } from "../storage/item_store.ts";
import { keyNames, keyOfItem } from "../storage/keys.ts";
import { checkItemSize } from "../types.ts";
import type { Body } from "../validation.ts";
import { checkItemRequest, type ItemRequest, tableAndKey, writeReply } from "./item_common.ts";

/** Validate an update (UpdateItem, or a transaction's Update) and plan it. */
export async function prepareUpdate(
  ctx: OperationContext,
  body: ItemRequest,
): Promise<PreparedWrite & { update?: ItemUpdate }> {
  const expressions = parseItemExpressions(body, { condition: true, update: true });
  const [table, key] = await tableAndKey(ctx, body);
  const keys = keyNames(table);
  for (const name of expressions.update?.targets ?? []) {
    if (keys.includes(name)) {
      throw invalidParameter(FORMATS.updatesKey(name));
    }
  }
  return {
    table,
    key,
    update: expressions.update,
    condition: (old) => conditionHolds(expressions, old),
    mutate: (old) => {
      // An update returns a new item and leaves its input alone; without one the item is kept.
      const base = old ?? key;
      const next = expressions.update ? expressions.update.apply(base) : structuredClone(base);
      keyOfItem(table, next);
      checkItemSize(next);
      return next;
    },
    returnOldOnFailure: body.ReturnValuesOnConditionCheckFailure === "ALL_OLD",
  };
}

/** UpdateItem. */
export async function updateItem(ctx: OperationContext, body: Body) {
  const request = checkItemRequest(body, "key");
  const write = await prepareUpdate(ctx, request);
  const result = await writeItem(ctx.store, write);
  const mode = request.ReturnValues ?? "NONE";
  const update = write.update;
  const attributes = mode === "ALL_OLD"
    ? result.old
    : mode === "ALL_NEW"
    ? result.current
    : mode === "UPDATED_OLD" && update && result.old
    ? update.touched(result.old)
    : mode === "UPDATED_NEW" && update && result.current
    ? update.touched(result.current)
    : null;
  return writeReply(write.table, request, write.key, result, attributes);
}

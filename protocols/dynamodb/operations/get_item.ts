/** GetItem: one item by key, optionally projected. */
import { readCapacity, wantsCapacity } from "./capacity.ts";
import { encodedBody, spliceJson } from "../codec.ts";
import type { OperationContext } from "../context.ts";
import { projectItem } from "../expressions/mod.ts";
import { parseItemExpressions } from "./item_expressions.ts";
import { readItem, readItemJson } from "../storage/item_store.ts";
import type { Body } from "../validation.ts";
import { checkItemRequest, tableAndKey } from "./item_common.ts";

/** GetItem. */
export async function getItem(ctx: OperationContext, body: Body) {
  const request = checkItemRequest(body, "key");
  const expressions = parseItemExpressions(request, { projection: true });
  const [table, key] = await tableAndKey(ctx, request);
  if (!expressions.projection && !wantsCapacity(request.ReturnConsumedCapacity)) {
    // The item goes back as stored: its JSON is spliced in, not parsed and re-serialized.
    const json = await readItemJson(ctx.store, table, key);
    return json ? encodedBody(spliceJson('{"Item":', [json], "}")) : {};
  }
  const item = await readItem(ctx.store, table, key);
  const out: Record<string, unknown> = {};
  if (item) out.Item = expressions.projection ? projectItem(item, expressions.projection) : item;
  const capacity = readCapacity(
    table,
    request.ReturnConsumedCapacity,
    item,
    request.ConsistentRead === true,
    request.TableName,
  );
  if (capacity) out.ConsumedCapacity = capacity;
  return out;
}

/** GetItem: one item by key, optionally projected. */
import { readCapacity, wantsCapacity } from "./capacity.ts";
import { encodedBody, spliceJson } from "../codec.ts";
import type { OperationContext } from "../context.ts";
import { projectItem } from "../expressions/mod.ts";
import { parseItemExpressions } from "./item_expressions.ts";
import { readItem, readItemJson } from "../storage/item_store.ts";
import { checkKey, itemStoreKey } from "../storage/keys.ts";
import { knownTable } from "../storage/tables.ts";
import { normalizeItem } from "../types.ts";
import type { Body } from "../validation.ts";
import { checkItemRequest, type ItemRequest, tableAndKey } from "./item_common.ts";

const ITEM_HEAD = new TextEncoder().encode('{"Item":');
const ITEM_TAIL = new TextEncoder().encode("}");

/** The reply to a plain GetItem: the stored JSON spliced in as is, `{}` when absent. */
function plainReply(json: Uint8Array | null): Record<string, unknown> {
  return json ? encodedBody(spliceJson(ITEM_HEAD, [json], ITEM_TAIL)) : {};
}

/**
 * GetItem. A plain one (no projection or capacity) whose table and item memory holds is
 * answered without a promise: most of a cached read's cost was its async hops.
 */
export function getItem(
  ctx: OperationContext,
  body: Body,
): Record<string, unknown> | Promise<Record<string, unknown>> {
  const request = checkItemRequest(body, "key");
  const expressions = parseItemExpressions(request, { projection: true });
  const plain = !expressions.projection && !wantsCapacity(request.ReturnConsumedCapacity);
  const table = plain ? knownTable(ctx.store, request.TableName!) : undefined;
  if (table) {
    // tableAndKey's order: the key is normalised before the table is looked up.
    const key = checkKey(table, normalizeItem(request.Key));
    const entry = ctx.store.peek(itemStoreKey(table, key));
    if (entry !== undefined) return plainReply(entry?.data ?? null);
  }
  return readGetItem(ctx, request, expressions.projection, plain);
}

async function readGetItem(
  ctx: OperationContext,
  request: ItemRequest,
  projection: ReturnType<typeof parseItemExpressions>["projection"],
  plain: boolean,
): Promise<Record<string, unknown>> {
  const [table, key] = await tableAndKey(ctx, request);
  // The item goes back as stored: its JSON is spliced in, not parsed and re-serialized.
  if (plain) return plainReply(await readItemJson(ctx.store, table, key));
  const item = await readItem(ctx.store, table, key);
  const out: Record<string, unknown> = {};
  if (item) out.Item = projection ? projectItem(item, projection) : item;
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

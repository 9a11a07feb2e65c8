/** TransactGetItems: up to 100 Gets read from one consistent snapshot (one write-loop unit). */
import type { Item } from "../attribute_value.ts";
import { READ_UNIT_BYTES } from "./capacity.ts";
import type { OperationContext } from "../context.ts";
import { MESSAGES, validation } from "../errors.ts";
import { type Path, projectItem } from "../expressions/mod.ts";
import { parseItemExpressions } from "./item_expressions.ts";
import { decodeItem } from "../storage/item_store.ts";
import { itemStoreKey } from "../storage/keys.ts";
import type { TableRecord } from "../storage/tables.ts";
import { itemSize } from "../types.ts";
import type { Body } from "../validation.ts";
import { tableAndKey } from "./item_common.ts";
import { checkTransactRequest, claimTransactionItem, prepareActions } from "./transactions.ts";

/** TransactGetItems. */
export async function transactGetItems(ctx: OperationContext, body: Body) {
  const transaction = checkTransactRequest(body);
  const seen = new Set<string>();
  const gets: { table: TableRecord; key: Item; projection?: Path[] }[] = await prepareActions(
    transaction.TransactItems,
    async (entry) => {
      const request = entry?.Get;
      if (!request || Object.keys(entry).length !== 1) {
        throw validation(MESSAGES.transactGetAction);
      }
      const expressions = parseItemExpressions(request, { projection: true });
      const [table, key] = await tableAndKey(ctx, request);
      claimTransactionItem(seen, table, key);
      return { table, key, projection: expressions.projection };
    },
  );
  // Reading inside a write unit sees one state: no write interleaves between the Gets.
  const found = await ctx.store.write(async (tx) => {
    const entries = await tx.getMany(gets.map((g) => itemStoreKey(g.table, g.key)));
    return entries.map((e) => e ? decodeItem(e) : null);
  });
  const units = new Map<string, number>();
  const responses = found.map((item: Item | null, i) => {
    const g = gets[i];
    const cost = 2 * Math.max(1, Math.ceil((item ? itemSize(item) : 0) / READ_UNIT_BYTES));
    units.set(g.table.name, (units.get(g.table.name) ?? 0) + cost);
    if (!item) return {};
    return { Item: g.projection ? projectItem(item, g.projection) : item };
  });
  const reply: Record<string, unknown> = { Responses: responses };
  const mode = transaction.ReturnConsumedCapacity;
  if (mode === "TOTAL" || mode === "INDEXES") {
    reply.ConsumedCapacity = [...units].map(([TableName, CapacityUnits]) => ({
      TableName,
      CapacityUnits,
      ReadCapacityUnits: CapacityUnits,
    }));
  }
  return reply;
}

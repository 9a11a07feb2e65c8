/**
 * DeleteTable: one small write makes the table unreachable at once; its items (under the
 * table's own id) are dropped in the background with deletePrefix.
 * @module
 */
import type { OperationContext } from "../context.ts";
import { MESSAGES, resourceInUse, resourceNotFound } from "../errors.ts";
import {
  describeTable,
  dropTableData,
  tableKey,
  tableNameOf,
  type TableRecord,
  tableStats,
} from "../storage/tables.ts";
import type { Body } from "../validation.ts";
import { checkTableName } from "./describe_table.ts";

/** DeleteTable. */
export async function deleteTable(ctx: OperationContext, body: Body) {
  const name = tableNameOf(checkTableName(body));
  const existing = (await ctx.store.get<TableRecord>(tableKey(name)))?.meta;
  if (!existing) throw resourceNotFound(name);
  const stats = await tableStats(ctx.store, existing);
  const table = await ctx.store.write(async (tx) => {
    const entry = await tx.get<TableRecord>(tableKey(name));
    if (!entry?.meta) throw resourceNotFound(name);
    if (entry.meta.deletionProtection) throw resourceInUse(MESSAGES.deletionProtected);
    tx.delete(tableKey(name));
    return entry.meta;
  });
  for (const task of dropTableData(ctx.store, table)) ctx.background(task);
  return { TableDescription: describeTable(table, stats, "DELETING") };
}

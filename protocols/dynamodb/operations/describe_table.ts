/** DescribeTable: the full TableDescription, ACTIVE, with counted ItemCount and size. */
import type { OperationContext } from "../context.ts";
import { MESSAGES, validation } from "../errors.ts";
import { describeTable as describe, getTable, tableStats } from "../storage/tables.ts";
import { type Body, checkShape, Constraints } from "../validation.ts";

/**
 * The table-level operations (CreateTable, DescribeTable, UpdateTable, DeleteTable, the TTL
 * pair) answer a missing TableName with their own sentence, before any constraint check.
 */
export function requireTableName(name: string | undefined): void {
  if (name === undefined) throw validation(MESSAGES.tableNameRequired);
}

/** Check the TableName member every table-level request has. */
export function checkTableName(body: Body): string {
  const request = checkShape(body, { TableName: "string" });
  requireTableName(request.TableName);
  const c = new Constraints();
  c.name("tableName", request.TableName, { arn: true });
  return c.checked(request, "TableName").TableName;
}

/** DescribeTable. */
export async function describeTable(ctx: OperationContext, body: Body) {
  const table = await getTable(ctx.store, checkTableName(body), true);
  return { Table: describe(table, await tableStats(ctx.store, table)) };
}

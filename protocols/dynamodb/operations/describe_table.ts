/** DescribeTable: the full TableDescription, ACTIVE, with counted ItemCount and size. */
import type { OperationContext } from "../context.ts";
import { describeTable as describe, getTable, tableStats } from "../storage/tables.ts";
import { type Body, checkShape, Constraints } from "../validation.ts";

/** Check the TableName member every table-level request has. */
export function checkTableName(body: Body): string {
  const request = checkShape(body, { TableName: "string" });
  const c = new Constraints();
  c.name("tableName", request.TableName, { arn: true });
  return c.checked(request, "TableName").TableName;
}

/** DescribeTable. */
export async function describeTable(ctx: OperationContext, body: Body) {
  const table = await getTable(ctx.store, checkTableName(body), true);
  return { Table: describe(table, await tableStats(ctx.store, table)) };
}

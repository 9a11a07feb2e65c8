/** CreateBackup: a consistent copy of a table's items and definition, taken without stopping writes. */
import type { OperationContext } from "../context.ts";
import { createBackup as backUp } from "../storage/backups.ts";
import { tableNameOf } from "../storage/tables.ts";
import { type Body, checkShape, Constraints } from "../validation.ts";
import { backupDetails } from "./backup_shapes.ts";

/** CreateBackup. */
export async function createBackup(ctx: OperationContext, body: Body) {
  const request = checkShape(body, { TableName: "string", BackupName: "string" });
  const c = new Constraints();
  c.name("tableName", request.TableName, { arn: true });
  c.name("backupName", request.BackupName);
  const { TableName, BackupName } = c.checked(request, "TableName", "BackupName");
  const backup = await backUp(ctx.store, tableNameOf(TableName), BackupName);
  return { BackupDetails: backupDetails(backup) };
}

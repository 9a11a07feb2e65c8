/** DescribeContinuousBackups: whether point-in-time recovery is on, and its restorable window. */
import type { OperationContext } from "../context.ts";
import { tableNotFound } from "../errors.ts";
import { MAX_RECOVERY_DAYS, restorableWindow } from "../storage/pitr.ts";
import { findTable, tableNameOf, type TableRecord } from "../storage/tables.ts";
import { type Body, checkShape, Constraints } from "../validation.ts";

/** Check TableName and read the table, or TableNotFoundException (the backup APIs' error). */
export async function sourceTable(ctx: OperationContext, body: Body): Promise<TableRecord> {
  const request = checkShape(body, { TableName: "string" });
  const c = new Constraints();
  c.name("tableName", request.TableName, { arn: true });
  const name = tableNameOf(c.checked(request, "TableName").TableName);
  const table = await findTable(ctx.store, name);
  if (!table) throw tableNotFound(name);
  return table;
}

/** The ContinuousBackupsDescription of a table. */
export function continuousBackups(table: TableRecord) {
  const pitr = table.pitr;
  if (!pitr) {
    return {
      ContinuousBackupsStatus: "ENABLED",
      PointInTimeRecoveryDescription: { PointInTimeRecoveryStatus: "DISABLED" },
    };
  }
  const window = restorableWindow(pitr);
  return {
    ContinuousBackupsStatus: "ENABLED",
    PointInTimeRecoveryDescription: {
      PointInTimeRecoveryStatus: "ENABLED",
      RecoveryPeriodInDays: pitr.days ?? MAX_RECOVERY_DAYS,
      EarliestRestorableDateTime: window.earliest / 1000,
      LatestRestorableDateTime: window.latest / 1000,
    },
  };
}

/** DescribeContinuousBackups. */
export async function describeContinuousBackups(ctx: OperationContext, body: Body) {
  return { ContinuousBackupsDescription: continuousBackups(await sourceTable(ctx, body)) };
}

/**
 * ListBackups: backups oldest first, filtered by table, creation time range and type, paged
 * by ExclusiveStartBackupArn / LastEvaluatedBackupArn.
 * @module
 */
import type { OperationContext } from "../context.ts";
import { backupIdOf, listBackupRecords } from "../storage/backups.ts";
import { tableNameOf } from "../storage/tables.ts";
import { type Body, checkShape, Constraints } from "../validation.ts";
import { backupSummary } from "./backup_shapes.ts";

/** Most summaries in one page. */
const MAX_LIMIT = 100;

/** ListBackups. */
export async function listBackups(ctx: OperationContext, body: Body) {
  const request = checkShape(body, {
    TableName: "string",
    Limit: "number",
    TimeRangeLowerBound: "number",
    TimeRangeUpperBound: "number",
    ExclusiveStartBackupArn: "string",
    BackupType: "string",
  });
  const c = new Constraints();
  c.name("tableName", request.TableName, { required: false, arn: true });
  c.range("limit", request.Limit, 1, MAX_LIMIT);
  c.oneOf("backupType", request.BackupType, ["USER", "SYSTEM", "AWS_BACKUP", "ALL"]);
  c.throwIfAny();
  const table = request.TableName === undefined ? undefined : tableNameOf(request.TableName);
  const type = request.BackupType ?? "USER";
  const after = request.ExclusiveStartBackupArn === undefined
    ? null
    : backupIdOf(request.ExclusiveStartBackupArn) ?? "";
  const matching = (await listBackupRecords(ctx.store)).filter((b) =>
    (type === "USER" || type === "ALL") &&
    (table === undefined || b.table.name === table) &&
    (request.TimeRangeLowerBound === undefined || b.createdAt >= request.TimeRangeLowerBound) &&
    (request.TimeRangeUpperBound === undefined || b.createdAt < request.TimeRangeUpperBound) &&
    (after === null || b.id > after)
  );
  const limit = request.Limit ?? MAX_LIMIT;
  const page = matching.slice(0, limit);
  const reply: Record<string, unknown> = { BackupSummaries: page.map(backupSummary) };
  if (matching.length > limit) reply.LastEvaluatedBackupArn = page[page.length - 1].arn;
  return reply;
}

/** DescribeBackup: a backup's details, source table and features, by ARN. */
import type { OperationContext } from "../context.ts";
import { backupNotFound } from "../errors.ts";
import { type BackupRecord, findBackup } from "../storage/backups.ts";
import { type Body, checkShape, Constraints } from "../validation.ts";
import { backupDescription } from "./backup_shapes.ts";

/** Check the BackupArn member and read the backup, or BackupNotFoundException. */
export async function backupOf(ctx: OperationContext, body: Body): Promise<BackupRecord> {
  const request = checkShape(body, { BackupArn: "string" });
  const c = new Constraints();
  c.required("backupArn", request.BackupArn);
  const { BackupArn } = c.checked(request, "BackupArn");
  const backup = await findBackup(ctx.store, BackupArn);
  if (!backup) throw backupNotFound(BackupArn);
  return backup;
}

/** DescribeBackup. */
export async function describeBackup(ctx: OperationContext, body: Body) {
  return { BackupDescription: backupDescription(await backupOf(ctx, body)) };
}

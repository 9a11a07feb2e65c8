/** DeleteBackup: removes a backup (not one still being created) and its item copies. */
import type { OperationContext } from "../context.ts";
import { backupInUse } from "../errors.ts";
import { deleteBackupRecord } from "../storage/backups.ts";
import type { Body } from "../validation.ts";
import { backupDescription } from "./backup_shapes.ts";
import { backupOf } from "./describe_backup.ts";

/** DeleteBackup. */
export async function deleteBackup(ctx: OperationContext, body: Body) {
  const backup = await backupOf(ctx, body);
  if (backup.status === "CREATING") throw backupInUse(backup.arn);
  await deleteBackupRecord(ctx.store, backup);
  return { BackupDescription: backupDescription(backup, "DELETED") };
}

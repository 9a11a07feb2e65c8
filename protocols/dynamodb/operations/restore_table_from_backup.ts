/**
 * RestoreTableFromBackup: a new table with the backup's key schema, indexes (or overrides)
 * and items, CREATING while the items are written in the background, then ACTIVE.
 * @module
 */
import type { OperationContext } from "../context.ts";
import { backupInUse } from "../errors.ts";
import { backupItems } from "../storage/backups.ts";
import { startRestore } from "../storage/restore.ts";
import { describeTable } from "../storage/tables.ts";
import { type Body, Constraints } from "../validation.ts";
import { readRestoreTarget } from "./backup_shapes.ts";
import { backupOf } from "./describe_backup.ts";

/** RestoreTableFromBackup. */
export async function restoreTableFromBackup(ctx: OperationContext, body: Body) {
  const c = new Constraints();
  const { target, check } = readRestoreTarget(body, c);
  c.required("backupArn", body.BackupArn);
  c.throwIfAny();
  const backup = await backupOf(ctx, body);
  if (backup.status === "CREATING") throw backupInUse(backup.arn);
  const overrides = check(backup.table);
  const table = await startRestore(
    ctx,
    backup.table,
    String(target),
    {
      SourceBackupArn: backup.arn,
      SourceTableArn: backup.table.arn,
      RestoreDateTime: backup.createdAt,
    },
    overrides,
    backupItems(ctx.store, backup.id),
  );
  return {
    TableDescription: describeTable(table, { itemCount: 0, sizeBytes: 0, indexes: new Map() }),
  };
}

/**
 * RestoreTableToPointInTime: a new table holding the source table's items as they were at
 * RestoreDateTime (or the latest restorable time), from one snapshot of its items and its
 * PITR change log, written in the background (CREATING, then ACTIVE).
 * @module
 */
import type { OperationContext } from "../context.ts";
import { invalidRestoreTime, pitrUnavailable, tableNotFound } from "../errors.ts";
import { itemsAt, pointInTimePrefixes, restorableWindow } from "../storage/pitr.ts";
import { startRestore } from "../storage/restore.ts";
import { describeTable, findTable, tableNameOf } from "../storage/tables.ts";
import { type Body, checkShape, Constraints } from "../validation.ts";
import { readRestoreTarget } from "./backup_shapes.ts";

/** RestoreTableToPointInTime. */
export async function restoreTableToPointInTime(ctx: OperationContext, body: Body) {
  const request = checkShape(body, {
    SourceTableArn: "string",
    SourceTableName: "string",
    UseLatestRestorableTime: "boolean",
    RestoreDateTime: "number",
  });
  const c = new Constraints();
  c.name("sourceTableName", request.SourceTableName, { required: false });
  const { target, check } = readRestoreTarget(body, c);
  c.throwIfAny();
  const name = tableNameOf(request.SourceTableName ?? request.SourceTableArn ?? "");
  const source = await findTable(ctx.store, name);
  if (!source) throw tableNotFound(name);
  if (!source.pitr) throw pitrUnavailable(name);
  const overrides = check(source);
  const snapshot = await ctx.store.snapshot(pointInTimePrefixes(source));
  // Ids are never reused, and the log restarts when PITR is re-enabled: the same table with
  // the same PITR start after the snapshot had them during it.
  const table = await findTable(ctx.store, name);
  if (!table || table.id !== source.id) throw tableNotFound(name);
  if (table.pitr?.enabledAt !== source.pitr.enabledAt) throw pitrUnavailable(name);
  const window = restorableWindow(table.pitr, snapshot.takenAt);
  const at = request.UseLatestRestorableTime || request.RestoreDateTime === undefined
    ? window.latest
    : request.RestoreDateTime * 1000;
  if (at < window.earliest || at > window.latest) throw invalidRestoreTime();
  const items = itemsAt(table, snapshot, at).map((e) => ({ ...e, key: e.key.slice(2) }));
  const restored = await startRestore(
    ctx,
    table,
    String(target),
    {
      SourceTableArn: table.arn,
      RestoreDateTime: at / 1000,
    },
    overrides,
    items,
  );
  return {
    TableDescription: describeTable(restored, { itemCount: 0, sizeBytes: 0, indexes: new Map() }),
  };
}

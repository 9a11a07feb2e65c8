/**
 * At start, on a store this process alone writes: restores a crash cut short. One from a
 * backup that still exists is run again (copying is idempotent); one whose source is gone (a
 * point in time's snapshot, a deleted backup) cannot finish, so the half-filled table is
 * removed, as a failed restore leaves no table in AWS.
 * @module
 */
import type { Store } from "../../../src/store/mod.ts";
import { backupIdOf, backupItems, findBackup } from "./backups.ts";
import { fillRestoredTable } from "./restore.ts";
import { dropTableData, tableKey, type TableRecord } from "./tables.ts";

/** Resume or remove every restore left in progress; returns [resumed, removed]. */
export async function recoverRestores(
  store: Store,
  background: (task: Promise<unknown>) => void,
): Promise<[number, number]> {
  if (!store.info.exclusive) return [0, 0];
  const cut: TableRecord[] = [];
  for await (const entry of store.list<TableRecord>({ prefix: ["table"] })) {
    if (entry.meta?.restore?.RestoreInProgress) cut.push(entry.meta);
  }
  let resumed = 0;
  for (const table of cut) {
    const arn = table.restore?.SourceBackupArn;
    const backup = arn ? await findBackup(store, arn) : null;
    if (backup?.status === "AVAILABLE") {
      background(fillRestoredTable(store, table, backupItems(store, backupIdOf(arn!)!)));
      resumed++;
      continue;
    }
    await store.write(async (tx) => {
      const current = (await tx.get<TableRecord>(tableKey(table.name)))?.meta;
      if (current?.id === table.id) tx.delete(tableKey(table.name));
    });
    for (const task of dropTableData(store, table)) background(task);
  }
  return [resumed, cut.length - resumed];
}

/**
 * On-demand backups in the store: a record per backup (["backup", id]: the table's definition
 * and figures) and a copy of the table's items (["backupitem", id, ...item key tail]) taken
 * from one store snapshot, so a backup is consistent while writes go on.
 * @module
 */
import type { Entry, Key, Store, WriteTx } from "../../../src/store/mod.ts";
import { tableNotFound } from "../errors.ts";
import { tableItemsPrefix } from "./keys.ts";
import { tableKey, type TableRecord } from "./tables.ts";
import { writeInUnits } from "./restore.ts";

/** What basekv keeps about one backup. */
export interface BackupRecord {
  id: string;
  arn: string;
  name: string;
  /** Seconds since the epoch. */
  createdAt: number;
  status: "CREATING" | "AVAILABLE";
  sizeBytes: number;
  itemCount: number;
  /** The source table's record when the backup was taken. */
  table: TableRecord;
}

const RECORDS = "backup";
const ITEMS = "backupitem";

function recordKey(id: string): Key {
  return [RECORDS, id];
}

/** Prefix of a backup's item copies. */
export function backupItemsPrefix(id: string): Key {
  return [ITEMS, id];
}

/** AWS's backup id shape: 14 digits of milliseconds, a dash, 8 hex digits. */
function newBackupId(now: number): string {
  const hex = Array.from(
    crypto.getRandomValues(new Uint8Array(4)),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
  return `${String(now).padStart(14, "0")}-${hex}`;
}

/** The backup id an ARN names ("arn:...:table/<name>/backup/<id>"), or null. */
export function backupIdOf(arn: string): string | null {
  const m = /^arn:[^:]*:dynamodb:[^:]*:[^:]*:table\/[^/]+\/backup\/([0-9]{14}-[0-9a-f]{8})$/
    .exec(arn);
  return m ? m[1] : null;
}

/** Read a backup by ARN (committed state), or null. */
export async function findBackup(store: Store, arn: string): Promise<BackupRecord | null> {
  const id = backupIdOf(arn);
  if (!id) return null;
  return (await store.get<BackupRecord>(recordKey(id)))?.meta ?? null;
}

/** Every backup, oldest first (ids start with their creation time). */
export async function listBackupRecords(store: Store): Promise<BackupRecord[]> {
  const out: BackupRecord[] = [];
  for await (const entry of store.list<BackupRecord>({ prefix: [RECORDS] })) {
    if (entry.meta) out.push(entry.meta);
  }
  return out;
}

/**
 * Back up table `name`: one snapshot of its items (no write interleaves), then the backup
 * record (CREATING), the item copies in bounded units, and the record AVAILABLE.
 */
export async function createBackup(
  store: Store,
  name: string,
  backupName: string,
): Promise<BackupRecord> {
  const current = (await store.get<TableRecord>(tableKey(name)))?.meta;
  if (!current) throw tableNotFound(name);
  const snapshot = await store.snapshot([tableItemsPrefix(current.id)]);
  // Ids are never reused: the table still there after the snapshot was there during it.
  const table = (await store.get<TableRecord>(tableKey(name)))?.meta;
  if (!table || table.id !== current.id) throw tableNotFound(name);
  const items = snapshot.entries;
  const id = newBackupId(snapshot.takenAt);
  const record: BackupRecord = {
    id,
    arn: `${table.arn}/backup/${id}`,
    name: backupName,
    createdAt: snapshot.takenAt / 1000,
    status: "CREATING",
    sizeBytes: items.reduce((n, e) => n + e.data.length, 0),
    itemCount: items.length,
    table,
  };
  await store.set(recordKey(id), { meta: record });
  const stillCreating = async (tx: WriteTx) =>
    (await tx.get<BackupRecord>(recordKey(id)))?.meta?.status === "CREATING" ? true : null;
  await writeInUnits(
    store,
    items,
    (tx, entry) => {
      // An item's key after ["item", tableId] is its place in any table with the same schema.
      tx.set([...backupItemsPrefix(id), ...entry.key.slice(2)], { data: entry.data });
    },
    stillCreating,
  );
  const done: BackupRecord = { ...record, status: "AVAILABLE" };
  // Only a backup nobody removed meanwhile (see dropUnfinishedBackups) becomes AVAILABLE.
  const finished = await store.write(async (tx) => {
    if (!(await stillCreating(tx))) return false;
    tx.set(recordKey(id), { meta: done });
    return true;
  });
  if (!finished) throw tableNotFound(name);
  return done;
}

/**
 * At start, on a store this process alone writes: a backup still CREATING was cut short by
 * a crash (its snapshot is gone with the process), so it and its partial copy are removed.
 */
export async function dropUnfinishedBackups(store: Store): Promise<number> {
  if (!store.info.exclusive) return 0;
  let dropped = 0;
  for (const backup of await listBackupRecords(store)) {
    if (backup.status !== "CREATING") continue;
    await deleteBackupRecord(store, backup);
    dropped++;
  }
  return dropped;
}

/** Remove a backup's record, then its item copies. */
export async function deleteBackupRecord(store: Store, backup: BackupRecord): Promise<void> {
  await store.delete(recordKey(backup.id));
  await store.deletePrefix(backupItemsPrefix(backup.id));
}

/** A backup's item copies, in key order, keyed by their item key tail. */
export async function* backupItems(store: Store, id: string): AsyncGenerator<Entry> {
  const prefix = backupItemsPrefix(id);
  for await (const entry of store.list({ prefix })) {
    yield { ...entry, key: entry.key.slice(prefix.length) };
  }
}

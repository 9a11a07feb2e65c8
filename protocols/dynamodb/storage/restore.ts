/**
 * Restoring a table (from a backup or to a point in time): the new table's record, CREATING
 * with a RestoreSummary, then its items and their index entries written in bounded units in
 * the background, then ACTIVE. Also the bounded-unit writer backups use to copy items.
 * @module
 */
import type { Entry, Key, Store, WriteTx } from "../../../src/store/mod.ts";
import { tableAlreadyExists } from "../errors.ts";
import { decodeItem } from "./item_codec.ts";
import { stageIndexEntries } from "./indexes.ts";
import { tableItemsPrefix } from "./keys.ts";
import { type RestoreSummary, tableArn, tableKey, type TableRecord } from "./tables.ts";

/** Entries per write unit. */
const UNIT_ENTRIES = 100;
/** Payload bytes per write unit before it ends early (items are up to 400 KB). */
const UNIT_BYTES = 512 * 1024;

/**
 * Stage `entries` through `stage` in write units of bounded size. `guard` runs first in each
 * unit and hands `stage` what it read there (the target table's current record); null stops
 * the copy (the target went away). Resolves false when stopped.
 */
export async function writeInUnits<C>(
  store: Store,
  entries: Iterable<Entry> | AsyncIterable<Entry>,
  stage: (tx: WriteTx, entry: Entry, context: C) => void,
  guard: (tx: WriteTx) => Promise<C | null>,
): Promise<boolean> {
  let batch: Entry[] = [];
  let bytes = 0;
  const flush = async (): Promise<boolean> => {
    const units = batch;
    batch = [];
    bytes = 0;
    return await store.write(async (tx) => {
      const context = await guard(tx);
      if (context === null) return false;
      for (const entry of units) stage(tx, entry, context);
      return true;
    });
  };
  for await (const entry of entries) {
    batch.push(entry);
    bytes += entry.data.length;
    if (batch.length >= UNIT_ENTRIES || bytes >= UNIT_BYTES) {
      if (!(await flush())) return false;
    }
  }
  return batch.length === 0 || await flush();
}

/** What a restore request may change from the source table's settings. */
export interface TableOverrides {
  billingMode?: TableRecord["billingMode"];
  throughput?: { ReadCapacityUnits: number; WriteCapacityUnits: number };
  gsis?: TableRecord["gsis"];
  lsis?: TableRecord["lsis"];
}

/**
 * The record of a table restored from `source` as `name`: its key schema, indexes (or the
 * overrides), capacity and class; not its stream, TTL, tags or PITR setting, as in AWS.
 */
function restoredRecord(
  source: TableRecord,
  name: string,
  region: string,
  summary: RestoreSummary,
  overrides: TableOverrides,
): TableRecord {
  const now = Date.now() / 1000;
  const billingMode = overrides.billingMode ?? source.billingMode;
  const fresh = (i: TableRecord["gsis"][number]) => ({
    ...i,
    id: crypto.randomUUID(),
    layout: undefined,
    IndexStatus: undefined,
    ProvisionedThroughput: billingMode === "PROVISIONED" ? i.ProvisionedThroughput : undefined,
  });
  const gsis = (overrides.gsis ?? source.gsis).map(fresh);
  const lsis = (overrides.lsis ?? source.lsis).map(fresh);
  const used = new Set(
    [...source.keySchema, ...gsis.flatMap((i) => i.KeySchema), ...lsis.flatMap((i) => i.KeySchema)]
      .map((k) => k.AttributeName),
  );
  return {
    name,
    id: crypto.randomUUID(),
    arn: tableArn(region, name),
    createdAt: now,
    keySchema: source.keySchema,
    attributeDefinitions: source.attributeDefinitions.filter((d) => used.has(d.AttributeName)),
    billingMode,
    payPerRequestSince: billingMode === "PAY_PER_REQUEST" ? now : undefined,
    readCapacity: billingMode === "PROVISIONED"
      ? overrides.throughput?.ReadCapacityUnits ?? source.readCapacity
      : 0,
    writeCapacity: billingMode === "PROVISIONED"
      ? overrides.throughput?.WriteCapacityUnits ?? source.writeCapacity
      : 0,
    decreasesToday: 0,
    gsis,
    lsis,
    tags: [],
    deletionProtection: false,
    tableClass: source.tableClass,
    restore: summary,
  };
}

/** Where a restore runs: the store, the request's region and the service's background work. */
export interface RestoreContext {
  store: Store;
  region: string;
  background(task: Promise<unknown>): void;
}

/**
 * Create table `name` from `source`'s definition and start filling it with `items` (entries
 * keyed by their item key tail, i.e. without ["item", tableId]) in the background. Returns the
 * new record (CREATING); TableAlreadyExistsException when the name is taken.
 */
export async function startRestore(
  ctx: RestoreContext,
  source: TableRecord,
  name: string,
  summary: Omit<RestoreSummary, "RestoreInProgress">,
  overrides: TableOverrides,
  items: Iterable<Entry> | AsyncIterable<Entry>,
): Promise<TableRecord> {
  const table = restoredRecord(source, name, ctx.region, {
    ...summary,
    RestoreInProgress: true,
  }, overrides);
  await ctx.store.write(async (tx) => {
    if (await tx.get(tableKey(name))) throw tableAlreadyExists(name);
    tx.set(tableKey(name), { meta: table });
  });
  ctx.background(fillRestoredTable(ctx.store, table, items));
  return table;
}

/** Whether the restored table is still the one this restore made. */
async function stillOurs(tx: WriteTx, table: TableRecord): Promise<TableRecord | null> {
  const current = (await tx.get<TableRecord>(tableKey(table.name)))?.meta;
  return current?.id === table.id ? current : null;
}

/**
 * Copy `items` into the restored `table` in bounded units (stopping if the table is deleted or
 * replaced), then mark it ACTIVE. Copying an item twice writes the same entry: a restore cut
 * short can be run again from the start.
 */
export async function fillRestoredTable(
  store: Store,
  table: TableRecord,
  items: Iterable<Entry> | AsyncIterable<Entry>,
): Promise<void> {
  const prefix: Key = tableItemsPrefix(table.id);
  const copied = await writeInUnits<TableRecord>(
    store,
    items,
    (tx, entry, current) => {
      tx.set([...prefix, ...entry.key], { data: entry.data });
      // The record as this unit read it: an index added meanwhile gets the entry too.
      stageIndexEntries(tx, current, null, decodeItem(entry));
    },
    (tx) => stillOurs(tx, table),
  );
  if (!copied) return;
  await store.write(async (tx) => {
    const current = await stillOurs(tx, table);
    if (!current?.restore) return;
    tx.set(tableKey(table.name), {
      meta: { ...current, restore: { ...current.restore, RestoreInProgress: false } },
    });
  });
}

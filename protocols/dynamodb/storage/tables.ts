/**
 * Table metadata in the store (one entry per table under ["table", name]) and the
 * TableDescription shape DescribeTable, CreateTable, DeleteTable and UpdateTable return.
 * @module
 */
import type { Key, Store } from "../../../src/store/mod.ts";
import { resourceNotFound } from "../errors.ts";
import { ITEM_PREFIX, tableItemsPrefix } from "./keys.ts";
import { INDEX_PREFIX, indexesOf, indexPrefix, tableIndexesPrefix } from "./indexes.ts";
import { counterKey } from "./streams.ts";
import { changeLogCounterKey, changeLogPrefix } from "./pitr.ts";

/** One element of a key schema. */
export interface KeySchemaElement {
  AttributeName: string;
  KeyType: "HASH" | "RANGE";
}

/** An attribute definition (key attributes only). */
export interface AttributeDefinition {
  AttributeName: string;
  AttributeType: "S" | "N" | "B";
}

/** An index's projection. */
export interface Projection {
  ProjectionType: "ALL" | "KEYS_ONLY" | "INCLUDE";
  NonKeyAttributes?: string[];
}

/** A secondary index as stored. */
export interface IndexRecord {
  IndexName: string;
  KeySchema: KeySchemaElement[];
  Projection: Projection;
  /**
   * Random id naming the index's entries in the store. Records made before ids existed name
   * them by the index name and kept no entries: `layout` marks them once backfilled.
   */
  id?: string;
  /** The entry layout an index without `id` has been backfilled to (see index_backfill). */
  layout?: number;
  /** GSIs: CREATING while UpdateTable's backfill runs, then absent (ACTIVE). */
  IndexStatus?: "CREATING";
  /** GSIs on provisioned tables only. */
  ProvisionedThroughput?: { ReadCapacityUnits: number; WriteCapacityUnits: number };
}

/** A resource tag. */
export interface Tag {
  Key: string;
  Value: string;
}

/** Everything basekv keeps about a table. */
export interface TableRecord {
  name: string;
  /** Random id naming the table's item prefix, so a re-created table starts empty. */
  id: string;
  arn: string;
  /** Seconds since the epoch, fractional, as DynamoDB reports it. */
  createdAt: number;
  keySchema: KeySchemaElement[];
  attributeDefinitions: AttributeDefinition[];
  billingMode: "PROVISIONED" | "PAY_PER_REQUEST";
  /** When the table last switched to on-demand (seconds). */
  payPerRequestSince?: number;
  readCapacity: number;
  writeCapacity: number;
  lastIncrease?: number;
  lastDecrease?: number;
  decreasesToday: number;
  gsis: IndexRecord[];
  lsis: IndexRecord[];
  stream?: { StreamEnabled: boolean; StreamViewType?: string };
  streamLabel?: string;
  /** Earlier streams (disabled, then replaced by re-enabling), readable for 24 hours. */
  pastStreams?: { label: string; viewType?: string }[];
  tags: Tag[];
  deletionProtection: boolean;
  /** TTL setting; `status` ENABLING while existing items are being queued. */
  ttl?: { attribute: string; enabled: boolean; status?: "ENABLING" };
  tableClass?: string;
  /** Point-in-time recovery: on since `enabledAt` (ms), history kept `days` days. */
  pitr?: { enabledAt: number; days: number };
  /** Set on a table made by a restore: where from, and whether items are still arriving. */
  restore?: RestoreSummary;
}

/** A restored table's RestoreSummary, as DescribeTable shows it. */
export interface RestoreSummary {
  SourceBackupArn?: string;
  SourceTableArn: string;
  /** Seconds since the epoch. */
  RestoreDateTime: number;
  RestoreInProgress: boolean;
}

/** Store key of a table's record. */
export function tableKey(name: string): Deno.KvKeyPart[] {
  return ["table", name];
}

/** "arn:aws:dynamodb:<region>:<account>:table/<name>" -> name; a plain name as it is. */
export function tableNameOf(nameOrArn: string): string {
  const m = /^arn:[^:]*:dynamodb:[^:]*:[^:]*:table\/([^/]+)$/.exec(nameOrArn);
  return m ? m[1] : nameOrArn;
}

/** The account id basekv reports in ARNs. */
export const ACCOUNT_ID = "000000000000";

/** A table's ARN in a region. */
export function tableArn(region: string, name: string): string {
  return `arn:aws:dynamodb:${region}:${ACCOUNT_ID}:table/${name}`;
}

/** False while a restore is still filling the table (TableStatus CREATING). */
export function isActive(table: TableRecord): boolean {
  return table.restore?.RestoreInProgress !== true;
}

/**
 * Remove everything a table kept besides its record (items, index entries, stream records,
 * PITR history and their counters), once the record is gone: bounded commits, in the
 * background of whoever calls it. Returns the tasks.
 */
export function dropTableData(store: Store, table: TableRecord): Promise<unknown>[] {
  return [
    store.deletePrefix(tableItemsPrefix(table.id)),
    store.deletePrefix(tableIndexesPrefix(table.id)),
    store.deletePrefix(["stream", table.id]),
    store.delete(counterKey(table)),
    store.deletePrefix(changeLogPrefix(table.id)),
    store.delete(changeLogCounterKey(table.id)),
  ];
}

/** Read a table's record (committed state), or null. */
export async function findTable(store: Store, nameOrArn: string): Promise<TableRecord | null> {
  const entry = await store.get<TableRecord>(tableKey(tableNameOf(nameOrArn)));
  return entry?.meta ?? null;
}

/** Frozen store keys of tables found by {@link knownTable}: the store keeps a frozen key's id. */
const knownKeys = new Map<string, Key>();
/** Past this many names the map starts again (names come from requests: keep it bounded). */
const KNOWN_KEYS_MAX = 1024;

/**
 * An active table's record when memory alone has it (the read cache), without a promise;
 * undefined otherwise, and the caller takes {@link getTable}, which also reports a missing one.
 */
export function knownTable(store: Store, nameOrArn: string): TableRecord | undefined {
  let key = knownKeys.get(nameOrArn);
  const fresh = key === undefined;
  if (fresh) key = Object.freeze(tableKey(tableNameOf(nameOrArn)));
  const table = store.peek<TableRecord>(key!)?.meta;
  if (table === undefined || !isActive(table)) return undefined;
  if (fresh) {
    if (knownKeys.size >= KNOWN_KEYS_MAX) knownKeys.clear();
    knownKeys.set(nameOrArn, key!);
  }
  return table;
}

/**
 * Read a table's record or throw ResourceNotFoundException: item operations say only
 * "Requested resource not found"; table operations add the table name (`detailed`).
 */
export async function getTable(
  store: Store,
  nameOrArn: string,
  detailed = false,
): Promise<TableRecord> {
  const table = await findTable(store, nameOrArn);
  if (!table) throw resourceNotFound(detailed ? tableNameOf(nameOrArn) : undefined);
  // Item operations on a table still CREATING (being restored) find no resource, as in AWS.
  if (!detailed && !isActive(table)) throw resourceNotFound();
  return table;
}

/** Item count and total size, counted from the stored items. */
export interface TableStats {
  itemCount: number;
  sizeBytes: number;
  /** Per index name: the items that carry the index's key attributes. */
  indexes: Map<string, { itemCount: number; sizeBytes: number }>;
}

function throughput(t: { ReadCapacityUnits: number; WriteCapacityUnits: number } | undefined) {
  return {
    NumberOfDecreasesToday: 0,
    ReadCapacityUnits: t?.ReadCapacityUnits ?? 0,
    WriteCapacityUnits: t?.WriteCapacityUnits ?? 0,
  };
}

/** The TableDescription DynamoDB returns, with status `status`. */
export function describeTable(
  table: TableRecord,
  stats: TableStats,
  status = table.restore?.RestoreInProgress ? "CREATING" : "ACTIVE",
): Record<string, unknown> {
  const out: Record<string, unknown> = {
    AttributeDefinitions: table.attributeDefinitions,
    TableName: table.name,
    KeySchema: table.keySchema,
    TableStatus: status,
    CreationDateTime: table.createdAt,
    ProvisionedThroughput: {
      ...(table.lastIncrease ? { LastIncreaseDateTime: table.lastIncrease } : {}),
      ...(table.lastDecrease ? { LastDecreaseDateTime: table.lastDecrease } : {}),
      NumberOfDecreasesToday: table.decreasesToday,
      ReadCapacityUnits: table.readCapacity,
      WriteCapacityUnits: table.writeCapacity,
    },
    TableSizeBytes: stats.sizeBytes,
    ItemCount: stats.itemCount,
    TableArn: table.arn,
    TableId: table.id,
    BillingModeSummary: {
      BillingMode: table.billingMode,
      ...(table.payPerRequestSince
        ? { LastUpdateToPayPerRequestDateTime: table.payPerRequestSince }
        : {}),
    },
  };
  if (table.lsis.length > 0) {
    out.LocalSecondaryIndexes = table.lsis.map((i) => ({
      IndexName: i.IndexName,
      KeySchema: i.KeySchema,
      Projection: i.Projection,
      IndexSizeBytes: stats.indexes.get(i.IndexName)?.sizeBytes ?? 0,
      ItemCount: stats.indexes.get(i.IndexName)?.itemCount ?? 0,
      IndexArn: `${table.arn}/index/${i.IndexName}`,
    }));
  }
  if (table.gsis.length > 0) {
    out.GlobalSecondaryIndexes = table.gsis.map((i) => ({
      IndexName: i.IndexName,
      KeySchema: i.KeySchema,
      Projection: i.Projection,
      IndexStatus: i.IndexStatus ?? "ACTIVE",
      ...(i.IndexStatus === "CREATING" ? { Backfilling: true } : {}),
      ProvisionedThroughput: throughput(i.ProvisionedThroughput),
      IndexSizeBytes: stats.indexes.get(i.IndexName)?.sizeBytes ?? 0,
      ItemCount: stats.indexes.get(i.IndexName)?.itemCount ?? 0,
      IndexArn: `${table.arn}/index/${i.IndexName}`,
    }));
  }
  if (table.stream?.StreamEnabled) {
    out.StreamSpecification = table.stream;
    out.LatestStreamLabel = table.streamLabel;
    out.LatestStreamArn = `${table.arn}/stream/${table.streamLabel}`;
  }
  if (table.restore) out.RestoreSummary = table.restore;
  out.DeletionProtectionEnabled = table.deletionProtection;
  if (table.tableClass) out.TableClassSummary = { TableClass: table.tableClass };
  return out;
}

/**
 * Keep per-table and per-index counters (once, at service start): items live under
 * ["item", tableId, ...], index entries under ["index", tableId, indexId, ...].
 */
export function countTables(store: Store): void {
  // A failed recount surfaces through count(); nothing waits for it here.
  store.countKeys([ITEM_PREFIX], 1).catch(() => {});
  store.countKeys([INDEX_PREFIX], 2).catch(() => {});
}

/**
 * A table's item count and size, and each index's, from the store's counters (no listing;
 * DynamoDB's own figures are refreshed periodically, these at every commit). Sizes are the
 * stored bytes of the items (or index projections).
 */
export async function tableStats(store: Store, table: TableRecord): Promise<TableStats> {
  const indexes = indexesOf(table);
  const [items, ...perIndex] = await Promise.all([
    store.count(tableItemsPrefix(table.id)),
    ...indexes.map((index) => store.count(indexPrefix(table, index))),
  ]);
  const stats: TableStats = {
    itemCount: items.keys,
    sizeBytes: items.dataBytes,
    indexes: new Map(),
  };
  indexes.forEach((index, i) => {
    stats.indexes.set(index.IndexName, {
      itemCount: perIndex[i].keys,
      sizeBytes: perIndex[i].dataBytes,
    });
  });
  return stats;
}

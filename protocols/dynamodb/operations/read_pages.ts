/**
 * What Query and Scan share: resolving the table or index read, ExclusiveStartKey checks,
 * the item sources (range reads over the table's items or an index's entries), and
 * cutting one page at Limit or 1 MB with LastEvaluatedKey, filter, projection and capacity.
 * @module
 */
import type { Item } from "../attribute_value.ts";
import { READ_UNIT_BYTES, replyTableName } from "./capacity.ts";
import type { OperationContext } from "../context.ts";
import { FORMATS, invalidParameter, MESSAGES, validation } from "../errors.ts";
import {
  type Condition,
  evaluateCondition,
  type KeyCondition,
  type KeyOperator,
  type KeySchema,
  type Path,
  projectItem,
} from "../expressions/mod.ts";
import { decodeItem, readItem } from "../storage/item_store.ts";
import { hashNames, indexEntryKey, indexPrefix, rangeNames } from "../storage/indexes.ts";
import {
  compareBytes,
  ITEM_PREFIX,
  itemStoreKey,
  keyBytes,
  partitionPart,
  prefixEnd,
  segmentOf,
  successor,
} from "../storage/keys.ts";
import type { ReadExpressions } from "./read_expressions.ts";
import type { ReadRequest } from "./read_request.ts";
import type { IndexRecord, KeySchemaElement, Projection, TableRecord } from "../storage/tables.ts";
import { itemSize, normalizeItem, typeOf } from "../types.ts";
import type { Entry, Key, Selector } from "../../../src/store/mod.ts";
import type { AttributeValue } from "../attribute_value.ts";

/** DynamoDB stops a Query or Scan page after reading this much. */
export const MAX_PAGE_BYTES = 1024 * 1024;

/** The table itself or one of its indexes. */
export interface ReadView {
  table: TableRecord;
  index?: {
    name: string;
    global: boolean;
    keySchema: KeySchemaElement[];
    projection: Projection;
    record: IndexRecord;
  };
}

/** Resolve IndexName (ValidationException when the table has no such index). */
export function resolveView(table: TableRecord, indexName: unknown): ReadView {
  if (indexName === undefined || indexName === null) return { table };
  const gsi = table.gsis.find((i) => i.IndexName === indexName);
  const lsi = table.lsis.find((i) => i.IndexName === indexName);
  const index = gsi ?? lsi;
  if (!index) throw validation(FORMATS.noSuchIndex(String(indexName)));
  if (index.IndexStatus === "CREATING") throw validation(FORMATS.backfillingIndex(index.IndexName));
  return {
    table,
    index: {
      name: index.IndexName,
      global: gsi !== undefined,
      keySchema: index.KeySchema,
      projection: index.Projection,
      record: index,
    },
  };
}

/** Select ALL_ATTRIBUTES needs the whole item: a GSI has it only with projection ALL. */
export function checkSelect(view: ReadView, select: unknown): void {
  const index = view.index;
  if (
    select === "ALL_ATTRIBUTES" && index?.global && index.projection.ProjectionType !== "ALL"
  ) {
    throw invalidParameter(FORMATS.selectAllOnGsi(index.name));
  }
}

/** The key schema a KeyConditionExpression is checked against. */
export function viewKeySchema(view: ReadView): KeySchema {
  const schema = view.index?.keySchema ?? view.table.keySchema;
  const types: Record<string, "S" | "N" | "B"> = {};
  for (const d of view.table.attributeDefinitions) types[d.AttributeName] = d.AttributeType;
  const index = view.index?.record;
  if (index && (hashNames(index).length > 1 || rangeNames(index).length > 1)) {
    const multi = { hashKeys: hashNames(index), rangeKeys: rangeNames(index) };
    return { hashKey: multi.hashKeys[0], rangeKey: multi.rangeKeys[0], types, multi };
  }
  return {
    hashKey: schema[0].AttributeName,
    rangeKey: schema[1]?.AttributeName,
    types,
  };
}

/** The attribute names of a page key: the table's key, then the index's own key attributes. */
export function pageKeyNames(view: ReadView): string[] {
  const names = view.table.keySchema.map((k) => k.AttributeName);
  for (const k of view.index?.keySchema ?? []) {
    if (!names.includes(k.AttributeName)) names.push(k.AttributeName);
  }
  return names;
}

/** The attributes of `item` among `names`. */
export function pick(item: Item, names: readonly string[]): Item {
  const out: Item = {};
  for (const n of names) if (Object.hasOwn(item, n)) out[n] = item[n];
  return out;
}

/** Validate ExclusiveStartKey against the view's key attributes. */
export function checkStartKey(view: ReadView, raw: unknown): Item | undefined {
  if (raw === undefined || raw === null) return undefined;
  const key = normalizeItem(raw);
  const names = pageKeyNames(view);
  const types = viewKeySchema(view).types!;
  if (
    Object.keys(key).length !== names.length ||
    names.some((n) => !key[n] || typeOf(key[n]) !== types[n])
  ) {
    throw validation(FORMATS.invalidStartKey(MESSAGES.keySchema));
  }
  return key;
}

/** A range over store keys: fixed leading parts, an optional key condition on the next part. */
interface RangeRead {
  prefix: Deno.KvKeyPart[];
  range?: { operator: KeyOperator; values: AttributeValue[] };
  forward: boolean;
  /** The store key of ExclusiveStartKey: the read resumes just past it. */
  after?: Key;
  /** Most entries the page can use (store read-ahead is bounded by it). */
  limit?: number;
}

/** Order of two store keys sharing `from` leading parts, the rest byte strings. */
function compareTail(a: Key, b: Key, from: number): number {
  const n = Math.min(a.length, b.length);
  for (let i = from; i < n; i++) {
    const c = compareBytes(a[i] as Uint8Array, b[i] as Uint8Array);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

function startsWith(key: Key, prefix: Key): boolean {
  return prefix.every((p, i) => {
    const k = key[i];
    return p instanceof Uint8Array && k instanceof Uint8Array ? compareBytes(p, k) === 0 : p === k;
  });
}

/** The [lo, hi) byte bounds a key condition puts on one key part (null = unbounded). */
function partBounds(
  range: RangeRead["range"],
): [Uint8Array | null, Uint8Array | null] {
  if (!range) return [null, null];
  const [a, b] = range.values.map(keyBytes);
  switch (range.operator) {
    case "EQ":
      return [a, successor(a)];
    case "LT":
      return [null, a];
    case "LE":
      return [null, successor(a)];
    case "GT":
      return [successor(a), null];
    case "GE":
      return [a, null];
    case "BETWEEN":
      return [a, successor(b)];
    case "BEGINS_WITH":
      return [a, prefixEnd(a)];
  }
  return [null, null];
}

/**
 * The entries of one range read, in order, resuming past `after`, a store page at a time: a
 * page's entries pass up as one array, not one promise hop per entry per layer.
 */
async function* rangeEntries(ctx: OperationContext, r: RangeRead): AsyncGenerator<Entry[]> {
  const [lo, hi] = partBounds(r.range);
  let start: Key | null = lo ? [...r.prefix, lo] : null;
  let end: Key | null = hi ? [...r.prefix, hi] : null;
  const from = r.prefix.length;
  if (r.after) {
    if (!startsWith(r.after, r.prefix) || r.after.length <= from) return;
    if (r.forward) {
      const past = [...r.after.slice(0, -1), successor(r.after[r.after.length - 1] as Uint8Array)];
      if (!start || compareTail(start, past, from) < 0) start = past;
    } else if (!end || compareTail(end, r.after, from) > 0) {
      end = r.after;
    }
  }
  if (start && end && compareTail(start, end, from) >= 0) return;
  const prefix = r.prefix;
  const selector: Selector = start && end
    ? { start, end }
    : start
    ? { prefix, start }
    : end
    ? { prefix, end }
    : { prefix };
  let remaining = r.limit ?? Infinity;
  let cursor: string | undefined;
  while (remaining > 0) {
    const page = await ctx.store.listPage(selector, {
      reverse: !r.forward,
      cursor,
      limit: Math.min(remaining, STORE_PAGE),
    });
    if (page.entries.length > 0) yield page.entries;
    remaining -= page.entries.length;
    if (!page.cursor) return;
    cursor = page.cursor;
  }
}

/** Entries one store read returns at most. */
const STORE_PAGE = 500;

/** Items in the order a Query or Scan reads them, a batch at a time. */
export type ItemSource = AsyncIterable<Item[]>;

/** Stored items of one partition in sort-key order, from a range read (base table Query). */
export async function* tableQueryEntries(
  ctx: OperationContext,
  table: TableRecord,
  kc: KeyCondition,
  forward: boolean,
  start: Item | undefined,
  limit?: number,
): AsyncGenerator<Entry[]> {
  const prefix: Deno.KvKeyPart[] = [ITEM_PREFIX, table.id, partitionPart(kc.hash.value)];
  if (table.keySchema.length === 1) {
    const entry = await ctx.store.get(prefix);
    if (entry && !start) yield [entry];
    return;
  }
  const after = start ? itemStoreKey(table, start) : undefined;
  yield* rangeEntries(ctx, { prefix, range: kc.range, forward, after, limit });
}

/** Items of one partition in sort-key order (base table Query); arguments as tableQueryEntries. */
export async function* tableQuerySource(
  ...read: Parameters<typeof tableQueryEntries>
): ItemSource {
  for await (const entries of tableQueryEntries(...read)) yield entries.map(decodeItem);
}

/** Every item of the table in store order, after `start`, in one Scan segment. */
export async function* tableScanSource(
  ctx: OperationContext,
  table: TableRecord,
  start: Item | undefined,
  segment?: { segment: number; total: number },
  limit?: number,
): ItemSource {
  const read: RangeRead = {
    prefix: [ITEM_PREFIX, table.id],
    forward: true,
    after: start ? itemStoreKey(table, start) : undefined,
    limit: segment ? undefined : limit,
  };
  for await (const entries of rangeEntries(ctx, read)) {
    const items: Item[] = [];
    for (const entry of entries) {
      if (segment && segmentOf(entry.key[2] as Uint8Array, segment.total) !== segment.segment) {
        continue;
      }
      items.push(decodeItem(entry));
    }
    if (items.length > 0) yield items;
  }
}

/**
 * Entries of an index in index order (partition, sort key, then table key), after `start`: a
 * range read over the index's own entries (storage/indexes.ts), one partition for a Query.
 * An LSI read that needs attributes its projection lacks fetches the table item, as AWS does.
 */
export async function* indexSource(
  ctx: OperationContext,
  view: ReadView,
  options: {
    key?: KeyCondition;
    forward: boolean;
    start?: Item;
    segment?: { segment: number; total: number };
    limit?: number;
    fetchItems?: boolean;
  },
): ItemSource {
  const table = view.table;
  const index = view.index!.record;
  const prefix: Deno.KvKeyPart[] = [...indexPrefix(table, index)];
  if (options.key) {
    const key = options.key;
    for (const v of key.hashValues ?? [key.hash.value]) prefix.push(partitionPart(v));
    for (const v of key.sortEquals ?? []) prefix.push(keyBytes(v));
  }
  let after: Key | undefined;
  if (options.start) {
    after = indexEntryKey(table, index, options.start) ?? undefined;
    if (!after) return;
  }
  const read: RangeRead = {
    prefix,
    range: options.key?.range,
    forward: options.forward,
    after,
    limit: options.segment ? undefined : options.limit,
  };
  const from = indexPrefix(table, index).length;
  for await (const entries of rangeEntries(ctx, read)) {
    const items: Item[] = [];
    for (const entry of entries) {
      if (
        options.segment &&
        segmentOf(entry.key[from] as Uint8Array, options.segment.total) !== options.segment.segment
      ) {
        continue;
      }
      const projected = decodeItem(entry);
      if (options.fetchItems) {
        const item = await readItem(ctx.store, table, projected);
        if (item) items.push(item);
      } else {
        items.push(projected);
      }
    }
    if (items.length > 0) yield items;
  }
}

/** How a page is cut and shaped. */
export interface PageOptions {
  limit?: number;
  filter?: Condition;
  projection?: Path[];
  select?: string;
  consistent: boolean;
  capacityMode: unknown;
  /** TableName as the request gave it (a table ARN is echoed back). */
  requestedName?: unknown;
}

/** The page options Query and Scan take alike from the request and its expressions. */
export function pageOptions(body: ReadRequest, expressions: ReadExpressions): PageOptions {
  return {
    limit: body.Limit,
    filter: expressions.filter,
    projection: expressions.projection,
    select: body.Select,
    consistent: body.ConsistentRead === true,
    capacityMode: body.ReturnConsumedCapacity,
    requestedName: body.TableName,
  };
}

/** The view a Query/Scan reads, after the checks both make on it, in AWS's order. */
export function checkedView(table: TableRecord, body: ReadRequest): ReadView {
  const view = resolveView(table, body.IndexName);
  checkSelect(view, body.Select);
  if (view.index?.global && body.ConsistentRead === true) {
    throw validation(MESSAGES.consistentReadOnGsi);
  }
  return view;
}

/**
 * Whether an LSI read must fetch table items: its projection lacks attributes the request
 * may use (all of them, a projection or a filter), which AWS then reads from the table.
 */
export function fetchesItems(view: ReadView, body: ReadRequest): boolean {
  const index = view.index;
  if (!index || index.global || index.projection.ProjectionType === "ALL") return false;
  return body.Select === "ALL_ATTRIBUTES" || body.ProjectionExpression !== undefined ||
    body.AttributesToGet !== undefined || body.FilterExpression !== undefined ||
    body.QueryFilter !== undefined || body.ScanFilter !== undefined;
}

/** Read one page from `source` and shape the Query/Scan reply. */
export async function readPage(
  view: ReadView,
  source: ItemSource,
  options: PageOptions,
): Promise<Record<string, unknown>> {
  const items: Item[] = [];
  let scanned = 0;
  let bytes = 0;
  let last: Item | undefined;
  let stopped = false;
  const keyNames = pageKeyNames(view);
  // A fetched LSI item is cut back to the index's projection unless more was asked for.
  const indexOnly = view.index && view.index.projection.ProjectionType !== "ALL" &&
    options.select !== "ALL_ATTRIBUTES" && !options.projection;
  const projected = indexOnly
    ? [...keyNames, ...(view.index!.projection.NonKeyAttributes ?? [])]
    : null;
  pages: for await (const batch of source) {
    for (const item of batch) {
      scanned++;
      bytes += itemSize(item);
      if (!options.filter || evaluateCondition(options.filter, item)) {
        let out = projected ? pick(item, projected) : item;
        if (options.projection) out = projectItem(out, options.projection);
        items.push(out);
      }
      if (scanned === options.limit || bytes >= MAX_PAGE_BYTES) {
        last = pick(item, keyNames);
        stopped = true;
        break pages;
      }
    }
  }
  const out: Record<string, unknown> = {};
  if (options.select !== "COUNT") out.Items = items;
  out.Count = items.length;
  out.ScannedCount = scanned;
  if (stopped && last) out.LastEvaluatedKey = last;
  const mode = options.capacityMode;
  if (mode === "TOTAL" || mode === "INDEXES") {
    const units = Math.max(1, Math.ceil(bytes / READ_UNIT_BYTES)) *
      (options.consistent ? 1 : 0.5);
    const capacity: Record<string, unknown> = {
      TableName: replyTableName(view.table, options.requestedName),
      CapacityUnits: units,
    };
    if (mode === "INDEXES") {
      if (view.index) {
        capacity[view.index.global ? "GlobalSecondaryIndexes" : "LocalSecondaryIndexes"] = {
          [view.index.name]: { CapacityUnits: units },
        };
        capacity.Table = { CapacityUnits: 0 };
      } else {
        capacity.Table = { CapacityUnits: units };
      }
    }
    out.ConsumedCapacity = capacity;
  }
  return out;
}

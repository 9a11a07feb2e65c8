/**
 * What Query and Scan share: resolving the table or index read, ExclusiveStartKey checks,
 * the item sources (a range read on the table; a filtered, ordered pass for indexes), and
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
  type KeySchema,
  type Path,
  projectItem,
} from "../expressions/mod.ts";
import { decodeItem } from "../storage/item_store.ts";
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
import { keyConditionHolds, type ReadExpressions } from "./read_expressions.ts";
import type { ReadRequest } from "./read_request.ts";
import type { KeySchemaElement, Projection, TableRecord } from "../storage/tables.ts";
import { itemSize, normalizeItem, typeOf } from "../types.ts";
import type { Selector } from "../../../src/store/mod.ts";

/** DynamoDB stops a Query or Scan page after reading this much. */
export const MAX_PAGE_BYTES = 1024 * 1024;

/** The table itself or one of its indexes. */
export interface ReadView {
  table: TableRecord;
  index?: { name: string; global: boolean; keySchema: KeySchemaElement[]; projection: Projection };
}

/** Resolve IndexName (ValidationException when the table has no such index). */
export function resolveView(table: TableRecord, indexName: unknown): ReadView {
  if (indexName === undefined || indexName === null) return { table };
  const gsi = table.gsis.find((i) => i.IndexName === indexName);
  const lsi = table.lsis.find((i) => i.IndexName === indexName);
  const index = gsi ?? lsi;
  if (!index) throw validation(FORMATS.noSuchIndex(String(indexName)));
  return {
    table,
    index: {
      name: index.IndexName,
      global: gsi !== undefined,
      keySchema: index.KeySchema,
      projection: index.Projection,
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
  return {
    hashKey: schema[0].AttributeName,
    rangeKey: schema[1]?.AttributeName,
    types,
  };
}

/** The attribute names of a page key: the table's key, then the index's own key attributes. */
function pageKeyNames(view: ReadView): string[] {
  const names = view.table.keySchema.map((k) => k.AttributeName);
  for (const k of view.index?.keySchema ?? []) {
    if (!names.includes(k.AttributeName)) names.push(k.AttributeName);
  }
  return names;
}

function pick(item: Item, names: readonly string[]): Item {
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

/** Items of one partition in sort-key order, from a range read (base table Query). */
export async function* tableQuerySource(
  ctx: OperationContext,
  table: TableRecord,
  kc: KeyCondition,
  forward: boolean,
  start: Item | undefined,
): AsyncGenerator<Item> {
  const prefix: Deno.KvKeyPart[] = [ITEM_PREFIX, table.id, partitionPart(kc.hash.value)];
  if (table.keySchema.length === 1) {
    const entry = await ctx.store.get(prefix);
    if (entry && !start) yield decodeItem(entry);
    return;
  }
  let lo: Uint8Array | null = null;
  let hi: Uint8Array | null = null; // exclusive
  const range = kc.range;
  if (range) {
    const [a, b] = range.values.map(keyBytes);
    switch (range.operator) {
      case "EQ":
        [lo, hi] = [a, successor(a)];
        break;
      case "LT":
        hi = a;
        break;
      case "LE":
        hi = successor(a);
        break;
      case "GT":
        lo = successor(a);
        break;
      case "GE":
        lo = a;
        break;
      case "BETWEEN":
        [lo, hi] = [a, successor(b)];
        break;
      case "BEGINS_WITH":
        [lo, hi] = [a, prefixEnd(a)];
        break;
    }
  }
  if (start) {
    const s = keyBytes(start[table.keySchema[1].AttributeName]);
    if (forward) lo = lo && compareBytes(lo, successor(s)) > 0 ? lo : successor(s);
    else hi = hi && compareBytes(hi, s) < 0 ? hi : s;
  }
  if (lo && hi && compareBytes(lo, hi) >= 0) return;
  const selector: Selector = lo && hi
    ? { start: [...prefix, lo], end: [...prefix, hi] }
    : lo
    ? { prefix, start: [...prefix, lo] }
    : hi
    ? { prefix, end: [...prefix, hi] }
    : { prefix };
  for await (const entry of ctx.store.list(selector, { reverse: !forward })) {
    yield decodeItem(entry);
  }
}

/** Every item of the table in store order, after `start`, in one Scan segment. */
export async function* tableScanSource(
  ctx: OperationContext,
  table: TableRecord,
  start: Item | undefined,
  segment?: { segment: number; total: number },
): AsyncGenerator<Item> {
  const prefix: Deno.KvKeyPart[] = [ITEM_PREFIX, table.id];
  let selector: Selector = { prefix };
  if (start) {
    const key = [...itemStoreKey(table, start)];
    key[key.length - 1] = successor(key[key.length - 1] as Uint8Array);
    selector = { prefix, start: key };
  }
  for await (const entry of ctx.store.list(selector)) {
    if (segment && segmentOf(entry.key[2] as Uint8Array, segment.total) !== segment.segment) {
      continue;
    }
    yield decodeItem(entry);
  }
}

/**
 * Items carrying an index's key attributes, in index order (partition, sort key, then table
 * key), after `start`: an ordered pass over the table, as indexes keep no entries of their own.
 */
export async function* indexSource(
  ctx: OperationContext,
  view: ReadView,
  options: {
    key?: KeyCondition;
    forward: boolean;
    start?: Item;
    segment?: { segment: number; total: number };
  },
): AsyncGenerator<Item> {
  const schema = view.index!.keySchema;
  const names = [
    ...schema.map((k) => k.AttributeName),
    ...view.table.keySchema.map((k) => k.AttributeName),
  ];
  const tuple = (item: Item) =>
    names.map((n, i) => i === 0 ? partitionPart(item[n]) : keyBytes(item[n]));
  const compare = (x: Uint8Array[], y: Uint8Array[]) => {
    for (let i = 0; i < x.length; i++) {
      const c = compareBytes(x[i], y[i]);
      if (c !== 0) return c;
    }
    return 0;
  };
  const rows: [Uint8Array[], Item][] = [];
  for await (const entry of ctx.store.list({ prefix: [ITEM_PREFIX, view.table.id] })) {
    const item = decodeItem(entry);
    if (!schema.every((k) => Object.hasOwn(item, k.AttributeName))) continue;
    if (options.key && !keyConditionHolds(options.key, item)) continue;
    const t = tuple(item);
    if (options.segment && segmentOf(t[0], options.segment.total) !== options.segment.segment) {
      continue;
    }
    rows.push([t, item]);
  }
  rows.sort((a, b) => compare(a[0], b[0]));
  if (!options.forward) rows.reverse();
  const after = options.start ? tuple(options.start) : null;
  for (const [t, item] of rows) {
    if (after) {
      const c = compare(t, after);
      if (options.forward ? c <= 0 : c >= 0) continue;
    }
    yield item;
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

/** Read one page from `source` and shape the Query/Scan reply. */
export async function readPage(
  view: ReadView,
  source: AsyncIterable<Item>,
  options: PageOptions,
): Promise<Record<string, unknown>> {
  const items: Item[] = [];
  let scanned = 0;
  let bytes = 0;
  let last: Item | undefined;
  let stopped = false;
  const keyNames = pageKeyNames(view);
  const indexOnly = view.index && view.index.projection.ProjectionType !== "ALL" &&
    options.select !== "ALL_ATTRIBUTES";
  const projected = indexOnly
    ? [...keyNames, ...(view.index!.projection.NonKeyAttributes ?? [])]
    : null;
  for await (const item of source) {
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
      break;
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

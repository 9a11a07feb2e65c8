/** Query: one partition of the table (a range read) or of an index, paged. */
import type { OperationContext } from "../context.ts";
import { parseReadExpressions, type ReadExpressions } from "./read_expressions.ts";
import { getTable, knownTable, type TableRecord } from "../storage/tables.ts";
import type { Body } from "../validation.ts";
import {
  checkedView,
  checkStartKey,
  fetchesItems,
  indexSource,
  MAX_PAGE_BYTES,
  type PageOptions,
  pageOptions,
  readPage,
  type ReadView,
  tableQueryEntries,
  tableQuerySource,
  viewKeySchema,
} from "./read_pages.ts";
import { splicedReply, splicesPage } from "./spliced_page.ts";
import { checkReadRequest, type ReadRequest } from "./read_request.ts";
import { type HeldPartitions, heldPartitions } from "../storage/held_partitions.ts";
import { encodedBody, itemsReply } from "../codec.ts";
import { partitionPart } from "../storage/keys.ts";
import type { Item } from "../attribute_value.ts";
import type { Entry } from "../../../src/store/mod.ts";

/**
 * Query. A whole-partition Query of a partition memory holds (or knows empty) is answered
 * without a promise; everything else reads the store.
 */
export function query(
  ctx: OperationContext,
  body: Body,
): Record<string, unknown> | Promise<Record<string, unknown>> {
  const request = checkReadRequest(body, "query");
  const table = knownTable(ctx.store, request.TableName);
  return table
    ? queryTable(ctx, request, table)
    : getTable(ctx.store, request.TableName).then((found) => queryTable(ctx, request, found));
}

/** What a Query's checks settled, handed to its reads. */
interface QueryPlan {
  ctx: OperationContext;
  request: ReadRequest;
  table: TableRecord;
  view: ReadView;
  expressions: ReadExpressions;
  options: PageOptions;
  start: Item | undefined;
  forward: boolean;
}

function queryTable(
  ctx: OperationContext,
  request: ReadRequest,
  table: TableRecord,
): Record<string, unknown> | Promise<Record<string, unknown>> {
  const view = checkedView(table, request);
  const expressions = parseReadExpressions(request, viewKeySchema(view));
  const start = checkStartKey(view, request.ExclusiveStartKey);
  const forward = request.ScanIndexForward !== false;
  const options = pageOptions(request, expressions);
  const plan: QueryPlan = { ctx, request, table, view, expressions, options, start, forward };
  if (!splicesPage(view, options)) return readQuery(plan);
  const key = expressions.key!;
  // A whole partition of a table with a sort key: memory may hold it.
  const held = key.range === undefined && start === undefined && request.Limit === undefined &&
      table.keySchema.length === 2
    ? heldPartitions(ctx.store)
    : null;
  if (held === null) return splicedQuery(plan);
  const partition = partitionPart(key.hash.value);
  const reply = held.reply(table.id, partition, forward);
  if (reply) return encodedBody(reply.bytes, reply.checksum);
  return wholePartition(plan, held, partition);
}

/** A Query whose items go back as stored, read from the store. */
async function splicedQuery(plan: QueryPlan): Promise<Record<string, unknown>> {
  const { ctx, request, table, view, start, forward } = plan;
  const entries = tableQueryEntries(
    ctx,
    table,
    plan.expressions.key!,
    forward,
    start,
    request.Limit,
  );
  const spliced = await splicedReply(view, entries, request.Limit);
  return spliced ? encodedBody(spliced) : await readQuery(plan);
}

/** A whole partition read from the store, then held for the next Query when it fits. */
async function wholePartition(
  plan: QueryPlan,
  held: HeldPartitions,
  partition: Uint8Array,
): Promise<Record<string, unknown>> {
  const { ctx, table, forward } = plan;
  const generation = held.generation;
  // Read in sort-key order whatever the direction: the held form is that order.
  const entries: Entry[] = [];
  let bytes = 0;
  for await (const page of tableQueryEntries(ctx, table, plan.expressions.key!, true, undefined)) {
    for (const entry of page) {
      bytes += entry.data.length;
      // Near 1 MB the page needs item sizes: the exact path reads it.
      if (bytes >= MAX_PAGE_BYTES) return await readQuery(plan);
      entries.push(entry);
    }
  }
  held.hold(table.id, partition, entries, generation);
  const reply = held.reply(table.id, partition, forward);
  if (reply) return encodedBody(reply.bytes, reply.checksum);
  const items = entries.map((entry) => entry.data);
  return encodedBody(itemsReply(forward ? items : items.reverse()));
}

/** A Query page read and built item by item. */
async function readQuery(plan: QueryPlan): Promise<Record<string, unknown>> {
  const { ctx, request, table, view, expressions, options, start, forward } = plan;
  const source = view.index
    ? indexSource(ctx, view, {
      key: expressions.key,
      forward,
      start,
      limit: request.Limit,
      fetchItems: fetchesItems(view, request),
    })
    : tableQuerySource(ctx, table, expressions.key!, forward, start, request.Limit);
  return await readPage(view, source, options);
}

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
import { type PartitionPages, partitionPages } from "./partition_pages.ts";
import { checksumOf, encodedBody } from "../codec.ts";
import { partitionPart } from "../storage/keys.ts";
import type { Item } from "../attribute_value.ts";

/**
 * Query. A whole-partition Query whose table memory holds and whose reply is kept is answered
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
  // A whole partition of a table with a sort key: the reply is kept until the partition changes.
  const pages = key.range === undefined && start === undefined && request.Limit === undefined &&
      table.keySchema.length === 2
    ? partitionPages(ctx.store)
    : null;
  const partition = pages ? partitionPart(key.hash.value) : null;
  const kept = partition && pages!.get(table.id, partition, forward);
  if (kept) return encodedBody(kept.bytes, kept.checksum);
  return splicedQuery(plan, pages, partition);
}

/** A Query whose items go back as stored, kept for next time when it read a whole partition. */
async function splicedQuery(
  plan: QueryPlan,
  pages: PartitionPages | null,
  partition: Uint8Array | null,
): Promise<Record<string, unknown>> {
  const { ctx, request, table, view, start, forward } = plan;
  const generation = pages?.generation ?? 0;
  const entries = tableQueryEntries(
    ctx,
    table,
    plan.expressions.key!,
    forward,
    start,
    request.Limit,
  );
  const spliced = await splicedReply(view, entries, request.Limit);
  if (spliced) {
    if (partition && !spliced.expiring) {
      // The checksum too, once: a hit then sends a header it need not compute.
      const kept = { bytes: spliced.bytes, checksum: checksumOf(spliced.bytes) };
      pages!.put(table.id, partition, forward, kept, generation);
      return encodedBody(kept.bytes, kept.checksum);
    }
    return encodedBody(spliced.bytes);
  }
  return await readQuery(plan);
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

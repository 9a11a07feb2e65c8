/** Query: one partition of the table (a range read) or of an index, paged. */
import type { OperationContext } from "../context.ts";
import { parseReadExpressions } from "./read_expressions.ts";
import { getTable } from "../storage/tables.ts";
import type { Body } from "../validation.ts";
import {
  checkedView,
  checkStartKey,
  fetchesItems,
  indexSource,
  pageOptions,
  readPage,
  tableQueryEntries,
  tableQuerySource,
  viewKeySchema,
} from "./read_pages.ts";
import { splicedReply, splicesPage } from "./spliced_page.ts";
import { checkReadRequest } from "./read_request.ts";
import { partitionPages } from "./partition_pages.ts";
import { encodedBody } from "../codec.ts";
import { partitionPart } from "../storage/keys.ts";

/** Query. */
export async function query(ctx: OperationContext, body: Body) {
  const request = checkReadRequest(body, "query");
  const table = await getTable(ctx.store, request.TableName);
  const view = checkedView(table, request);
  const expressions = parseReadExpressions(request, viewKeySchema(view));
  const start = checkStartKey(view, request.ExclusiveStartKey);
  const forward = request.ScanIndexForward !== false;
  const options = pageOptions(request, expressions);
  if (splicesPage(view, options)) {
    const key = expressions.key!;
    // A whole partition of a table with a sort key: the reply is kept until the partition changes.
    const pages = key.range === undefined && start === undefined && request.Limit === undefined &&
        table.keySchema.length === 2
      ? partitionPages(ctx.store)
      : null;
    const partition = pages ? partitionPart(key.hash.value) : null;
    const kept = partition && pages!.get(table.id, partition, forward);
    if (kept) return encodedBody(kept);
    const generation = pages?.generation ?? 0;
    const entries = tableQueryEntries(ctx, table, key, forward, start, request.Limit);
    const spliced = await splicedReply(view, entries, request.Limit);
    if (spliced) {
      if (partition && !spliced.expiring) {
        pages!.put(table.id, partition, forward, spliced.bytes, generation);
      }
      return encodedBody(spliced.bytes);
    }
  }
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

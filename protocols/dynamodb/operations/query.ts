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
import { splicedPage, splicesPage } from "./spliced_page.ts";
import { checkReadRequest } from "./read_request.ts";

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
    const entries = tableQueryEntries(ctx, table, expressions.key!, forward, start, request.Limit);
    const spliced = await splicedPage(view, entries, request.Limit);
    if (spliced) return spliced;
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

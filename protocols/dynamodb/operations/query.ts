/** Query: one partition of the table (a range read) or of an index, paged. */
import type { OperationContext } from "../context.ts";
import { parseReadExpressions } from "./read_expressions.ts";
import { getTable } from "../storage/tables.ts";
import type { Body } from "../validation.ts";
import {
  checkedView,
  checkStartKey,
  indexSource,
  pageOptions,
  readPage,
  tableQuerySource,
  viewKeySchema,
} from "./read_pages.ts";
import { checkReadRequest } from "./scan.ts";

/** Query. */
export async function query(ctx: OperationContext, body: Body) {
  checkReadRequest(body, "query");
  const table = await getTable(ctx.store, body.TableName as string);
  const view = checkedView(table, body);
  const expressions = parseReadExpressions(body, viewKeySchema(view));
  const start = checkStartKey(view, body.ExclusiveStartKey);
  const forward = body.ScanIndexForward !== false;
  const source = view.index
    ? indexSource(ctx, view, { key: expressions.key, forward, start })
    : tableQuerySource(ctx, table, expressions.key!, forward, start);
  return await readPage(view, source, pageOptions(body, expressions));
}

/** Query: one partition of the table (a range read) or of an index, paged. */
import type { OperationContext } from "../context.ts";
import { validation } from "../errors.ts";
import { parseReadExpressions } from "../read_expressions.ts";
import { getTable } from "../tables.ts";
import type { Body } from "../validation.ts";
import {
  checkSelect,
  checkStartKey,
  indexSource,
  readPage,
  resolveView,
  tableQuerySource,
  viewKeySchema,
} from "./read_pages.ts";
import { checkReadRequest } from "./scan.ts";

/** Query. */
export async function query(ctx: OperationContext, body: Body) {
  checkReadRequest(body, "query");
  const table = await getTable(ctx.store, body.TableName as string);
  const view = resolveView(table, body.IndexName);
  checkSelect(view, body.Select);
  if (view.index?.global && body.ConsistentRead === true) {
    throw validation("Consistent reads are not supported on global secondary indexes");
  }
  const expressions = parseReadExpressions(body, viewKeySchema(view));
  const start = checkStartKey(view, body.ExclusiveStartKey);
  const forward = body.ScanIndexForward !== false;
  const source = view.index
    ? indexSource(ctx, view, { key: expressions.key, forward, start })
    : tableQuerySource(ctx, table, expressions.key!, forward, start);
  return await readPage(view, source, {
    limit: body.Limit as number | undefined,
    filter: expressions.filter,
    projection: expressions.projection,
    select: body.Select as string | undefined,
    consistent: body.ConsistentRead === true,
    capacityMode: body.ReturnConsumedCapacity,
    requestedName: body.TableName,
  });
}

/** Scan: every item of the table or an index, optionally one parallel segment, paged. */
import type { OperationContext } from "../context.ts";
import { FORMATS, MESSAGES, validation } from "../errors.ts";
import { parseReadExpressions } from "./read_expressions.ts";
import { getTable } from "../storage/tables.ts";
import { checkReadRequest, type ReadRequest } from "./read_request.ts";
import type { Body } from "../validation.ts";
import {
  checkedView,
  checkStartKey,
  fetchesItems,
  indexSource,
  pageOptions,
  readPage,
  tableScanSource,
} from "./read_pages.ts";

function segmentOf(request: ReadRequest): { segment: number; total: number } | undefined {
  const seg = request.Segment;
  const total = request.TotalSegments;
  if (seg === undefined && total === undefined) return undefined;
  if (total === undefined) {
    throw validation(MESSAGES.totalSegmentsMissing);
  }
  if (seg === undefined) {
    throw validation(MESSAGES.segmentMissing);
  }
  if (seg >= total) {
    throw validation(FORMATS.segmentOutOfRange(seg, total));
  }
  return { segment: seg, total };
}

/** Scan. */
export async function scan(ctx: OperationContext, body: Body) {
  const request = checkReadRequest(body, "scan");
  const segment = segmentOf(request);
  const table = await getTable(ctx.store, request.TableName);
  const view = checkedView(table, request);
  const expressions = parseReadExpressions(request);
  const start = checkStartKey(view, request.ExclusiveStartKey);
  const source = view.index
    ? indexSource(ctx, view, {
      forward: true,
      start,
      segment,
      limit: request.Limit,
      fetchItems: fetchesItems(view, request),
    })
    : tableScanSource(ctx, table, start, segment, request.Limit);
  return await readPage(view, source, pageOptions(request, expressions));
}

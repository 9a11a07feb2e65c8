/** Scan: every item of the table or an index, optionally one parallel segment, paged. */
import { checkReturnOptions } from "./capacity.ts";
import type { OperationContext } from "../context.ts";
import { FORMATS, invalidParameter, MESSAGES, validation } from "../errors.ts";
import { parseReadExpressions } from "./read_expressions.ts";
import { getTable } from "../storage/tables.ts";
import { type Body, checkShape, Constraints } from "../validation.ts";
import {
  checkedView,
  checkStartKey,
  indexSource,
  pageOptions,
  readPage,
  tableScanSource,
} from "./read_pages.ts";

/** Most parallel Scan segments. */
export const MAX_SEGMENTS = 1_000_000;
const SELECT = ["ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES", "SPECIFIC_ATTRIBUTES", "COUNT"];

/** Member checks shared by Query and Scan, in AWS's order. */
export function checkReadRequest(body: Body, kind: "query" | "scan"): void {
  checkShape(body, {
    TableName: "string",
    IndexName: "string",
    Select: "string",
    Limit: "number",
    ConsistentRead: "boolean",
    ScanIndexForward: "boolean",
    ExclusiveStartKey: "object",
    KeyConditionExpression: "string",
    FilterExpression: "string",
    ProjectionExpression: "string",
    ExpressionAttributeNames: "object",
    ExpressionAttributeValues: "object",
    KeyConditions: "object",
    QueryFilter: "object",
    ScanFilter: "object",
    AttributesToGet: "array",
    ConditionalOperator: "string",
    Segment: "number",
    TotalSegments: "number",
    ReturnConsumedCapacity: "string",
  });
  const c = new Constraints();
  c.name("tableName", body.TableName, { arn: true });
  c.name("indexName", body.IndexName, { required: false });
  c.oneOf("select", body.Select, SELECT);
  c.range("limit", body.Limit, 1);
  if (kind === "scan") {
    c.range("segment", body.Segment, 0, MAX_SEGMENTS - 1);
    c.range("totalSegments", body.TotalSegments, 1, MAX_SEGMENTS);
  }
  c.oneOf("conditionalOperator", body.ConditionalOperator, ["AND", "OR"]);
  checkReturnOptions(c, body);
  c.throwIfAny();
  const projecting = body.ProjectionExpression !== undefined || body.AttributesToGet !== undefined;
  if (body.Select === "SPECIFIC_ATTRIBUTES" && !projecting) {
    throw invalidParameter(MESSAGES.specificWithoutProjection);
  }
  if (body.Select !== undefined && body.Select !== "SPECIFIC_ATTRIBUTES" && projecting) {
    throw invalidParameter(
      FORMATS.projectionWithSelect(
        body.ProjectionExpression !== undefined ? "ProjectionExpression" : "AttributesToGet",
        String(body.Select),
      ),
    );
  }
  if (body.Select === "ALL_PROJECTED_ATTRIBUTES" && body.IndexName === undefined) {
    throw invalidParameter(MESSAGES.allProjectedWithoutIndex);
  }
}

function segmentOf(body: Body): { segment: number; total: number } | undefined {
  const seg = body.Segment as number | undefined;
  const total = body.TotalSegments as number | undefined;
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
  checkReadRequest(body, "scan");
  const segment = segmentOf(body);
  const table = await getTable(ctx.store, body.TableName as string);
  const view = checkedView(table, body);
  const expressions = parseReadExpressions(body);
  const start = checkStartKey(view, body.ExclusiveStartKey);
  const source = view.index
    ? indexSource(ctx, view, { forward: true, start, segment })
    : tableScanSource(ctx, table, start, segment);
  return await readPage(view, source, pageOptions(body, expressions));
}

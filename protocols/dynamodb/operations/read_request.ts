/**
 * The request Query and Scan share: its members' types and the member checks, in AWS's order.
 * @module
 */
import { checkReturnOptions } from "./capacity.ts";
import { FORMATS, invalidParameter, MESSAGES } from "../errors.ts";
import type { LegacyCondition } from "../expressions/mod.ts";
import {
  type Body,
  checkShape,
  Constraints,
  listOf,
  type Request,
  structure,
  type WithRequired,
} from "../validation.ts";

/** Most parallel Scan segments. */
export const MAX_SEGMENTS = 1_000_000;
// In the order AWS lists them in its enum constraint message.
const SELECT = ["SPECIFIC_ATTRIBUTES", "COUNT", "ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES"];

const SHAPE = {
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
  ExpressionAttributeNames: structure<Record<string, string>>(),
  ExpressionAttributeValues: "object",
  KeyConditions: structure<Record<string, LegacyCondition>>(),
  QueryFilter: structure<Record<string, LegacyCondition>>(),
  ScanFilter: structure<Record<string, LegacyCondition>>(),
  AttributesToGet: listOf<string>(),
  ConditionalOperator: "string",
  Segment: "number",
  TotalSegments: "number",
  ReturnConsumedCapacity: "string",
} as const;

/** A Query or Scan request past its member checks. */
export type ReadRequest = WithRequired<Request<typeof SHAPE>, "TableName">;

/** Member checks shared by Query and Scan, in AWS's order. */
export function checkReadRequest(body: Body, kind: "query" | "scan"): ReadRequest {
  const request = checkShape(body, SHAPE);
  const c = new Constraints();
  c.name("tableName", request.TableName, { arn: true });
  c.name("indexName", request.IndexName, { required: false });
  c.oneOf("select", request.Select, SELECT);
  c.range("limit", request.Limit, 1);
  if (kind === "scan") {
    c.range("segment", request.Segment, 0, MAX_SEGMENTS - 1);
    c.range("totalSegments", request.TotalSegments, 1, MAX_SEGMENTS);
  }
  c.oneOf("conditionalOperator", request.ConditionalOperator, ["AND", "OR"]);
  checkReturnOptions(c, request);
  const checked = c.checked(request, "TableName");
  const projecting = request.ProjectionExpression !== undefined ||
    request.AttributesToGet !== undefined;
  if (request.Select === "SPECIFIC_ATTRIBUTES" && !projecting) {
    throw invalidParameter(MESSAGES.specificWithoutProjection);
  }
  if (request.Select !== undefined && request.Select !== "SPECIFIC_ATTRIBUTES" && projecting) {
    throw invalidParameter(
      FORMATS.projectionWithSelect(
        request.ProjectionExpression !== undefined ? "ProjectionExpression" : "AttributesToGet",
        String(request.Select),
      ),
    );
  }
  if (request.Select === "ALL_PROJECTED_ATTRIBUTES" && request.IndexName === undefined) {
    throw invalidParameter(MESSAGES.allProjectedWithoutIndex);
  }
  return checked;
}

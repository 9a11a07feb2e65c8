/** ListStreams: the tables with a stream, optionally of one table, paged by stream ARN. */
import type { OperationContext } from "../context.ts";
import { streamArn, streamsOf } from "../storage/streams.ts";
import { tableNameOf, type TableRecord } from "../storage/tables.ts";
import { type Body, checkShape, Constraints } from "../validation.ts";

/** Most streams one ListStreams page returns. */
export const MAX_LIST_STREAMS = 100;

/** ListStreams. */
export async function listStreams(ctx: OperationContext, body: Body) {
  const request = checkShape(body, {
    TableName: "string",
    Limit: "number",
    ExclusiveStartStreamArn: "string",
  });
  const c = new Constraints();
  c.range("limit", request.Limit, 1, MAX_LIST_STREAMS);
  c.throwIfAny();
  const limit = request.Limit ?? MAX_LIST_STREAMS;
  const streams: Record<string, string>[] = [];
  let passedStart = request.ExclusiveStartStreamArn === undefined;
  let more = false;
  scan: for await (const entry of ctx.store.list<TableRecord>({ prefix: ["table"] })) {
    const table = entry.meta;
    if (!table) continue;
    if (request.TableName !== undefined && table.name !== tableNameOf(request.TableName)) {
      continue;
    }
    for (const { label } of streamsOf(table)) {
      const arn = streamArn(table, label);
      if (!passedStart) {
        passedStart = arn === request.ExclusiveStartStreamArn;
        continue;
      }
      if (streams.length === limit) {
        more = true;
        break scan;
      }
      streams.push({ StreamArn: arn, TableName: table.name, StreamLabel: label });
    }
  }
  return more
    ? { Streams: streams, LastEvaluatedStreamArn: streams.at(-1)!.StreamArn }
    : { Streams: streams };
}

/**
 * What the DynamoDB Streams operations share (X-Amz-Target DynamoDBStreams_20120810.*): the
 * stream an ARN names and the shard iterators GetShardIterator hands out and GetRecords reads.
 * @module
 */
import type { OperationContext } from "../context.ts";
import { MESSAGES, streamNotFound, validation } from "../errors.ts";

import { findTable, tableNameOf, type TableRecord } from "../storage/tables.ts";
import { type Body, checkShape, Constraints } from "../validation.ts";

/** The table and label a stream ARN names (ResourceNotFound when it names no stream). */
export async function streamOf(
  ctx: OperationContext,
  arn: string,
): Promise<{ table: TableRecord; label: string }> {
  const m = /^(arn:[^:]+:dynamodb:[^:]*:[^:]*:table\/[^/]+)\/stream\/(.+)$/.exec(arn);
  const table = m ? await findTable(ctx.store, tableNameOf(m[1])) : null;
  if (!m || !table || table.arn !== m[1] || table.streamLabel !== m[2]) {
    throw streamNotFound(arn);
  }
  return { table, label: m[2] };
}

/** The StreamArn member DescribeStream and GetShardIterator check first. */
export function requireArn(body: Body): string {
  const request = checkShape(body, { StreamArn: "string" });
  const c = new Constraints();
  c.required("streamArn", request.StreamArn);
  return c.checked(request, "StreamArn").StreamArn;
}

/** Where a shard iterator stands: the stream and the last sequence number read. */
interface Iterator {
  arn: string;
  /** Read records with a sequence number greater than this ("" = from the oldest). */
  after: string;
}

/** A shard iterator as the opaque text clients pass back. */
export function encodeIterator(it: Iterator): string {
  return btoa(JSON.stringify(it));
}

/** Read a shard iterator back (ValidationException when it is not one of ours). */
export function decodeIterator(text: unknown): Iterator {
  try {
    const it = JSON.parse(atob(String(text))) as Iterator;
    if (typeof it.arn === "string" && typeof it.after === "string") return it;
  } catch {
    // Falls through to the error.
  }
  throw validation(MESSAGES.invalidShardIterator);
}

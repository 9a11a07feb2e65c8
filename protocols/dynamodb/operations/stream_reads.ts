/**
 * What the DynamoDB Streams operations share (X-Amz-Target DynamoDBStreams_20120810.*): the
 * stream an ARN names, the shard iterators GetShardIterator hands out and GetRecords reads,
 * and the trim horizon both check.
 * @module
 */
import type { OperationContext } from "../context.ts";
import { expiredIterator, MESSAGES, streamNotFound, trimmedData, validation } from "../errors.ts";
import { counterKey, recordsPrefix, type StreamInfo, streamsOf } from "../storage/streams.ts";
import { findTable, tableNameOf, type TableRecord } from "../storage/tables.ts";
import { type Body, checkShape, Constraints } from "../validation.ts";

/** How long a shard iterator may be used, DynamoDB's 15 minutes. */
export const ITERATOR_LIFETIME_MS = 15 * 60 * 1000;

/** The table and stream an ARN names (ResourceNotFound when it names no readable stream). */
export async function streamOf(
  ctx: OperationContext,
  arn: string,
): Promise<{ table: TableRecord; stream: StreamInfo }> {
  const m = /^(arn:[^:]+:dynamodb:[^:]*:[^:]*:table\/[^/]+)\/stream\/(.+)$/.exec(arn);
  const table = m ? await findTable(ctx.store, tableNameOf(m[1])) : null;
  const stream = m && table?.arn === m[1]
    ? streamsOf(table).find((s) => s.label === m[2])
    : undefined;
  if (!table || !stream) throw streamNotFound(arn);
  return { table, stream };
}

/** The StreamArn member DescribeStream and GetShardIterator check first. */
export function requireArn(body: Body): string {
  const request = checkShape(body, { StreamArn: "string" });
  const c = new Constraints();
  c.required("streamArn", request.StreamArn);
  return c.checked(request, "StreamArn").StreamArn;
}

/** Where a shard iterator stands: the stream, the last sequence number read, when issued. */
interface Iterator {
  arn: string;
  /** Read records with a sequence number greater than this ("" = from the oldest). */
  after: string;
  /** When the iterator was handed out (ms), for its 15-minute lifetime. */
  at: number;
}

/** A shard iterator as the opaque text clients pass back. */
export function encodeIterator(it: Iterator): string {
  return btoa(JSON.stringify(it));
}

/**
 * Read a shard iterator back: ValidationException when it is not one of ours,
 * ExpiredIteratorException past its lifetime.
 */
export function decodeIterator(text: unknown): Iterator {
  let it: Iterator | undefined;
  try {
    const parsed = JSON.parse(atob(String(text))) as Iterator;
    if (
      typeof parsed.arn === "string" && typeof parsed.after === "string" &&
      typeof parsed.at === "number"
    ) {
      it = parsed;
    }
  } catch {
    // Falls through to the error.
  }
  if (!it) throw validation(MESSAGES.invalidShardIterator);
  if (Date.now() - it.at > ITERATOR_LIFETIME_MS) throw expiredIterator();
  return it;
}

/**
 * The oldest sequence number a stream still keeps (the trim horizon): its oldest record, or
 * the next number to be written when it keeps none.
 */
export async function trimHorizon(
  ctx: OperationContext,
  table: TableRecord,
  label: string,
): Promise<bigint> {
  const first = await ctx.store.listPage({ prefix: recordsPrefix(table, label) }, {
    limit: 1,
    keysOnly: true,
  });
  const seq = first.entries[0]?.key.at(-1) as string | undefined;
  if (seq !== undefined) return BigInt(seq);
  const counter = await ctx.store.get<number>(counterKey(table));
  return BigInt(counter?.meta ?? 0) + 1n;
}

/** TrimmedDataAccessException when reading from after `after` would skip trimmed records. */
export async function checkNotTrimmed(
  ctx: OperationContext,
  table: TableRecord,
  label: string,
  after: string,
): Promise<void> {
  if (after === "") return;
  if (BigInt(after) + 1n < await trimHorizon(ctx, table, label)) throw trimmedData();
}

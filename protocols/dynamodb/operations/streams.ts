/**
 * The DynamoDB Streams API (X-Amz-Target DynamoDBStreams_20120810.*): ListStreams,
 * DescribeStream, GetShardIterator and GetRecords over the records item writes stage.
 * @module
 */
import type { OperationContext } from "../context.ts";
import { FORMATS, MESSAGES, shardNotFound, streamNotFound, validation } from "../errors.ts";
import { counterKey, recordsPrefix, sequenceText, shardId, streamArn } from "../storage/streams.ts";
import { findTable, tableNameOf, type TableRecord } from "../storage/tables.ts";
import { type Body, checkShape, Constraints } from "../validation.ts";

/** Most records one GetRecords returns. */
export const MAX_GET_RECORDS = 1000;
/** Most streams one ListStreams page returns. */
export const MAX_LIST_STREAMS = 100;

const ITERATOR_TYPES = ["TRIM_HORIZON", "LATEST", "AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER"];
const decoder = new TextDecoder();

/** The table and label a stream ARN names (ResourceNotFound when it names no stream). */
async function streamOf(
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

function requireArn(body: Body): string {
  const request = checkShape(body, { StreamArn: "string" });
  const c = new Constraints();
  c.required("streamArn", request.StreamArn);
  return c.checked(request, "StreamArn").StreamArn;
}

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
  for await (const entry of ctx.store.list<TableRecord>({ prefix: ["table"] })) {
    const table = entry.meta;
    if (!table?.streamLabel) continue;
    if (request.TableName !== undefined && table.name !== tableNameOf(request.TableName)) {
      continue;
    }
    const arn = streamArn(table);
    if (!passedStart) {
      passedStart = arn === request.ExclusiveStartStreamArn;
      continue;
    }
    if (streams.length === limit) {
      more = true;
      break;
    }
    streams.push({ StreamArn: arn, TableName: table.name, StreamLabel: table.streamLabel });
  }
  return more
    ? { Streams: streams, LastEvaluatedStreamArn: streams.at(-1)!.StreamArn }
    : { Streams: streams };
}

/** DescribeStream. */
export async function describeStream(ctx: OperationContext, body: Body) {
  const arn = requireArn(body);
  const { table, label } = await streamOf(ctx, arn);
  const first = await ctx.store.listPage({ prefix: recordsPrefix(table, label) }, {
    limit: 1,
    keysOnly: true,
  });
  const start = first.entries[0]?.key.at(-1) as string | undefined;
  return {
    StreamDescription: {
      StreamArn: arn,
      StreamLabel: label,
      StreamStatus: table.stream?.StreamEnabled ? "ENABLED" : "DISABLED",
      StreamViewType: table.stream?.StreamViewType,
      CreationRequestDateTime: Date.parse(`${label}Z`) / 1000,
      TableName: table.name,
      KeySchema: table.keySchema,
      Shards: [{
        ShardId: shardId(label),
        SequenceNumberRange: { StartingSequenceNumber: start ?? sequenceText(1) },
      }],
    },
  };
}

interface Iterator {
  arn: string;
  /** Read records with a sequence number greater than this ("" = from the oldest). */
  after: string;
}

function encodeIterator(it: Iterator): string {
  return btoa(JSON.stringify(it));
}

function decodeIterator(text: unknown): Iterator {
  try {
    const it = JSON.parse(atob(String(text))) as Iterator;
    if (typeof it.arn === "string" && typeof it.after === "string") return it;
  } catch {
    // Falls through to the error.
  }
  throw validation(MESSAGES.invalidShardIterator);
}

/** GetShardIterator. */
export async function getShardIterator(ctx: OperationContext, body: Body) {
  const arn = requireArn(body);
  const shaped = checkShape(body, {
    ShardId: "string",
    ShardIteratorType: "string",
    SequenceNumber: "string",
  });
  const c = new Constraints();
  c.required("shardId", shaped.ShardId);
  c.required("shardIteratorType", shaped.ShardIteratorType);
  c.oneOf("shardIteratorType", shaped.ShardIteratorType, ITERATOR_TYPES);
  const request = c.checked(shaped, "ShardId", "ShardIteratorType");
  const { table, label } = await streamOf(ctx, arn);
  if (request.ShardId !== shardId(label)) throw shardNotFound();
  const type = request.ShardIteratorType;
  const seq = request.SequenceNumber;
  let after = "";
  if (type === "LATEST") {
    const counter = await ctx.store.get<number>(counterKey(table));
    after = sequenceText(counter?.meta ?? 0);
  } else if (type !== "TRIM_HORIZON") {
    if (seq === undefined || !/^\d{1,40}$/.test(seq)) {
      throw validation(FORMATS.invalidSequenceNumber(type));
    }
    const n = BigInt(seq) - (type === "AT_SEQUENCE_NUMBER" ? 1n : 0n);
    after = n.toString().padStart(sequenceText(0).length, "0");
  }
  return { ShardIterator: encodeIterator({ arn, after }) };
}

/** GetRecords. */
export async function getRecords(ctx: OperationContext, body: Body) {
  const shaped = checkShape(body, { ShardIterator: "string", Limit: "number" });
  const c = new Constraints();
  c.required("shardIterator", shaped.ShardIterator);
  c.range("limit", shaped.Limit, 1, MAX_GET_RECORDS);
  const request = c.checked(shaped, "ShardIterator");
  const it = decodeIterator(request.ShardIterator);
  const { table, label } = await streamOf(ctx, it.arn);
  const prefix = recordsPrefix(table, label);
  const selector = it.after === "" ? { prefix } : { prefix, start: [...prefix, `${it.after}\0`] };
  const page = await ctx.store.listPage(selector, {
    limit: request.Limit ?? MAX_GET_RECORDS,
  });
  const records = page.entries.map((e) => JSON.parse(decoder.decode(e.data)));
  const last = page.entries.at(-1)?.key.at(-1) as string | undefined;
  const out: Record<string, unknown> = { Records: records };
  // A disabled stream's shard closes: once drained there is no next iterator.
  if (table.stream?.StreamEnabled || records.length > 0) {
    out.NextShardIterator = encodeIterator({ arn: it.arn, after: last ?? it.after });
  }
  return out;
}

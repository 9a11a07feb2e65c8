/** DescribeStream: a stream's one shard and its sequence number range (closed once disabled). */
import type { OperationContext } from "../context.ts";
import { recordsPrefix, sequenceText, shardId } from "../storage/streams.ts";
import { type Body, checkShape } from "../validation.ts";
import { requireArn, streamOf, trimHorizon } from "./stream_reads.ts";

/** DescribeStream. */
export async function describeStream(ctx: OperationContext, body: Body) {
  const arn = requireArn(body);
  const request = checkShape(body, { Limit: "number", ExclusiveStartShardId: "string" });
  const { table, stream } = await streamOf(ctx, arn);
  const range: Record<string, string> = {
    StartingSequenceNumber: sequenceText(Number(await trimHorizon(ctx, table, stream.label))),
  };
  if (!stream.enabled) {
    // A disabled stream's shard is closed at its last record.
    const last = await ctx.store.listPage({ prefix: recordsPrefix(table, stream.label) }, {
      limit: 1,
      reverse: true,
      keysOnly: true,
    });
    const end = last.entries[0]?.key.at(-1) as string | undefined;
    if (end !== undefined) range.EndingSequenceNumber = end;
  }
  const id = shardId(stream.label);
  return {
    StreamDescription: {
      StreamArn: arn,
      StreamLabel: stream.label,
      StreamStatus: stream.enabled ? "ENABLED" : "DISABLED",
      StreamViewType: stream.viewType,
      CreationRequestDateTime: Date.parse(`${stream.label}Z`) / 1000,
      TableName: table.name,
      KeySchema: table.keySchema,
      Shards: request.ExclusiveStartShardId === id
        ? []
        : [{ ShardId: id, SequenceNumberRange: range }],
    },
  };
}

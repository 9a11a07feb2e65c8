/** DescribeStream: a stream's one shard and its sequence number range. */
import type { OperationContext } from "../context.ts";
import { recordsPrefix, sequenceText, shardId } from "../storage/streams.ts";
import type { Body } from "../validation.ts";
import { requireArn, streamOf } from "./stream_reads.ts";

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

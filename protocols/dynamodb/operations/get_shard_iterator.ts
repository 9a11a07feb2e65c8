/** GetShardIterator: an iterator at TRIM_HORIZON, LATEST or a sequence number. */
import type { OperationContext } from "../context.ts";
import { FORMATS, shardNotFound, validation } from "../errors.ts";
import { counterKey, sequenceText, shardId } from "../storage/streams.ts";
import { type Body, checkShape, Constraints } from "../validation.ts";
import { checkNotTrimmed, encodeIterator, requireArn, streamOf } from "./stream_reads.ts";

const ITERATOR_TYPES = ["TRIM_HORIZON", "LATEST", "AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER"];

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
  const { table, stream } = await streamOf(ctx, arn);
  if (request.ShardId !== shardId(stream.label)) throw shardNotFound();
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
    await checkNotTrimmed(ctx, table, stream.label, after);
  }
  return { ShardIterator: encodeIterator({ arn, after, at: Date.now() }) };
}

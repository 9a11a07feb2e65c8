/** GetRecords: one page of a shard's records after an iterator, and the next iterator. */
import type { OperationContext } from "../context.ts";
import { recordsPrefix } from "../storage/streams.ts";
import { type Body, checkShape, Constraints } from "../validation.ts";
import { checkNotTrimmed, decodeIterator, encodeIterator, streamOf } from "./stream_reads.ts";

/** Most records one GetRecords returns. */
export const MAX_GET_RECORDS = 1000;

const decoder = new TextDecoder();

/** GetRecords. */
export async function getRecords(ctx: OperationContext, body: Body) {
  const shaped = checkShape(body, { ShardIterator: "string", Limit: "number" });
  const c = new Constraints();
  c.required("shardIterator", shaped.ShardIterator);
  c.range("limit", shaped.Limit, 1, MAX_GET_RECORDS);
  const request = c.checked(shaped, "ShardIterator");
  const it = decodeIterator(request.ShardIterator);
  const { table, stream } = await streamOf(ctx, it.arn);
  await checkNotTrimmed(ctx, table, stream.label, it.after);
  const prefix = recordsPrefix(table, stream.label);
  const selector = it.after === "" ? { prefix } : { prefix, start: [...prefix, `${it.after}\0`] };
  const page = await ctx.store.listPage(selector, {
    limit: request.Limit ?? MAX_GET_RECORDS,
  });
  const records = page.entries.map((e) => JSON.parse(decoder.decode(e.data)));
  const last = page.entries.at(-1)?.key.at(-1) as string | undefined;
  const out: Record<string, unknown> = { Records: records };
  // A disabled stream's shard closes: once drained there is no next iterator.
  if (stream.enabled || records.length > 0) {
    out.NextShardIterator = encodeIterator({
      arn: it.arn,
      after: last ?? it.after,
      at: Date.now(),
    });
  }
  return out;
}

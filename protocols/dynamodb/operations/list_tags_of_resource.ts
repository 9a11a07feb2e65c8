/** ListTagsOfResource: a table ARN's tags. */
import type { OperationContext } from "../context.ts";
import { accessDenied } from "../errors.ts";
import { tableKey, tableNameOf, type TableRecord } from "../storage/tables.ts";
import type { Body } from "../validation.ts";
import { resourceArn } from "./resource_tags.ts";

/** ListTagsOfResource. */
export async function listTagsOfResource(ctx: OperationContext, body: Body) {
  const arn = resourceArn(body);
  const entry = await ctx.store.get<TableRecord>(tableKey(tableNameOf(arn)));
  // AWS does not say whether the table exists: the caller is refused as for any unseen resource.
  if (!entry?.meta || entry.meta.arn !== arn) throw accessDenied("ListTagsOfResource", arn);
  return { Tags: entry.meta.tags };
}

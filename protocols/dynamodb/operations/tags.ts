/** TagResource, UntagResource and ListTagsOfResource on a table ARN. */
import type { OperationContext } from "../context.ts";
import { FORMATS, limitExceeded, resourceArnNotFound, validation } from "../errors.ts";
import { tableKey, tableNameOf, type TableRecord } from "../storage/tables.ts";
import { type Body, checkShape, Constraints } from "../validation.ts";
import { MAX_TAGS } from "./create_table.ts";

const TABLE_ARN = /^arn:[^:]+:dynamodb:[^:]*:[^:]*:table\/[^/]+$/;

function resourceArn(body: Body): string {
  checkShape(body, { ResourceArn: "string" });
  const c = new Constraints();
  c.required("resourceArn", body.ResourceArn);
  c.throwIfAny();
  const arn = body.ResourceArn as string;
  if (!TABLE_ARN.test(arn)) {
    throw validation(FORMATS.invalidTableArn(arn));
  }
  return arn;
}

/** Apply `change` to the tags of the table `arn` names, in one write unit. */
function editTags(
  ctx: OperationContext,
  arn: string,
  change: (tags: TableRecord["tags"]) => TableRecord["tags"],
): Promise<void> {
  return ctx.store.write(async (tx) => {
    const entry = await tx.get<TableRecord>(tableKey(tableNameOf(arn)));
    if (!entry?.meta || entry.meta.arn !== arn) throw resourceArnNotFound(arn);
    const tags = change(entry.meta.tags);
    if (tags.length > MAX_TAGS) {
      throw limitExceeded(FORMATS.tooManyResourceTags(MAX_TAGS));
    }
    tx.set(tableKey(entry.meta.name), { meta: { ...entry.meta, tags } });
  });
}

/** TagResource. */
export async function tagResource(ctx: OperationContext, body: Body) {
  const arn = resourceArn(body);
  checkShape(body, { Tags: "array" });
  const c = new Constraints();
  c.required("tags", body.Tags);
  const added = (body.Tags ?? []) as { Key: string; Value: string }[];
  added.forEach((t, i) => {
    c.required(`tags.${i + 1}.member.key`, t?.Key);
    c.required(`tags.${i + 1}.member.value`, t?.Value);
  });
  c.throwIfAny();
  await editTags(ctx, arn, (tags) => [
    ...tags.filter((t) => !added.some((a) => a.Key === t.Key)),
    ...added.map((t) => ({ Key: t.Key, Value: t.Value })),
  ]);
  return {};
}

/** UntagResource. */
export async function untagResource(ctx: OperationContext, body: Body) {
  const arn = resourceArn(body);
  checkShape(body, { TagKeys: "array" });
  const c = new Constraints();
  c.required("tagKeys", body.TagKeys);
  c.throwIfAny();
  const keys = body.TagKeys as string[];
  await editTags(ctx, arn, (tags) => tags.filter((t) => !keys.includes(t.Key)));
  return {};
}

/** ListTagsOfResource. */
export async function listTagsOfResource(ctx: OperationContext, body: Body) {
  const arn = resourceArn(body);
  const entry = await ctx.store.get<TableRecord>(tableKey(tableNameOf(arn)));
  if (!entry?.meta || entry.meta.arn !== arn) throw resourceArnNotFound(arn);
  return { Tags: entry.meta.tags };
}

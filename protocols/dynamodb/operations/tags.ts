/** TagResource, UntagResource and ListTagsOfResource on a table ARN. */
import type { OperationContext } from "../context.ts";
import { FORMATS, limitExceeded, resourceArnNotFound, validation } from "../errors.ts";
import { tableKey, tableNameOf, type TableRecord, type Tag } from "../storage/tables.ts";
import { type Body, checkShape, Constraints, listOf } from "../validation.ts";
import { MAX_TAGS } from "./create_table.ts";

const TABLE_ARN = /^arn:[^:]+:dynamodb:[^:]*:[^:]*:table\/[^/]+$/;

function resourceArn(body: Body): string {
  const request = checkShape(body, { ResourceArn: "string" });
  const c = new Constraints();
  c.required("resourceArn", request.ResourceArn);
  const arn = c.checked(request, "ResourceArn").ResourceArn;
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
  const request = checkShape(body, { Tags: listOf<Tag>() });
  const c = new Constraints();
  c.required("tags", request.Tags);
  const added = request.Tags ?? [];
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
  const request = checkShape(body, { TagKeys: listOf<string>() });
  const c = new Constraints();
  c.required("tagKeys", request.TagKeys);
  const keys = c.checked(request, "TagKeys").TagKeys;
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

/** TagResource: add or replace tags on a table ARN. */
import type { OperationContext } from "../context.ts";
import type { Tag } from "../storage/tables.ts";
import { type Body, checkShape, Constraints, listOf } from "../validation.ts";
import { editTags, resourceArn } from "./resource_tags.ts";

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

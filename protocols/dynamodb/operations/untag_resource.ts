/** UntagResource: drop tags by key from a table ARN. */
import type { OperationContext } from "../context.ts";
import { type Body, checkShape, Constraints, listOf } from "../validation.ts";
import { editTags, resourceArn } from "./resource_tags.ts";

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

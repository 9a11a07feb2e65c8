/** What the tag operations share: the table ARN a request names and editing its tags. */
import type { OperationContext } from "../context.ts";
import { FORMATS, limitExceeded, resourceArnNotFound, validation } from "../errors.ts";
import { tableKey, tableNameOf, type TableRecord } from "../storage/tables.ts";
import { type Body, checkShape, Constraints } from "../validation.ts";
import { MAX_TAGS } from "./create_table.ts";

const TABLE_ARN = /^arn:[^:]+:dynamodb:[^:]*:[^:]*:table\/[^/]+$/;

/** The table ARN a tag request names (ValidationException for anything else). */
export function resourceArn(body: Body): string {
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
export function editTags(
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

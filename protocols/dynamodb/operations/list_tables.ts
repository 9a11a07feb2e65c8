/** ListTables: names in ascending order, paged by Limit and ExclusiveStartTableName. */
import type { OperationContext } from "../context.ts";
import { type Body, checkShape, Constraints } from "../validation.ts";

/** Most names one ListTables page returns. */
export const MAX_LIST_TABLES = 100;

/** ListTables. */
export async function listTables(ctx: OperationContext, body: Body) {
  const request = checkShape(body, { ExclusiveStartTableName: "string", Limit: "number" });
  const c = new Constraints();
  c.name("exclusiveStartTableName", request.ExclusiveStartTableName, { required: false });
  c.range("limit", request.Limit, 1, MAX_LIST_TABLES);
  c.throwIfAny();
  const limit = request.Limit ?? MAX_LIST_TABLES;
  const start = request.ExclusiveStartTableName;
  const names: string[] = [];
  let more = false;
  const selector = start === undefined
    ? { prefix: ["table"] }
    : { prefix: ["table"], start: ["table", start + "\0"] };
  for await (const entry of ctx.store.list(selector, { keysOnly: true, limit: limit + 1 })) {
    if (names.length === limit) {
      more = true;
      break;
    }
    names.push(entry.key[1] as string);
  }
  return more ? { TableNames: names, LastEvaluatedTableName: names.at(-1) } : { TableNames: names };
}

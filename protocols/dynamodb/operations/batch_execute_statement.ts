/** BatchExecuteStatement: up to 25 single-item statements, each on its own. */
import type { Item } from "../attribute_value.ts";
import type { OperationContext } from "../context.ts";
import { CONSTRAINTS, DynamoError } from "../errors.ts";
import { ExpressionError } from "../expressions/mod.ts";
import { NumberError } from "../number.ts";
import { getTable } from "../storage/tables.ts";
import { type Body, checkShape, Constraints, listOf } from "../validation.ts";
import {
  checkStatementRequest,
  keyFromWhere,
  parse,
  planWrite,
  runSelect,
  runWrite,
} from "./partiql_statements.ts";

/** Most statements in one BatchExecuteStatement. */
export const MAX_BATCH_STATEMENTS = 25;

function errorCode(error: unknown): { Code: string; Message: string; Item?: Item } | null {
  if (error instanceof ExpressionError || error instanceof NumberError) {
    return { Code: "ValidationError", Message: error.message };
  }
  if (!(error instanceof DynamoError)) return null;
  const name = error.type.split("#")[1].replace(/Exception$/, "");
  const code = name === "Validation" ? "ValidationError" : name;
  return {
    Code: code,
    Message: error.message,
    ...(error.extra.Item ? { Item: error.extra.Item as Item } : {}),
  };
}

/** BatchExecuteStatement: each statement on its own (single-item reads and writes). */
export async function batchExecuteStatement(ctx: OperationContext, body: Body) {
  const shaped = checkShape(body, { Statements: listOf<Body>(), ReturnConsumedCapacity: "string" });
  const c = new Constraints();
  const list = shaped.Statements;
  if (c.required("statements", list) && list.length === 0) {
    c.fail("statements", "[]", CONSTRAINTS.minLength(1));
  } else if (list && list.length > MAX_BATCH_STATEMENTS) {
    c.fail(
      "statements",
      "[...]",
      CONSTRAINTS.maxLength(MAX_BATCH_STATEMENTS),
    );
  }
  const entries = c.checked(shaped, "Statements").Statements;
  const responses = await Promise.all(entries.map(async (entry) => {
    try {
      const request = checkStatementRequest(entry);
      const s = parse(request);
      if (s.kind === "select") {
        const table = await getTable(ctx.store, s.table);
        // A batch reads single items: the WHERE clause must pin the whole key.
        keyFromWhere(table, s.equalities);
        const reply = await runSelect(ctx, s, request);
        const item = (reply.Items as Item[])[0];
        return item ? { TableName: table.name, Item: item } : { TableName: table.name };
      }
      const w = await planWrite(ctx, s, request);
      await runWrite(ctx, w);
      return { TableName: w.table.name };
    } catch (error) {
      const e = errorCode(error);
      if (!e) throw error;
      return { Error: e };
    }
  }));
  return { Responses: responses };
}

/** ExecuteStatement: one PartiQL statement, a paged read or a single-item write. */
import type { OperationContext } from "../context.ts";
import type { Body } from "../validation.ts";
import {
  checkStatementRequest,
  parse,
  planWrite,
  runSelect,
  runWrite,
} from "./partiql_statements.ts";

/** ExecuteStatement. */
export async function executeStatement(ctx: OperationContext, body: Body) {
  const request = checkStatementRequest(body);
  const s = parse(request);
  if (s.kind === "select") return await runSelect(ctx, s, request);
  return await runWrite(ctx, await planWrite(ctx, s, request));
}

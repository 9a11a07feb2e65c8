/** ExecuteTransaction: all writes applied all or nothing, or all reads from one snapshot. */
import type { Item } from "../attribute_value.ts";
import type { OperationContext } from "../context.ts";
import { CONSTRAINTS, MESSAGES, validation } from "../errors.ts";
import { type Path, projectItem } from "../expressions/mod.ts";
import { decodeItem } from "../storage/item_store.ts";
import { itemStoreKey } from "../storage/keys.ts";
import type { Statement } from "../partiql/parser.ts";
import { getTable, type TableRecord } from "../storage/tables.ts";
import { type Body, checkShape, Constraints, listOf } from "../validation.ts";
import { runWriteTransaction } from "./transactions.ts";
import {
  checkStatementRequest,
  keyFromWhere,
  parse,
  type PlannedWrite,
  planWrite,
} from "./partiql_statements.ts";

/** Most statements in one ExecuteTransaction. */
export const MAX_TRANSACTION_STATEMENTS = 100;

/** ExecuteTransaction: all writes applied all or nothing, or all reads from one snapshot. */
export async function executeTransaction(ctx: OperationContext, body: Body) {
  const shaped = checkShape(body, {
    TransactStatements: listOf<Body>(),
    ClientRequestToken: "string",
  });
  const c = new Constraints();
  const list = shaped.TransactStatements;
  if (c.required("transactStatements", list) && list.length === 0) {
    c.fail("transactStatements", "[]", CONSTRAINTS.minLength(1));
  } else if (list && list.length > MAX_TRANSACTION_STATEMENTS) {
    c.fail(
      "transactStatements",
      "[...]",
      CONSTRAINTS.maxLength(MAX_TRANSACTION_STATEMENTS),
    );
  }
  const entries = c.checked(shaped, "TransactStatements").TransactStatements;
  const statements = entries.map((entry) => {
    const request = checkStatementRequest(entry);
    return { request, s: parse(request) };
  });
  const reads = statements.filter(({ s }) => s.kind === "select");
  if (reads.length > 0 && reads.length < statements.length) {
    throw validation(MESSAGES.mixedTransaction);
  }
  if (reads.length > 0) {
    const gets: { table: TableRecord; key: Item; projection: Path[] | null }[] = [];
    for (const { s } of statements) {
      const select = s as Extract<Statement, { kind: "select" }>;
      const table = await getTable(ctx.store, select.table);
      gets.push({
        table,
        key: keyFromWhere(table, select.equalities),
        projection: select.projection,
      });
    }
    // Reading inside a write unit sees one state: no write interleaves between the reads.
    const found = await ctx.store.write(async (tx) => {
      const entries = await tx.getMany(gets.map((g) => itemStoreKey(g.table, g.key)));
      return entries.map((e) => e ? decodeItem(e) : null);
    });
    return {
      Responses: found.map((item, i) => {
        if (!item) return {};
        const projection = gets[i].projection;
        return { Item: projection ? projectItem(item, projection) : item };
      }),
    };
  }
  const writes: PlannedWrite[] = [];
  const targets = new Set<string>();
  for (const { request, s } of statements) {
    const w = await planWrite(ctx, s, request);
    const id = `${w.table.id}/${JSON.stringify(w.key)}`;
    if (targets.has(id)) {
      throw validation(MESSAGES.transactionSameItem);
    }
    targets.add(id);
    writes.push(w);
  }
  await runWriteTransaction(ctx, writes);
  return { Responses: writes.map(() => ({})) };
}

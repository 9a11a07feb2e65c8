/**
 * PartiQL: ExecuteStatement, BatchExecuteStatement and ExecuteTransaction for DynamoDB's
 * SELECT / INSERT / UPDATE / DELETE subset. Statements are parsed into expression-language
 * text and run through the same reads and prepared writes as the JSON API.
 * @module
 */
import type { AttributeValue, Item } from "../attribute_value.ts";
import type { OperationContext } from "../context.ts";
import {
  conditionalCheckFailed,
  CONSTRAINTS,
  duplicateItem,
  DynamoError,
  FORMATS,
  invalidParameter,
  MESSAGES,
  validation,
} from "../errors.ts";
import {
  applyUpdate,
  type Condition,
  evaluateCondition,
  ExpressionContext,
  ExpressionError,
  parseCondition,
  parseUpdate,
  type Path,
  projectItem,
  updatedAttributes,
} from "../expressions/mod.ts";
import {
  applyWrite,
  decodeItem,
  type PreparedWrite,
  readItem,
  type WriteResult,
} from "../storage/item_store.ts";
import { checkKey, itemStoreKey, keyNames, keyOfItem } from "../storage/keys.ts";
import { setEntry } from "../expressions/values.ts";
import { NumberError } from "../number.ts";
import { PartiQLError } from "../partiql/lexer.ts";
import { parseStatement, type Statement } from "../partiql/parser.ts";
import { getTable, type TableRecord } from "../storage/tables.ts";
import { checkItemSize, normalizeItem, normalizeValue } from "../types.ts";
import {
  type Body,
  checkShape,
  Constraints,
  listOf,
  type Request,
  type WithRequired,
} from "../validation.ts";
import {
  checkStartKey,
  indexSource,
  readPage,
  resolveView,
  tableQuerySource,
  tableScanSource,
} from "./read_pages.ts";
import { runWriteTransaction } from "./transact_write_items.ts";

/** Most statements in one BatchExecuteStatement. */
export const MAX_BATCH_STATEMENTS = 25;
/** Most statements in one ExecuteTransaction. */
export const MAX_TRANSACTION_STATEMENTS = 100;

const STATEMENT_SHAPE = {
  Statement: "string",
  Parameters: "array",
  ConsistentRead: "boolean",
  NextToken: "string",
  Limit: "number",
  ReturnConsumedCapacity: "string",
  ReturnValuesOnConditionCheckFailure: "string",
} as const;

/** One statement's request (ExecuteStatement, or an entry of a batch or transaction). */
type StatementRequest = WithRequired<Request<typeof STATEMENT_SHAPE>, "Statement">;

function checkStatementRequest(body: Body): StatementRequest {
  const request = checkShape(body, STATEMENT_SHAPE);
  const c = new Constraints();
  c.required("statement", request.Statement);
  c.range("limit", request.Limit, 1);
  c.oneOf("returnValuesOnConditionCheckFailure", request.ReturnValuesOnConditionCheckFailure, [
    "ALL_OLD",
    "NONE",
  ]);
  return c.checked(request, "Statement");
}

function parse(body: StatementRequest): Statement {
  const params = (body.Parameters ?? []).map((v) => normalizeValue(v));
  try {
    return parseStatement(body.Statement, params);
  } catch (error) {
    if (error instanceof PartiQLError) throw validation(error.message);
    throw error;
  }
}

function context(s: { names: Record<string, string>; values: Record<string, AttributeValue> }) {
  return new ExpressionContext({
    names: Object.keys(s.names).length ? s.names : undefined,
    values: Object.keys(s.values).length ? s.values : undefined,
  });
}

/** The primary key a WHERE clause pins with top-level equalities. */
function keyFromWhere(table: TableRecord, equalities: Map<string, AttributeValue>): Item {
  const key: Item = {};
  for (const name of keyNames(table)) {
    const v = equalities.get(name);
    if (!v) {
      throw validation(MESSAGES.whereMissingKey);
    }
    setEntry(key, name, v);
  }
  return checkKey(table, key);
}

/** A write statement planned against its table, with how to shape its reply. */
interface PlannedWrite extends PreparedWrite {
  failure?: { code: string; message: string };
  /** The Items a RETURNING clause asks for. */
  returning(result: WriteResult): Item[] | undefined;
}

async function planWrite(
  ctx: OperationContext,
  s: Statement,
  body: StatementRequest,
): Promise<PlannedWrite> {
  const table = await getTable(ctx.store, s.table);
  const returnOld = body.ReturnValuesOnConditionCheckFailure === "ALL_OLD";
  if (s.kind === "insert") {
    const item = normalizeItem(s.item);
    const key = keyOfItem(table, item);
    checkItemSize(item);
    return {
      table,
      key,
      condition: (old) => old === null,
      mutate: () => item,
      failure: { code: "DuplicateItem", message: MESSAGES.duplicateItem },
      returning: () => undefined,
    };
  }
  if (s.kind === "select") throw validation(MESSAGES.selectNotWrite);
  const key = keyFromWhere(table, s.equalities);
  const ctxExpr = context(s);
  const update = s.kind === "update" ? parseUpdate(s.update, ctxExpr) : undefined;
  const where: Condition = parseCondition(s.where, ctxExpr, "ConditionExpression");
  ctxExpr.assertAllUsed();
  for (const path of update?.paths ?? []) {
    if (typeof path[0] === "string" && keyNames(table).includes(path[0])) {
      throw invalidParameter(FORMATS.updatesKey(path[0]));
    }
  }
  const mode = s.returning;
  return {
    table,
    key,
    returnOldOnFailure: returnOld,
    // UPDATE and DELETE act on an existing item that matches the whole WHERE clause.
    condition: (old) => old !== null && evaluateCondition(where, old),
    mutate: (old) => {
      if (!update) return null;
      const next = applyUpdate(update, structuredClone(old!));
      keyOfItem(table, next);
      checkItemSize(next);
      return next;
    },
    returning: (r) => {
      if (!mode) return undefined;
      if (mode === "ALL_OLD") return r.old ? [r.old] : [];
      if (mode === "ALL_NEW") return r.current ? [r.current] : [];
      const item = mode === "MODIFIED_OLD" ? r.old : r.current;
      return item && update ? [updatedAttributes(item, update)] : [];
    },
  };
}

/** Run one planned write on its own; a failed condition is the statement's exception. */
async function runWrite(ctx: OperationContext, w: PlannedWrite): Promise<Record<string, unknown>> {
  const result = await ctx.store.write(async (tx) => {
    const applied = await applyWrite(tx, w);
    if (!applied.ok) {
      if (w.failure?.code === "DuplicateItem") throw duplicateItem();
      throw conditionalCheckFailed(w.returnOldOnFailure && applied.old ? applied.old : undefined);
    }
    return applied.result;
  });
  const items = w.returning(result);
  return items ? { Items: items } : {};
}

function encodeToken(key: Item): string {
  return btoa(JSON.stringify(key));
}

function decodeToken(token: unknown): Item | undefined {
  if (token === undefined || token === null) return undefined;
  try {
    return JSON.parse(atob(String(token))) as Item;
  } catch {
    throw validation(MESSAGES.invalidNextToken);
  }
}

async function runSelect(
  ctx: OperationContext,
  s: Extract<Statement, { kind: "select" }>,
  body: StatementRequest,
): Promise<Record<string, unknown>> {
  const table = await getTable(ctx.store, s.table);
  const view = resolveView(table, s.index);
  const ctxExpr = context(s);
  const where = s.where ? parseCondition(s.where, ctxExpr, "ConditionExpression") : undefined;
  ctxExpr.assertAllUsed();
  const start = checkStartKey(view, decodeToken(body.NextToken));
  const schema = view.index?.keySchema ?? table.keySchema;
  const hashName = schema[0].AttributeName;
  const hash = s.equalities.get(hashName);
  let source: AsyncIterable<Item>;
  if (!view.index && hash && schema.length === 2 && s.equalities.has(schema[1].AttributeName)) {
    const key = checkKey(table, {
      [hashName]: hash,
      [schema[1].AttributeName]: s.equalities.get(schema[1].AttributeName)!,
    });
    const item = start ? null : await readItem(ctx.store, table, key);
    source = (async function* () {
      if (item) yield item;
    })();
  } else if (hash && !view.index) {
    source = tableQuerySource(ctx, table, { hash: { name: hashName, value: hash } }, true, start);
  } else if (view.index) {
    source = indexSource(ctx, view, {
      key: hash ? { hash: { name: hashName, value: hash } } : undefined,
      forward: true,
      start,
    });
  } else {
    source = tableScanSource(ctx, table, start);
  }
  const page = await readPage(view, source, {
    limit: body.Limit,
    filter: where,
    projection: s.projection ?? undefined,
    consistent: body.ConsistentRead === true,
    capacityMode: body.ReturnConsumedCapacity,
    requestedName: s.table,
  });
  const out: Record<string, unknown> = { Items: page.Items };
  if (page.LastEvaluatedKey) {
    out.NextToken = encodeToken(page.LastEvaluatedKey as Item);
    out.LastEvaluatedKey = page.LastEvaluatedKey;
  }
  if (page.ConsumedCapacity) out.ConsumedCapacity = page.ConsumedCapacity;
  return out;
}

/** ExecuteStatement. */
export async function executeStatement(ctx: OperationContext, body: Body) {
  const request = checkStatementRequest(body);
  const s = parse(request);
  if (s.kind === "select") return await runSelect(ctx, s, request);
  return await runWrite(ctx, await planWrite(ctx, s, request));
}

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
  if (c.required("statements", list) && list!.length > MAX_BATCH_STATEMENTS) {
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

/** ExecuteTransaction: all writes applied all or nothing, or all reads from one snapshot. */
export async function executeTransaction(ctx: OperationContext, body: Body) {
  const shaped = checkShape(body, {
    TransactStatements: listOf<Body>(),
    ClientRequestToken: "string",
  });
  const c = new Constraints();
  const list = shaped.TransactStatements;
  if (c.required("transactStatements", list) && list!.length > MAX_TRANSACTION_STATEMENTS) {
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

/**
 * What the PartiQL operations share, for DynamoDB's SELECT / INSERT / UPDATE / DELETE subset:
 * the statement request, parsing it into expression-language text, and running it through the
 * same reads and prepared writes as the JSON API.
 * @module
 */
import type { AttributeValue, Item } from "../attribute_value.ts";
import type { OperationContext } from "../context.ts";
import {
  conditionalCheckFailed,
  duplicateItem,
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
  parseCondition,
  parseUpdate,
  updatedAttributes,
} from "../expressions/mod.ts";
import {
  applyWrite,
  type PreparedWrite,
  readItem,
  type WriteResult,
} from "../storage/item_store.ts";
import { checkKey, keyNames, keyOfItem } from "../storage/keys.ts";
import { setEntry } from "../expressions/values.ts";
import { PartiQLError } from "../partiql/lexer.ts";
import { parseStatement, type Statement } from "../partiql/parser.ts";
import { getTable, type TableRecord } from "../storage/tables.ts";
import { checkItemSize, normalizeItem, normalizeValue } from "../types.ts";
import {
  type Body,
  checkShape,
  Constraints,
  type Request,
  type WithRequired,
} from "../validation.ts";
import {
  checkStartKey,
  indexSource,
  type ItemSource,
  readPage,
  resolveView,
  tableQuerySource,
  tableScanSource,
} from "./read_pages.ts";

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

/** Check one statement's members, in AWS's order. */
export function checkStatementRequest(body: Body): StatementRequest {
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

/** Parse the statement with its parameters (a PartiQL syntax error is a ValidationException). */
export function parse(body: StatementRequest): Statement {
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
export function keyFromWhere(table: TableRecord, equalities: Map<string, AttributeValue>): Item {
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
export interface PlannedWrite extends PreparedWrite {
  failure?: { code: string; message: string };
  /** The Items a RETURNING clause asks for. */
  returning(result: WriteResult): Item[] | undefined;
}

/** Plan an INSERT, UPDATE or DELETE against its table. */
export async function planWrite(
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
export async function runWrite(
  ctx: OperationContext,
  w: PlannedWrite,
): Promise<Record<string, unknown>> {
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

/** Run a SELECT: a key read, a partition or index read, or a scan, paged by NextToken. */
export async function runSelect(
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
  let source: ItemSource;
  if (!view.index && hash && schema.length === 2 && s.equalities.has(schema[1].AttributeName)) {
    const key = checkKey(table, {
      [hashName]: hash,
      [schema[1].AttributeName]: s.equalities.get(schema[1].AttributeName)!,
    });
    const item = start ? null : await readItem(ctx.store, table, key);
    source = (async function* () {
      if (item) yield [item];
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

/**
 * What the transaction operations share: the TransactItems request (TransactWriteItems,
 * TransactGetItems) and running prepared writes all or nothing with DynamoDB's
 * CancellationReasons (also ExecuteTransaction's writes).
 * @module
 */
import { checkReturnOptions } from "./capacity.ts";
import type { OperationContext } from "../context.ts";
import {
  type CancellationReason,
  CONSTRAINTS,
  DynamoError,
  isStoreSizeLimit,
  KeyValidationError,
  MESSAGES,
  transactionCanceled,
  validation,
} from "../errors.ts";
import { ExpressionError } from "../expressions/mod.ts";
import { applyWrite, type PreparedWrite, type WriteResult } from "../storage/item_store.ts";
import { NumberError } from "../number.ts";
import {
  type Body,
  checkShape,
  Constraints,
  listOf,
  type Request,
  type WithRequired,
} from "../validation.ts";
import type { ItemRequest } from "./item_common.ts";
import type { Item } from "../attribute_value.ts";
import { itemId } from "../storage/keys.ts";
import type { TableRecord } from "../storage/tables.ts";
import { itemSize } from "../types.ts";

/** Most actions in one transaction. */
export const MAX_TRANSACT_ITEMS = 100;
/** Largest aggregate size of the items a transaction writes (AWS's 4 MB). */
export const MAX_TRANSACTION_BYTES = 4 * 1024 * 1024;

/** One entry of TransactItems: one action (TransactWriteItems) or a Get (TransactGetItems). */
export interface TransactItem {
  ConditionCheck?: ItemRequest;
  Put?: ItemRequest;
  Delete?: ItemRequest;
  Update?: ItemRequest;
  Get?: ItemRequest;
}

const SHAPE = {
  TransactItems: listOf<TransactItem>(),
  ReturnConsumedCapacity: "string",
  ReturnItemCollectionMetrics: "string",
  ClientRequestToken: "string",
} as const;

/** A TransactWriteItems or TransactGetItems request past its member checks. */
export type TransactRequest = WithRequired<Request<typeof SHAPE>, "TransactItems">;

/**
 * Refuse a second action on an item already in `seen` (every transaction API refuses it),
 * then remember the item.
 */
export function claimTransactionItem(seen: Set<string>, table: TableRecord, key: Item): void {
  const id = itemId(table, key);
  if (seen.has(id)) throw validation(MESSAGES.transactionSameItem);
  seen.add(id);
}

/** Check the request members shared with TransactGetItems. */
export function checkTransactRequest(body: Body): TransactRequest {
  const request = checkShape(body, SHAPE);
  const c = new Constraints();
  const items = request.TransactItems;
  if (c.required("transactItems", items) && items.length > MAX_TRANSACT_ITEMS) {
    c.fail(
      "transactItems",
      "[...]",
      CONSTRAINTS.maxLength(MAX_TRANSACT_ITEMS),
    );
  }
  if (items && items.length === 0) {
    c.fail("transactItems", "[]", CONSTRAINTS.minLength(1));
  }
  items?.forEach((item, i) => checkAction(c, `transactItems.${i + 1}.member`, item));
  checkReturnOptions(c, request);
  return c.checked(request, "TransactItems");
}

/**
 * The members each action must carry, in the order of AWS's model (which orders the messages),
 * with the path segment AWS names the action by.
 */
const ACTION_MEMBERS: Record<keyof TransactItem, { path: string; required: string[] }> = {
  ConditionCheck: { path: "conditionCheck", required: ["Key", "TableName", "ConditionExpression"] },
  Put: { path: "put", required: ["Item", "TableName"] },
  Delete: { path: "delete", required: ["Key", "TableName"] },
  Update: { path: "update", required: ["Key", "UpdateExpression", "TableName"] },
  Get: { path: "get", required: ["Key", "TableName"] },
};

/** An action's required members and table name, as AWS checks them before anything runs. */
function checkAction(c: Constraints, path: string, item: unknown): void {
  if (typeof item !== "object" || item === null) return;
  for (const [kind, spec] of Object.entries(ACTION_MEMBERS)) {
    const action = (item as Record<string, unknown>)[kind];
    if (typeof action !== "object" || action === null) continue;
    const members = action as Record<string, unknown>;
    for (const name of spec.required) {
      const memberPath = `${path}.${spec.path}.${name[0].toLowerCase()}${name.slice(1)}`;
      if (name === "TableName") c.name(memberPath, members[name]);
      else c.required(memberPath, members[name]);
    }
  }
}

/**
 * Prepare every action of a transaction in order. A key that does not fit its table cancels
 * the transaction (AWS's ValidationError reason on that action, None on the others) rather
 * than failing the request; every other error fails it as it is.
 */
export async function prepareActions<E, T>(
  entries: readonly E[],
  prepare: (entry: E) => Promise<T>,
): Promise<T[]> {
  const prepared: T[] = [];
  const reasons: CancellationReason[] = [];
  let cancelled = false;
  for (const entry of entries) {
    try {
      prepared.push(await prepare(entry));
      reasons.push({ Code: "None" });
    } catch (error) {
      if (!(error instanceof KeyValidationError)) throw error;
      cancelled = true;
      reasons.push({ Code: "ValidationError", Message: error.message });
    }
  }
  if (cancelled) throw transactionCanceled(reasons);
  return prepared;
}

function reasonFor(error: unknown): CancellationReason | null {
  if (error instanceof ExpressionError || error instanceof NumberError) {
    return { Code: "ValidationError", Message: error.message };
  }
  if (error instanceof DynamoError && error.type.endsWith("#ValidationException")) {
    return { Code: "ValidationError", Message: error.message };
  }
  return null;
}

/**
 * Apply prepared writes all or nothing in one write unit. Any failed condition (or a
 * validation error applying an update) cancels the whole transaction with one reason per
 * write, in order; `failure` names the code and message a failed condition reports.
 */
export async function runWriteTransaction(
  ctx: OperationContext,
  writes: readonly (PreparedWrite & { failure?: { code: string; message: string } })[],
): Promise<WriteResult[]> {
  try {
    return await ctx.store.write(async (tx) => {
      const reasons: CancellationReason[] = [];
      const done: WriteResult[] = [];
      let cancelled = false;
      for (const write of writes) {
        try {
          const applied = await applyWrite(tx, write);
          if (applied.ok) {
            reasons.push({ Code: "None" });
            done.push(applied.result);
          } else {
            cancelled = true;
            reasons.push({
              Code: write.failure?.code ?? "ConditionalCheckFailed",
              Message: write.failure?.message ?? MESSAGES.conditionFailed,
              ...(write.returnOldOnFailure && applied.old ? { Item: applied.old } : {}),
            });
          }
        } catch (error) {
          const reason = reasonFor(error);
          if (!reason) throw error;
          cancelled = true;
          reasons.push(reason);
        }
      }
      // Throwing discards everything this unit staged: all or nothing.
      if (cancelled) throw transactionCanceled(reasons);
      let bytes = 0;
      for (const r of done) bytes += r.current ? itemSize(r.current) : 0;
      if (bytes > MAX_TRANSACTION_BYTES) throw validation(MESSAGES.transactionTooLarge);
      // Past one Deno KV atomic the store journals the unit: still all or nothing.
      return done;
    });
  } catch (error) {
    if (isStoreSizeLimit(error)) {
      throw validation(MESSAGES.transactionTooLarge);
    }
    throw error;
  }
}

/**
 * TransactWriteItems: up to 100 Put/Update/Delete/ConditionCheck actions checked and applied
 * in one write unit, all or nothing; a failed action cancels the whole transaction with
 * DynamoDB's per-action CancellationReasons. ClientRequestToken makes retries idempotent.
 * @module
 */
import type { Item } from "../attribute_value.ts";
import { WRITE_UNIT_BYTES } from "./capacity.ts";
import type { OperationContext } from "../context.ts";
import { idempotentMismatch, MESSAGES, validation } from "../errors.ts";
import type { PreparedWrite } from "../storage/item_store.ts";
import { itemSize } from "../types.ts";
import type { Body } from "../validation.ts";
import { prepareDelete } from "./delete_item.ts";
import { preparePut } from "./put_item.ts";
import { prepareUpdate } from "./update_item.ts";
import {
  checkTransactRequest,
  claimTransactionItem,
  prepareActions,
  runWriteTransaction,
} from "./transactions.ts";

/** How long a ClientRequestToken is remembered, as DynamoDB's 10 minutes. */
export const IDEMPOTENCY_WINDOW_MS = 10 * 60 * 1000;

const ACTIONS = ["ConditionCheck", "Put", "Delete", "Update"] as const;

/** Recent tokens: token -> request fingerprint, reply and time (best effort, per process). */
const tokens = new Map<
  string,
  { fingerprint: string; reply: Record<string, unknown>; at: number }
>();

/** TransactWriteItems. */
export async function transactWriteItems(ctx: OperationContext, body: Body) {
  const request = checkTransactRequest(body);
  const token = request.ClientRequestToken;
  const fingerprint = JSON.stringify(request.TransactItems);
  if (token !== undefined) {
    const now = Date.now();
    for (const [t, v] of tokens) if (now - v.at > IDEMPOTENCY_WINDOW_MS) tokens.delete(t);
    const seen = tokens.get(token);
    if (seen) {
      if (seen.fingerprint !== fingerprint) throw idempotentMismatch();
      return seen.reply;
    }
  }
  const targets = new Set<string>();
  // Capacity is billed on the larger of old and new item, so read the old one then.
  const billed = request.ReturnConsumedCapacity === "TOTAL" ||
    request.ReturnConsumedCapacity === "INDEXES";
  const writes: PreparedWrite[] = await prepareActions(request.TransactItems, async (entry) => {
    const present = ACTIONS.filter((a) => entry?.[a] !== undefined && entry?.[a] !== null);
    if (present.length !== 1) {
      throw validation(MESSAGES.transactWriteAction);
    }
    const action = present[0];
    const member = entry[action]!; // present: the filter above
    const write = action === "Put"
      ? await preparePut(ctx, member)
      : action === "Update"
      ? await prepareUpdate(ctx, member)
      : await prepareDelete(ctx, member, action === "ConditionCheck");
    claimTransactionItem(targets, write.table, write.key);
    return billed ? { ...write, needsOld: true } : write;
  });
  const results = await runWriteTransaction(ctx, writes);
  const reply: Record<string, unknown> = {};
  const mode = request.ReturnConsumedCapacity;
  if (mode === "TOTAL" || mode === "INDEXES") {
    const units = new Map<string, number>();
    writes.forEach((w, i) => {
      const size = Math.max(sizeOf(results[i].old), sizeOf(results[i].current));
      const cost = 2 * Math.max(1, Math.ceil(size / WRITE_UNIT_BYTES));
      units.set(w.table.name, (units.get(w.table.name) ?? 0) + cost);
    });
    reply.ConsumedCapacity = [...units].map(([TableName, CapacityUnits]) =>
      mode === "INDEXES"
        ? {
          TableName,
          CapacityUnits,
          WriteCapacityUnits: CapacityUnits,
          Table: { CapacityUnits, WriteCapacityUnits: CapacityUnits },
        }
        : { TableName, CapacityUnits, WriteCapacityUnits: CapacityUnits }
    );
  }
  if (token !== undefined) tokens.set(token, { fingerprint, reply, at: Date.now() });
  return reply;
}

function sizeOf(item: Item | null): number {
  return item ? itemSize(item) : 0;
}

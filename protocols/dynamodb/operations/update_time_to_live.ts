/**
 * UpdateTimeToLive. Enabling queues the table's items by their TTL attribute (epoch seconds)
 * in the background (status ENABLING, then ENABLED); the sweeper deletes them when due.
 * @module
 */
import type { OperationContext } from "../context.ts";
import { MESSAGES, resourceNotFound, validation } from "../errors.ts";
import { getTable, tableKey, type TableRecord } from "../storage/tables.ts";
import { type Body, checkShape, Constraints, structure } from "../validation.ts";
import { checkTableName } from "./describe_table.ts";
import { backfillTtl } from "../storage/ttl.ts";

/** UpdateTimeToLive. */
export async function updateTimeToLive(ctx: OperationContext, body: Body) {
  const name = checkTableName(body);
  const request = checkShape(body, {
    TimeToLiveSpecification: structure<{ Enabled?: boolean; AttributeName?: string }>(),
  });
  const c = new Constraints();
  const given = request.TimeToLiveSpecification;
  if (c.required("timeToLiveSpecification", given)) {
    c.required("timeToLiveSpecification.enabled", given?.Enabled);
    c.required("timeToLiveSpecification.attributeName", given?.AttributeName);
  }
  const spec = c.checked(
    c.checked(request, "TimeToLiveSpecification").TimeToLiveSpecification,
    "Enabled",
    "AttributeName",
  );
  const table = await getTable(ctx.store, name, true);
  const id = await ctx.store.write(async (tx) => {
    const entry = await tx.get<TableRecord>(tableKey(table.name));
    if (!entry?.meta) throw resourceNotFound(table.name);
    const t = entry.meta;
    if (spec.Enabled && t.ttl?.enabled) throw validation(MESSAGES.ttlAlreadyEnabled);
    if (!spec.Enabled && !t.ttl?.enabled) throw validation(MESSAGES.ttlAlreadyDisabled);
    const ttl: TableRecord["ttl"] = spec.Enabled
      ? { attribute: spec.AttributeName, enabled: true, status: "ENABLING" }
      : { attribute: spec.AttributeName, enabled: false };
    tx.set(tableKey(t.name), { meta: { ...t, ttl } });
    return t.id;
  });
  if (spec.Enabled) ctx.background(backfillTtl(ctx.store, table.name, id));
  return {
    TimeToLiveSpecification: { Enabled: spec.Enabled, AttributeName: spec.AttributeName },
  };
}

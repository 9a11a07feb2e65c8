/**
 * UpdateContinuousBackups: turn point-in-time recovery on (a change log starts with the next
 * write) or off (the log is dropped), and set its recovery period.
 * @module
 */
import type { OperationContext } from "../context.ts";
import { tableNotFound } from "../errors.ts";
import { changeLogPrefix, MAX_RECOVERY_DAYS } from "../storage/pitr.ts";
import { tableKey, type TableRecord } from "../storage/tables.ts";
import { type Body, checkShape, Constraints, structure } from "../validation.ts";
import { continuousBackups, sourceTable } from "./describe_continuous_backups.ts";

/** UpdateContinuousBackups. */
export async function updateContinuousBackups(ctx: OperationContext, body: Body) {
  const request = checkShape(body, {
    PointInTimeRecoverySpecification: structure<{
      PointInTimeRecoveryEnabled?: boolean;
      RecoveryPeriodInDays?: number;
    }>(),
  });
  const c = new Constraints();
  const spec = request.PointInTimeRecoverySpecification;
  const path = "pointInTimeRecoverySpecification";
  if (c.required(path, spec)) {
    c.required(`${path}.pointInTimeRecoveryEnabled`, spec.PointInTimeRecoveryEnabled);
    c.range(`${path}.recoveryPeriodInDays`, spec.RecoveryPeriodInDays, 1, MAX_RECOVERY_DAYS);
  }
  c.throwIfAny();
  const found = await sourceTable(ctx, body);
  const enable = spec?.PointInTimeRecoveryEnabled === true;
  const table = await ctx.store.write(async (tx) => {
    const t = (await tx.get<TableRecord>(tableKey(found.name)))?.meta;
    if (!t) throw tableNotFound(found.name);
    const days = spec?.RecoveryPeriodInDays ?? t.pitr?.days ?? MAX_RECOVERY_DAYS;
    const pitr = enable ? { enabledAt: t.pitr?.enabledAt ?? tx.now, days } : undefined;
    const next = { ...t, pitr };
    tx.set(tableKey(t.name), { meta: next });
    return { before: t, after: next };
  });
  if (table.before.pitr && !enable) {
    // The history goes with the setting, as in AWS: re-enabling starts a new window.
    ctx.background(ctx.store.deletePrefix(changeLogPrefix(table.after.id)));
  }
  return { ContinuousBackupsDescription: continuousBackups(table.after) };
}

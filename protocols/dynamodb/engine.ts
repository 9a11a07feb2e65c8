/**
 * The DynamoDB engine behind the service's port: the tables' counters, the recovery passes, the
 * TTL sweeper, the request handler (server.ts, which loads the operations) and the admin hooks.
 * mod.ts starts it with the first request a memory store gets, so a start does not wait for it.
 * @module
 */
import type { RunningService, ServiceContext } from "../../src/server.ts";
import { createHandler } from "./server.ts";
import { keepHeldPartitions } from "./storage/held_partitions.ts";
import { startTtlSweeper } from "./ttl_sweeper.ts";
import { countTables } from "./storage/tables.ts";
import { backfillLegacyIndexes } from "./storage/index_backfill.ts";
import { dropUnfinishedBackups } from "./storage/backups.ts";
import { recoverRestores } from "./storage/restore_recovery.ts";
import type { OperationContext } from "./context.ts";
import type { Credentials } from "./credentials.ts";
import { clearTables, exportDynamo, itemPrefixes, seedDynamo, tableFilter } from "./fixtures.ts";

/** The admin API's hooks into DynamoDB's data. */
export type AdminHooks = Required<
  Pick<RunningService, "seed" | "exportFixture" | "resetPart" | "partPrefixes">
>;

/** A started engine. */
export interface Engine extends AdminHooks {
  /** Every request of the port. */
  handler: ReturnType<typeof createHandler>;
  /** Stop the TTL sweeper, waiting for a sweep in progress. */
  stop(): Promise<void>;
}

/** What the service hands the engine besides its context. */
export interface EngineOptions {
  /** `--aws-credentials`, read at start (a bad file fails the start, not a request). */
  credentials: Credentials | null;
  /** How long an item stays readable past its TTL (`--dynamodb-ttl-delay`). */
  ttlDelayMs: number;
  /** Background work the service waits for on close. */
  background(task: Promise<unknown>): void;
}

/** Repair what a crash or an older build left in the store, then start serving it. */
export async function startEngine(ctx: ServiceContext, options: EngineOptions): Promise<Engine> {
  const { background } = options;
  // DescribeTable's ItemCount and sizes read counters kept in the same commits as the items.
  countTables(ctx.store);
  // A memory store starts empty: no older build or crash left anything to repair.
  if (ctx.store.info.kind !== "memory") {
    const filled = await backfillLegacyIndexes(ctx.store);
    if (filled > 0) ctx.log.info(`dynamodb: built the entries of ${filled} older index(es)`);
    const dropped = await dropUnfinishedBackups(ctx.store);
    if (dropped > 0) {
      ctx.log.warn(`dynamodb: removed ${dropped} backup(s) a crash left unfinished`);
    }
    const [resumed, removed] = await recoverRestores(ctx.store, background);
    if (resumed + removed > 0) {
      ctx.log.warn(`dynamodb: restores cut short: ${resumed} resumed, ${removed} removed`);
    }
  }
  keepHeldPartitions(ctx.store, ctx.config.cacheMb);
  const ttl = startTtlSweeper(ctx.store, options.ttlDelayMs, ctx.log);
  const opCtx: OperationContext = {
    store: ctx.store,
    region: "us-east-1",
    log: ctx.log,
    background,
  };
  return {
    handler: createHandler(ctx, background, ttl, options.credentials),
    seed: (section, path, part) =>
      seedDynamo(
        opCtx,
        section,
        path,
        part ? tableFilter(part.param, part.value) ?? undefined : undefined,
      ),
    exportFixture: () => exportDynamo(opCtx),
    async resetPart(param, value) {
      const only = tableFilter(param, value);
      if (only === null) return false;
      await clearTables(ctx.store, only);
      return true;
    },
    partPrefixes(param, value) {
      const only = tableFilter(param, value);
      return only === null ? Promise.resolve(null) : itemPrefixes(ctx.store, only);
    },
    stop: () => ttl.stop(),
  };
}

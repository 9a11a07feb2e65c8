/**
 * The TTL sweeper of the DynamoDB service: every second it deletes the items whose TTL
 * passed more than `--dynamodb-ttl-delay` seconds ago; `sweepNow` deletes every expired item.
 * @module
 */
import { every } from "../../src/ticker.ts";
import type { Store } from "../../src/store/mod.ts";
import type { Logger } from "../../src/log.ts";
import { expireItem } from "./storage/item_store.ts";
import { sweepExpired } from "./storage/ttl.ts";

/** How often the sweeper looks for due items. */
const SWEEP_INTERVAL_MS = 1000;

/** A running sweeper. */
export interface TtlSweeper {
  /** Delete every item whose TTL has passed, now, whatever the delay; resolves to the count. */
  sweepNow(): Promise<number>;
  /** Stop sweeping, waiting for a sweep in progress. */
  stop(): Promise<void>;
}

/** Start sweeping `store` with items kept `delayMs` past their TTL. */
export function startTtlSweeper(store: Store, delayMs: number, log: Logger): TtlSweeper {
  // Sweeps run one at a time: a forced sweep waits for the periodic one and vice versa.
  let running: Promise<unknown> = Promise.resolve();
  const sweep = (cutoff: () => number): Promise<number> => {
    const next = running.then(() => sweepExpired(store, cutoff(), expireItem));
    running = next.catch((error) => log.error(`dynamodb TTL sweep failed: ${error}`));
    return next;
  };
  const ticker = every(SWEEP_INTERVAL_MS, () => sweep(() => Date.now() - delayMs));
  return {
    sweepNow: () => sweep(() => Date.now()),
    async stop() {
      ticker.stop();
      await running;
    },
  };
}

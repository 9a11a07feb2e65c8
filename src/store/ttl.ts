/**
 * The TTL sweeper: Deno KV's own expiry is lazy (up to a minute late), so deadlines live in
 * each envelope, reads filter them, and this bounded background task deletes expired entries
 * through the write loop, oldest deadline first, using the `_ttl` index.
 * @module
 */
import { every, type Ticker } from "../ticker.ts";
import { isExpired, TTL_INDEX } from "./envelope.ts";
import type { Key } from "./types.ts";
import type { WriteLoop } from "./write_loop.ts";

/** Entries examined per sweep. */
const SWEEP_BATCH = 500;
/** Sweeps run back to back per tick while a backlog lasts (bounds one tick's work). */
const SWEEPS_PER_TICK = 20;

/** Periodically deletes expired entries; `stop()` waits for a sweep in progress. */
export class Sweeper {
  #kv: Deno.Kv;
  #loop: WriteLoop;
  #intervalMs: number;
  #keysPerUnit: number;
  #timer: Ticker | undefined;
  #running: Promise<number> | null = null;
  expired = 0;

  /** `keysPerUnit`: entries one write unit may expire (a shared store checks each; Infinity = all). */
  constructor(kv: Deno.Kv, loop: WriteLoop, intervalMs: number, keysPerUnit = SWEEP_BATCH) {
    this.#kv = kv;
    this.#loop = loop;
    this.#intervalMs = intervalMs;
    this.#keysPerUnit = keysPerUnit;
  }

  start(): void {
    if (this.#timer !== undefined || this.#intervalMs <= 0) return;
    this.#timer = every(this.#intervalMs, () => {
      if (this.#running === null) {
        this.#running = this.#tick().catch(() => 0).finally(() => this.#running = null);
      }
    });
  }

  async stop(): Promise<void> {
    this.#timer?.stop();
    this.#timer = undefined;
    await this.#running;
  }

  async #tick(): Promise<number> {
    let total = 0;
    for (let i = 0; i < SWEEPS_PER_TICK; i++) {
      const { examined, removed } = await this.#sweepBatch(Date.now());
      total += removed;
      if (examined < SWEEP_BATCH) break;
    }
    return total;
  }

  /** Delete up to one batch of entries whose deadline has passed; returns how many. */
  async sweep(now = Date.now()): Promise<number> {
    return (await this.#sweepBatch(now)).removed;
  }

  async #sweepBatch(now: number): Promise<{ examined: number; removed: number }> {
    const due: { index: Key; key: Key; t: string }[] = [];
    const iter = this.#kv.list<Key>(
      { start: [TTL_INDEX], end: [TTL_INDEX, now + 1] },
      { limit: SWEEP_BATCH, batchSize: SWEEP_BATCH },
    );
    for await (const { key, value } of iter) {
      due.push({ index: key, key: value, t: key[2] as string });
    }
    if (due.length === 0) return { examined: 0, removed: 0 };
    const units: Promise<number>[] = [];
    for (let i = 0; i < due.length; i += this.#keysPerUnit) {
      const part = due.slice(i, i + this.#keysPerUnit);
      units.push(this.#loop.submit(async (tx) => {
        let n = 0;
        for (const item of part) {
          const env = await tx.rawEnvelope(item.key);
          if (env && env.t === item.t && isExpired(env, now)) {
            tx.expire(item.key);
            n++;
          }
        }
        return n;
      }));
    }
    const removed = (await Promise.all(units)).reduce((a, b) => a + b, 0);
    // Index records whose entry was rewritten or already removed are stale: drop them.
    const stale = this.#kv.atomic();
    for (const item of due) stale.delete(item.index);
    await stale.commit();
    this.expired += removed;
    return { examined: due.length, removed };
  }
}

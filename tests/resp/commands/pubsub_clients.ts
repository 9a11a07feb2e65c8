/**
 * What the pub/sub tests share: an ioredis client that fails fast, and waiting for pushed
 * messages to arrive.
 * @module
 */
import assert from "node:assert/strict";
import { Redis } from "ioredis";

/** An ioredis client on loopback that never retries (a failure shows at once). */
export function ioredis(port: number): Redis {
  return new Redis({ port, host: "127.0.0.1", maxRetriesPerRequest: 1, retryStrategy: () => null });
}

/** Resolve once `count` items are in `list`; fail after a generous while (a busy machine). */
export async function until<T>(list: T[], count: number): Promise<void> {
  for (let i = 0; i < 1000 && list.length < count; i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.equal(list.length, count, `expected ${count} items, got ${JSON.stringify(list)}`);
}

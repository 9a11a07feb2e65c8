/**
 * rate-limiter-flexible's RateLimiterRedis, unchanged, on basekv, over ioredis (its Lua
 * increment script via defineCommand/EVALSHA) and node-redis (EVAL, MULTI with pTTL): points
 * consumed, rejection with msBeforeNext when exhausted, a fresh window after the duration,
 * penalty/reward/get/delete, block and a window without expiry.
 * @module
 */
import assert from "node:assert/strict";
import { RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import { appTest, ioredisFor, nodeRedisFor } from "./target.ts";

/** The rejection a limiter throws, checked to be a RateLimiterRes rather than an error. */
async function rejection(p: Promise<unknown>): Promise<RateLimiterRes> {
  try {
    await p;
  } catch (e) {
    if (e instanceof RateLimiterRes) return e;
    throw e;
  }
  throw new Error("expected the limiter to reject");
}

/** The checks every client must pass, given a limiter factory over it and a raw PTTL reader. */
async function exercise(
  limiter: (opts: { keyPrefix: string; points: number; duration: number }) => RateLimiterRedis,
  pttl: (key: string) => Promise<number>,
): Promise<void> {
  const rl = limiter({ keyPrefix: "api", points: 5, duration: 1 });
  for (let i = 1; i <= 5; i++) {
    const res = await rl.consume("user-1");
    assert.equal(res.consumedPoints, i);
    assert.equal(res.remainingPoints, 5 - i);
    assert.equal(res.isFirstInDuration, i === 1);
    assert.ok(res.msBeforeNext > 0 && res.msBeforeNext <= 1000, `msBeforeNext ${res.msBeforeNext}`);
  }
  const key = "api:user-1";
  const ttl = await pttl(key);
  assert.ok(ttl > 0 && ttl <= 1000, `the window key carries the duration as TTL (${ttl})`);
  const refused = await rejection(rl.consume("user-1"));
  assert.equal(refused.remainingPoints, 0);
  assert.equal(refused.consumedPoints, 6);
  assert.ok(refused.msBeforeNext > 0 && refused.msBeforeNext <= 1000);
  // Another key has its own budget.
  assert.equal((await rl.consume("user-2", 3)).remainingPoints, 2);
  await new Promise((r) => setTimeout(r, refused.msBeforeNext + 50));
  const fresh = await rl.consume("user-1");
  assert.equal(fresh.consumedPoints, 1, "the window resets after the duration");
  assert.equal(fresh.isFirstInDuration, true);

  await rl.penalty("user-1", 2);
  assert.equal((await rl.get("user-1"))?.consumedPoints, 3);
  await rl.reward("user-1", 1);
  assert.equal((await rl.get("user-1"))?.consumedPoints, 2);
  assert.equal(await rl.delete("user-1"), true);
  assert.equal(await rl.get("user-1"), null);

  // block(): the key is refused for the block duration (SET EX + PTTL in one MULTI).
  const blocked = await rl.block("user-3", 30);
  assert.ok(blocked.msBeforeNext > 29_000 && blocked.msBeforeNext <= 30_000);
  const whileBlocked = await rejection(rl.consume("user-3"));
  assert.ok(whileBlocked.msBeforeNext > 29_000);

  // duration 0: points never expire (INCRBY + PTTL in a MULTI, PTTL -1).
  const forever = limiter({ keyPrefix: "forever", points: 2, duration: 0 });
  await forever.consume("k");
  await forever.consume("k");
  const never = await rejection(forever.consume("k"));
  assert.equal(never.consumedPoints, 3);
  assert.equal(never.msBeforeNext, -1);
  assert.equal(await pttl("forever:k"), -1);
}

appTest("rate-limiter-flexible: RateLimiterRedis over ioredis", async (port, trap) => {
  const client = ioredisFor(port, trap, { enableOfflineQueue: false });
  try {
    await new Promise((r) => client.once("ready", r));
    await exercise(
      (opts) => new RateLimiterRedis({ storeClient: client, ...opts }),
      (key) => client.pttl(key),
    );
  } finally {
    client.disconnect();
  }
});

appTest("rate-limiter-flexible: RateLimiterRedis over node-redis", async (port, trap) => {
  const client = await nodeRedisFor(port, trap);
  try {
    await exercise(
      (opts) => new RateLimiterRedis({ storeClient: client, useRedisPackage: true, ...opts }),
      (key) => client.pTTL(key),
    );
  } finally {
    await client.close();
  }
});

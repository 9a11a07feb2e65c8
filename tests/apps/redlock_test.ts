/**
 * redlock, unchanged, on basekv: three independent servers form the quorum; lock, extend and
 * release through its Lua scripts (EVALSHA with the EVAL fallback), a second contender cannot
 * take a held lock (one resource or any of several), and can once it is released.
 * @module
 */
import assert from "node:assert/strict";
import { Redis } from "ioredis";
import Redlock, { ExecutionError, ResourceLockedError } from "redlock";
import { type AppTarget, appTest, ErrorTrap, startTarget } from "./target.ts";

/** A redlock over its own ioredis clients to every server; errors other than "locked" trap. */
function redlock(targets: AppTarget[], trap: ErrorTrap): { lock: Redlock; clients: Redis[] } {
  const clients = targets.map((t) => new Redis({ port: t.port, host: "127.0.0.1" }));
  for (const c of clients) c.on("error", trap.record);
  const lock = new Redlock(clients, { retryCount: 0, driftFactor: 0.01 });
  lock.on("error", (error) => {
    if (!(error instanceof ResourceLockedError)) trap.record(error);
  });
  return { lock, clients };
}

Deno.test({
  name: "redlock: lock, a contender is refused, extend, release, then the contender wins",
  ...appTest,
  async fn() {
    await using a = await startTarget();
    await using b = await startTarget();
    await using c = await startTarget();
    const targets = [a, b, c];
    using trap = new ErrorTrap();
    const first = redlock(targets, trap);
    const second = redlock(targets, trap);
    try {
      const lock = await first.lock.acquire(["order:1"], 10_000);
      assert.deepEqual(lock.resources, ["order:1"]);
      assert.equal(lock.attempts.length, 1);
      for (const client of first.clients) {
        assert.equal(await client.get("order:1"), lock.value);
        const pttl = await client.pttl("order:1");
        assert.ok(pttl > 0 && pttl <= 10_000, `pttl ${pttl}`);
      }

      await assert.rejects(second.lock.acquire(["order:1"], 10_000), ExecutionError);
      for (const client of first.clients) assert.equal(await client.get("order:1"), lock.value);

      const extended = await lock.extend(60_000);
      assert.equal(extended.value, lock.value);
      assert.ok(extended.expiration > lock.expiration);
      for (const client of first.clients) {
        const pttl = await client.pttl("order:1");
        assert.ok(pttl > 10_000 && pttl <= 60_000, `extended pttl ${pttl}`);
      }

      const released = await extended.release();
      assert.equal(released.attempts.length, 1);
      for (const client of first.clients) assert.equal(await client.exists("order:1"), 0);
      // Extending a released lock fails: the scripts compare the stored value.
      await assert.rejects(extended.extend(10_000), ExecutionError);

      const taken = await second.lock.acquire(["order:1"], 10_000);
      assert.notEqual(taken.value, lock.value);
      await taken.release();
    } finally {
      for (const client of [...first.clients, ...second.clients]) client.disconnect();
    }
    assert.deepEqual(trap.errors, []);
  },
});

Deno.test({
  name: "redlock: a multi-resource lock is refused whole when one resource is held",
  ...appTest,
  async fn() {
    await using a = await startTarget();
    await using b = await startTarget();
    await using c = await startTarget();
    using trap = new ErrorTrap();
    const first = redlock([a, b, c], trap);
    const second = redlock([a, b, c], trap);
    try {
      const held = await first.lock.acquire(["acct:b"], 10_000);
      await assert.rejects(second.lock.acquire(["acct:a", "acct:b"], 10_000), ExecutionError);
      for (const client of second.clients) {
        assert.equal(await client.exists("acct:a"), 0, "a refused lock sets none of its keys");
      }
      await held.release();
      const both = await second.lock.acquire(["acct:a", "acct:b"], 10_000);
      for (const client of second.clients) {
        assert.deepEqual(await client.mget("acct:a", "acct:b"), [both.value, both.value]);
      }
      // using(): the routine runs under the lock and it is released afterwards.
      await both.release();
      const result = await first.lock.using(["job"], 10_000, async (signal) => {
        assert.equal(signal.aborted, false);
        assert.equal(await first.clients[0].exists("job"), 1);
        return "ran";
      });
      assert.equal(result, "ran");
      for (const client of first.clients) assert.equal(await client.exists("job"), 0);
    } finally {
      for (const client of [...first.clients, ...second.clients]) client.disconnect();
    }
    assert.deepEqual(trap.errors, []);
  },
});

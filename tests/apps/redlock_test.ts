/**
 * redlock, unchanged, on basekv: three independent servers form the quorum; lock, extend and
 * release through its Lua scripts (EVALSHA with the EVAL fallback), a second contender cannot
 * take a held lock (one resource or any of several), and can once it is released.
 * @module
 */
import assert from "node:assert/strict";
import type { Redis } from "ioredis";
import Redlock, { ExecutionError, ResourceLockedError } from "redlock";
import { appTest, type ErrorTrap, ioredisFor, startTarget } from "./target.ts";

/** A redlock and the clients it locks through. */
interface Locker {
  lock: Redlock;
  clients: Redis[];
}

/** A redlock over its own ioredis clients to every server; errors other than "locked" trap. */
function redlock(ports: number[], trap: ErrorTrap): Locker {
  const clients = ports.map((port) => ioredisFor(port, trap));
  const lock = new Redlock(clients, { retryCount: 0, driftFactor: 0.01 });
  lock.on("error", (error) => {
    if (!(error instanceof ResourceLockedError)) trap.record(error);
  });
  return { lock, clients };
}

/** Two independent redlock users of a quorum: this test's server and two more. */
function quorumTest(name: string, fn: (first: Locker, second: Locker) => Promise<void>): void {
  appTest(name, async (port, trap) => {
    await using b = await startTarget();
    await using c = await startTarget();
    const ports = [port, b.port, c.port];
    const first = redlock(ports, trap);
    const second = redlock(ports, trap);
    try {
      await fn(first, second);
    } finally {
      // QUIT, not disconnect: redlock settles at a quorum, so the third server's reply may still
      // be in flight, and a disconnect would fail it ("Connection is closed.", seen once in CI).
      await Promise.all([...first.clients, ...second.clients].map((client) => client.quit()));
    }
  });
}

quorumTest(
  "redlock: lock, a contender is refused, extend, release, then the contender wins",
  async (first, second) => {
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
  },
);

quorumTest(
  "redlock: a multi-resource lock is refused whole when one resource is held",
  async (first, second) => {
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
  },
);

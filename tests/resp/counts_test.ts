/**
 * DBSIZE and INFO keyspace read the store's per-slot counters: they stay exact across SET, DEL,
 * expiry (once swept), FLUSHDB, SWAPDB, a restart of a file store and a SIGKILL mid-load.
 * @module
 */
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { Redis } from "ioredis";
import { startChild, startTestServer } from "../helpers/server.ts";
import { settle } from "../helpers/wait.ts";

function client(port: number): Redis {
  return new Redis({
    port,
    host: "127.0.0.1",
    lazyConnect: false,
    maxRetriesPerRequest: 0,
    // A killed server stays down: no reconnecting.
    retryStrategy: () => null,
  });
}

/** INFO keyspace's lines, by db. */
async function keyspace(r: Redis): Promise<Record<string, string>> {
  const text = await r.info("keyspace");
  const out: Record<string, string> = {};
  for (const line of text.split("\r\n")) {
    const m = /^(db\d+):(.*)$/.exec(line);
    if (m) out[m[1]] = m[2];
  }
  return out;
}

/** Every key SCAN finds in the selected db. */
async function scanAll(r: Redis): Promise<Set<string>> {
  const seen = new Set<string>();
  let cursor = "0";
  do {
    const [next, keys] = await r.scan(cursor, "COUNT", 1000);
    keys.forEach((k) => seen.add(k));
    cursor = next;
  } while (cursor !== "0");
  return seen;
}

const names = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

Deno.test("DBSIZE and INFO keyspace follow SET, DEL, swept expiry, FLUSHDB and SWAPDB", async () => {
  await using s = await startTestServer({ protocols: ["redis"] });
  const r = client(s.ports.redis);
  try {
    await r.mset(...names("a", 10).flatMap((k) => [k, "v"]));
    await r.set("a0", "again"); // an overwrite is not a new key
    assertEquals(await r.dbsize(), 10);
    assertEquals(await r.del("a0", "a1", "nope"), 2);
    assertEquals(await r.dbsize(), 8);
    // Two keys with a long TTL, three that expire at once: swept, they leave the count.
    await r.expire("a2", 1000);
    await r.expire("a3", 1000);
    for (const k of ["a4", "a5", "a6"]) await r.pexpire(k, 30);
    assertEquals(await settle(() => r.dbsize(), 5), 5);
    const db0 = (await keyspace(r)).db0;
    const m = /^keys=5,expires=2,avg_ttl=(\d+)$/.exec(db0);
    ok(m, db0);
    const avg = Number(m[1]);
    ok(avg > 900_000 && avg <= 1_000_000, `avg_ttl ${avg}`);
    // An expiry that removes the key at once (a past deadline) drops it immediately.
    assertEquals(await r.expire("a7", -1), 1);
    assertEquals(await r.dbsize(), 4);

    // db1 gets keys of its own; SWAPDB exchanges the two counts.
    await r.select(1);
    await r.mset("b0", "v", "b1", "v");
    assertEquals(await r.dbsize(), 2);
    assertEquals(await r.swapdb(0, 1), "OK");
    assertEquals(await r.dbsize(), 4);
    await r.select(0);
    assertEquals(await r.dbsize(), 2);
    const swapped = await keyspace(r);
    assertEquals(swapped.db0, "keys=2,expires=0,avg_ttl=0");
    ok(swapped.db1.startsWith("keys=4,expires=2,avg_ttl="), swapped.db1);

    // FLUSHDB: the db starts over at 0 in a new slot; the old slot's reclaim (in the
    // background) must not touch the new count.
    await r.select(1);
    assertEquals(await r.flushdb(), "OK");
    assertEquals(await r.dbsize(), 0);
    await r.mset("c0", "v", "c1", "v", "c2", "v");
    await new Promise((res) => setTimeout(res, 200));
    assertEquals(await r.dbsize(), 3);
    assertEquals(await scanAll(r), new Set(["c0", "c1", "c2"]));
    await r.select(0);
    assertEquals(await r.dbsize(), 2);
    // FLUSHALL empties every db; keys written after it count from 0.
    assertEquals(await r.flushall(), "OK");
    assertEquals(await r.dbsize(), 0);
    assertEquals(await keyspace(r), {});
    await r.set("d", "v");
    assertEquals(await r.dbsize(), 1);
    assertEquals(await keyspace(r), { db0: "keys=1,expires=0,avg_ttl=0" });
  } finally {
    r.disconnect();
  }
});

Deno.test("inside MULTI, DBSIZE sees the transaction's own writes", async () => {
  await using s = await startTestServer({ protocols: ["redis"] });
  const r = client(s.ports.redis);
  try {
    await r.set("x", "1");
    const replies = await r.multi().set("y", "1").del("x").set("z", "1").dbsize().exec();
    assertEquals(replies?.map(([, v]) => v), ["OK", 1, "OK", 2]);
    assertEquals(await r.dbsize(), 2);
  } finally {
    r.disconnect();
  }
});

const CHILD_ARGS = ["--protocols=redis", "--redis-port=0", "--log-level=error"];

Deno.test({
  name: "counts survive a restart of a file store, and a SIGKILL mid-load",
  // ioredis keeps sockets and timers of its own past disconnect.
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "basekv-counts-" });
    const args = [`--data=${dir}/basekv.sqlite`, ...CHILD_ARGS];
    try {
      {
        await using child = await startChild(args);
        const r = client(child.ports.redis);
        await r.mset(...names("k", 500).flatMap((k) => [k, "v"]));
        await r.del("k0", "k1");
        await r.select(3);
        await r.mset("x", "1", "y", "2");
        r.disconnect();
        await child.stop();
      }
      {
        await using child = await startChild(args);
        const r = client(child.ports.redis);
        assertEquals(await r.dbsize(), 498);
        await r.select(3);
        assertEquals(await r.dbsize(), 2);
        assertEquals(await keyspace(r), {
          db0: "keys=498,expires=0,avg_ttl=0",
          db3: "keys=2,expires=0,avg_ttl=0",
        });
        // Load from several connections, pipelined, and kill the server in the middle of it.
        await r.select(0);
        const loaders = Array.from({ length: 4 }, () => client(child.ports.redis));
        let stop = false;
        const load = loaders.map(async (c, i) => {
          for (let batch = 0; !stop && batch < 200; batch++) {
            const p = c.pipeline();
            for (let j = 0; j < 50; j++) {
              const n = batch * 50 + j;
              if (n % 7 === 0) p.del(`k${n % 500}`);
              else p.set(`l${i}:${n}`, "v");
            }
            await p.exec().catch(() => {});
          }
        });
        await new Promise((res) => setTimeout(res, 700));
        await child.stop("SIGKILL");
        stop = true;
        await Promise.all(load);
        loaders.forEach((c) => c.disconnect());
        r.disconnect();
      }
      {
        await using child = await startChild(args);
        const r = client(child.ports.redis);
        const present = await scanAll(r);
        ok(present.size > 498 - 100, `only ${present.size} keys after the kill`);
        assertEquals(await r.dbsize(), present.size);
        await r.select(3);
        assertEquals(await r.dbsize(), 2);
        r.disconnect();
        await child.stop();
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

/**
 * Small sorted sets held in memory (protocols/resp/storage/zset_held.ts): range replies from a
 * held set match the store's own answer (a transaction reads the store) after every kind of
 * write, from any connection; a commit drops a held set and a read overlapping it is not kept;
 * a shared store holds nothing and front-ends see each other's writes.
 * @module
 */
import { deepStrictEqual as assertEquals, equal, ok } from "node:assert/strict";
import { Redis } from "ioredis";
import { openStore } from "../../../src/store/mod.ts";
import { heldZsets } from "../../../protocols/resp/storage/zset_held.ts";
import type { ZMember } from "../../../protocols/resp/storage/zset.ts";
import { startTestServer } from "../../helpers/server.ts";
import { startKvConnectServer, TEST_KV_TOKEN } from "../../helpers/kv_connect_server.ts";

function client(port: number): Redis {
  return new Redis({ port, host: "127.0.0.1", maxRetriesPerRequest: 0 });
}

/** A small deterministic generator (mulberry32), so a failure replays. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SCORES = ["-inf", "-2.5", "-1", "-0", "0", "1", "1", "2", "3.75", "+inf"];
const BOUNDS = ["-inf", "+inf", "-1", "(-1", "0", "(0", "1", "(1", "2", "(3.75", "-0"];

Deno.test("ranges of held sets match the store's answer after every kind of write", async () => {
  await using s = await startTestServer({ protocols: ["redis"] });
  const reader = client(s.ports.redis);
  const writer = client(s.ports.redis);
  const rand = random(7);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)];
  const keys = ["a", "b", "c", "d"];
  const members = ["m0", "m1", "m2", "m3", "m4", "m5", "", "\u00ff"];
  try {
    for (let step = 0; step < 150; step++) {
      const key = pick(keys);
      // Half the writes come from the reading connection itself.
      const w = rand() < 0.5 ? writer : reader;
      const op = rand();
      if (op < 0.45) await w.zadd(key, pick(SCORES), pick(members), pick(SCORES), pick(members));
      else if (op < 0.6) await w.zrem(key, pick(members));
      else if (op < 0.7) await w.zincrby(key, pick(["1", "-0.5"]), pick(members));
      else if (op < 0.75) await w.del(key);
      else if (op < 0.8) await w.zpopmin(key);
      else if (op < 0.85) await w.rename(key, pick(keys)).catch(() => {});
      else if (op < 0.9) {
        // Past the held limit and back under it.
        const args: (string | number)[] = [];
        for (let i = 0; i < 130; i++) args.push(i, `big${i}`);
        await w.zadd(key, ...args);
      } else if (op < 0.95) await w.zremrangebyrank(key, 0, -4);
      else await w.zunionstore(key, 2, pick(keys), pick(keys));
      for (let q = 0; q < 3; q++) {
        const k = pick(keys);
        const [lo, hi] = [pick(BOUNDS), pick(BOUNDS)];
        const query = pick([
          ["ZRANGEBYSCORE", k, lo, hi],
          [
            "ZRANGEBYSCORE",
            k,
            lo,
            hi,
            "WITHSCORES",
            "LIMIT",
            pick(["0", "1", "3"]),
            pick(["-1", "0", "2"]),
          ],
          ["ZREVRANGEBYSCORE", k, hi, lo, "WITHSCORES"],
          ["ZREVRANGEBYSCORE", k, hi, lo, "LIMIT", pick(["0", "2"]), pick(["1", "10"])],
          [
            "ZRANGE",
            k,
            pick(["0", "1", "-2", "-200"]),
            pick(["-1", "2", "0", "200"]),
            "WITHSCORES",
          ],
          ["ZREVRANGE", k, pick(["0", "2", "-3"]), pick(["-1", "1"])],
          ["ZRANGE", k, lo, hi, "BYSCORE", "LIMIT", pick(["0", "1"]), pick(["1", "5", "-1"])],
          ["ZRANGE", k, hi, lo, "BYSCORE", "REV", "WITHSCORES"],
        ]);
        const [cmd, ...args] = query as [string, ...string[]];
        // In a transaction the reply comes from the store itself (nothing is held there).
        const stored = (await reader.multi().call(cmd, ...args).exec())![0];
        // Twice: a first read may load the set, the second answers from memory.
        for (let i = 0; i < 2; i++) {
          assertEquals([null, await reader.call(cmd, ...args)], stored, `step ${step}: ${query}`);
        }
      }
    }
  } finally {
    reader.disconnect();
    writer.disconnect();
  }
});

Deno.test("a held set is dropped by a commit under its generation; an overlapped read is not kept", async () => {
  await using store = await openStore({ memory: true });
  const view = store.scope(["redis"]);
  const held = heldZsets(view)!;
  ok(held, "a sole writer holds sets");
  const one: ZMember[] = [{ member: new TextEncoder().encode("x"), score: -0 }];
  const packed = await held.load("g1", () => Promise.resolve(one));
  assertEquals(held.get("g1"), packed);
  // Another generation's commit leaves it; one under its own drops it before the ack.
  await view.set(["f", "g2", 0, new Uint8Array([1])], { meta: { s: 1 } });
  assertEquals(held.get("g1"), packed);
  await view.set(["f", "g1", 1, new Uint8Array([2])], {});
  equal(held.get("g1"), undefined);
  // A commit under the generation while it is read: the answer stands, nothing is kept.
  const answered = await held.load("g1", async () => {
    await view.delete(["f", "g1", 1, new Uint8Array([2])]);
    return one;
  });
  equal(answered.length > 0, true);
  equal(held.get("g1"), undefined);
  await held.load("g1", () => Promise.resolve(one));
  ok(held.get("g1"));
});

Deno.test("front-ends on one shared store hold nothing and see each other's writes", async () => {
  Deno.env.set("DENO_KV_ACCESS_TOKEN", TEST_KV_TOKEN);
  await using kv = await startKvConnectServer();
  await using one = await startTestServer({ protocols: ["redis"], kvUrl: kv.url });
  await using two = await startTestServer({ protocols: ["redis"], kvUrl: kv.url });
  const a = client(one.ports.redis);
  const b = client(two.ports.redis);
  try {
    await a.zadd("z", 1, "x", 2, "y");
    for (let i = 0; i < 2; i++) {
      assertEquals(await a.zrangebyscore("z", "-inf", "+inf"), ["x", "y"]);
    }
    await b.zadd("z", 0, "w");
    await b.zrem("z", "y");
    assertEquals(await a.zrangebyscore("z", "-inf", "+inf"), ["w", "x"]);
    assertEquals(await a.zrange("z", 0, "-1", "WITHSCORES"), ["w", "0", "x", "1"]);
  } finally {
    a.disconnect();
    b.disconnect();
  }
});

/**
 * Small sorted sets held in memory (protocols/resp/storage/zset_held.ts): range replies from a
 * held set match the store's own answer (a transaction reads the store) after every kind of
 * write, from any connection; commits keep held sets exact and a read overlapping one is not
 * kept; a shared store holds nothing and front-ends see each other's writes.
 * @module
 */
import { deepStrictEqual as assertEquals, equal, ok } from "node:assert/strict";
import { Redis } from "ioredis";
import { openStore, type WriteTx } from "../../../src/store/mod.ts";
import {
  BLOCK_BYTES,
  HELD_MAX_MEMBERS,
  heldRange,
  heldZsets,
  holdZsets,
  SET_OVERHEAD_BYTES,
} from "../../../protocols/resp/storage/zset_held.ts";
import {
  indexItems,
  openZset,
  putMember,
  removeMember,
  saveZset,
  type ZsetHandle,
} from "../../../protocols/resp/storage/zset.ts";
import { getKey } from "../../../protocols/resp/storage/db.ts";
import { startTestServer } from "../../helpers/server.ts";
import { startKvConnectServer, TEST_KV_TOKEN } from "../../helpers/kv_connect_server.ts";
import { seededRandom as random } from "../../helpers/random.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

function client(port: number): Redis {
  return new Redis({ port, host: "127.0.0.1", maxRetriesPerRequest: 0 });
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
      } else if (op < 0.92) await w.zremrangebyrank(key, 0, -4);
      else if (op < 0.94) await w.zunionstore(key, 2, pick(keys), pick(keys));
      else if (op < 0.96) await w.copy(key, pick(keys), "REPLACE").catch(() => {});
      else if (op < 0.97) {
        // Expired while held: the key's own deadline decides.
        await w.pexpire(key, 1);
        await new Promise((r) => setTimeout(r, 5));
      } else if (op < 0.98) await w.swapdb(0, 1);
      else if (op < 0.99) await w.flushdb();
      else {await w.call("RESTORE", key, 0, (await w.dumpBuffer(pick(keys))) ?? "", "REPLACE")
          .catch(() => {});}
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

/** The members a held set answers ZRANGE 0 -1 WITHSCORES with, as [member, score] pairs. */
function whole(packed: Uint8Array | undefined): [string, number][] | undefined {
  if (!packed) return undefined;
  const all = { reverse: false, offset: 0, limit: -1, start: 0, stop: -1 };
  return heldRange(packed, all).map((m) => [dec.decode(m.member), m.score]);
}

Deno.test("commits keep held sets exact: written whole, changed, emptied, long members, overlaps", async () => {
  await using store = await openStore({ memory: true });
  const view = store.scope(["redis"]);
  equal(heldZsets(view), null);
  holdZsets(view, 1024 * 1024);
  const held = heldZsets(view)!;
  ok(held, "a sole writer with a budget holds small sets");
  const write = (key: string, fn: (tx: WriteTx, h: ZsetHandle) => void) =>
    view.write(async (tx) => {
      const entry = await getKey(tx, 0, enc.encode(key));
      const h = openZset(0, enc.encode(key), entry);
      fn(tx, h);
      await saveZset(tx, h);
    });
  const genOf = async (key: string) => (await getKey(view as never, 0, enc.encode(key)))?.meta?.g!;
  // A set created by one commit is held from it, in score order (-0 before 0, then bytes).
  await write("z", (tx, h) => {
    h.meta.big = true;
    putMember(tx, h, enc.encode("b"), 0, null);
    putMember(tx, h, enc.encode("a"), -0, null);
    putMember(tx, h, enc.encode("c"), 0, null);
  });
  const g = await genOf("z");
  assertEquals(whole(held.get(g)), [["a", -0], ["b", 0], ["c", 0]]);
  // Later commits apply their index writes: a new score, a new member, a removal.
  await write("z", (tx, h) => {
    putMember(tx, h, enc.encode("a"), 5, -0);
    putMember(tx, h, enc.encode("d"), -1, null);
    removeMember(tx, h, enc.encode("b"), 0);
  });
  assertEquals(whole(held.get(g)), [["d", -1], ["c", 0], ["a", 5]]);
  // A long member (its key holds a digest) is held by its bytes; its removal drops the set.
  const long = "L".repeat(3000);
  await write("z", (tx, h) => putMember(tx, h, enc.encode(long), 1, null));
  assertEquals(whole(held.get(g)), [["d", -1], ["c", 0], [long, 1], ["a", 5]]);
  await write("z", (tx, h) => removeMember(tx, h, enc.encode(long), 1));
  equal(held.get(g), undefined);
  // Read whole again; a commit under it while it is read: the answer stands, nothing is kept.
  const items = (): Promise<[Uint8Array, Uint8Array][]> =>
    view.write((tx) => indexItems(tx, { t: "zset", g, n: 3 }));
  const answered = await held.load(g, async () => {
    const read = await items();
    await write("z", (tx, h) => putMember(tx, h, enc.encode("e"), 9, null));
    return read;
  });
  assertEquals(whole(answered), [["d", -1], ["c", 0], ["a", 5]]);
  equal(held.get(g), undefined);
  await held.load(g, items);
  assertEquals(whole(held.get(g)), [["d", -1], ["c", 0], ["a", 5], ["e", 9]]);
  // Emptied: the set goes, and the generation with it.
  await write("z", (tx, h) => {
    for (const [m, score] of [["a", 5], ["c", 0], ["d", -1], ["e", 9]] as const) {
      removeMember(tx, h, enc.encode(m), score);
    }
  });
  equal(held.get(g), undefined);
  // Past the held limit: not held; a budget too small for one more keeps only the newest.
  await write("big", (tx, h) => {
    for (let i = 0; i <= HELD_MAX_MEMBERS; i++) putMember(tx, h, enc.encode(`m${i}`), i, null);
  });
  equal(held.get(await genOf("big")), undefined);
  await using small = await openStore({ memory: true });
  const tiny = small.scope(["redis"]);
  // One block and two sets' overhead: a third set pushes the oldest out.
  holdZsets(tiny, BLOCK_BYTES + 2 * SET_OVERHEAD_BYTES);
  for (const key of ["x", "y", "w"]) {
    await tiny.write(async (tx) => {
      const h = openZset(0, enc.encode(key), null);
      putMember(tx, h, enc.encode(key.repeat(40)), 1, null);
      await saveZset(tx, h);
    });
  }
  const gens = await Promise.all(
    ["x", "y", "w"].map(async (k) => (await getKey(tiny as never, 0, enc.encode(k)))?.meta?.g!),
  );
  assertEquals(gens.map((gen) => heldZsets(tiny)!.get(gen) !== undefined), [false, true, true]);
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

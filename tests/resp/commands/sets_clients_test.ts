/**
 * Sets, SSCAN and SORT through stock clients: ioredis 6 (RESP3) and 5 (RESP2), node-redis 6
 * (RESP3) and 4 (RESP2), and raw sockets for the reply types each protocol uses.
 */
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { Redis } from "ioredis";
import { Redis as Redis5 } from "ioredis5";
import { createClient as createClient6 } from "redis";
import { createClient as createClient4 } from "redis4";
import { startTestServer } from "../../helpers/server.ts";
import { RawClient } from "../../helpers/net.ts";
import { rawReply } from "../resp_client.ts";

const sorted = (v: string[]) => [...v].sort();

const IOREDIS: [string, (port: number) => Redis][] = [
  ["ioredis 6", (port) => new Redis({ port, host: "127.0.0.1", maxRetriesPerRequest: 0 })],
  [
    "ioredis 5",
    (port) => new Redis5({ port, host: "127.0.0.1", maxRetriesPerRequest: 0 }) as unknown as Redis,
  ],
];

for (const [name, make] of IOREDIS) {
  Deno.test(`${name}: set commands, SSCAN stream and SORT`, async () => {
    await using s = await startTestServer({ protocols: ["redis"] });
    const r = make(s.ports.redis);
    try {
      assertEquals(await r.sadd("s", "1", "2", "3", "10"), 4);
      assertEquals(await r.smembers("s"), ["1", "2", "3", "10"]);
      assertEquals(await r.sismember("s", "2"), 1);
      assertEquals(await r.smismember("s", "2", "9"), [1, 0]);
      assertEquals(await r.scard("s"), 4);
      assertEquals(await r.sadd("t", "3", "10", "x"), 3);
      assertEquals(await r.sinter("s", "t"), ["3", "10"]);
      assertEquals(sorted(await r.sunion("s", "t")), ["1", "10", "2", "3", "x"]);
      assertEquals(await r.sdiff("s", "t"), ["1", "2"]);
      assertEquals(await r.sinterstore("d", "s", "t"), 2);
      assertEquals(await r.call("SINTERCARD", "2", "s", "t", "LIMIT", "1"), 1);
      assertEquals(await r.smove("t", "s", "x"), 1);
      assertEquals(await r.object("ENCODING", "s"), "listpack");
      assertEquals(await r.call("SORT", "s", "ALPHA", "LIMIT", "0", "3"), ["1", "10", "2"]);
      await r.mset("w_1", "4", "w_2", "3", "w_3", "2", "w_10", "1", "w_x", "0");
      assertEquals(await r.call("SORT", "s", "BY", "w_*", "GET", "#"), ["x", "10", "3", "2", "1"]);
      assertEquals(await r.call("SORT_RO", "s", "BY", "w_*", "DESC", "LIMIT", "0", "1"), ["1"]);
      const popped = await r.spop("s", 2);
      assertEquals(popped.length, 2);
      assertEquals(await r.scard("s"), 3);
      ok((await r.srandmember("s", -5)).length === 5);
      await r.sadd("big", ...Array.from({ length: 500 }, (_, i) => `m${i}`));
      const seen = new Set<string>();
      for await (const batch of r.sscanStream("big", { count: 20 })) {
        (batch as string[]).forEach((m) => seen.add(m));
      }
      assertEquals(seen.size, 500);
      await r.set("str", "v");
      await r.sadd("str", "a").then(() => ok(false), (e: Error) => ok(/WRONGTYPE/.test(e.message)));
    } finally {
      r.disconnect();
    }
  });
}

/** Distinct members an iterator yields (node-redis 6 yields batches, 4 single members). */
async function scanAll(iterator: AsyncIterable<string | string[]>): Promise<number> {
  const seen = new Set<string>();
  for await (const batch of iterator) {
    for (const m of Array.isArray(batch) ? batch : [batch]) seen.add(m);
  }
  return seen.size;
}

Deno.test("node-redis 6 (RESP3) and 4 (RESP2): sets, sScanIterator, SORT", async () => {
  await using s = await startTestServer({ protocols: ["redis"] });
  const c6 = createClient6({ url: `redis://127.0.0.1:${s.ports.redis}/1` });
  const c4 = createClient4({ url: `redis://127.0.0.1:${s.ports.redis}/2` });
  await c6.connect();
  await c4.connect();
  try {
    for (const c of [c6, c4]) {
      assertEquals(await c.sAdd("s", ["5", "4", "6"]), 3);
      assertEquals([...await c.sMembers("s")], ["4", "5", "6"]);
      assertEquals(await c.sCard("s"), 3);
      assertEquals(Number(await c.sIsMember("s", "4")), 1);
      assertEquals(await c.sInterCard(["s", "s"]), 3);
      assertEquals([...await c.sort("s", { DIRECTION: "DESC" })], ["6", "5", "4"]);
      assertEquals(await c.sRem("s", ["4", "nope"]), 1);
      await c.sAdd("big", Array.from({ length: 300 }, (_, i) => `m${i}`));
    }
    assertEquals(await scanAll(c6.sScanIterator("big", { COUNT: 25 })), 300);
    assertEquals(await scanAll(c4.sScanIterator("big", { COUNT: 25 })), 300);
  } finally {
    await c6.close();
    await c4.quit();
  }
});

const raw = rawReply;

Deno.test("raw sockets: set replies are sets in RESP3, arrays in RESP2; nulls per protocol", async () => {
  await using s = await startTestServer({ protocols: ["redis"] });
  using c = await RawClient.connect(s.ports.redis);
  await raw(c, "SADD", "s", "2", "1");
  assertEquals(await raw(c, "SMEMBERS", "s"), "*2\r\n$1\r\n1\r\n$1\r\n2\r\n");
  assertEquals(await raw(c, "SPOP", "nokey"), "$-1\r\n");
  assertEquals(await raw(c, "SPOP", "nokey", "2"), "*0\r\n");
  await raw(c, "HELLO", "3");
  assertEquals(await raw(c, "SMEMBERS", "s"), "~2\r\n$1\r\n1\r\n$1\r\n2\r\n");
  assertEquals(await raw(c, "SINTER", "s", "nokey"), "~0\r\n");
  assertEquals(await raw(c, "SRANDMEMBER", "s", "5"), "*2\r\n$1\r\n1\r\n$1\r\n2\r\n");
  assertEquals(await raw(c, "SPOP", "nokey"), "_\r\n");
  assertEquals(await raw(c, "SPOP", "nokey", "2"), "~0\r\n");
  assertEquals(await raw(c, "SSCAN", "s", "0"), "*2\r\n$1\r\n0\r\n*2\r\n$1\r\n1\r\n$1\r\n2\r\n");
  assertEquals(await raw(c, "SORT", "s", "GET", "nokey_*"), "*2\r\n_\r\n_\r\n");
  assertEquals(await raw(c, "SSCAN", "s", "abc"), "-ERR invalid cursor\r\n");
  assertEquals(await raw(c, "SADD", "s", "\0bin\0"), ":1\r\n");
  assertEquals(await raw(c, "SISMEMBER", "s", "\0bin\0"), ":1\r\n");
  assertEquals(await raw(c, "PING"), "+PONG\r\n");
});

/** The data commands through node-redis 6 (RESP3) and node-redis 4 (RESP2), pipelined with Promise.all. */
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { createClient as createClient6 } from "redis";
import { createClient as createClient4 } from "redis4";
import { startTestServer } from "../../helpers/server.ts";

Deno.test("node-redis 6 on RESP3: strings, expiry, hashes, SCAN iterator in db 3", async () => {
  await using s = await startTestServer({ protocols: ["redis"] });
  const client = createClient6({ url: `redis://127.0.0.1:${s.ports.redis}/3` });
  await client.connect();
  try {
    const [set, incr, expire, hset] = await Promise.all([
      client.set("k", "v"),
      client.incrBy("n", 5),
      client.expire("k", 100),
      client.hSet("h", { a: "1", b: "2" }),
    ]);
    assertEquals([set, incr, expire, hset], ["OK", 5, 1, 2]);
    assertEquals(await client.get("k"), "v");
    ok((await client.ttl("k")) > 98);
    assertEquals({ ...(await client.hGetAll("h")) }, { a: "1", b: "2" });
    assertEquals(await client.incrByFloat("f", 0.1), "0.1");
    const keys: string[] = [];
    for await (const batch of client.scanIterator({ COUNT: 1 })) keys.push(...batch);
    assertEquals(keys.sort(), ["f", "h", "k", "n"]);
    assertEquals(await client.dbSize(), 4);
  } finally {
    await client.close();
  }
});

Deno.test("node-redis 4 on RESP2: strings, expiry, hashes, pipelined without MULTI", async () => {
  await using s = await startTestServer({ protocols: ["redis"] });
  const client = createClient4({ url: `redis://127.0.0.1:${s.ports.redis}/3` });
  await client.connect();
  try {
    const replies = await Promise.all([
      client.set("k", "v", { PX: 100_000 }),
      client.get("k"),
      client.hSet("h", "a", "1"),
      client.hGetAll("h"),
      client.pTTL("k"),
      client.del("k"),
      client.exists("k"),
    ]);
    assertEquals(replies.slice(0, 3), ["OK", "v", 1]);
    assertEquals({ ...replies[3] as Record<string, string> }, { a: "1" });
    ok((replies[4] as number) > 99_000);
    assertEquals(replies.slice(5), [1, 0]);
    const scanned = await client.scan(0, { COUNT: 100 });
    assertEquals(scanned.keys, ["h"]);
  } finally {
    await client.quit();
  }
});

/** The data commands on a store with several writers (the remote-KV path: 10 checks per commit). */
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { openHarness, plain } from "./harness.ts";

Deno.test("multi-key commands fit the shared store's per-commit check limit", async () => {
  await using h = await openHarness({ shared: true });
  const c = async (...a: string[]) => plain(await h.call(...a));
  const keys = Array.from({ length: 25 }, (_, i) => `k${i}`);
  assertEquals(await c("MSET", ...keys.flatMap((k) => [k, "v"])), "OK");
  assertEquals(await c("MSETNX", ...keys.flatMap((k) => [k, "w"])), 0);
  assertEquals(await c("MSETNX", ...keys.flatMap((k) => [`n${k}`, "w"])), 1);
  assertEquals(await c("DBSIZE"), 50);
  assertEquals(await c("HSET", "h", ...keys.flatMap((k) => [k, "v"])), 25);
  assertEquals(await c("HLEN", "h"), 25);
  assertEquals(await c("COPY", "h", "h2"), 1);
  assertEquals(await c("HLEN", "h2"), 25);
  assertEquals(await c("HDEL", "h2", ...keys), 25);
  assertEquals(await c("EXISTS", "h2"), 0);
  assertEquals(await c("INCR", "n"), 1);
  assertEquals(await c("EXPIRE", "h", "100"), 1);
  assertEquals(await c("DEL", ...keys, "h"), 26);
  assertEquals(await c("DBSIZE"), 26);
});

Deno.test("set commands fit the shared store's per-commit check limit", async () => {
  await using h = await openHarness({ shared: true });
  const c = async (...a: string[]) => plain(await h.call(...a));
  const members = Array.from({ length: 25 }, (_, i) => `m${i}`);
  assertEquals(await c("SADD", "s", ...members), 25);
  assertEquals(await c("SADD", "t", ...members.slice(0, 12)), 12);
  assertEquals(await c("SINTERSTORE", "d", "s", "t"), 12);
  assertEquals(await c("SUNIONSTORE", "d", "s", "t"), 25);
  assertEquals(await c("SDIFFSTORE", "d", "s", "t"), 13);
  assertEquals(await c("SMOVE", "s", "t", "m20"), 1);
  assertEquals((await c("SPOP", "s", "5") as string[]).length, 5);
  assertEquals(await c("SORT", "t", "ALPHA", "STORE", "l"), 13);
  assertEquals(await c("SREM", "s", ...members), 19);
  assertEquals(await c("EXISTS", "s"), 0);
  const [cursor] = await c("SSCAN", "d", "0", "COUNT", "5") as [string, string[]];
  assertEquals(cursor, "0");
});

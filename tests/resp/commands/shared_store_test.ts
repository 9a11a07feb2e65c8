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

Deno.test("results larger than one commit are built whole on a shared store", async () => {
  await using h = await openHarness({ shared: true });
  const c = async (...a: string[]) => plain(await h.call(...a));
  // More entries than one Deno KV atomic takes (1000): a zset keeps two per member.
  const n = 1200;
  const members = Array.from({ length: n }, (_, i) => `m${String(i).padStart(4, "0")}`);
  assertEquals(await c("ZADD", "z", ...members.flatMap((m, i) => [String(i), m])), n);
  assertEquals(await c("ZUNIONSTORE", "z2", "1", "z", "WEIGHTS", "2"), n);
  assertEquals(await c("ZCARD", "z2"), n);
  assertEquals(await c("ZRANGE", "z2", "-2", "-1", "WITHSCORES"), [["m1198", 2396], [
    "m1199",
    2398,
  ]]);
  assertEquals(await c("ZRANK", "z2", "m0600"), 600);
  assertEquals(await c("RPUSH", "l", ...members), n);
  assertEquals(await c("LPUSH", "l", "head"), n + 1);
  assertEquals(await c("LRANGE", "l", "0", "1"), ["head", "m0000"]);
  assertEquals(await c("LINDEX", "l", "-1"), "m1199");
  assertEquals(await c("SADD", "s", ...members), n);
  assertEquals(await c("SUNIONSTORE", "s2", "s"), n);
  assertEquals(await c("SCARD", "s2"), n);
  assertEquals(await c("SORT", "s", "ALPHA", "DESC", "STORE", "sorted"), n);
  assertEquals(await c("LRANGE", "sorted", "0", "0"), ["m1199"]);
  for (const key of ["z", "l", "s"]) {
    const dump = await h.call("DUMP", key);
    if (dump.type !== "bulk" || typeof dump.value === "string") throw new Error("DUMP failed");
    assertEquals(plain(await h.call("RESTORE", `${key}-copy`, "0", dump.value)), "OK");
  }
  assertEquals(await c("ZSCORE", "z-copy", "m1199"), 1199);
  assertEquals(await c("LLEN", "l-copy"), n + 1);
  assertEquals(await c("SISMEMBER", "s-copy", "m0999"), 1);
  assertEquals(
    await c("DEL", "z", "z2", "l", "s", "s2", "sorted", "z-copy", "l-copy", "s-copy"),
    9,
  );
  assertEquals(await c("DBSIZE"), 0);
});

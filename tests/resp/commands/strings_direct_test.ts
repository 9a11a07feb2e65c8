import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { openHarness, plain } from "./harness.ts";
import { DATA_ERRORS } from "../../../protocols/resp/errors.ts";

Deno.test("SET/GET round-trip and options", async () => {
  await using h = await openHarness();
  const c = async (...a: string[]) => plain(await h.call(...a));
  assertEquals(await c("SET", "k", "v"), "OK");
  assertEquals(await c("GET", "k"), "v");
  assertEquals(await c("SET", "k", "w", "NX"), null);
  assertEquals(await c("SET", "k", "w", "XX", "GET"), "v");
  assertEquals(await c("SET", "n", "w", "XX"), null);
  assertEquals(await c("SET", "k", "v", "EX", "0"), { error: DATA_ERRORS.invalidExpire("set") });
  assertEquals(await c("SET", "k", "v", "EX", "x"), { error: DATA_ERRORS.notInteger });
  assertEquals(await c("SET", "k", "v", "EX", "1", "PX", "1"), { error: DATA_ERRORS.syntax });
  assertEquals(await c("SET", "k", "v", "NX", "XX"), { error: DATA_ERRORS.syntax });
  assertEquals(await c("SET", "k", "v", "PX", "10000"), "OK");
  const pttl = await c("PTTL", "k") as number;
  assertEquals(pttl > 9900 && pttl <= 10000, true);
  assertEquals(await c("SET", "k", "z", "KEEPTTL"), "OK");
  assertEquals((await c("PTTL", "k") as number) > 9900, true);
  assertEquals(await c("SET", "k", "z"), "OK");
  assertEquals(await c("TTL", "k"), -1);
  assertEquals(await c("TTL", "nope"), -2);
  assertEquals(await c("SETNX", "k", "q"), 0);
  assertEquals(await c("SETNX", "k2", "q"), 1);
  assertEquals(await c("SETEX", "k3", "-1", "q"), { error: DATA_ERRORS.invalidExpire("setex") });
  assertEquals(await c("GETSET", "k2", "r"), "q");
  assertEquals(await c("GETDEL", "k2"), "r");
  assertEquals(await c("EXISTS", "k2", "k", "k"), 2);
});

Deno.test("INCR family arithmetic and errors", async () => {
  await using h = await openHarness();
  const c = async (...a: string[]) => plain(await h.call(...a));
  assertEquals(await c("INCR", "n"), 1);
  assertEquals(await c("INCRBY", "n", "41"), 42);
  assertEquals(await c("DECRBY", "n", "2"), 40);
  assertEquals(await c("DECR", "n"), 39);
  assertEquals(await c("SET", "n", "9223372036854775807"), "OK");
  assertEquals(await c("INCR", "n"), { error: DATA_ERRORS.overflow });
  assertEquals(await c("SET", "s", " 1"), "OK");
  assertEquals(await c("INCR", "s"), { error: DATA_ERRORS.notInteger });
  assertEquals(await c("INCRBY", "n", "1.5"), { error: DATA_ERRORS.notInteger });
  assertEquals(await c("SET", "f", "10.50"), "OK");
  assertEquals(await c("INCRBYFLOAT", "f", "0.1"), "10.6");
  // What redis-server prints too: 5010.6 is not exact in a long double.
  assertEquals(await c("INCRBYFLOAT", "f", "5.0e3"), "5010.60000000000000009");
  assertEquals(await c("INCRBYFLOAT", "g", "3"), "3");
  assertEquals(await c("INCRBYFLOAT", "g", "abc"), { error: DATA_ERRORS.notFloat });
  assertEquals(await c("INCRBYFLOAT", "s", "1"), { error: DATA_ERRORS.notFloat });
  assertEquals(await c("DECRBY", "n", "-9223372036854775808"), {
    error: DATA_ERRORS.decrementOverflow,
  });
});

Deno.test("APPEND, STRLEN, GETRANGE, SETRANGE, LCS, MSETNX", async () => {
  await using h = await openHarness();
  const c = async (...a: string[]) => plain(await h.call(...a));
  assertEquals(await c("APPEND", "a", "Hello"), 5);
  assertEquals(await c("APPEND", "a", " World"), 11);
  assertEquals(await c("STRLEN", "a"), 11);
  assertEquals(await c("GETRANGE", "a", "0", "4"), "Hello");
  assertEquals(await c("GETRANGE", "a", "-5", "-1"), "World");
  assertEquals(await c("GETRANGE", "a", "5", "3"), "");
  assertEquals(await c("SETRANGE", "a", "6", "Redis"), 11);
  assertEquals(await c("GET", "a"), "Hello Redis");
  assertEquals(await c("SETRANGE", "b", "3", "x"), 4);
  assertEquals(await c("GET", "b"), "\0\0\0x");
  assertEquals(await c("SETRANGE", "b", "-1", "x"), { error: DATA_ERRORS.offsetRange });
  assertEquals(await c("MSET", "k1", "ohmytext", "k2", "mynewtext"), "OK");
  assertEquals(await c("LCS", "k1", "k2"), "mytext");
  assertEquals(await c("LCS", "k1", "k2", "LEN"), 6);
  assertEquals(await c("LCS", "k1", "k2", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN"), [
    ["matches", [[[4, 7], [5, 8], 4]]],
    ["len", 6],
  ]);
  assertEquals(await c("MSETNX", "k1", "x", "k9", "y"), 0);
  assertEquals(await c("MGET", "k1", "k9", "a"), ["ohmytext", null, "Hello Redis"]);
  assertEquals(await c("MSETNX", "k8", "x", "k9", "y"), 1);
  assertEquals(await c("MSET", "k1"), { error: DATA_ERRORS.arity("mset") });
});

Deno.test("INCRBYFLOAT adds in long double and prints like Redis's %.17Lf", async () => {
  await using h = await openHarness();
  const c = async (...a: string[]) => plain(await h.call(...a));
  assertEquals(await c("INCRBYFLOAT", "f", "0.1"), "0.1");
  assertEquals(await c("INCRBYFLOAT", "f", "0.1"), "0.2");
  assertEquals(await c("INCRBYFLOAT", "f", "0.1"), "0.3");
  assertEquals(await c("INCRBYFLOAT", "f", "1.23456789012345678"), "1.53456789012345678");
  assertEquals(await c("INCRBYFLOAT", "f", "0x1.8p3"), "13.53456789012345678");
  assertEquals(
    (await c("INCRBYFLOAT", "g", "1e308") as string).slice(0, 24),
    "999999999999999999966858",
  );
  assertEquals(await c("INCRBYFLOAT", "g", "inf"), { error: DATA_ERRORS.nanOrInfinity });
  assertEquals(await c("INCRBYFLOAT", "g", "1e5000"), { error: DATA_ERRORS.notFloat });
  assertEquals(await c("HINCRBYFLOAT", "h", "a", "inf"), {
    error: DATA_ERRORS.incrementNanOrInfinity,
  });
  assertEquals(await c("HINCRBYFLOAT", "h", "a", "0.1"), "0.1");
  assertEquals(await c("HINCRBYFLOAT", "h", "a", "0.2"), "0.3");
});

Deno.test("MSET and MSETNX with more keys than one write unit holds", async () => {
  await using h = await openHarness();
  const c = async (...a: string[]) => plain(await h.call(...a));
  const pairs = (tag: string) =>
    Array.from({ length: 700 }, (_, i) => [`${tag}${i}`, `v${i}`]).flat();
  assertEquals(await c("MSET", ...pairs("a")), "OK");
  assertEquals(await c("DBSIZE"), 700);
  assertEquals(await c("MSETNX", ...pairs("b"), "a5", "x"), 0);
  assertEquals(await c("DBSIZE"), 700);
  assertEquals(await c("GET", "a5"), "v5");
  assertEquals(await c("MSETNX", ...pairs("b")), 1);
  assertEquals(await c("DBSIZE"), 1400);
  assertEquals(await c("GET", "b699"), "v699");
  assertEquals(await c("KEYS", "msetnx*"), []);
});

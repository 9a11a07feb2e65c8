import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { openHarness, plain } from "./harness.ts";
import { DATA_ERRORS } from "../../../protocols/resp/errors.ts";

Deno.test("HSET/HGET/HGETALL/HDEL keep insertion order and the field count, and drop empty hashes", async () => {
  await using h = await openHarness();
  const c = async (...a: string[]) => plain(await h.call(...a));
  assertEquals(await c("HSET", "h", "a", "1", "b", "2"), 2);
  assertEquals(await c("HSET", "h", "a", "3", "c", "4"), 1);
  assertEquals(await c("HLEN", "h"), 3);
  assertEquals(await c("HGET", "h", "a"), "3");
  assertEquals(await c("HMGET", "h", "a", "zz", "c"), ["3", null, "4"]);
  assertEquals(await c("HGETALL", "h"), [["a", "3"], ["b", "2"], ["c", "4"]]);
  await c("HSET", "h", "0", "first?");
  assertEquals(await c("HKEYS", "h"), ["a", "b", "c", "0"]);
  assertEquals(await c("HVALS", "h"), ["3", "2", "4", "first?"]);
  assertEquals(await c("HSETNX", "h", "a", "9"), 0);
  assertEquals(await c("HSETNX", "h", "d", "9"), 1);
  assertEquals(await c("HSTRLEN", "h", "d"), 1);
  assertEquals(await c("HEXISTS", "h", "d"), 1);
  assertEquals(await c("HDEL", "h", "a", "b", "zz"), 2);
  assertEquals(await c("HDEL", "h", "c", "d", "0"), 3);
  assertEquals(await c("EXISTS", "h"), 0);
  assertEquals(await c("TYPE", "h"), "none");
  assertEquals(await c("HSET", "h", "a"), { error: DATA_ERRORS.arity("hset") });
});

Deno.test("hash commands answer WRONGTYPE on strings and vice versa", async () => {
  await using h = await openHarness();
  const c = async (...a: string[]) => plain(await h.call(...a));
  await c("SET", "s", "v");
  await c("HSET", "h", "f", "v");
  const wrong = { error: DATA_ERRORS.wrongType };
  for (
    const cmd of [["HGET", "s", "f"], ["HSET", "s", "f", "v"], ["HGETALL", "s"], ["HLEN", "s"]]
  ) {
    assertEquals(await c(...cmd), wrong);
  }
  for (const cmd of [["GET", "h"], ["INCR", "h"], ["APPEND", "h", "x"], ["STRLEN", "h"]]) {
    assertEquals(await c(...cmd), wrong);
  }
  assertEquals(await c("TYPE", "h"), "hash");
  assertEquals(await c("SET", "h", "now a string"), "OK");
  assertEquals(await c("GET", "h"), "now a string");
});

Deno.test("HINCRBY/HINCRBYFLOAT, HRANDFIELD and HSCAN", async () => {
  await using h = await openHarness();
  const c = async (...a: string[]) => plain(await h.call(...a));
  assertEquals(await c("HINCRBY", "h", "n", "5"), 5);
  assertEquals(await c("HINCRBY", "h", "n", "-7"), -2);
  assertEquals(await c("HINCRBYFLOAT", "h", "f", "10.5"), "10.5");
  assertEquals(await c("HINCRBYFLOAT", "h", "f", "0.1"), "10.6");
  await c("HSET", "h", "s", "abc");
  assertEquals(await c("HINCRBY", "h", "s", "1"), { error: DATA_ERRORS.hashNotInteger });
  assertEquals(await c("HINCRBYFLOAT", "h", "s", "1"), { error: DATA_ERRORS.hashNotFloat });
  assertEquals(await c("HINCRBY", "h", "n", "x"), { error: DATA_ERRORS.notInteger });
  const fields = await c("HRANDFIELD", "h", "10") as string[];
  assertEquals([...fields].sort(), ["f", "n", "s"]);
  assertEquals((await c("HRANDFIELD", "h", "-5") as string[]).length, 5);
  assertEquals((await c("HRANDFIELD", "h", "2", "WITHVALUES") as unknown[]).length, 2);
  assertEquals(await c("HRANDFIELD", "nokey"), null);
  const seen = new Set<string>();
  let cursor = "0";
  do {
    const [next, items] = await c("HSCAN", "h", cursor, "COUNT", "1") as [string, string[]];
    for (let i = 0; i < items.length; i += 2) seen.add(items[i]);
    cursor = next;
  } while (cursor !== "0");
  assertEquals([...seen].sort(), ["f", "n", "s"]);
});

Deno.test("HEXPIRE family: per-field codes, exact deadlines, empty hash removed", async () => {
  await using h = await openHarness();
  const c = async (...a: string[]) => plain(await h.call(...a));
  await c("HSET", "h", "a", "1", "b", "2");
  assertEquals(await c("HEXPIRE", "h", "100", "FIELDS", "2", "a", "zz"), [1, -2]);
  assertEquals(await c("HEXPIRE", "h", "50", "GT", "FIELDS", "1", "a"), [0]);
  assertEquals(await c("HEXPIRE", "h", "50", "LT", "FIELDS", "1", "a"), [1]);
  assertEquals(await c("HTTL", "h", "FIELDS", "2", "a", "b"), [50, -1]);
  assertEquals(await c("HPERSIST", "h", "FIELDS", "2", "a", "b"), [1, -1]);
  assertEquals(await c("HPEXPIRE", "h", "200", "FIELDS", "1", "a"), [1]);
  assertEquals(await c("HEXPIRE", "h", "0", "FIELDS", "1", "b"), [2]);
  assertEquals(await c("HLEN", "h"), 1);
  await new Promise((r) => setTimeout(r, 210));
  assertEquals(await c("HGET", "h", "a"), null);
  assertEquals(await c("HLEN", "h"), 0);
  assertEquals(await c("HTTL", "nokey", "FIELDS", "1", "a"), [-2]);
  assertEquals(await c("HEXPIRE", "h", "1", "FIELDS", "0", "a"), { error: DATA_ERRORS.numFields });
  assertEquals(await c("HEXPIRE", "h", "1", "FIELDS", "2", "a"), {
    error: DATA_ERRORS.numFieldsMismatch,
  });
  assertEquals(await c("HEXPIRE", "h", "1", "NX", "XX", "FIELDS", "1", "a"), {
    error: DATA_ERRORS.mandatoryFields,
  });
  // The sweeper expires the field and the reclaimer drops the now-empty hash.
  for (let i = 0; i < 50 && await c("EXISTS", "h") === 1; i++) {
    await new Promise((r) => setTimeout(r, 20));
  }
  assertEquals(await c("EXISTS", "h"), 0);
});

Deno.test("fields of deleted, overwritten and expired hashes are reclaimed in the background", async () => {
  await using h = await openHarness();
  const c = async (...a: string[]) => plain(await h.call(...a));
  const pairs = Array.from({ length: 300 }, (_, i) => [`f${i}`, "v"]).flat();
  await c("HSET", "gone", ...pairs);
  await c("HSET", "over", ...pairs);
  await c("HSET", "expiring", ...pairs);
  await c("HSET", "kept", "f", "v");
  assertEquals(await c("DEL", "gone"), 1);
  assertEquals(await c("SET", "over", "string now"), "OK");
  assertEquals(await c("PEXPIRE", "expiring", "10"), 1);
  const fieldCount = async () => {
    let n = 0;
    for await (const _ of h.store.list({ prefix: ["redis", "f"] }, { keysOnly: true })) n++;
    return n;
  };
  for (let i = 0; i < 100 && await fieldCount() > 1; i++) {
    await new Promise((r) => setTimeout(r, 20));
  }
  assertEquals(await fieldCount(), 1);
  assertEquals(await c("HGET", "kept", "f"), "v");
});

import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { openHarness, plain } from "./harness.ts";
import { settle } from "../../helpers/wait.ts";
import { globMatch } from "../../../protocols/resp/glob.ts";
import { DATA_ERRORS } from "../../../protocols/resp/errors.ts";

const enc = (s: string) => new TextEncoder().encode(s);

Deno.test("globMatch() follows stringmatchlen", () => {
  const cases: [string, string, boolean][] = [
    ["*", "anything", true],
    ["h?llo", "hello", true],
    ["h?llo", "hllo", false],
    ["h*llo", "heeeello", true],
    ["h[ae]llo", "hallo", true],
    ["h[ae]llo", "hillo", false],
    ["h[^e]llo", "hallo", true],
    ["h[^e]llo", "hello", false],
    ["h[a-b]llo", "hbllo", true],
    ["h[b-a]llo", "hallo", true],
    ["h\\*llo", "h*llo", true],
    ["h\\*llo", "hello", false],
    ["a*b*c", "aXXbYYc", true],
    ["a*b*c", "aXXbYY", false],
    ["[abc", "a", true],
    ["user:*", "user:", true],
  ];
  for (const [p, s, want] of cases) assertEquals(globMatch(enc(p), enc(s)), want, `${p} ~ ${s}`);
});

Deno.test("DEL, EXISTS, RENAME, RENAMENX, COPY, KEYS, DBSIZE, TYPE", async () => {
  await using h = await openHarness();
  const c = async (...a: string[]) => plain(await h.call(...a));
  await c("MSET", "a", "1", "b", "2", "user:1", "x", "user:2", "y");
  await c("HSET", "hh", "f", "v");
  assertEquals(await c("DBSIZE"), 5);
  assertEquals(await c("KEYS", "user:*"), ["user:1", "user:2"]);
  assertEquals(await c("KEYS", "*"), ["a", "b", "hh", "user:1", "user:2"]);
  assertEquals(await c("RENAME", "nokey", "x"), { error: DATA_ERRORS.noSuchKey });
  assertEquals(await c("RENAME", "a", "a2"), "OK");
  assertEquals(await c("RENAMENX", "a2", "b"), 0);
  assertEquals(await c("RENAME", "hh", "h2"), "OK");
  assertEquals(await c("HGET", "h2", "f"), "v");
  assertEquals(await c("COPY", "h2", "h3"), 1);
  assertEquals(await c("COPY", "h2", "h3"), 0);
  assertEquals(await c("HSET", "h3", "g", "w"), 1);
  assertEquals(await c("HLEN", "h2"), 1);
  assertEquals(await c("COPY", "a2", "a2"), { error: DATA_ERRORS.sameObject });
  assertEquals(await c("COPY", "a2", "a2", "DB", "3"), 1);
  assertEquals(await c("COPY", "a2", "a2", "DB", "16"), { error: DATA_ERRORS.dbIndex });
  assertEquals(await c("DEL", "a2", "b", "nokey"), 2);
  assertEquals(await c("TYPE", "h3"), "hash");
  assertEquals(await c("OBJECT", "ENCODING", "user:1"), "embstr");
  await c("SET", "n", "123");
  assertEquals(await c("OBJECT", "ENCODING", "n"), "int");
  assertEquals(await c("OBJECT", "ENCODING", "h3"), "listpack");
  assertEquals(await c("OBJECT", "ENCODING", "nokey"), null);
  h.session.db = 3;
  assertEquals(await c("GET", "a2"), "1");
  assertEquals(await c("DBSIZE"), 1);
});

Deno.test("MOVE carries a key, its TTL and a collection's members to another db", async () => {
  await using h = await openHarness();
  const c = async (...a: string[]) => plain(await h.call(...a));
  await c("SET", "s", "v", "EX", "100");
  await c("HSET", "h", "f1", "v1", "f2", "v2");
  assertEquals(await c("MOVE", "s", "3"), 1);
  assertEquals(await c("MOVE", "h", "3"), 1);
  assertEquals(await c("EXISTS", "s", "h"), 0);
  assertEquals(await c("DBSIZE"), 0);
  await c("SET", "s", "here");
  assertEquals(await c("MOVE", "s", "3"), 0, "the target db has the key");
  assertEquals(await c("GET", "s"), "here");
  assertEquals(await c("MOVE", "nokey", "3"), 0);
  assertEquals(await c("MOVE", "s", "0"), { error: DATA_ERRORS.sameObject });
  assertEquals(await c("MOVE", "s", "16"), { error: DATA_ERRORS.dbIndex });
  assertEquals(await c("MOVE", "s", "4294967296"), { error: DATA_ERRORS.intRange });
  h.session.db = 3;
  assertEquals(await c("DBSIZE"), 2);
  assertEquals(await c("GET", "s"), "v");
  const ttl = await c("TTL", "s") as number;
  assertEquals(ttl > 0 && ttl <= 100, true);
  assertEquals(await c("HGETALL", "h"), [["f1", "v1"], ["f2", "v2"]]);
  assertEquals(await c("HSET", "h", "f3", "v3"), 1, "the moved hash stays writable");
  assertEquals(await c("HLEN", "h"), 3);
});

Deno.test("EXPIRE family: flags, deadlines, PERSIST, past deadlines delete", async () => {
  await using h = await openHarness();
  const c = async (...a: string[]) => plain(await h.call(...a));
  await c("SET", "k", "v");
  assertEquals(await c("EXPIRE", "k", "100", "XX"), 0);
  assertEquals(await c("EXPIRE", "k", "100", "NX"), 1);
  assertEquals(await c("EXPIRE", "k", "50", "GT"), 0);
  assertEquals(await c("EXPIRE", "k", "200", "GT"), 1);
  assertEquals(await c("TTL", "k"), 200);
  assertEquals(await c("EXPIRE", "k", "100", "NX", "XX"), { error: DATA_ERRORS.nxAndOthers });
  assertEquals(await c("EXPIRE", "k", "100", "GT", "LT"), { error: DATA_ERRORS.gtAndLt });
  assertEquals(await c("EXPIRE", "k", "100", "FOO"), { error: "ERR Unsupported option FOO" });
  assertEquals(await c("EXPIRE", "k", "x"), { error: DATA_ERRORS.notInteger });
  assertEquals(await c("PEXPIREAT", "k", "99999999999999"), 1);
  assertEquals(await c("PEXPIRETIME", "k"), 99999999999999);
  assertEquals(await c("EXPIRETIME", "k"), 100000000000);
  assertEquals(await c("PERSIST", "k"), 1);
  assertEquals(await c("PERSIST", "k"), 0);
  assertEquals(await c("TTL", "k"), -1);
  assertEquals(await c("EXPIRE", "k", "-1"), 1);
  assertEquals(await c("EXISTS", "k"), 0);
  // Long enough that a loaded machine still reads the key before its deadline.
  await c("SET", "p", "v", "PX", "400");
  assertEquals(await c("EXISTS", "p"), 1);
  await new Promise((r) => setTimeout(r, 450));
  assertEquals(await c("GET", "p"), null);
  // Like Redis's, DBSIZE counts a key past its deadline until the sweeper removes it.
  assertEquals(await settle(() => c("DBSIZE"), 0), 0);
});

Deno.test("SCAN returns every key present for the whole scan despite concurrent writes", async () => {
  await using h = await openHarness();
  const c = async (...a: string[]) => plain(await h.call(...a));
  const stable = Array.from({ length: 200 }, (_, i) => `stable:${i}`);
  for (let i = 0; i < stable.length; i += 50) {
    await c("MSET", ...stable.slice(i, i + 50).flatMap((k) => [k, "v"]));
  }
  const seen = new Set<string>();
  let cursor = "0";
  let round = 0;
  do {
    // Writers add and delete other keys between pages, before and after the cursor.
    await c("SET", `churn:${round}`, "x");
    await c("SET", `a:${round}`, "x");
    if (round > 2) await c("DEL", `churn:${round - 2}`);
    const [next, keys] = await c("SCAN", cursor, "COUNT", "7") as [string, string[]];
    for (const k of keys) seen.add(k);
    cursor = next;
    round++;
  } while (cursor !== "0");
  for (const k of stable) assertEquals(seen.has(k), true, k);
  const [, typed] = await c("SCAN", "0", "TYPE", "hash", "COUNT", "1000") as [string, string[]];
  assertEquals(typed, []);
  const [, matched] = await c("SCAN", "0", "MATCH", "stable:1?", "COUNT", "1000") as [
    string,
    string[],
  ];
  assertEquals(matched.length, 10);
  assertEquals(await c("SCAN", "abc"), { error: DATA_ERRORS.invalidCursor });
});

Deno.test("FLUSHDB, FLUSHALL and SWAPDB switch storage slots", async () => {
  await using h = await openHarness();
  const c = async (...a: string[]) => plain(await h.call(...a));
  await c("SET", "k0", "v0");
  await c("HSET", "h0", "f", "v");
  h.session.db = 1;
  await c("SET", "k1", "v1");
  assertEquals(await c("SWAPDB", "0", "1"), "OK");
  assertEquals(await c("GET", "k0"), "v0");
  assertEquals(await c("HGET", "h0", "f"), "v");
  assertEquals(await c("FLUSHDB"), "OK");
  assertEquals(await c("DBSIZE"), 0);
  h.session.db = 0;
  assertEquals(await c("GET", "k1"), "v1");
  assertEquals(await c("FLUSHALL", "ASYNC"), "OK");
  assertEquals(await c("DBSIZE"), 0);
  assertEquals(await c("FLUSHALL", "LATER"), { error: DATA_ERRORS.syntax });
  assertEquals(await c("SWAPDB", "0", "16"), { error: DATA_ERRORS.dbIndex });
  assertEquals(await c("SWAPDB", "x", "1"), { error: DATA_ERRORS.invalidDbIndex });
});

Deno.test("RANDOMKEY skips expired keys and answers null on an empty db", async () => {
  await using h = await openHarness();
  const c = async (...a: string[]) => plain(await h.call(...a));
  assertEquals(await c("RANDOMKEY"), null);
  for (let i = 0; i < 30; i++) await c("SET", `gone:${i}`, "v", "PX", "20");
  await c("SET", "live", "v");
  await new Promise((r) => setTimeout(r, 25));
  for (let i = 0; i < 5; i++) assertEquals(await c("RANDOMKEY"), "live");
});

Deno.test("COPY of a hash too big for one unit copies every field, TTLs included", async () => {
  await using h = await openHarness();
  const c = async (...a: string[]) => plain(await h.call(...a));
  const pairs = Array.from({ length: 1000 }, (_, i) => [`f${i}`, `v${i}`]).flat();
  assertEquals(await c("HSET", "big", ...pairs), 1000);
  assertEquals(await c("HPEXPIRE", "big", "1000000", "FIELDS", "1", "f7"), [1]);
  assertEquals(await c("EXPIRE", "big", "1000"), 1);
  assertEquals(await c("COPY", "big", "copy", "DB", "2"), 1);
  assertEquals(await c("COPY", "big", "copy", "DB", "2"), 0);
  h.session.db = 2;
  assertEquals(await c("HLEN", "copy"), 1000);
  assertEquals(await c("HGET", "copy", "f999"), "v999");
  assertEquals((await c("TTL", "copy") as number) >= 990, true);
  // The field's own TTL came along (the key's is 1000 s; a loaded machine may take seconds here).
  assertEquals((await c("HPTTL", "copy", "FIELDS", "1", "f7") as number[])[0] > 990_000, true);
  assertEquals((await c("HKEYS", "copy") as string[]).slice(0, 3), ["f0", "f1", "f2"]);
  assertEquals(await c("HSET", "copy", "f0", "changed"), 0);
  h.session.db = 0;
  assertEquals(await c("HGET", "big", "f0"), "v0");
});

Deno.test("keys and fields longer than one KV key part round-trip through every path", async () => {
  await using h = await openHarness();
  const c = async (...a: (string | Uint8Array)[]) => plain(await h.call(...a));
  const long = (tag: string, n: number) => {
    const bytes = new Uint8Array(n).fill(0x61);
    bytes.set(enc(tag));
    bytes[n - 1] = 0; // a NUL counts twice in the KV key encoding
    return bytes;
  };
  const k1 = long("k1:", 5000);
  const k2 = long("k1:", 5001); // same head as k1: told apart by the digest
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  assertEquals(await c("SET", k1, "one"), "OK");
  assertEquals(await c("SET", k2, "two"), "OK");
  assertEquals(await c("GET", k1), "one");
  assertEquals(await c("GET", k2), "two");
  assertEquals(await c("EXPIRE", k1, "100"), 1);
  assertEquals(await c("TTL", k1), 100);
  assertEquals((await c("KEYS", "k1:*") as string[]).sort(), [text(k1), text(k2)]);
  const [, scanned] = await c("SCAN", "0", "COUNT", "1000") as [string, string[]];
  assertEquals(scanned.sort(), [text(k1), text(k2)]);
  assertEquals(await c("RENAME", k1, "short"), "OK");
  assertEquals(await c("GET", "short"), "one");
  assertEquals(await c("RENAME", "short", k1), "OK");
  assertEquals(await c("GET", k1), "one");
  const f = long("field:", 3000);
  assertEquals(await c("HSET", "h", f, "v", "x", "y"), 2);
  assertEquals(await c("HGET", "h", f), "v");
  assertEquals(await c("HKEYS", "h"), [text(f), "x"]);
  assertEquals(await c("COPY", "h", "h2"), 1);
  assertEquals(await c("HGET", "h2", f), "v");
  assertEquals(await c("DEL", k1, k2), 2);
  assertEquals(await c("SET", new Uint8Array(20_000), "v"), { error: DATA_ERRORS.keyTooLarge });
});

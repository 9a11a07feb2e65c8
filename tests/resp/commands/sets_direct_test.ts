import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { openHarness, plain } from "./harness.ts";
import { DATA_ERRORS } from "../../../protocols/resp/errors.ts";

type C = (...a: string[]) => Promise<unknown>;

async function harness() {
  const h = await openHarness();
  const c: C = async (...a) => plain(await h.call(...a));
  return { h, c };
}

const sorted = (v: unknown) => [...(v as string[])].sort();

Deno.test("SADD/SREM/SCARD/SISMEMBER/SMISMEMBER, and an emptied set is deleted", async () => {
  const { h, c } = await harness();
  await using _ = h;
  assertEquals(await c("SADD", "s", "a", "b", "a", "c"), 3);
  assertEquals(await c("SADD", "s", "c", "d"), 1);
  assertEquals(await c("SCARD", "s"), 4);
  assertEquals(await c("SISMEMBER", "s", "a"), 1);
  assertEquals(await c("SISMEMBER", "s", "z"), 0);
  assertEquals(await c("SMISMEMBER", "s", "a", "z", "d"), [1, 0, 1]);
  assertEquals(await c("SMISMEMBER", "nokey", "a"), [0]);
  assertEquals(await c("SREM", "s", "a", "a", "z"), 1);
  assertEquals(await c("SMEMBERS", "s"), ["b", "c", "d"]);
  assertEquals(await c("TYPE", "s"), "set");
  assertEquals(await c("SREM", "s", "b", "c", "d"), 3);
  assertEquals(await c("EXISTS", "s"), 0);
  assertEquals(await c("SCARD", "s"), 0);
  assertEquals(await c("SADD", "s"), { error: DATA_ERRORS.arity("sadd") });
});

Deno.test("set commands answer WRONGTYPE; SMOVE checks the source first", async () => {
  const { h, c } = await harness();
  await using _ = h;
  await c("SET", "str", "v");
  await c("SADD", "s", "1");
  const wrong = { error: DATA_ERRORS.wrongType };
  for (
    const cmd of [
      ["SADD", "str", "a"],
      ["SREM", "str", "a"],
      ["SMEMBERS", "str"],
      ["SISMEMBER", "str", "a"],
      ["SCARD", "str"],
      ["SPOP", "str"],
      ["SRANDMEMBER", "str"],
      ["SINTER", "s", "str"],
      ["SINTER", "nokey", "str"],
      ["SUNION", "s", "str"],
      ["SDIFF", "s", "str"],
      ["SINTERCARD", "2", "s", "str"],
      ["SMOVE", "s", "str", "1"],
      ["SSCAN", "str", "0"],
      ["GET", "s"],
      ["HGET", "s", "f"],
    ]
  ) {
    assertEquals(await c(...cmd), wrong, cmd.join(" "));
  }
  assertEquals(await c("SMOVE", "nokey", "str", "1"), 0);
});

Deno.test("OBJECT ENCODING follows Redis 7.2: intset, listpack, hashtable, never back", async () => {
  const { h, c } = await harness();
  await using _ = h;
  const enc = (k: string) => c("OBJECT", "ENCODING", k);
  await c("SADD", "i", "1", "2", "-3");
  assertEquals(await enc("i"), "intset");
  await c("SADD", "i", "007");
  assertEquals(await enc("i"), "listpack");
  await c("SREM", "i", "007");
  assertEquals(await enc("i"), "listpack");
  await c("SADD", "i", "x".repeat(65));
  assertEquals(await enc("i"), "hashtable");
  // 512 integers stay an intset; the 513th converts to a hashtable.
  const ints = Array.from({ length: 512 }, (_, i) => String(i));
  await c("SADD", "big", ...ints.slice(0, 300));
  await c("SADD", "big", ...ints.slice(300));
  assertEquals(await enc("big"), "intset");
  await c("SADD", "big", "512");
  assertEquals(await enc("big"), "hashtable");
  // 128 strings fit a listpack, the 129th does not.
  const words = Array.from({ length: 129 }, (_, i) => `w${i}`);
  await c("SADD", "lp", ...words.slice(0, 128));
  assertEquals(await enc("lp"), "listpack");
  await c("SADD", "lp", words[128]);
  assertEquals(await enc("lp"), "hashtable");
  // A new set of more than 128 strings starts as a hashtable; an intset with 128+ members
  // gaining a string goes straight to a hashtable.
  await c("SADD", "hint", ...words);
  assertEquals(await enc("hint"), "hashtable");
  await c("SADD", "ints", ...ints.slice(0, 128));
  await c("SADD", "ints", "x");
  assertEquals(await enc("ints"), "hashtable");
  await c("SADD", "ints2", ...ints.slice(0, 127));
  await c("SADD", "ints2", "x");
  assertEquals(await enc("ints2"), "listpack");
});

Deno.test("SMEMBERS lists intsets by value and listpacks in insertion order", async () => {
  const { h, c } = await harness();
  await using _ = h;
  await c("SADD", "i", "10", "9", "-1", "100");
  assertEquals(await c("SMEMBERS", "i"), ["-1", "9", "10", "100"]);
  await c("SADD", "i", "b", "5", "a");
  assertEquals(await c("SMEMBERS", "i"), ["-1", "9", "10", "100", "b", "5", "a"]);
  assertEquals(await c("SSCAN", "i", "0"), ["0", ["-1", "9", "10", "100", "b", "5", "a"]]);
});

Deno.test("SPOP and SRANDMEMBER: counts, repeats, whole set, key removed", async () => {
  const { h, c } = await harness();
  await using _ = h;
  const members = Array.from({ length: 50 }, (_, i) => `m${i}`);
  await c("SADD", "s", ...members);
  const one = await c("SRANDMEMBER", "s") as string;
  ok(members.includes(one));
  const five = await c("SRANDMEMBER", "s", "5") as string[];
  assertEquals(new Set(five).size, 5);
  ok(five.every((m) => members.includes(m)));
  assertEquals(sorted(await c("SRANDMEMBER", "s", "100")), sorted(members));
  const repeats = await c("SRANDMEMBER", "s", "-200") as string[];
  assertEquals(repeats.length, 200);
  ok(repeats.every((m) => members.includes(m)));
  assertEquals(await c("SRANDMEMBER", "s", "0"), []);
  assertEquals(await c("SRANDMEMBER", "nokey", "3"), []);
  assertEquals(await c("SRANDMEMBER", "nokey"), null);
  assertEquals(await c("SRANDMEMBER", "s", "-9223372036854775808"), {
    error: DATA_ERRORS.longRange,
  });
  const popped = await c("SPOP", "s", "10") as string[];
  assertEquals(new Set(popped).size, 10);
  assertEquals(await c("SCARD", "s"), 40);
  assertEquals(await c("SMISMEMBER", "s", ...popped), popped.map(() => 0));
  const single = await c("SPOP", "s") as string;
  assertEquals(await c("SISMEMBER", "s", single), 0);
  assertEquals((await c("SPOP", "s", "100") as string[]).length, 39);
  assertEquals(await c("EXISTS", "s"), 0);
  assertEquals(await c("SPOP", "s"), null);
  assertEquals(await c("SPOP", "s", "-1"), { error: DATA_ERRORS.mustBePositive });
  assertEquals(await c("SPOP", "s", "1", "2"), { error: DATA_ERRORS.syntax });
});

Deno.test("random picks on a big set probe the member space and stay spread out", async () => {
  const { h, c } = await harness();
  await using _ = h;
  const members = Array.from({ length: 3000 }, (_, i) => `member:${String(i).padStart(5, "0")}`);
  for (let i = 0; i < members.length; i += 1000) {
    await c("SADD", "s", ...members.slice(i, i + 1000));
  }
  const before = h.reads.entries;
  const picks = await c("SRANDMEMBER", "s", "20") as string[];
  assertEquals(new Set(picks).size, 20);
  ok(h.reads.entries - before < 200, `read ${h.reads.entries - before} entries`);
  // Single picks land all over the range, not only at its start.
  const firsts = new Set<string>();
  for (let i = 0; i < 30; i++) firsts.add((await c("SRANDMEMBER", "s") as string).slice(8, 9));
  ok(firsts.size >= 2, `picks fell in ${[...firsts]}`);
  const popped = await c("SPOP", "s", "25") as string[];
  assertEquals(new Set(popped).size, 25);
  assertEquals(await c("SCARD", "s"), 2975);
  assertEquals(await c("SMISMEMBER", "s", ...popped), popped.map(() => 0));
});

Deno.test("SINTER/SUNION/SDIFF, their STORE forms, SINTERCARD and SMOVE", async () => {
  const { h, c } = await harness();
  await using _ = h;
  await c("SADD", "a", "1", "2", "3", "4");
  await c("SADD", "b", "3", "4", "5");
  await c("SADD", "x", "p", "q");
  assertEquals(await c("SINTER", "a", "b"), ["3", "4"]);
  assertEquals(await c("SINTER", "a", "nokey"), []);
  assertEquals(await c("SUNION", "a", "b", "nokey"), ["1", "2", "3", "4", "5"]);
  assertEquals(await c("SDIFF", "a", "b"), ["1", "2"]);
  assertEquals(await c("SDIFF", "nokey", "a"), []);
  assertEquals(sorted(await c("SUNION", "a", "x")), ["1", "2", "3", "4", "p", "q"]);
  assertEquals(await c("SINTERSTORE", "d", "a", "b"), 2);
  assertEquals(await c("SMEMBERS", "d"), ["3", "4"]);
  assertEquals(await c("OBJECT", "ENCODING", "d"), "intset");
  assertEquals(await c("SUNIONSTORE", "d", "a", "x"), 6);
  assertEquals(await c("OBJECT", "ENCODING", "d"), "listpack");
  assertEquals(await c("SDIFFSTORE", "a", "a", "b"), 2);
  assertEquals(await c("SMEMBERS", "a"), ["1", "2"]);
  await c("SET", "str", "v");
  assertEquals(await c("SINTERSTORE", "str", "a", "nokey"), 0);
  assertEquals(await c("EXISTS", "str"), 0);
  await c("EXPIRE", "d", "100");
  assertEquals(await c("SUNIONSTORE", "d", "b"), 3);
  assertEquals(await c("TTL", "d"), -1);
  assertEquals(await c("SINTERCARD", "2", "b", "d"), 3);
  assertEquals(await c("SINTERCARD", "2", "b", "d", "LIMIT", "2"), 2);
  assertEquals(await c("SINTERCARD", "0", "b"), { error: DATA_ERRORS.numkeysPositive });
  assertEquals(await c("SINTERCARD", "3", "b"), { error: DATA_ERRORS.numkeysTooMany });
  assertEquals(await c("SINTERCARD", "1", "b", "LIMIT", "-1"), {
    error: DATA_ERRORS.limitNegative,
  });
  assertEquals(await c("SMOVE", "b", "e", "5"), 1);
  assertEquals(await c("SMOVE", "b", "e", "5"), 0);
  assertEquals(await c("SMOVE", "b", "b", "3"), 1);
  assertEquals(await c("SMEMBERS", "e"), ["5"]);
  assertEquals(await c("SMOVE", "e", "b", "5"), 1);
  assertEquals(await c("EXISTS", "e"), 0);
});

Deno.test("sets survive RENAME and COPY; SSCAN pages a big set with cursors", async () => {
  const { h, c } = await harness();
  await using _ = h;
  const members = Array.from({ length: 700 }, (_, i) => `m${i}`);
  await c("SADD", "s", ...members);
  assertEquals(await c("RENAME", "s", "t"), "OK");
  assertEquals(await c("COPY", "t", "u"), 1);
  assertEquals(await c("SREM", "t", "m1"), 1);
  assertEquals(await c("SCARD", "u"), 700);
  assertEquals(await c("SISMEMBER", "u", "m1"), 1);
  assertEquals(await c("OBJECT", "ENCODING", "u"), "hashtable");
  const seen = new Set<string>();
  let cursor = "0";
  let calls = 0;
  do {
    const [next, items] = await c("SSCAN", "u", cursor, "COUNT", "50") as [string, string[]];
    items.forEach((m) => seen.add(m));
    cursor = next;
    calls++;
  } while (cursor !== "0");
  assertEquals(seen.size, 700);
  ok(calls >= 14);
  const [, matched] = await c("SSCAN", "u", "0", "MATCH", "m69*", "COUNT", "1000") as [
    string,
    string[],
  ];
  assertEquals(sorted(matched), [
    "m69",
    "m690",
    "m691",
    "m692",
    "m693",
    "m694",
    "m695",
    "m696",
    "m697",
    "m698",
    "m699",
  ]);
});

Deno.test("SORT over sets: numeric, ALPHA, BY strings and hash fields, GET, LIMIT, STORE", async () => {
  const { h, c } = await harness();
  await using _ = h;
  await c("SADD", "s", "3", "1", "2", "10");
  assertEquals(await c("SORT", "s"), ["1", "2", "3", "10"]);
  assertEquals(await c("SORT", "s", "DESC", "LIMIT", "1", "2"), ["3", "2"]);
  assertEquals(await c("SORT", "s", "ALPHA"), ["1", "10", "2", "3"]);
  await c("MSET", "w_1", "30", "w_2", "20", "w_3", "10");
  await c("HSET", "h_10", "f", "-1");
  assertEquals(await c("SORT", "s", "BY", "w_*"), ["10", "3", "2", "1"]);
  assertEquals(await c("SORT", "s", "BY", "h_*->f", "GET", "#", "GET", "h_*->f"), [
    "10",
    "-1",
    "1",
    null,
    "2",
    null,
    "3",
    null,
  ]);
  // 10 has no weight key (score 0) and no w_10 to GET.
  assertEquals(await c("SORT", "s", "BY", "w_*", "GET", "w_*", "LIMIT", "0", "2"), [null, "10"]);
  await c("SADD", "bad", "x", "1");
  assertEquals(await c("SORT", "bad"), { error: DATA_ERRORS.sortNotDouble });
  assertEquals(await c("SORT", "s", "FOO"), { error: DATA_ERRORS.syntax });
  assertEquals(await c("SORT_RO", "s", "STORE", "d"), { error: DATA_ERRORS.syntax });
  assertEquals(await c("SORT", "s", "STORE", "d"), 4);
  assertEquals(await c("TYPE", "d"), "list");
  assertEquals(await c("SORT", "nokey", "STORE", "d"), 0);
  assertEquals(await c("EXISTS", "d"), 0);
  await c("SET", "str", "v");
  assertEquals(await c("SORT", "str"), { error: DATA_ERRORS.wrongType });
});

/**
 * SORT and ZSCAN over lists and sorted sets laid out as the shared collections brief says
 * (written here entry by entry, until the list and sorted-set commands land).
 */
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { openHarness, plain } from "./harness.ts";
import {
  fieldPrefix,
  type KeyMeta,
  metaKey,
  newGeneration,
} from "../../../protocols/resp/storage/layout.ts";

const enc = new TextEncoder();

Deno.test("SORT over a list and a sorted set; ZSCAN over a sorted set", async () => {
  await using h = await openHarness();
  const c = async (...a: string[]) => plain(await h.call(...a));
  const redis = h.store.scope(["redis"]);
  const list = newGeneration();
  const zset = newGeneration();
  await redis.write((tx) => {
    ["3", "1", "2", "10"].forEach((v, i) =>
      tx.set([...fieldPrefix(list), i], { data: enc.encode(v) })
    );
    tx.set<KeyMeta>(metaKey(0, enc.encode("l")), {
      meta: { t: "list" as KeyMeta["t"], g: list, n: 4 },
    });
    [["b", 2], ["a", 2], ["c", 1.5], ["d", -1]].forEach(([m, s]) =>
      tx.set([...fieldPrefix(zset), 0, enc.encode(m as string)], { meta: { s } })
    );
    tx.set<KeyMeta>(metaKey(0, enc.encode("z")), {
      meta: { t: "zset" as KeyMeta["t"], g: zset, n: 4 },
    });
  });
  assertEquals(await c("SORT", "l"), ["1", "2", "3", "10"]);
  assertEquals(await c("SORT", "l", "BY", "nosort"), ["3", "1", "2", "10"]);
  assertEquals(await c("SORT", "l", "BY", "nosort", "LIMIT", "1", "2"), ["1", "2"]);
  assertEquals(await c("SORT", "l", "ALPHA", "DESC"), ["3", "2", "10", "1"]);
  assertEquals(await c("SORT", "z", "BY", "nosort"), ["d", "c", "a", "b"]);
  assertEquals(await c("SORT", "z", "BY", "nosort", "DESC", "LIMIT", "0", "2"), ["b", "a"]);
  assertEquals(await c("SORT", "z", "ALPHA"), ["a", "b", "c", "d"]);
  assertEquals(await c("SORT", "z", "ALPHA", "STORE", "out"), 4);
  assertEquals(await c("SORT", "out", "BY", "nosort"), ["a", "b", "c", "d"]);
  assertEquals(await c("ZSCAN", "z", "0"), ["0", ["d", "-1", "c", "1.5", "a", "2", "b", "2"]]);
  assertEquals(await c("ZSCAN", "z", "0", "MATCH", "[ab]"), ["0", ["a", "2", "b", "2"]]);
});

/**
 * DBSIZE and INFO keyspace on a store with 100,000 keys answer from counters: no range read,
 * a bounded number of point reads, however many keys there are.
 * @module
 */
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { openHarness, plain } from "./harness.ts";

const KEYS = 100_000;
const BATCH = 1000;

Deno.test(`DBSIZE and INFO keyspace over ${KEYS.toLocaleString("en")} keys list nothing`, async () => {
  await using h = await openHarness();
  const c = async (...a: string[]) => plain(await h.call(...a));
  for (let i = 0; i < KEYS; i += BATCH) {
    const args = Array.from({ length: BATCH }, (_, j) => [`key:${i + j}`, "v"]).flat();
    assertEquals(await c("MSET", ...args), "OK");
  }
  assertEquals(await c("EXPIRE", "key:1", "1000"), 1);
  const before = { ...h.reads };
  assertEquals(await c("DBSIZE"), KEYS);
  const reply = await h.call("INFO", "keyspace");
  const info = reply.type === "verbatim" ? reply.value : JSON.stringify(reply);
  ok(/^db0:keys=100000,expires=1,avg_ttl=\d+\r$/m.test(info), info);
  assertEquals(h.reads.listed - before.listed, 0, "a range read");
  // The slot map, once for each command (and INFO's once more for every db).
  ok(h.reads.entries - before.entries <= 2, `${h.reads.entries - before.entries} point reads`);
});

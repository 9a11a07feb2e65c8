/**
 * A 1,000,000-member set: point reads stay point reads. The harness counts the entries every
 * read returns (a forwarding wrapper over the real store), so each bound below is on entries
 * read, not on time.
 */
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { HUGE, openHarness, plain } from "./harness.ts";

const MEMBERS = HUGE;
const BATCH = 20_000;

Deno.test(`a ${MEMBERS.toLocaleString("en")}-member set: SISMEMBER, SCARD, SRANDMEMBER, SPOP and SSCAN read a handful of entries`, async () => {
  await using h = await openHarness();
  const c = async (...a: string[]) => plain(await h.call(...a));
  for (let i = 0; i < MEMBERS; i += BATCH) {
    const batch = Array.from({ length: BATCH }, (_, j) => `m:${i + j}`);
    assertEquals(await c("SADD", "big", ...batch), BATCH);
  }
  const reads = async (...a: string[]) => {
    const before = h.reads.entries;
    const reply = await c(...a);
    return { reply, reads: h.reads.entries - before };
  };
  // The slot map, the key's meta entry and the member entry.
  assertEquals(await reads("SISMEMBER", "big", `m:${Math.floor(MEMBERS * 0.76)}`), {
    reply: 1,
    reads: 3,
  });
  assertEquals(await reads("SISMEMBER", "big", "m:nope"), { reply: 0, reads: 3 });
  assertEquals(await reads("SCARD", "big"), { reply: MEMBERS, reads: 2 });
  assertEquals(await reads("SMISMEMBER", "big", "m:1", `m:${MEMBERS - 1}`, "x"), {
    reply: [1, 1, 0],
    reads: 5,
  });
  const one = await reads("SRANDMEMBER", "big");
  ok(one.reads <= 6, `SRANDMEMBER read ${one.reads}`);
  const ten = await reads("SRANDMEMBER", "big", "10");
  assertEquals(new Set(ten.reply as string[]).size, 10);
  ok(ten.reads <= 30, `SRANDMEMBER 10 read ${ten.reads}`);
  const scan = await reads("SSCAN", "big", "0", "COUNT", "10");
  assertEquals((scan.reply as [string, string[]])[1].length, 10);
  ok(scan.reads <= 20, `SSCAN read ${scan.reads}`);
  assertEquals(await c("OBJECT", "ENCODING", "big"), "hashtable");
  assertEquals(await c("SPOP", "big", "5").then((r) => (r as string[]).length), 5);
  assertEquals(await c("SCARD", "big"), MEMBERS - 5);
});

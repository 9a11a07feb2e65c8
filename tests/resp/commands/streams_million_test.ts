/**
 * A 1,000,000-entry stream: XLEN, XRANGE, XREVRANGE, XREAD, XINFO STREAM and group reads touch
 * a handful of entries. The harness counts the entries every read returns (a forwarding wrapper
 * over the real store), so each bound below is on entries read, not on time.
 */
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { HUGE, openHarness, plain } from "./harness.ts";

const ENTRIES = HUGE;
const BATCH = 2_000;

Deno.test(`a ${ENTRIES.toLocaleString("en")}-entry stream: ranges and reads read a handful of entries`, async () => {
  await using h = await openHarness();
  const c = async (...a: string[]) => plain(await h.call(...a));
  for (let i = 1; i <= ENTRIES; i += BATCH) {
    const adds = [];
    for (let j = i; j < i + BATCH && j <= ENTRIES; j++) {
      adds.push(c("XADD", "big", `${j}-0`, "n", `${j}`));
    }
    await Promise.all(adds);
  }
  const reads = async (...a: string[]) => {
    const before = h.reads.entries;
    const reply = await c(...a);
    return { reply, reads: h.reads.entries - before };
  };
  // The slot map and the key's meta entry.
  assertEquals(await reads("XLEN", "big"), { reply: ENTRIES, reads: 2 });
  const mid = ENTRIES / 2;
  const range = await reads("XRANGE", "big", `(${mid}`, "+", "COUNT", "10");
  assertEquals((range.reply as [string, string[]][]).map((e) => e[0])[0], `${mid + 1}-0`);
  ok(range.reads <= 12, `XRANGE read ${range.reads}`);
  const rev = await reads("XREVRANGE", "big", "+", "-", "COUNT", "5");
  assertEquals((rev.reply as [string, string[]][])[0][0], `${ENTRIES}-0`);
  ok(rev.reads <= 7, `XREVRANGE read ${rev.reads}`);
  const xread = await reads("XREAD", "COUNT", "3", "STREAMS", "big", `${ENTRIES - 10}`);
  const served = JSON.stringify(xread.reply);
  ok(served.includes(`"${ENTRIES - 7}-0"`) && !served.includes(`"${ENTRIES - 6}-0"`), served);
  ok(xread.reads <= 10, `XREAD read ${xread.reads}`);
  const info = await reads("XINFO", "STREAM", "big");
  ok(info.reads <= 6, `XINFO STREAM read ${info.reads}`);
  assertEquals(await c("XGROUP", "CREATE", "big", "g", `${ENTRIES - 100}`), "OK");
  const group = JSON.stringify(
    await c("XREADGROUP", "GROUP", "g", "c", "COUNT", "10", "STREAMS", "big", ">"),
  );
  ok(group.includes(`"${ENTRIES - 90}-0"`) && !group.includes(`"${ENTRIES - 89}-0"`), group);
  const pending = await reads("XPENDING", "big", "g");
  assertEquals((pending.reply as unknown[])[0], 10);
  ok(pending.reads <= 8, `XPENDING read ${pending.reads}`);
  assertEquals(await c("XTRIM", "big", "MAXLEN", "~", `${ENTRIES - 1000}`), 1000);
  assertEquals(await c("XLEN", "big"), ENTRIES - 1000);
});

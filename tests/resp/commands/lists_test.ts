/**
 * List commands: through ioredis (RESP2) and node-redis 6 (RESP3), raw sockets for exact reply
 * bytes, and the direct harness for a 1,000,000-element list whose end reads are counted.
 * @module
 */
import { deepStrictEqual as assertEquals, ok, rejects } from "node:assert/strict";
import { Redis as Redis5 } from "ioredis5";
import { createClient } from "redis";
import { startTestServer } from "../../helpers/server.ts";
import { DATA_ERRORS } from "../../../protocols/resp/errors.ts";
import { command, RespClient } from "../resp_client.ts";
import { decodeReply } from "../reply_decoder.ts";
import { HUGE, openHarness, plain } from "./harness.ts";

Deno.test("ioredis on RESP2: pushes, pops with count, ranges, indexes, inserts, removals, moves", async () => {
  await using s = await startTestServer({ protocols: ["redis"] });
  const r = new Redis5({ port: s.ports.redis, host: "127.0.0.1", maxRetriesPerRequest: 0 });
  try {
    assertEquals(await r.rpush("l", "a", "b", "c"), 3);
    assertEquals(await r.lpush("l", "y", "x"), 5);
    assertEquals(await r.lrange("l", 0, -1), ["x", "y", "a", "b", "c"]);
    assertEquals(await r.lindex("l", -2), "b");
    assertEquals(await r.lset("l", 1, "Y"), "OK");
    assertEquals(await r.linsert("l", "BEFORE", "b", "B0"), 6);
    assertEquals(await r.lrange("l", 0, -1), ["x", "Y", "a", "B0", "b", "c"]);
    assertEquals(await r.lpos("l", "b"), 4);
    assertEquals(await r.lrem("l", 0, "B0"), 1);
    assertEquals(await r.lpop("l", 2), ["x", "Y"]);
    assertEquals(await r.rpop("l"), "c");
    assertEquals(await r.lmove("l", "m", "LEFT", "RIGHT"), "a");
    assertEquals(await r.rpoplpush("l", "m"), "b");
    assertEquals(await r.exists("l"), 0);
    assertEquals(await r.lpop("l"), null);
    assertEquals(await r.lpop("l", 3), null);
    assertEquals(await r.llen("m"), 2);
    assertEquals(await r.type("m"), "list");
    assertEquals(await r.lmpop(2, "l", "m", "RIGHT", "COUNT", 5), ["m", ["a", "b"]]);
    await r.set("s", "v");
    await rejects(r.lpush("s", "x"), { message: DATA_ERRORS.wrongType });
    await rejects(r.lpop("m", -1), { message: DATA_ERRORS.mustBePositive });
    await rejects(r.lset("m", 0, "x"), { message: DATA_ERRORS.noSuchKey });
  } finally {
    r.disconnect();
  }
});

Deno.test("node-redis 6 on RESP3: lists in db 2, LPOS options, LTRIM, OBJECT ENCODING", async () => {
  await using s = await startTestServer({ protocols: ["redis"] });
  const client = createClient({ url: `redis://127.0.0.1:${s.ports.redis}/2`, RESP: 3 });
  await client.connect();
  try {
    const [n, pushed] = await Promise.all([
      client.rPush("l", ["a", "b", "a", "c", "a"]),
      client.rPushX("nokey", "z"),
    ]);
    assertEquals([n, pushed], [5, 0]);
    assertEquals(await client.lPos("l", "a", { RANK: -1 }), 4);
    assertEquals(await client.lPosCount("l", "a", 0), [0, 2, 4]);
    assertEquals(await client.lPosCount("l", "a", 2, { MAXLEN: 3 }), [0, 2]);
    assertEquals(await client.objectEncoding("l"), "listpack");
    await client.rPush("l", "x".repeat(9000));
    assertEquals(await client.objectEncoding("l"), "quicklist");
    assertEquals(await client.lTrim("l", 1, 2), "OK");
    assertEquals(await client.lRange("l", 0, -1), ["b", "a"]);
    assertEquals(await client.objectEncoding("l"), "listpack");
    assertEquals(await client.lPop("nokey"), null);
  } finally {
    await client.close();
  }
});

/** Send one command and return its reply's exact bytes. */
async function raw(c: RespClient, ...args: string[]): Promise<string> {
  await c.send(command(...args));
  const bytes = await c.raw.readUntil((buf) => decodeReply(buf)?.used ?? 0);
  return new TextDecoder("latin1").decode(bytes);
}

Deno.test("raw socket: null array vs null per protocol, empty array for count 0, arity", async () => {
  await using s = await startTestServer({ protocols: ["redis"] });
  using c = await RespClient.connect(s.ports.redis);
  assertEquals(await raw(c, "LPOP", "nokey", "1"), "*-1\r\n");
  assertEquals(await raw(c, "LPOP", "nokey"), "$-1\r\n");
  assertEquals(await raw(c, "RPUSH", "l", "a"), ":1\r\n");
  assertEquals(await raw(c, "LPOP", "l", "0"), "*0\r\n");
  assertEquals(await raw(c, "LMPOP", "1", "nokey", "LEFT"), "*-1\r\n");
  assertEquals(
    await raw(c, "LPOP", "l", "1", "2"),
    `-${DATA_ERRORS.arity("lpop")}\r\n`,
  );
  await raw(c, "HELLO", "3");
  assertEquals(await raw(c, "LPOP", "nokey", "1"), "_\r\n");
  assertEquals(await raw(c, "LMPOP", "1", "nokey", "LEFT"), "_\r\n");
  assertEquals(await raw(c, "LINDEX", "l", "5"), "_\r\n");
});

Deno.test(`a ${HUGE.toLocaleString("en")}-element list: LINDEX near both ends and LLEN read a handful of entries`, async () => {
  await using h = await openHarness();
  // Units of 1,000 elements submitted a wave at a time share commits (the store's cost is per
  // entry either way; this is its fastest shape).
  const BATCH = 1_000;
  const WAVE = 100;
  const TOTAL = HUGE;
  for (let wave = 0; wave < TOTAL; wave += BATCH * WAVE) {
    const pushes = Array.from({ length: WAVE }, (_, u) => {
      const first = wave + u * BATCH;
      return h.call("RPUSH", "big", ...Array.from({ length: BATCH }, (_, j) => String(first + j)));
    });
    assertEquals(plain((await Promise.all(pushes)).at(-1)!), wave + BATCH * WAVE);
  }
  const cases: [string[], unknown][] = [
    [["LLEN", "big"], TOTAL],
    [["LINDEX", "big", "0"], "0"],
    [["LINDEX", "big", "3"], "3"],
    [["LINDEX", "big", "-1"], String(TOTAL - 1)],
    [["LINDEX", "big", "-4"], String(TOTAL - 4)],
    [["LRANGE", "big", "-3", "-1"], [String(TOTAL - 3), String(TOTAL - 2), String(TOTAL - 1)]],
    [["LRANGE", "big", String(TOTAL / 2), String(TOTAL / 2 + 1)], [
      String(TOTAL / 2),
      String(TOTAL / 2 + 1),
    ]],
  ];
  for (const [args, want] of cases) {
    const before = h.reads.entries;
    assertEquals(plain(await h.call(...args)), want);
    const reads = h.reads.entries - before;
    // The slot map, the key's meta entry, then the element(s) themselves.
    ok(reads <= 5, `${args.join(" ")} read ${reads} entries`);
  }
  // Pops at both ends touch only those ends: the list stays consistent.
  assertEquals(plain(await h.call("LPOP", "big", "2")), ["0", "1"]);
  assertEquals(plain(await h.call("RPOP", "big")), String(TOTAL - 1));
  assertEquals(plain(await h.call("LINDEX", "big", "0")), "2");
  assertEquals(plain(await h.call("LLEN", "big")), TOTAL - 3);
});

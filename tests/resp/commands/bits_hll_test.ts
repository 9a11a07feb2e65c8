/**
 * Bitmaps, HyperLogLog, DUMP/RESTORE, encoding thresholds and INFO command statistics through
 * ioredis (RESP3 and RESP2), node-redis (RESP3 and RESP2) and raw sockets.
 * @module
 */
import { deepStrictEqual as assertEquals, ok, rejects } from "node:assert/strict";
import { Buffer } from "node:buffer";
import { Redis } from "ioredis";
import { Redis as Redis5 } from "ioredis5";
import { createClient as createClient6 } from "redis";
import { createClient as createClient4 } from "redis4";
import { RawClient } from "../../helpers/net.ts";
import { startTestServer } from "../../helpers/server.ts";
import { decodeReply } from "../reply_decoder.ts";
import { command } from "../resp_client.ts";
import { BIT_ERRORS, DUMP_ERRORS, HLL_ERRORS } from "../../../protocols/resp/errors.ts";
import { crc64 } from "../../../protocols/resp/storage/dump_format.ts";

function ioredis(port: number): Redis {
  return new Redis({ port, host: "127.0.0.1", lazyConnect: false, maxRetriesPerRequest: 0 });
}

function elements(from: number, to: number): string[] {
  return Array.from({ length: to - from }, (_, i) => `e${from + i}`);
}

/** Send one command and return the exact bytes of its reply. */
async function call(client: RawClient, ...args: string[]): Promise<string> {
  await client.send(command(...args));
  const bytes = await client.readUntil((buf) => decodeReply(buf)?.used ?? 0);
  return new TextDecoder("latin1").decode(bytes);
}

Deno.test("bitmaps and bitfields through ioredis 6 (RESP3)", async () => {
  await using s = await startTestServer({ protocols: ["redis"] });
  const r = ioredis(s.ports.redis);
  try {
    assertEquals(await r.setbit("bm", 7, 1), 0);
    assertEquals(await r.setbit("bm", 7, 1), 1);
    assertEquals(await r.setbit("bm", 100, 1), 0);
    assertEquals(await r.strlen("bm"), 13);
    assertEquals(await r.getbit("bm", 100), 1);
    assertEquals(await r.getbit("bm", 1_000_000), 0);
    await r.set("s", "foobar");
    assertEquals(await r.bitcount("s"), 26);
    assertEquals(await r.bitcount("s", 1, 1), 6);
    assertEquals(await r.call("BITCOUNT", "s", "5", "30", "BIT"), 17);
    assertEquals(await r.bitpos("s", 1, 2, -1), 17);
    assertEquals(await r.call("BITPOS", "s", "0", "7", "15", "BIT"), 7);
    await r.set("ones", Buffer.from([0xff, 0xff]));
    assertEquals(await r.bitpos("ones", 0), 16);
    assertEquals(await r.bitpos("ones", 0, 0, -1), -1);
    await r.set("a", "abc");
    await r.set("b", Buffer.from([1, 2]));
    assertEquals(await r.bitop("AND", "dest", "a", "b"), 3);
    assertEquals(await r.getBuffer("dest"), Buffer.from([0x61 & 1, 0x62 & 2, 0]));
    assertEquals(await r.bitop("NOT", "dest", "b"), 2);
    assertEquals(await r.getBuffer("dest"), Buffer.from([0xfe, 0xfd]));
    assertEquals(
      await r.call("BITFIELD", "bf", "SET", "i8", "0", "100", "INCRBY", "i8", "0", "100"),
      [0, -56],
    );
    assertEquals(
      await r.call(
        "BITFIELD",
        "bf",
        "OVERFLOW",
        "SAT",
        "INCRBY",
        "i8",
        "0",
        "-200",
        "OVERFLOW",
        "FAIL",
        "INCRBY",
        "i8",
        "0",
        "-1",
      ),
      [-128, null],
    );
    assertEquals(await r.call("BITFIELD", "bf", "SET", "u8", "#1", "255", "GET", "u8", "#1"), [
      0,
      255,
    ]);
    assertEquals(await r.call("BITFIELD_RO", "bf", "GET", "u16", "0"), [0x80ff]);
    await rejects(r.call("BITFIELD_RO", "bf", "SET", "u8", "0", "1"), {
      message: BIT_ERRORS.bitfieldRo,
    });
    await rejects(r.bitfield("bf", "GET", "u64", 0), { message: BIT_ERRORS.fieldType });
    await rejects(r.setbit("bm", 4294967296, 1), { message: BIT_ERRORS.offset });
    await rejects(r.setbit("bm", 0, 2), { message: BIT_ERRORS.bit });
    await r.hset("h", "f", "v");
    await rejects(r.setbit("h", 0, 1), /WRONGTYPE/);
  } finally {
    r.disconnect();
  }
});

Deno.test("HyperLogLog through ioredis 5 (RESP2): Redis's counts and bytes", async () => {
  await using s = await startTestServer({ protocols: ["redis"] });
  const r = new Redis5({ port: s.ports.redis, host: "127.0.0.1", maxRetriesPerRequest: 0 });
  try {
    assertEquals(await r.pfadd("empty"), 1);
    assertEquals(await r.pfcount("empty"), 0);
    // What redis-server answers for the same inputs (same hash, registers and estimator).
    for (let i = 0; i < 1000; i += 100) await r.pfadd("a", ...elements(i, i + 100));
    for (let i = 500; i < 20000; i += 500) await r.pfadd("b", ...elements(i, i + 500));
    assertEquals(await r.pfadd("a", "e1"), 0);
    assertEquals(await r.pfcount("a"), 1008);
    assertEquals(await r.strlen("a"), 1906); // still sparse
    assertEquals(await r.pfcount("b"), 19416);
    assertEquals(await r.strlen("b"), 12304); // dense
    const before = await r.getBuffer("a");
    assertEquals(await r.pfcount("a", "b", "missing"), 19901);
    assertEquals(await r.getBuffer("a"), before);
    assertEquals(await r.type("a"), "string");
    assertEquals((await r.getBuffer("a"))!.subarray(0, 4).toString(), "HYLL");
    assertEquals(await r.pfmerge("m", "a", "b"), "OK");
    assertEquals(await r.pfcount("m"), 19901);
    await r.set("str", "not an hll");
    await rejects(r.pfadd("str", "x"), { message: HLL_ERRORS.notHll });
    await rejects(r.pfcount("str"), { message: HLL_ERRORS.notHll });
    await rejects(r.pfmerge("m", "str"), { message: HLL_ERRORS.notHll });
  } finally {
    r.disconnect();
  }
});

Deno.test("DUMP/RESTORE round trip between two basekv servers through ioredis", async () => {
  await using one = await startTestServer({ protocols: ["redis"] });
  await using two = await startTestServer({ protocols: ["redis"] });
  const a = ioredis(one.ports.redis);
  const b = ioredis(two.ports.redis);
  try {
    const binary = Buffer.from(Array.from({ length: 300 }, (_, i) => i & 0xff));
    await a.set("str", binary);
    await a.hset("h", "f1", "v1", "f2", "x".repeat(100));
    await a.pfadd("hll", "x", "y", "z");
    for (const key of ["str", "h", "hll"]) {
      const payload = await a.dumpBuffer(key);
      assertEquals(await b.restore(key, 0, payload), "OK");
      await rejects(b.restore(key, 0, payload), { message: DUMP_ERRORS.busyKey });
      assertEquals(await b.restore(key, 0, payload, "REPLACE"), "OK");
    }
    assertEquals(await b.getBuffer("str"), binary);
    assertEquals(await b.hgetall("h"), { f1: "v1", f2: "x".repeat(100) });
    assertEquals(await b.object("ENCODING", "h"), "hashtable");
    assertEquals(await b.pfcount("hll"), 3);
    const payload = await a.dumpBuffer("str");
    const corrupt = Buffer.from(payload);
    corrupt[5] ^= 1;
    await rejects(b.restore("c", 0, corrupt), { message: DUMP_ERRORS.payload });
    await rejects(b.restore("c", 0, Buffer.from("short")), { message: DUMP_ERRORS.payload });
    await rejects(b.restore("c", -1, payload), { message: DUMP_ERRORS.ttl });
    await rejects(b.call("RESTORE", "c", "0", payload, "FREQ", "300"), {
      message: DUMP_ERRORS.freq,
    });
    assertEquals(await b.restore("ttl", 100_000, payload, "IDLETIME", 10), "OK");
    ok((await b.pttl("ttl")) > 90_000);
    assertEquals(await b.restore("gone", Date.now() - 1000, payload, "ABSTTL"), "OK");
    assertEquals(await b.exists("gone"), 0);
    assertEquals(await a.dump("missing"), null);
    // A well-formed trailer over a hash body naming field "a" twice: refused as Redis does.
    const body = Buffer.from([4, 2, 1, 0x61, 1, 0x31, 1, 0x61, 1, 0x32, 11, 0]);
    const trailer = Buffer.alloc(8);
    trailer.writeBigUInt64LE(crc64(body));
    await rejects(b.restore("dup", 0, Buffer.concat([body, trailer])), {
      message: DUMP_ERRORS.badFormat,
    });
    assertEquals(await b.exists("dup"), 0);
  } finally {
    a.disconnect();
    b.disconnect();
  }
});

Deno.test("node-redis 6 (RESP3): CONFIG SET/GET of encoding thresholds and OBJECT ENCODING", async () => {
  await using s = await startTestServer({ protocols: ["redis"] });
  const client = createClient6({ url: `redis://127.0.0.1:${s.ports.redis}` });
  await client.connect();
  try {
    assertEquals(await client.configSet("hash-max-ziplist-value", "128"), "OK");
    assertEquals({ ...await client.configGet("hash-max-listpack-value") }, {
      "hash-max-listpack-value": "128",
    });
    assertEquals(await client.configSet("zset-max-listpack-value", "1kb"), "OK");
    assertEquals({ ...await client.configGet("zset-max-ziplist-value") }, {
      "zset-max-ziplist-value": "1024",
    });
    await rejects(
      client.configSet("list-compress-depth", "-1"),
      /argument must be between 0 and 2147483647 inclusive/,
    );
    await rejects(
      client.configSet("set-max-intset-entries", "abc"),
      /argument couldn't be parsed into an integer/,
    );
    await rejects(client.configSet("hll-sparse-max-bytes", "x"), /argument must be a memory value/);
    assertEquals(await client.configSet("hash-max-listpack-entries", "2"), "OK");
    await client.hSet("small", { a: "1", b: "2" });
    assertEquals(await client.objectEncoding("small"), "listpack");
    await client.hSet("small", "c", "3");
    assertEquals(await client.objectEncoding("small"), "hashtable");
    await client.hDel("small", "c");
    assertEquals(await client.objectEncoding("small"), "hashtable");
    await client.hSet("long", "f", "v".repeat(100));
    assertEquals(await client.objectEncoding("long"), "listpack");
  } finally {
    await client.close();
  }
});

Deno.test("node-redis 4 (RESP2): INFO commandstats, errorstats and CONFIG RESETSTAT", async () => {
  await using s = await startTestServer({ protocols: ["redis"] });
  const client = createClient4({ url: `redis://127.0.0.1:${s.ports.redis}` });
  await client.connect();
  try {
    await client.configResetStat();
    await client.set("k", "v");
    await client.get("k");
    await client.get("k");
    await rejects(client.incr("k"), /ERR/);
    await rejects(client.sendCommand(["GET"]), /wrong number of arguments/);
    await rejects(client.sendCommand(["PFADD", "k", "x"]), /WRONGTYPE/);
    const info = await client.info("commandstats");
    ok(info.startsWith("# Commandstats\r\n"), info);
    ok(
      /cmdstat_get:calls=2,usec=\d+,usec_per_call=\d+\.\d\d,rejected_calls=1,failed_calls=0/.test(
        info,
      ),
      info,
    );
    ok(/cmdstat_incr:calls=1,.*rejected_calls=0,failed_calls=1/.test(info), info);
    ok(!info.includes("cmdstat_info"), info);
    const errors = await client.info("errorstats");
    ok(errors.includes("errorstat_ERR:count=2"), errors);
    ok(errors.includes("errorstat_WRONGTYPE:count=1"), errors);
    ok((await client.info("stats")).includes("total_error_replies:3"));
    ok((await client.info("all")).includes("# Commandstats"));
    ok(!(await client.info()).includes("# Commandstats"));
    await client.configResetStat();
    const after = await client.info("commandstats");
    ok(!after.includes("cmdstat_get"), after);
    ok(!(await client.info("errorstats")).includes("errorstat_ERR"));
  } finally {
    await client.quit();
  }
});

Deno.test("raw sockets: bit offsets at the 512 MB limit, BITFIELD parsing order, HLL errors", async () => {
  await using s = await startTestServer({ protocols: ["redis"] });
  const c = await RawClient.connect(s.ports.redis);
  try {
    assertEquals(await call(c, "SETBIT", "k", "4294967296", "1"), `-${BIT_ERRORS.offset}\r\n`);
    assertEquals(await call(c, "GETBIT", "k", "-1"), `-${BIT_ERRORS.offset}\r\n`);
    assertEquals(
      await call(c, "BITFIELD", "k", "GET", "u8", "#536870912"),
      `-${BIT_ERRORS.offset}\r\n`,
    );
    assertEquals(await call(c, "BITFIELD", "k", "GET", "i8", "4294967288"), "*1\r\n:0\r\n");
    assertEquals(await call(c, "EXISTS", "k"), ":0\r\n");
    // A FAIL overflow still creates the key, zero-filled, as Redis's lookup-for-write does.
    assertEquals(
      await call(c, "BITFIELD", "n", "OVERFLOW", "FAIL", "INCRBY", "u2", "100", "7"),
      "*1\r\n$-1\r\n",
    );
    assertEquals(await call(c, "STRLEN", "n"), ":13\r\n");
    assertEquals(
      await call(c, "BITFIELD", "k", "OVERFLOW", "FOO"),
      `-${BIT_ERRORS.overflowType}\r\n`,
    );
    assertEquals(await call(c, "BITFIELD", "k", "GET", "i8"), "-ERR syntax error\r\n");
    assertEquals(await call(c, "BITOP", "NOT", "d", "a", "b"), `-${BIT_ERRORS.bitopNot}\r\n`);
    assertEquals(await call(c, "BITPOS", "k", "2"), `-${BIT_ERRORS.bitposBit}\r\n`);
    assertEquals(await call(c, "BITCOUNT", "k", "0"), "-ERR syntax error\r\n");
    // 8 MiB of bits: the string grows once and the far bit reads back.
    assertEquals(await call(c, "SETBIT", "big", String(64 * 1024 * 1024 - 1), "1"), ":0\r\n");
    assertEquals(await call(c, "STRLEN", "big"), `:${8 * 1024 * 1024}\r\n`);
    assertEquals(await call(c, "BITPOS", "big", "1"), `:${64 * 1024 * 1024 - 1}\r\n`);
    assertEquals(await call(c, "BITCOUNT", "big"), ":1\r\n");
    assertEquals(await call(c, "SET", "fake", "HYLLxxxxxxxxxxxxxxxxxxxxxxxx"), "+OK\r\n");
    assertEquals(await call(c, "PFADD", "fake", "a"), `-${HLL_ERRORS.notHll}\r\n`);
    assertEquals(await call(c, "PFCOUNT", "nokey"), ":0\r\n");
    assertEquals(await call(c, "PFMERGE", "dest"), "+OK\r\n");
    assertEquals(await call(c, "PFCOUNT", "dest"), ":0\r\n");
  } finally {
    c.close();
  }
});

/**
 * DUMP and RESTORE of lists, sets, sorted sets, hashes and streams in Redis's RDB encodings:
 * payloads byte-identical to Debian's redis-server 7.0 where both encode alike, RESTORE of its
 * payloads, RESTORE of ours into it, and basekv-to-basekv round trips of every encoding.
 * @module
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { startTestServer } from "../../helpers/server.ts";
import { hasRedisServer, startRedisServer } from "../../helpers/redis_server.ts";
import { RespClient } from "../resp_client.ts";
import { crc64 } from "../../../protocols/resp/storage/dump_format.ts";
import type { Reply } from "../../../protocols/resp/reply.ts";

/** Redis 7.0's RDB version: what its RESTORE accepts at most. */
const RDB_VERSION_7_0 = 10;
/** Types Redis 7.2 writes that 7.0 cannot read: set listpack, stream listpacks v3. */
const NEWER_TYPES = new Set([20, 21]);
/** Stream listpacks v2 (7.0) and v3 (7.2) share the layout when no group has consumers. */
const STREAM_V2 = 19;
const STREAM_V3 = 21;

const pad = (n: number, c = "x") => c.repeat(n);
const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

/** Commands that build one key each (the same on both servers). */
const FIXTURES: string[][] = [
  ["RPUSH", "list", "a", "b", "1", "2", "300", "-5", "70000", "hello"],
  ["RPUSH", "list:big", ...range(800).map((i) => `item-${i}-${pad(24)}-${i * i}`)],
  ["RPUSH", "list:ints", ...range(200).map((i) => String(i * 1000 - 7))],
  ...range(200).map((i) => ["LPUSH", "list:lpush", `v${i}-${pad(90, "y")}`]),
  ["SADD", "set:int", "1", "2", "3", "-100", "100000"],
  ["SADD", "set:int64", "1", "2", "3", "-100", "10000000000"],
  ["SADD", "set:bigint", ...range(300).map((i) => String(i * 7))],
  ["ZADD", "zset", "1", "a", "2.5", "b", "-3", "c", "1e100", "d", "inf", "e"],
  ...range(60).map((i) => ["ZADD", "zset:long", String(i), `member-${i}-${pad(70, "z")}`]),
  ...range(300).map((i) => ["ZADD", "zset:skiplist", `${i}.5`, `mem${i}`]),
  ["HSET", "hash", "f1", "v1", "f2", "22"],
  ...range(60).map((i) => ["HSET", "hash:padded", `f${i}`, `value-${i}-abcdefghij`]),
  ["SET", "string:int", "12345"],
  ["SET", "string:lzf", pad(39, "a")],
  ["XADD", "stream", "1-1", "f", "v"],
  ["XADD", "stream", "1-2", "f", "w", "g", "x"],
  ...range(350).map((i) => [
    "XADD",
    "stream:nodes",
    `${i * 3}-${i}`,
    "name",
    `n${i}`,
    "value",
    String(i * i),
    "pad",
    `${pad(32)}${i}`,
  ]),
];
/** Keys whose payload bodies redis-server 7.0 writes byte for byte as basekv does. */
const IDENTICAL = [
  "list",
  "list:big",
  "list:ints",
  "list:lpush",
  "set:int",
  "set:int64",
  "set:bigint",
  "zset",
  "zset:long",
  "zset:skiplist",
  "hash",
  "hash:padded",
  "string:int",
  "string:lzf",
  "stream",
  "stream:nodes",
];
/** Keys created only on basekv (encodings Redis 7.0 lacks, groups with live timestamps). */
const OURS_ONLY: string[][] = [
  ["SADD", "set:listpack", "a", "b", "c", "d"],
  ["SADD", "set:hashtable", ...range(200).map((i) => `m${i}`)],
  ["XGROUP", "CREATE", "stream:nodes", "g1", "0"],
  ["XGROUP", "CREATE", "stream:nodes", "g2", "$"],
  ["XREADGROUP", "GROUP", "g1", "alice", "COUNT", "3", "STREAMS", "stream:nodes", ">"],
  ["XREADGROUP", "GROUP", "g1", "bob", "COUNT", "2", "STREAMS", "stream:nodes", ">"],
  ["XACK", "stream:nodes", "g1", "3-1"],
];

function bytesOf(r: Reply): Uint8Array {
  if (r.type !== "bulk") throw new Error(`not a bulk: ${JSON.stringify(r)}`);
  return typeof r.value === "string" ? new TextEncoder().encode(r.value) : r.value;
}

/** A reply as comparable JSON (bulk bytes as latin1 text). */
function plain(r: Reply): unknown {
  if (r.type === "bulk") {
    return typeof r.value === "string" ? r.value : new TextDecoder("latin1").decode(r.value);
  }
  if (r.type === "array" || r.type === "set") return r.value.map(plain);
  if (r.type === "integer") return Number(r.value);
  if (r.type === "simple" || r.type === "error") return `${r.type}:${r.value}`;
  return r.type;
}

/** Everything a key holds, in a server-independent order. */
async function contents(c: RespClient, key: string): Promise<unknown> {
  const type = plain(await c.call("TYPE", key));
  const read: Record<string, string[]> = {
    "simple:string": ["GET", key],
    "simple:list": ["LRANGE", key, "0", "-1"],
    "simple:set": ["SMEMBERS", key],
    "simple:zset": ["ZRANGE", key, "0", "-1", "WITHSCORES"],
    "simple:hash": ["HGETALL", key],
    "simple:stream": ["XRANGE", key, "-", "+"],
  };
  const args = read[type as string];
  if (!args) return type;
  const value = plain(await c.call(...args));
  if (type === "simple:set") (value as string[]).sort();
  if (type === "simple:hash") {
    const pairs = value as string[];
    const map: string[][] = [];
    for (let i = 0; i < pairs.length; i += 2) map.push([pairs[i], pairs[i + 1]]);
    return [type, map.sort()];
  }
  return [type, value];
}

/** The payload with another RDB version in its trailer (and the CRC64 to match). */
function withVersion(payload: Uint8Array, version: number): Uint8Array {
  const out = payload.slice();
  const footer = out.length - 10;
  out[footer] = version & 0xff;
  out[footer + 1] = version >> 8;
  new DataView(out.buffer).setBigUint64(footer + 2, crc64(out.subarray(0, footer + 2)), true);
  return out;
}

function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

async function build(c: RespClient, fixtures: string[][]): Promise<void> {
  for (const args of fixtures) {
    const reply = await c.call(...args);
    assert(reply.type !== "error", `${args.join(" ")}: ${JSON.stringify(reply)}`);
  }
}

Deno.test({
  name: "DUMP payloads match redis-server's, and each server RESTOREs the other's",
  ignore: !(await hasRedisServer),
  async fn() {
    await using redis = await startRedisServer({ durable: false });
    await using s = await startTestServer({ protocols: ["redis"] });
    using ref = await RespClient.connect(redis.port);
    using ours = await RespClient.connect(s.ports.redis);
    await build(ref, FIXTURES);
    await build(ours, FIXTURES);
    const mismatches: string[] = [];
    for (const key of IDENTICAL) {
      const want = bytesOf(await ref.call("DUMP", key));
      const got = bytesOf(await ours.call("DUMP", key));
      const [a, b] = [want.subarray(0, -10), got.subarray(0, -10)];
      const streamVersions = a[0] === STREAM_V2 && b[0] === STREAM_V3;
      const same = streamVersions ? hex(a.subarray(1)) === hex(b.subarray(1)) : hex(a) === hex(b);
      if (!same) mismatches.push(`${key}: redis ${hex(a)}\n  basekv ${hex(b)}`);
    }
    assertEquals(mismatches, []);

    for (const key of IDENTICAL) {
      // redis-server's payload into basekv: the same contents (and encoding, where 7.0's
      // matches 7.2's).
      const theirs = bytesOf(await ref.call("DUMP", key));
      assertEquals(
        plain(await ours.call("RESTORE", `from-redis:${key}`, "0", theirs)),
        "simple:OK",
      );
      assertEquals(await contents(ours, `from-redis:${key}`), await contents(ref, key), key);
      if (/^(zset|set:int|hash)/.test(key)) {
        assertEquals(
          plain(await ours.call("OBJECT", "ENCODING", `from-redis:${key}`)),
          plain(await ref.call("OBJECT", "ENCODING", key)),
          key,
        );
      }
      // basekv's payload into redis-server (relabelled as RDB 10 when 7.0 knows the type).
      const mine = bytesOf(await ours.call("DUMP", key));
      if (NEWER_TYPES.has(mine[0])) continue;
      const relabelled = withVersion(mine, RDB_VERSION_7_0);
      assertEquals(
        plain(await ref.call("RESTORE", `from-basekv:${key}`, "0", relabelled)),
        "simple:OK",
      );
      assertEquals(await contents(ref, `from-basekv:${key}`), await contents(ours, key), key);
    }
    // A 7.0 stream with groups, consumers, pending entries and a deleted entry (RDB stream v2).
    await build(ref, [
      ["XGROUP", "CREATE", "stream:nodes", "g1", "0"],
      ["XGROUP", "CREATE", "stream:nodes", "g2", "30-10"],
      ["XREADGROUP", "GROUP", "g1", "alice", "COUNT", "3", "STREAMS", "stream:nodes", ">"],
      ["XREADGROUP", "GROUP", "g1", "bob", "COUNT", "2", "STREAMS", "stream:nodes", ">"],
      ["XACK", "stream:nodes", "g1", "6-2"],
      ["XDEL", "stream:nodes", "300-100"],
    ]);
    const grouped = bytesOf(await ref.call("DUMP", "stream:nodes"));
    assertEquals(plain(await ours.call("RESTORE", "grouped", "0", grouped)), "simple:OK");
    // XINFO STREAM less the radix-tree sizes (basekv's are estimates of Redis's node layout).
    const info = async (c: RespClient, args: string[]) => {
      const reply = plain(await c.call(...args)) as unknown[];
      if (args[1] !== "STREAM") return reply;
      return reply.filter((_, i) => !String(reply[i - (i % 2)]).startsWith("radix-tree"));
    };
    for (const args of [["XINFO", "GROUPS"], ["XINFO", "STREAM"], ["XLEN"]]) {
      assertEquals(
        await info(ours, [...args, "grouped"]),
        await info(ref, [...args, "stream:nodes"]),
        args.join(" "),
      );
    }
    const pending = async (c: RespClient, key: string) =>
      (plain(await c.call("XPENDING", key, "g1", "-", "+", "10")) as unknown[][])
        .map(([id, consumer, _idle, deliveries]) => [id, consumer, deliveries]);
    assertEquals(await pending(ours, "grouped"), await pending(ref, "stream:nodes"));
  },
});

Deno.test("DUMP and RESTORE round-trip every collection encoding, with TTL and groups", async () => {
  await using s = await startTestServer({ protocols: ["redis"] });
  using c = await RespClient.connect(s.ports.redis);
  await build(c, [...FIXTURES, ...OURS_ONLY]);
  const keys = [...new Set([...FIXTURES, ...OURS_ONLY].map((f) => f[1] === "CREATE" ? f[2] : f[1]))]
    .filter((k) => !k.startsWith("GROUP"));
  for (const key of keys) {
    const payload = bytesOf(await c.call("DUMP", key));
    assertEquals(plain(await c.call("RESTORE", `copy:${key}`, "100000", payload)), "simple:OK");
    assertEquals(await contents(c, `copy:${key}`), await contents(c, key), key);
    assertEquals(
      plain(await c.call("OBJECT", "ENCODING", `copy:${key}`)),
      plain(await c.call("OBJECT", "ENCODING", key)),
      key,
    );
    const ttl = plain(await c.call("PTTL", `copy:${key}`)) as number;
    assert(ttl > 0 && ttl <= 100000, `${key}: ${ttl}`);
    // The copy dumps to the same payload.
    assertEquals(hex(bytesOf(await c.call("DUMP", `copy:${key}`))), hex(payload), key);
  }
  // Groups, consumers and the pending entries list come back whole (idle times aside).
  const groups = async (key: string) => [
    plain(await c.call("XINFO", "GROUPS", key)),
    (plain(await c.call("XPENDING", key, "g1", "-", "+", "10")) as unknown[][])
      .map(([id, consumer, _idle, deliveries]) => [id, consumer, deliveries]),
    (plain(await c.call("XINFO", "CONSUMERS", key, "g1")) as unknown[][])
      .map((fields) => fields.slice(0, 4)),
  ];
  assertEquals(await groups("copy:stream:nodes"), await groups("stream:nodes"));
});

Deno.test("RESTORE refuses malformed collection payloads with Redis's error", async () => {
  await using s = await startTestServer({ protocols: ["redis"] });
  using c = await RespClient.connect(s.ports.redis);
  const bad = "error:ERR Bad data format";
  const payload = (body: number[]) =>
    withVersion(new Uint8Array([...body, 0, 0, ...new Array(8).fill(0)]), 11);
  const cases: [string, number[]][] = [
    // A plain set naming "a" twice.
    ["duplicate set member", [2, 2, 1, 0x61, 1, 0x61]],
    // An empty set.
    ["empty set", [2, 0]],
    // An intset whose values are out of order.
    ["unsorted intset", [11, 12, 2, 0, 0, 0, 2, 0, 0, 0, 5, 0, 3, 0]],
    // A quicklist node whose listpack claims more bytes than it has.
    ["short listpack", [18, 1, 2, 9, 0x10, 0, 0, 0, 1, 0, 0x01, 0x01, 0xff]],
    // A sorted-set listpack with a member and no score.
    ["odd zset listpack", [17, 9, 9, 0, 0, 0, 1, 0, 0x81, 0x61, 0xff]],
    // A quicklist node of an unknown container kind.
    ["unknown container", [18, 1, 7, 1, 0x61]],
  ];
  for (const [name, body] of cases) {
    assertEquals(plain(await c.call("RESTORE", "k", "0", payload(body))), bad, name);
    assertEquals(plain(await c.call("EXISTS", "k")), 0, name);
  }
});

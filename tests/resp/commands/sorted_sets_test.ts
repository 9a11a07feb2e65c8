/**
 * Sorted sets and geo over real sockets: ioredis 6 (RESP3) and 5 (RESP2), node-redis 6 (RESP3)
 * and 4 (RESP2), and raw bytes for the reply shapes and edge cases clients hide.
 * @module
 */
import { deepStrictEqual as assertEquals, ok, rejects } from "node:assert/strict";
import { Buffer } from "node:buffer";
import { Redis } from "ioredis";
import { Redis as Redis5 } from "ioredis5";
import { createClient as createClient6 } from "redis";
import { createClient as createClient4 } from "redis4";
import { startTestServer } from "../../helpers/server.ts";
import { RawClient } from "../../helpers/net.ts";
import { decodeReply } from "../reply_decoder.ts";
import { command } from "../resp_client.ts";

function ioredis6(port: number): Redis {
  return new Redis({ port, host: "127.0.0.1", maxRetriesPerRequest: 0 });
}

function ioredis5(port: number): Redis5 {
  return new Redis5({ port, host: "127.0.0.1", maxRetriesPerRequest: 0 });
}

/** Send one command and return the exact bytes of its reply. */
async function raw(client: RawClient, ...args: string[]): Promise<string> {
  await client.send(command(...args));
  const bytes = await client.readUntil((buf) => decodeReply(buf)?.used ?? 0);
  return new TextDecoder("latin1").decode(bytes);
}

Deno.test("ioredis 6 (RESP3) and 5 (RESP2): a leaderboard, ranges, ranks, pops", async () => {
  await using s = await startTestServer({ protocols: ["redis"] });
  for (const r of [ioredis6(s.ports.redis), ioredis5(s.ports.redis)]) {
    try {
      await r.flushdb();
      assertEquals(await r.zadd("lb", 10, "ann", 30, "cat", 20, "bob", 20, "ava"), 4);
      assertEquals(await r.zadd("lb", "GT", "CH", 5, "ann", 40, "cat"), 1);
      assertEquals(await r.zincrby("lb", 0.1, "ann"), "10.1");
      assertEquals(await r.zscore("lb", "cat"), "40");
      assertEquals(await r.zrange("lb", 0, "-1"), ["ann", "ava", "bob", "cat"]);
      assertEquals(await r.zrange("lb", 0, "1", "WITHSCORES"), ["ann", "10.1", "ava", "20"]);
      assertEquals(await r.zrevrangebyscore("lb", "+inf", "(20"), ["cat"]);
      assertEquals(await r.zrangebyscore("lb", 20, 20, "LIMIT", 1, 1), ["bob"]);
      assertEquals(await r.zrank("lb", "bob"), 2);
      assertEquals(await r.zrevrank("lb", "bob"), 1);
      assertEquals(await r.zcount("lb", "(10.1", 40), 3);
      assertEquals(await r.zmscore("lb", "ava", "nobody"), ["20", null]);
      assertEquals(await r.zpopmin("lb"), ["ann", "10.1"]);
      assertEquals(await r.zpopmax("lb", 2), ["cat", "40", "bob", "20"]);
      assertEquals(await r.zcard("lb"), 1);
      assertEquals(await r.zrem("lb", "ava", "ava"), 1);
      assertEquals(await r.exists("lb"), 0);
      await r.set("str", "x");
      await rejects(r.zadd("str", 1, "a"), /WRONGTYPE/);
      await rejects(r.zadd("lb", "nan", "a"), /ERR value is not a valid float/);
      await rejects(r.zadd("lb", "INCR", "inf", "a", "-inf", "b"), /single increment/);
      await r.zadd("lb", "inf", "a");
      await rejects(r.zincrby("lb", "-inf", "a"), /ERR resulting score is not a number \(NaN\)/);
    } finally {
      r.disconnect();
    }
  }
});

Deno.test("encodings follow Redis's listpack limits; TYPE, COPY and set algebra", async () => {
  await using s = await startTestServer({ protocols: ["redis"] });
  const r = ioredis6(s.ports.redis);
  try {
    const args: (string | number)[] = [];
    for (let i = 0; i < 128; i++) args.push(i, `m${i}`);
    await r.zadd("z", ...args);
    assertEquals(await r.object("ENCODING", "z"), "listpack");
    assertEquals(await r.type("z"), "zset");
    await r.zadd("z", 500, "one-more");
    assertEquals(await r.object("ENCODING", "z"), "skiplist");
    await r.zremrangebyrank("z", 0, 100);
    assertEquals(await r.zcard("z"), 28);
    assertEquals(await r.object("ENCODING", "z"), "skiplist");
    await r.zadd("long", 1, "x".repeat(65));
    assertEquals(await r.object("ENCODING", "long"), "skiplist");
    assertEquals(await r.copy("z", "z2"), 1);
    await r.zadd("z", 1000, "only-in-z");
    assertEquals(await r.zcard("z2"), 28);
    assertEquals(await r.zrange("z2", -1, "-1", "WITHSCORES"), ["one-more", "500"]);
    assertEquals(await r.zunionstore("u", 2, "z", "z2", "WEIGHTS", 1, 2), 29);
    assertEquals(await r.zscore("u", "one-more"), "1500");
    assertEquals(await r.object("ENCODING", "u"), "listpack");
    assertEquals(await r.zinterstore("i", 2, "z", "z2", "AGGREGATE", "MIN"), 28);
    assertEquals(await r.zdiff(2, "z", "z2"), ["only-in-z"]);
    assertEquals(await r.zintercard(2, "z", "z2", "LIMIT", 5), 5);
    assertEquals(await r.zrangestore("top", "z", 0, 2, "REV"), 3);
    assertEquals(await r.zrange("top", 0, "-1"), ["m127", "one-more", "only-in-z"]);
  } finally {
    r.disconnect();
  }
});

Deno.test("binary members with every byte value keep byte order for ties and lex ranges", async () => {
  await using s = await startTestServer({ protocols: ["redis"] });
  const r = ioredis6(s.ports.redis);
  try {
    const members = [Buffer.from([0]), Buffer.from([0, 0]), Buffer.from([1]), Buffer.from([255])];
    for (const m of [...members].reverse()) await r.zadd("bin", 0, m);
    assertEquals(await r.zrangeBuffer("bin", 0, "-1"), members);
    assertEquals(
      await r.zrangebylexBuffer("bin", Buffer.from("(\0"), Buffer.from([0x5b, 0xff])),
      members.slice(1),
    );
    assertEquals(await r.zlexcount("bin", "-", "+"), 4);
    const long = Buffer.alloc(3000, 7);
    await r.zadd("bin", 0, long);
    assertEquals(await r.zscore("bin", long), "0");
    assertEquals((await r.zrangeBuffer("bin", 3, "3"))[0], long);
    assertEquals(await r.zrem("bin", long), 1);
  } finally {
    r.disconnect();
  }
});

Deno.test("node-redis 6 (RESP3) and 4 (RESP2): sorted sets and geo", async () => {
  await using s = await startTestServer({ protocols: ["redis"] });
  const c6 = createClient6({ url: `redis://127.0.0.1:${s.ports.redis}` });
  await c6.connect();
  try {
    assertEquals(await c6.zAdd("z", [{ score: 1, value: "a" }, { score: 2.5, value: "b" }]), 2);
    assertEquals(await c6.zRangeWithScores("z", 0, -1), [
      { value: "a", score: 1 },
      { value: "b", score: 2.5 },
    ]);
    assertEquals(await c6.zScore("z", "b"), 2.5);
    assertEquals(await c6.zRank("z", "b"), 1);
    assertEquals(await c6.zmPop("z", "MIN"), { key: "z", members: [{ value: "a", score: 1 }] });
    assertEquals(
      await c6.geoAdd("g", { longitude: 13.361389, latitude: 38.115556, member: "P" }),
      1,
    );
    await c6.geoAdd("g", { longitude: 15.087269, latitude: 37.502669, member: "C" });
    assertEquals(await c6.geoDist("g", "P", "C", "km"), 166.2742);
    assertEquals(
      await c6.geoSearch("g", { longitude: 15, latitude: 37 }, { radius: 100, unit: "km" }),
      ["C"],
    );
    const [pos] = await c6.geoPos("g", "P");
    assertEquals(pos, { longitude: 13.361389338970184, latitude: 38.1155563954963 });
  } finally {
    await c6.close();
  }
  const c4 = createClient4({ url: `redis://127.0.0.1:${s.ports.redis}` });
  await c4.connect();
  try {
    await c4.zAdd("y", [{ score: 3, value: "x" }, { score: 1, value: "w" }]);
    assertEquals(await c4.zRangeWithScores("y", 0, -1), [
      { value: "w", score: 1 },
      { value: "x", score: 3 },
    ]);
    assertEquals(await c4.zPopMax("y"), { value: "x", score: 3 });
    assertEquals(await c4.geoHash("g", "P"), ["sqc8b49rny0"]);
    assertEquals(await c4.geoPos("g", "missing"), [null]);
  } finally {
    await c4.quit();
  }
});

Deno.test("raw RESP2 and RESP3 bytes: scores, nested pairs, ranks, errors", async () => {
  await using s = await startTestServer({ protocols: ["redis"] });
  const c = await RawClient.connect(s.ports.redis);
  try {
    await raw(c, "ZADD", "z", "0.1", "a", "inf", "b", "-0", "c");
    assertEquals(await raw(c, "ZSCORE", "z", "a"), "$3\r\n0.1\r\n");
    assertEquals(
      await raw(c, "ZRANGE", "z", "0", "-1", "WITHSCORES"),
      "*6\r\n$1\r\nc\r\n$1\r\n0\r\n$1\r\na\r\n$3\r\n0.1\r\n$1\r\nb\r\n$3\r\ninf\r\n",
    );
    assertEquals(await raw(c, "ZRANK", "z", "a", "WITHSCORE"), "*2\r\n:1\r\n$3\r\n0.1\r\n");
    assertEquals(await raw(c, "ZRANK", "z", "nope", "WITHSCORE"), "*-1\r\n");
    assertEquals(await raw(c, "ZRANK", "z", "a", "WITHSCORES"), "-ERR syntax error\r\n");
    await raw(c, "HELLO", "3");
    assertEquals(
      await raw(c, "ZRANGE", "z", "0", "0", "WITHSCORES"),
      "*1\r\n*2\r\n$1\r\nc\r\n,0\r\n",
    );
    assertEquals(await raw(c, "ZRANK", "z", "nope", "WITHSCORE"), "_\r\n");
    assertEquals(await raw(c, "ZPOPMIN", "z"), "*2\r\n$1\r\nc\r\n,0\r\n");
    assertEquals(await raw(c, "ZPOPMIN", "z", "1"), "*1\r\n*2\r\n$1\r\na\r\n,0.1\r\n");
    assertEquals(await raw(c, "ZMPOP", "1", "nope", "MIN"), "_\r\n");
    assertEquals(await raw(c, "ZADD", "z", "1e-400", "x"), "-ERR value is not a valid float\r\n");
    assertEquals(await raw(c, "ZADD", "z", "0x10", "x"), ":1\r\n");
    assertEquals(await raw(c, "ZSCORE", "z", "x"), ",16\r\n");
    assertEquals(await raw(c, "ZRANGEBYSCORE", "z", "(16", "+inf"), "*1\r\n$1\r\nb\r\n");
    assertEquals(
      await raw(c, "ZRANGEBYSCORE", "z", "[1", "2"),
      "-ERR min or max is not a float\r\n",
    );
    assertEquals(
      await raw(c, "ZRANGEBYLEX", "z", "a", "b"),
      "-ERR min or max not valid string range item\r\n",
    );
    await raw(c, "GEOADD", "g", "13.361389", "38.115556", "P");
    assertEquals(
      await raw(c, "GEOPOS", "g", "P", "Q"),
      "*2\r\n*2\r\n,13.36138933897018433\r\n,38.11555639549629859\r\n_\r\n",
    );
    assertEquals(await raw(c, "GEODIST", "g", "P", "P"), "$6\r\n0.0000\r\n");
    assertEquals(
      await raw(c, "GEOADD", "g", "181", "0", "x"),
      "-ERR invalid longitude,latitude pair 181.000000,0.000000\r\n",
    );
  } finally {
    c.close();
  }
});

Deno.test("geo searches near the antimeridian and in boxes find every point inside", async () => {
  await using s = await startTestServer({ protocols: ["redis"] });
  const r = ioredis6(s.ports.redis);
  try {
    await r.geoadd("w", 179.99, 0, "east", -179.99, 0, "west", 0, 0, "origin");
    // Across the antimeridian (redis-server finds both from 179.999; from exactly 180 its
    // geohash cell misses "west", and so does basekv's: the parity replay checks that).
    assertEquals(
      (await r.geosearch("w", "FROMLONLAT", 179.999, 0, "BYRADIUS", 10, "km", "ASC")).sort(),
      ["east", "west"],
    );
    const grid: (string | number)[] = [];
    for (let x = 0; x < 10; x++) {
      for (let y = 0; y < 10; y++) grid.push(x * 0.01, y * 0.01, `p${x}.${y}`);
    }
    await r.geoadd("grid", ...grid);
    const inBox = await r.geosearch("grid", "FROMLONLAT", 0.045, 0.045, "BYBOX", 5, 5, "km");
    ok(inBox.length > 0);
    const all = await r.geosearch("grid", "FROMLONLAT", 0.045, 0.045, "BYRADIUS", 100, "km");
    assertEquals(all.length, 100);
  } finally {
    r.disconnect();
  }
});

Deno.test("offsets past several skip pages land on the right members, from either end", async () => {
  await using s = await startTestServer({ protocols: ["redis"] });
  const r = ioredis6(s.ports.redis);
  try {
    const n = 10_000;
    const args: (string | number)[] = [];
    for (let i = 0; i < n; i++) args.push(i, `m${String(i).padStart(5, "0")}`);
    await r.zadd("z", ...args);
    await r.zadd("lex", ...args.map((a, i) => (i % 2 === 0 ? 0 : a)));
    assertEquals(await r.zrange("z", 4500, "4501"), ["m04500", "m04501"]);
    assertEquals(await r.zrange("z", 9000, "9001"), ["m09000", "m09001"]);
    assertEquals(await r.zrevrange("z", 5000, 5001), ["m04999", "m04998"]);
    assertEquals(await r.zrangebyscore("z", "(10", "+inf", "LIMIT", 8200, 2), ["m08211", "m08212"]);
    assertEquals(await r.zrevrangebyscore("z", "+inf", "-inf", "LIMIT", 9999, 5), ["m00000"]);
    assertEquals(await r.zrangebyscore("z", "-inf", "+inf", "LIMIT", 10_000, 5), []);
    assertEquals(await r.zrevrangebylex("lex", "+", "[m00100", "LIMIT", 4100, 1), ["m05899"]);
    assertEquals(await r.zrank("z", "m05000"), 5000);
    assertEquals(await r.zcount("z", "-inf", "+inf"), n);
    assertEquals(await r.zcount("z", "(100", 9000), 8900);
    assertEquals(await r.zlexcount("lex", "[m00100", "(m09000"), 8900);
    assertEquals(await r.zlexcount("lex", "-", "+"), n);
    const sample = await r.zrandmember("z", 50);
    assertEquals(new Set(sample).size, 50);
    ok(sample.every((m) => /^m\d{5}$/.test(m)));
    const repeats = await r.zrandmember("z", -20, "WITHSCORES");
    assertEquals(repeats.length, 40);
    for (let i = 0; i < 40; i += 2) assertEquals(`m${repeats[i + 1].padStart(5, "0")}`, repeats[i]);
    assertEquals(await r.zremrangebyrank("z", 4096, 8191), 4096);
    assertEquals(await r.zrange("z", 4095, "4096"), ["m04095", "m08192"]);
  } finally {
    r.disconnect();
  }
});

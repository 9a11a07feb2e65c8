/**
 * Keyspace notifications through ioredis: CONFIG SET notify-keyspace-events validation and the
 * CONFIG GET form, per-family events of real commands in Redis's order (only when something
 * changed), "new" events, events of a MULTI/EXEC, and "expired" events from the sweeper.
 * @module
 */
import assert from "node:assert/strict";
import { Redis } from "ioredis";
import { startTestServer } from "../../helpers/server.ts";

const clientTest = { sanitizeOps: false, sanitizeResources: false };

function ioredis(port: number): Redis {
  return new Redis({ port, host: "127.0.0.1", maxRetriesPerRequest: 1, retryStrategy: () => null });
}

/** Wait until `list` holds `count` items, then compare. */
async function expectEvents(list: string[], expected: string[]): Promise<void> {
  for (let i = 0; i < 300 && list.length < expected.length; i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  // A little longer, so an event that should not come has the chance to.
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(list.splice(0), expected);
}

/** A subscriber collecting "event key" from __keyevent@0__ (the keyspace side is checked once). */
async function listen(port: number): Promise<{ sub: Redis; got: string[] }> {
  const sub = ioredis(port);
  const got: string[] = [];
  sub.on("pmessage", (_p, channel: string, message: string) => {
    if (channel.startsWith("__keyevent@0__:")) got.push(`${channel.slice(15)} ${message}`);
    else got.push(`${channel} ${message}`);
  });
  await sub.psubscribe("__keyevent@0__:*");
  return { sub, got };
}

/**
 * A test on a fresh server with every event class on: `c` runs commands, `got` collects the
 * keyevent channel's "event key" lines.
 */
function eventTest(name: string, fn: (c: Redis, got: string[]) => Promise<void>): void {
  Deno.test({
    name,
    ...clientTest,
    async fn() {
      await using s = await startTestServer({ protocols: ["redis"] });
      const c = ioredis(s.ports.redis);
      const { sub, got } = await listen(s.ports.redis);
      try {
        await c.config("SET", "notify-keyspace-events", "KEA");
        await fn(c, got);
      } finally {
        c.disconnect();
        sub.disconnect();
      }
    },
  });
}

Deno.test({
  name: "notify-keyspace-events: validation and Redis's normalised CONFIG GET form",
  ...clientTest,
  async fn() {
    await using s = await startTestServer({ protocols: ["redis"] });
    const c = ioredis(s.ports.redis);
    try {
      const cases: [string, string][] = [
        ["An", "A"],
        ["Kn", "nK"],
        ["gxn", "gxn"],
        ["Ex", "xE"],
        [
          "$lshzxetdKEm",
          "$lshzxetdKEm",
        ],
        ["g$lshzxetdE", "AE"],
        ["", ""],
      ];
      for (const [value, shown] of cases) {
        assert.equal(await c.config("SET", "notify-keyspace-events", value), "OK");
        assert.deepEqual(await c.config("GET", "notify-keyspace-events"), [
          "notify-keyspace-events",
          shown,
        ]);
      }
      await assert.rejects(
        c.config("SET", "notify-keyspace-events", "q"),
        {
          message:
            "ERR CONFIG SET failed (possibly related to argument 'notify-keyspace-events') - Invalid event class character. Use 'Ag$lshzxeKEtmdn'.",
        },
      );
    } finally {
      c.disconnect();
    }
  },
});

Deno.test({
  name: "keyspace events: every family, in Redis's order, only for real changes",
  ...clientTest,
  async fn() {
    await using s = await startTestServer({ protocols: ["redis"] });
    const c = ioredis(s.ports.redis);
    const { sub, got } = await listen(s.ports.redis);
    try {
      // Off by default: nothing is published.
      await c.set("quiet", "1");
      await expectEvents(got, []);
      await c.config("SET", "notify-keyspace-events", "KEA");
      await c.set("a", "1", "EX", 100);
      await c.del("a", "missing");
      await c.del("missing");
      await c.incr("n");
      await c.append("n", "x");
      await c.getdel("n");
      await c.expire("nothing", 10);
      await expectEvents(got, ["set a", "expire a", "del a", "incrby n", "append n", "del n"]);

      await c.mset("x", "1", "y", "2");
      await c.persist("x");
      await c.expire("x", 100);
      await c.persist("x");
      await c.rename("x", "z");
      await c.copy("z", "w");
      await expectEvents(got, [
        "set x",
        "set y",
        "expire x",
        "persist x",
        "rename_from x",
        "rename_to z",
        "copy_to w",
      ]);

      await c.lpush("l", "a", "b");
      await c.rpop("l", 5);
      await c.rpush("l", "a", "b", "a");
      await c.linsert("l", "BEFORE", "b", "q");
      await c.lset("l", 0, "z");
      await c.lrem("l", 0, "nope");
      await c.lrem("l", 0, "a");
      await c.ltrim("l", 0, 0);
      await c.lmove("l", "l2", "LEFT", "RIGHT");
      await expectEvents(got, [
        "lpush l",
        "rpop l",
        "del l",
        "rpush l",
        "linsert l",
        "lset l",
        "lrem l",
        "ltrim l",
        "rpush l2",
        "lpop l",
        "del l",
      ]);

      await c.hset("h", "f", "v", "g", "w");
      await c.hincrby("h", "n", 1);
      await c.hdel("h", "nope");
      await c.hdel("h", "f", "g", "n");
      await c.sadd("s", "a", "b");
      await c.sadd("s", "a");
      await c.srem("s", "a");
      await c.smove("s", "t", "b");
      await c.sadd("u", "1");
      await c.sinterstore("d", "u", "t");
      await c.sunionstore("d", "u", "t");
      await expectEvents(got, [
        "hset h",
        "hincrby h",
        "hdel h",
        "del h",
        "sadd s",
        "srem s",
        "srem s",
        "del s",
        "sadd t",
        "sadd u",
        "sunionstore d",
      ]);

      await c.setbit("b", 3, 1);
      await c.setbit("b", 3, 1); // unchanged: no event
      await c.setbit("b", 2, 0); // unchanged, within the string: no event
      await c.setbit("b", 20, 0); // grows the string: an event
      await c.bitop("OR", "bo", "b");
      await c.pfadd("p", "a");
      await c.pfadd("p", "a");
      await c.rpush("src", "2", "1");
      await c.sort("src", "STORE", "sorted");
      await expectEvents(got, [
        "setbit b",
        "setbit b",
        "set bo",
        "pfadd p",
        "rpush src",
        "sortstore sorted",
      ]);
    } finally {
      sub.disconnect();
      c.disconnect();
    }
  },
});

Deno.test({
  name: "keyspace events: channels of both kinds, 'new', MULTI/EXEC after its commit",
  ...clientTest,
  async fn() {
    await using s = await startTestServer({ protocols: ["redis"] });
    const c = ioredis(s.ports.redis);
    const sub = ioredis(s.ports.redis);
    const got: string[] = [];
    sub.on("pmessage", (_p, channel: string, message: string) => got.push(`${channel} ${message}`));
    try {
      await sub.psubscribe("__key*@*__:*");
      await c.config("SET", "notify-keyspace-events", "KEg$n");
      await c.select(3);
      await c.set("k", "v");
      await c.set("k2", "x");
      await c.rename("k2", "k");
      await c.multi().set("k", "w").del("k").incr("m").exec();
      await expectEvents(got, [
        "__keyspace@3__:k new",
        "__keyevent@3__:new k",
        "__keyspace@3__:k set",
        "__keyevent@3__:set k",
        "__keyspace@3__:k2 new",
        "__keyevent@3__:new k2",
        "__keyspace@3__:k2 set",
        "__keyevent@3__:set k2",
        // RENAME over an existing key: Redis deletes it and adds the key anew.
        "__keyspace@3__:k new",
        "__keyevent@3__:new k",
        "__keyspace@3__:k2 rename_from",
        "__keyevent@3__:rename_from k2",
        "__keyspace@3__:k rename_to",
        "__keyevent@3__:rename_to k",
        "__keyspace@3__:k set",
        "__keyevent@3__:set k",
        "__keyspace@3__:k del",
        "__keyevent@3__:del k",
        "__keyspace@3__:m new",
        "__keyevent@3__:new m",
        "__keyspace@3__:m incrby",
        "__keyevent@3__:incrby m",
      ]);
    } finally {
      sub.disconnect();
      c.disconnect();
    }
  },
});

Deno.test({
  name: "keyspace events: the sweeper's expiry publishes 'expired' in the key's db",
  ...clientTest,
  async fn() {
    await using s = await startTestServer({ protocols: ["redis"] });
    const c = ioredis(s.ports.redis);
    const sub = ioredis(s.ports.redis);
    const got: string[] = [];
    sub.on("message", (channel: string, message: string) => got.push(`${channel} ${message}`));
    try {
      await sub.subscribe("__keyevent@0__:expired", "__keyevent@5__:expired");
      await c.config("SET", "notify-keyspace-events", "Ex");
      await c.set("gone", "1", "PX", 50);
      await c.hset("hash", "f", "v");
      await c.pexpire("hash", 80);
      await c.select(5);
      await c.set("five", "1", "PX", 60);
      await c.set("stays", "1");
      for (let i = 0; i < 500 && got.length < 3; i++) await new Promise((r) => setTimeout(r, 10));
      assert.deepEqual(got.sort(), [
        "__keyevent@0__:expired gone",
        "__keyevent@0__:expired hash",
        "__keyevent@5__:expired five",
      ]);
    } finally {
      sub.disconnect();
      c.disconnect();
    }
  },
});

eventTest(
  "keyspace events: sorted sets and streams, as redis-server sends them",
  async (c, got) => {
    await c.zadd("z", 1, "a", 2, "b");
    await c.zadd("z", 1, "a");
    await c.zincrby("z", 1, "a");
    await c.zrem("z", "nope");
    await c.zrem("z", "a");
    await c.zremrangebyscore("z", 0, 10);
    await c.zadd("z", 1, "a", 2, "b", 3, "c");
    await c.zpopmin("z");
    await c.zpopmax("z", 5);
    await c.xadd("st", "1-1", "f", "v");
    await c.xadd("st", "MAXLEN", "1", "2-1", "f", "v");
    await c.xdel("st", "9-9");
    await c.xdel("st", "2-1");
    await expectEvents(got, [
      "zadd z",
      "zincr z",
      "zrem z",
      "zremrangebyscore z",
      "del z",
      "zadd z",
      "zpopmin z",
      "zpopmax z",
      "del z",
      "xadd st",
      "xadd st",
      "xtrim st",
      "xdel st",
    ]);
  },
);

eventTest(
  "keyspace events: geo and sorted-set *STORE commands, as redis-server sends them",
  async (c, got) => {
    await c.geoadd("g", 13.361389, 38.115556, "Palermo", 15.087269, 37.502669, "Catania");
    await c.geoadd("g", 13.361389, 38.115556, "Palermo");
    await c.geoadd("g", "XX", 13.4, 38.1, "Palermo");
    await c.geoadd("g", "NX", 13.5, 38.1, "Palermo");
    const near = ["FROMLONLAT", 15, 37, "BYRADIUS", 200, "km"];
    const nowhere = ["FROMLONLAT", 0, 0, "BYRADIUS", 1, "km"];
    assert.equal(await c.call("GEOSEARCHSTORE", "gs", "g", ...near, "STOREDIST"), 2);
    assert.equal(await c.call("GEOSEARCHSTORE", "gs", "g", ...nowhere), 0);
    assert.equal(await c.call("GEOSEARCHSTORE", "none", "g", ...nowhere), 0);
    assert.equal(await c.call("GEOSEARCHSTORE", "gs", "nokey", ...near), 0);
    await c.call("GEORADIUS", "g", 15, 37, 200, "km", "STORE", "gr");
    await c.call("GEORADIUSBYMEMBER", "g", "Palermo", 300, "km", "STOREDIST", "grm");
    await c.call("GEORADIUS", "g", 0, 0, 1, "km", "STORE", "gr");
    await c.call("GEORADIUS", "nokey", 0, 0, 1, "km", "STORE", "grm");
    await expectEvents(got, [
      "zadd g",
      "zadd g",
      "geosearchstore gs",
      "del gs",
      "georadiusstore gr",
      "georadiusstore grm",
      "del gr",
      "del grm",
    ]);

    await c.zadd("z1", 1, "a", 2, "b");
    await c.zadd("z2", 3, "b", 4, "c");
    await c.zunionstore("zu", 2, "z1", "z2");
    await c.zinterstore("zi", 2, "z1", "z2");
    await c.zdiffstore("zd", 2, "z1", "z2");
    await c.zinterstore("zi", 2, "z1", "nokey");
    await c.zinterstore("none", 2, "z1", "nokey");
    await c.zrangestore("zr", "z1", 0, -1);
    await c.zrangestore("zr", "z1", 5, 10);
    await c.zrangestore("none", "z1", 5, 10);
    await c.zunionstore("z1", 2, "z1", "z2");
    await c.move("z1", 1); // "new" and move_to go to __keyevent@1__, not listened to
    await expectEvents(got, [
      "zadd z1",
      "zadd z2",
      "zunionstore zu",
      "zinterstore zi",
      "zdiffstore zd",
      "del zi",
      "zrangestore zr",
      "del zr",
      "zunionstore z1",
      "move_from z1",
    ]);
  },
);

eventTest(
  "keyspace events: stream consumer groups and XSETID, as Redis 7.2 sends them",
  async (c, got) => {
    await c.xadd("s", "1-1", "f", "v");
    await c.xadd("s", "2-1", "f", "v");
    await c.xgroup("CREATE", "s", "g", "0");
    await assert.rejects(c.xgroup("CREATE", "s", "g", "0"), /BUSYGROUP/);
    await c.xgroup("CREATE", "s2", "g", "$", "MKSTREAM");
    await c.xgroup("SETID", "s", "g", "0");
    assert.equal(await c.xgroup("CREATECONSUMER", "s", "g", "alice"), 1);
    assert.equal(await c.xgroup("CREATECONSUMER", "s", "g", "alice"), 0);
    await c.xreadgroup("GROUP", "g", "bob", "COUNT", 1, "STREAMS", "s", ">");
    await c.xreadgroup("GROUP", "g", "bob", "STREAMS", "s", ">");
    await c.xack("s", "g", "1-1");
    await c.xclaim("s", "g", "erin", 0, "2-1");
    await c.xclaim("s", "g", "erin", 0, "2-1", "JUSTID");
    await c.xautoclaim("s", "g", "gina", 0, "0");
    await expectEvents(got, [
      "xadd s",
      "xadd s",
      "xgroup-create s",
      "xgroup-create s2",
      "xgroup-setid s",
      "xgroup-createconsumer s",
      "xgroup-createconsumer s",
      "xgroup-createconsumer s",
      "xgroup-createconsumer s",
    ]);
    // Redis 7.2 creates the reading or claiming consumer even when nothing is served
    // (7.0 only when something was): one event each.
    await c.xreadgroup("GROUP", "g", "dave", "STREAMS", "s", ">");
    await c.xclaim("s", "g", "frank", 0, "9-9");
    await c.xautoclaim("s", "g", "hank", 0, "9-9");
    await c.xclaim("s", "g", "frank", 0, "9-9");
    await expectEvents(got, [
      "xgroup-createconsumer s",
      "xgroup-createconsumer s",
      "xgroup-createconsumer s",
    ]);
    assert.equal(await c.xgroup("DELCONSUMER", "s", "g", "alice"), 0);
    assert.equal(await c.xgroup("DELCONSUMER", "s", "g", "nobody"), 0);
    assert.equal(await c.xgroup("DESTROY", "s", "g"), 1);
    assert.equal(await c.xgroup("DESTROY", "s", "g"), 0);
    await c.call("XSETID", "s", "5-5");
    await expectEvents(got, ["xgroup-delconsumer s", "xgroup-destroy s", "xsetid s"]);
  },
);

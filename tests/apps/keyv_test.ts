/**
 * Keyv over @keyv/redis (node-redis underneath) and @keyv/memcache (memjs underneath), and
 * cache-manager on top of Keyv stores, unchanged, on basekv: TTLs expire, namespaces stay
 * apart, batch calls, the SCAN iterator, clear in batches with DEL or UNLINK, big values and
 * JSON-serialized Dates and Buffers. `BASEKV_APPS_TARGET=redis-server` runs the same tests
 * on Debian's redis-server and memcached.
 * @module
 */
import assert from "node:assert/strict";
import Keyv from "keyv";
import { Keyv as Keyv5 } from "keyv5";
import KeyvRedis, { createClient, createKeyv } from "@keyv/redis";
import KeyvMemcache from "@keyv/memcache";
import { createCache } from "cache-manager";
import memjs from "memjs";
import { appTest, type ErrorTrap, nodeRedisFor } from "./target.ts";
import { startTestServer } from "../helpers/server.ts";
import { freePort, waitForPort } from "../helpers/ports.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A Keyv on @keyv/redis at `port` (by URL), errors to `trap`. */
function redisKeyv(
  port: number,
  trap: ErrorTrap,
  options: { namespace?: string; useUnlink?: boolean; clearBatchSize?: number } = {},
): { keyv: Keyv<unknown>; store: KeyvRedis<unknown> } {
  const { namespace, ...storeOptions } = options;
  const store = new KeyvRedis(`redis://127.0.0.1:${port}`, storeOptions);
  store.on("error", trap.record);
  const keyv = new Keyv<unknown>({ store, namespace });
  keyv.on("error", trap.record);
  return { keyv, store };
}

appTest("keyv redis: set/get/has/delete, TTL expiry seen by the server", async (port, trap) => {
  const { keyv } = redisKeyv(port, trap);
  const raw = await nodeRedisFor(port, trap);
  try {
    assert.equal(await keyv.set("a", { n: 1, s: "x" }), true);
    assert.deepEqual(await keyv.get("a"), { n: 1, s: "x" });
    assert.equal(await keyv.has("a"), true);
    assert.equal(await keyv.has("missing"), false);
    assert.equal(await keyv.get("missing"), undefined);
    // Keyv stores the JSON envelope under the bare key (no namespace, no prefix).
    assert.deepEqual(await raw.keys("*"), ["a"]);
    assert.equal(await raw.get("a"), '{"value":{"n":1,"s":"x"}}');
    assert.equal(await keyv.set("t", "short", 1000), true);
    const pttl = await raw.pTTL("t");
    assert.ok(pttl > 0 && pttl <= 1000, `PTTL ${pttl}`);
    assert.equal(await keyv.get("t"), "short");
    await sleep(1600);
    assert.equal(await keyv.get("t"), undefined);
    assert.equal(await keyv.has("t"), false);
    assert.equal(await raw.exists("t"), 0);
    assert.equal(await keyv.delete("a"), true);
    assert.equal(await keyv.delete("a"), false);
    assert.equal(await keyv.get("a"), undefined);
  } finally {
    await keyv.disconnect();
    raw.destroy();
  }
});

appTest("keyv redis: namespaces, getMany/setMany/deleteMany, iterator", async (port, trap) => {
  const a = redisKeyv(port, trap, { namespace: "ns1" });
  const b = redisKeyv(port, trap, { namespace: "ns2" });
  const raw = await nodeRedisFor(port, trap);
  try {
    await raw.set("bare", "outside");
    await a.keyv.setMany<unknown>([
      { key: "k1", value: "v1" },
      { key: "k2", value: 2 },
      { key: "k3", value: [3] },
    ]);
    await b.keyv.set("k1", "other");
    assert.deepEqual((await raw.keys("*")).sort(), [
      "bare",
      "ns1::k1",
      "ns1::k2",
      "ns1::k3",
      "ns2::k1",
    ]);
    assert.deepEqual(await a.keyv.getMany(["k1", "k2", "k3", "nope"]), ["v1", 2, [3], undefined]);
    assert.equal(await b.keyv.get("k1"), "other");
    assert.equal(await b.keyv.get("k2"), undefined);
    const seen: [string, unknown][] = [];
    for await (const [k, v] of a.keyv.iterator()) seen.push([k as string, v]);
    seen.sort((x, y) => x[0].localeCompare(y[0]));
    assert.deepEqual(seen, [["k1", "v1"], ["k2", 2], ["k3", [3]]]);
    // What Redis answers: one true per key, the missing one included.
    assert.deepEqual(await a.keyv.deleteMany(["k1", "k3", "nope"]), [true, true, true]);
    assert.deepEqual(await a.keyv.getMany(["k1", "k2", "k3"]), [undefined, 2, undefined]);
    await a.keyv.clear();
    assert.equal(await a.keyv.get("k2"), undefined);
    assert.equal(await b.keyv.get("k1"), "other");
    assert.equal(await raw.get("bare"), "outside");
  } finally {
    await a.keyv.disconnect();
    await b.keyv.disconnect();
    raw.destroy();
  }
});

appTest("keyv redis: iterator walks many SCAN pages, strings only", async (port, trap) => {
  const ns = redisKeyv(port, trap, { namespace: "it" });
  const bare = redisKeyv(port, trap);
  const raw = await nodeRedisFor(port, trap);
  try {
    const n = 300;
    await ns.keyv.setMany<unknown>(
      Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: i })),
    );
    await bare.keyv.set("top", "level");
    await raw.sAdd("it::set", "m"); // same namespace, not a string: SCAN TYPE string skips it
    await raw.set("it::expiring", '{"value":"soon"}', { PX: 60_000 });
    await raw.configResetStat();
    const seen = new Map<string, unknown>();
    for await (const [k, v] of ns.keyv.iterator()) {
      assert.ok(!seen.has(k as string), `${k} seen twice`);
      seen.set(k as string, v);
    }
    assert.equal(seen.size, n + 1);
    for (let i = 0; i < n; i++) assert.equal(seen.get(`k${i}`), i);
    assert.equal(seen.get("expiring"), "soon");
    const stats = commandCalls(await raw.info("commandstats"));
    assert.ok((stats.scan ?? 0) >= 10, `SCAN calls ${stats.scan}: default COUNT is 10`);
    // Without a namespace the iterator keeps only keys with no "::" in them.
    const top: [unknown, unknown][] = [];
    for await (const [k, v] of bare.keyv.iterator()) top.push([k, v]);
    assert.deepEqual(top, [["top", "level"]]);
  } finally {
    await ns.keyv.disconnect();
    await bare.keyv.disconnect();
    raw.destroy();
  }
});

appTest(
  "keyv redis: createKeyv by URL over RESP3, default ttl, odd keys and values",
  async (port, trap) => {
    const keyv = createKeyv({ url: `redis://127.0.0.1:${port}`, RESP: 3 }, { namespace: "r3" });
    keyv.on("error", trap.record);
    keyv.ttl = 1500;
    const raw = await nodeRedisFor(port, trap);
    try {
      const odd: [string, unknown][] = [
        ["spa ce", ""],
        ["ünï€😀", "ünï€😀"],
        ["nl\r\nkey", "a\r\nb\u0000c"],
        ["null", null],
        ["num", 0],
        ["bool", false],
      ];
      for (const [k, v] of odd) assert.equal(await keyv.set(k, v), true);
      for (const [k, v] of odd) assert.deepEqual(await keyv.get(k), v, k);
      assert.deepEqual(await keyv.getMany(odd.map(([k]) => k)), odd.map(([, v]) => v));
      const pttl = await raw.pTTL("r3::spa ce");
      assert.ok(pttl > 0 && pttl <= 1500, `default ttl gives PTTL ${pttl}`);
      assert.equal(await keyv.set("forever", "x", 0), true);
      await keyv.setMany([{ key: "m1", value: "a", ttl: 60_000 }, { key: "m2", value: "b" }]);
      const m1 = await raw.pTTL("r3::m1");
      assert.ok(m1 > 50_000 && m1 <= 60_000, `setMany ttl gives PTTL ${m1}`);
      await sleep(2500);
      assert.deepEqual(await keyv.getMany(["spa ce", "m1", "m2"]), [undefined, "a", undefined]);
      assert.deepEqual((await raw.keys("r3::*")).sort(), ["r3::forever", "r3::m1"]);
      assert.equal(await raw.pTTL("r3::forever"), -1);
    } finally {
      await keyv.disconnect();
      raw.destroy();
    }
  },
);

appTest(
  "keyv redis: noNamespaceAffectsAll clear is FLUSHDB; custom separator",
  async (port, trap) => {
    const all = new KeyvRedis(`redis://127.0.0.1:${port}`, { noNamespaceAffectsAll: true });
    all.on("error", trap.record);
    const keyvAll = new Keyv<unknown>({ store: all });
    keyvAll.on("error", trap.record);
    const colon = new KeyvRedis(`redis://127.0.0.1:${port}`, { keyPrefixSeparator: ":" });
    colon.on("error", trap.record);
    const keyvColon = new Keyv<unknown>({ store: colon, namespace: "app" });
    keyvColon.on("error", trap.record);
    const raw = await nodeRedisFor(port, trap);
    try {
      await keyvColon.set("a", 1);
      await keyvAll.set("b", 2);
      await raw.rPush("list", "x");
      assert.deepEqual((await raw.keys("*")).sort(), ["app:a", "b", "list"]);
      const seen: unknown[] = [];
      for await (const [k, v] of keyvAll.iterator()) seen.push([k, v]);
      seen.sort();
      assert.deepEqual(seen, [["app:a", 1], ["b", 2]], "every string key, namespaced or not");
      await raw.configResetStat();
      await keyvAll.clear();
      assert.equal(commandCalls(await raw.info("commandstats")).flushdb, 1);
      assert.deepEqual(await raw.keys("*"), []);
      assert.equal(await keyvColon.get("a"), undefined);
    } finally {
      await keyvAll.disconnect();
      await keyvColon.disconnect();
      raw.destroy();
    }
  },
);

/** Calls per command from INFO commandstats (`cmdstat_scan:calls=3,...` → { scan: 3 }). */
function commandCalls(info: string): Record<string, number> {
  const calls: Record<string, number> = {};
  for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls[m[1]] = Number(m[2]);
  return calls;
}

for (const useUnlink of [true, false]) {
  appTest(`keyv redis: clear in batches of 7 with useUnlink=${useUnlink}`, async (port, trap) => {
    const { keyv, store } = redisKeyv(port, trap, {
      namespace: "big",
      useUnlink,
      clearBatchSize: 7,
    });
    const other = redisKeyv(port, trap, { namespace: "keep" });
    const raw = await nodeRedisFor(port, trap);
    try {
      assert.equal(store.useUnlink, useUnlink);
      assert.equal(store.clearBatchSize, 7);
      await keyv.setMany(Array.from({ length: 50 }, (_, i) => ({ key: `k${i}`, value: i })));
      await other.keyv.set("x", "kept");
      await raw.hSet("big::hash", "f", "v"); // not a string: SCAN TYPE string skips it
      const before = await raw.keys("big::*");
      assert.equal(before.length, 51);
      await raw.configResetStat();
      await keyv.clear();
      assert.deepEqual(await raw.keys("big::*"), ["big::hash"]);
      assert.equal(await other.keyv.get("x"), "kept");
      await keyv.set("again", 1);
      assert.equal(await keyv.delete("again"), true);
      assert.equal(await keyv.delete("again"), false);
      // The server saw the batches: several SCANs (COUNT 7 over 52 keys) and only the
      // deleting command asked for.
      const stats = commandCalls(await raw.info("commandstats"));
      assert.ok((stats.scan ?? 0) >= 2, `SCAN calls ${stats.scan}`);
      const [used, unused] = useUnlink ? ["unlink", "del"] : ["del", "unlink"];
      assert.ok((stats[used] ?? 0) >= 3, `${used} calls ${stats[used]}`);
      assert.equal(stats[unused], undefined, `${unused} never called`);
    } finally {
      await keyv.disconnect();
      await other.keyv.disconnect();
      raw.destroy();
    }
  });
}

appTest("keyv redis: node-redis client, big values, Dates and Buffers", async (port, trap) => {
  // The node-redis client @keyv/redis itself ships (its @redis/client), connected by the app.
  const client = createClient({ url: `redis://127.0.0.1:${port}` });
  client.on("error", trap.record);
  await client.connect();
  const store = new KeyvRedis(client);
  store.on("error", trap.record);
  const keyv = new Keyv<unknown>({ store });
  keyv.on("error", trap.record);
  try {
    const big = "x".repeat(3 * 1024 * 1024) + "end";
    assert.equal(await keyv.set("big", big), true);
    assert.equal(await keyv.get("big"), big);
    const when = new Date("2024-05-06T07:08:09.123Z");
    await keyv.set("obj", { when, buf: Buffer.from([0, 1, 254, 255]), u: "é€😀" });
    const got = await keyv.get("obj");
    assert.equal(
      await client.get("obj"),
      '{"value":{"when":"2024-05-06T07:08:09.123Z","buf":":base64:AAH+/w==","u":"é€😀"}}',
    );
    // JSON turns the Date into its ISO string; the Buffer comes back as a Buffer.
    assert.deepEqual(got, {
      when: "2024-05-06T07:08:09.123Z",
      buf: Buffer.from([0, 1, 254, 255]),
      u: "é€😀",
    });
  } finally {
    client.destroy();
  }
});

/**
 * A memcached for one test: basekv's, or Debian's `memcached -U 0` with
 * `BASEKV_APPS_TARGET=redis-server` (the same switch as the Redis target).
 */
async function startMemcached(): Promise<AsyncDisposable & { port: number }> {
  if (Deno.env.get("BASEKV_APPS_TARGET") === "redis-server") {
    const port = freePort();
    const child = new Deno.Command("memcached", {
      // memcached refuses to run as root unless told which user to be.
      args: [
        "-p",
        String(port),
        "-U",
        "0",
        "-l",
        "127.0.0.1",
        ...(Deno.uid() === 0 ? ["-u", "root"] : []),
      ],
      stdout: "null",
      stderr: "null",
    }).spawn();
    await waitForPort(port);
    return {
      port,
      [Symbol.asyncDispose]: async () => {
        child.kill();
        await child.status;
      },
    };
  }
  const s = await startTestServer({ protocols: ["memcached"] });
  return { port: s.ports.memcached, [Symbol.asyncDispose]: () => s[Symbol.asyncDispose]() };
}

/** A Keyv on @keyv/memcache at `port`, errors to `trap`. */
function memcacheKeyv(port: number, trap: ErrorTrap, namespace?: string) {
  const store = new KeyvMemcache(`127.0.0.1:${port}`, { logger: { log: trap.record } });
  store.on("error", trap.record);
  const keyv = new Keyv<unknown>({ store, namespace });
  keyv.on("error", trap.record);
  return { keyv, store };
}

appTest("keyv memcache: set/get/has/delete, TTL expiry, namespaces, clear", async (_port, trap) => {
  await using mc = await startMemcached();
  const { keyv, store } = memcacheKeyv(mc.port, trap);
  const ns = memcacheKeyv(mc.port, trap, "app");
  const raw = memjs.Client.create(`127.0.0.1:${mc.port}`, { logger: { log: trap.record } });
  try {
    assert.equal(await keyv.set("a", { n: 1, when: new Date(0) }), true);
    assert.deepEqual(await keyv.get("a"), { n: 1, when: "1970-01-01T00:00:00.000Z" });
    assert.equal(
      (await raw.get("a")).value?.toString(),
      '{"value":{"n":1,"when":"1970-01-01T00:00:00.000Z"}}',
    );
    assert.equal(await keyv.has("a"), true);
    assert.equal(await keyv.has("nope"), false);
    assert.equal(await keyv.get("nope"), undefined);
    assert.equal(await ns.keyv.set("a", "namespaced"), true);
    assert.equal(await ns.keyv.get("a"), "namespaced");
    assert.deepEqual(await keyv.get("a"), { n: 1, when: "1970-01-01T00:00:00.000Z" });
    assert.deepEqual(await ns.keyv.getMany(["a", "nope"]), ["namespaced", undefined]);
    // 2 s: memcached counts whole seconds, so the key lives 1 to 2 s.
    assert.equal(await keyv.set("t", "short", 2000), true);
    assert.equal(await keyv.get("t"), "short");
    await sleep(3200);
    assert.equal(await keyv.get("t"), undefined);
    assert.equal((await raw.get("t")).value, null, "the server expired it too");
    const big = Buffer.alloc(512 * 1024, 7);
    assert.equal(await keyv.set("big", big), true);
    assert.deepEqual(await keyv.get("big"), big);
    assert.equal(await keyv.delete("a"), true);
    assert.equal(await keyv.delete("a"), false);
    assert.equal(await ns.keyv.get("a"), "namespaced");
    await keyv.clear(); // flush_all: every key goes, namespaced or not
    assert.equal(await ns.keyv.get("a"), undefined);
    assert.equal(await keyv.get("big"), undefined);
  } finally {
    await keyv.disconnect();
    await ns.keyv.disconnect();
    store.client.close();
    raw.close();
  }
});

appTest("keyv memcache: too-large value, many keys, expiry over 30 days", async (_port, trap) => {
  await using mc = await startMemcached();
  const { keyv, store } = memcacheKeyv(mc.port, trap);
  const raw = memjs.Client.create(`127.0.0.1:${mc.port}`, { logger: { log: trap.record } });
  try {
    // Over memcached's 1 MiB item limit: memjs logs the server's "Value too large" and
    // Keyv answers false; nothing is stored.
    assert.equal(await keyv.set("huge", "y".repeat(1024 * 1024 + 10)), false);
    assert.deepEqual(trap.errors.splice(0), [
      "MemJS SET: Value too large",
      "Error: MemJS SET: Value too large",
    ]);
    assert.equal(await keyv.get("huge"), undefined);
    await keyv.setMany<unknown>(Array.from({ length: 40 }, (_, i) => ({ key: `m${i}`, value: i })));
    assert.deepEqual(await keyv.getMany(["m0", "m39", "nope"]), [0, 39, undefined]);
    // @keyv/memcache's deleteMany answers one boolean (all deleted?), which Keyv 6 spreads as
    // false for every key; the two present keys are gone all the same.
    assert.deepEqual(await keyv.deleteMany(["m0", "m1", "nope"]), [false, false, false]);
    assert.deepEqual(await keyv.getMany(["m0", "m1", "m2"]), [undefined, undefined, 2]);
    // 40 days in seconds is over memcached's 30-day limit, so the server reads it as a Unix
    // time in 1970: stored, and already expired.
    assert.equal(await keyv.set("long", "v", 40 * 86_400_000), true);
    assert.equal(await keyv.get("long"), undefined);
    assert.equal((await raw.get("long")).value, null);
    assert.equal(await keyv.set("month", "v", 29 * 86_400_000), true);
    assert.equal(await keyv.get("month"), "v");
  } finally {
    await keyv.disconnect();
    store.client.close();
    raw.close();
  }
});

appTest(
  "cache-manager: redis then memcache tiers, wrap/get/set/del/ttl/mget",
  async (port, trap) => {
    await using mc = await startMemcached();
    // cache-manager 7 depends on keyv 5 (it reads entries with get(key, { raw: true }), which
    // Keyv 6 dropped for getRaw()), so its tiers are Keyv 5 instances over the same stores.
    const redisStore = new KeyvRedis(`redis://127.0.0.1:${port}`);
    redisStore.on("error", trap.record);
    const redis = { keyv: new Keyv5({ store: redisStore, namespace: "cm" }) };
    const mcStore = new KeyvMemcache(`127.0.0.1:${mc.port}`, { logger: { log: trap.record } });
    mcStore.on("error", trap.record);
    const memcache = { keyv: new Keyv5({ store: mcStore, namespace: "cm" }), store: mcStore };
    redis.keyv.on("error", trap.record);
    memcache.keyv.on("error", trap.record);
    const cache = createCache({ stores: [redis.keyv, memcache.keyv], ttl: 60_000 });
    cache.on("set", ({ error }) => error && trap.record(error));
    const raw = await nodeRedisFor(port, trap);
    try {
      const before = Date.now();
      assert.deepEqual(await cache.set("user:1", { name: "ada" }), { name: "ada" });
      assert.deepEqual(await cache.get("user:1"), { name: "ada" });
      assert.deepEqual(await memcache.keyv.get("user:1"), { name: "ada" });
      const expires = await cache.ttl("user:1");
      assert.ok(
        expires !== undefined && expires >= before + 60_000 && expires <= Date.now() + 60_000,
      );
      // Keyv 5 prefixes the key with its namespace and @keyv/redis adds its own.
      assert.deepEqual(await raw.keys("*"), ["cm::cm:user:1"]);
      const pttl = await raw.pTTL("cm::cm:user:1");
      assert.ok(pttl > 50_000 && pttl <= 60_000, `PTTL ${pttl}`);
      let calls = 0;
      const compute = () => {
        calls++;
        return Promise.resolve({ computed: calls });
      };
      assert.deepEqual(await cache.wrap("w", compute, 1500), { computed: 1 });
      assert.deepEqual(await cache.wrap("w", compute, 1500), { computed: 1 });
      assert.equal(calls, 1);
      await sleep(2600);
      assert.equal(await raw.exists("cm::cm:w"), 0);
      assert.deepEqual(await cache.wrap("w", compute, 1500), { computed: 2 });
      assert.deepEqual(await cache.mget(["user:1", "w", "nope"]), [
        { name: "ada" },
        { computed: 2 },
        undefined,
      ]);
      assert.equal(await cache.del("user:1"), true);
      assert.equal(await cache.get("user:1"), undefined);
      assert.equal(await redis.keyv.get("user:1"), undefined);
      assert.equal(await memcache.keyv.get("user:1"), undefined);
      // A value only the second tier holds is found there.
      await memcache.keyv.set("only-mc", 42);
      assert.equal(await cache.get("only-mc"), 42);
      // cache-manager 7 does not copy a lower tier's hit into the upper one.
      assert.equal(await raw.exists("cm::cm:only-mc"), 0);
      await cache.mset([{ key: "x", value: "X" }, { key: "y", value: "Y", ttl: 30_000 }]);
      assert.deepEqual(await cache.mget(["x", "y"]), ["X", "Y"]);
      const [px, py] = [await raw.pTTL("cm::cm:x"), await raw.pTTL("cm::cm:y")];
      assert.ok(px > 50_000 && px <= 60_000 && py > 20_000 && py <= 30_000, `PTTL ${px} ${py}`);
      assert.equal(await memcache.keyv.get("y"), "Y");
      assert.equal(await cache.mdel(["x", "nope"]), true);
      assert.deepEqual(await cache.mget(["x", "y"]), [undefined, "Y"]);
      assert.equal(await memcache.keyv.get("x"), undefined);
      assert.equal(await cache.clear(), true);
      assert.deepEqual(await raw.keys("*"), []);
      assert.equal(await memcache.keyv.get("y"), undefined);
    } finally {
      await cache.disconnect();
      memcache.store.client.close();
      raw.destroy();
    }
  },
);

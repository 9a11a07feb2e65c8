/**
 * Pub/sub, keyspace events and tracking invalidations across two front-ends sharing one store
 * (the fake KV Connect server): a subscriber on A hears what is published and written on B, the
 * PUBLISH count includes A's subscribers, and one publisher's messages arrive in order.
 * @module
 */
import assert from "node:assert/strict";
import { ioredis, until } from "./pubsub_clients.ts";
import { startTestServer, type TestServer } from "../../helpers/server.ts";
import { startKvConnectServer } from "../../helpers/kv_connect_server.ts";
import { replyText, RespClient } from "../resp_client.ts";
import type { Reply } from "../../../protocols/resp/reply.ts";

const clientTest = { sanitizeOps: false, sanitizeResources: false };

/**
 * Repeat `act` until `seen` has an item: key events and invalidations start to flow from B once
 * B has re-read who listens (a few hundred ms after A's subscription).
 */
async function untilSeen<T>(seen: T[], act: () => Promise<unknown>): Promise<void> {
  for (let i = 0; i < 100 && seen.length === 0; i++) {
    await act();
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(seen.length > 0, "nothing arrived");
}

/** A push/array reply as nested text. */
function shape(r: Reply): unknown {
  if (r.type === "push" || r.type === "array" || r.type === "set") return r.value.map(shape);
  if (r.type === "null" || r.type === "nullArray") return null;
  if (r.type === "integer") return Number(r.value);
  return replyText(r);
}

/** Two front-ends, A and B, on one fake KV Connect store. */
async function twoFrontEnds(): Promise<AsyncDisposable & { a: TestServer; b: TestServer }> {
  const kv = await startKvConnectServer();
  Deno.env.set("DENO_KV_ACCESS_TOKEN", kv.token);
  const a = await startTestServer({ protocols: ["redis"], kvUrl: kv.url });
  const b = await startTestServer({ protocols: ["redis"], kvUrl: kv.url });
  return {
    a,
    b,
    async [Symbol.asyncDispose]() {
      await a[Symbol.asyncDispose]();
      await b[Symbol.asyncDispose]();
      await kv.close();
    },
  };
}

Deno.test({
  name: "a subscriber on A gets B's messages and patterns in publish order, counted by B",
  ...clientTest,
  async fn() {
    await using fe = await twoFrontEnds();
    const sub = ioredis(fe.a.ports.redis);
    const local = ioredis(fe.b.ports.redis);
    const pub = ioredis(fe.b.ports.redis);
    try {
      const got: string[] = [];
      sub.on("message", (channel, message) => got.push(`${channel}:${message}`));
      sub.on(
        "pmessage",
        (pattern, channel, message) => got.push(`${pattern}|${channel}:${message}`),
      );
      const gotB: string[] = [];
      local.on("message", (channel, message) => gotB.push(`${channel}:${message}`));
      assert.equal(await sub.subscribe("news"), 1);
      assert.equal(await sub.psubscribe("sp*"), 2);
      assert.equal(await local.subscribe("news"), 1);
      assert.equal(await pub.publish("news", "one"), 2, "one subscriber on A, one on B");
      assert.equal(await pub.publish("sport", "two"), 1, "A's pattern");
      assert.equal(await pub.publish("other", "x"), 0);
      for (let i = 0; i < 30; i++) await pub.publish("sport", String(i));
      // Pipelined: one connection's messages still arrive in the order it sent them.
      const pipeline = pub.pipeline();
      for (let i = 30; i < 60; i++) pipeline.publish("sport", String(i));
      await pipeline.exec();
      await until(got, 62);
      assert.deepEqual(got.slice(0, 2), ["news:one", "sp*|sport:two"]);
      assert.deepEqual(got.slice(2), Array.from({ length: 60 }, (_, i) => `sp*|sport:${i}`));
      await until(gotB, 1);
      assert.deepEqual(gotB, ["news:one"], "B's own subscriber got it once");
      assert.deepEqual(await pub.pubsub("NUMSUB", "news", "none"), ["news", 2, "none", 0]);
      assert.equal(await pub.pubsub("NUMPAT"), 1);
      assert.deepEqual(((await pub.pubsub("CHANNELS", "*")) as string[]).sort(), ["news"]);
      // Once A's subscriber leaves, B counts it no longer.
      await sub.unsubscribe("news");
      await sub.punsubscribe("sp*");
      let count = -1;
      for (let i = 0; i < 100 && count !== 1; i++) {
        count = await pub.publish("news", "two");
        if (count !== 1) await new Promise((r) => setTimeout(r, 20));
      }
      assert.equal(count, 1, "only B's subscriber is left");
    } finally {
      sub.disconnect();
      local.disconnect();
      pub.disconnect();
    }
  },
});

Deno.test({
  name: "shard channels reach SSUBSCRIBE on the other front-end; PUBLISH inside EXEC and EVAL too",
  ...clientTest,
  async fn() {
    await using fe = await twoFrontEnds();
    using sub = await RespClient.connect(fe.a.ports.redis);
    using pub = await RespClient.connect(fe.b.ports.redis);
    assert.deepEqual(shape(await sub.call("SSUBSCRIBE", "orders")), ["ssubscribe", "orders", 1]);
    assert.equal(shape(await pub.call("SPUBLISH", "orders", "o1")), 1);
    assert.equal(shape(await pub.call("PUBLISH", "orders", "not-shard")), 0);
    assert.deepEqual(shape(await sub.reply(10_000)), ["smessage", "orders", "o1"]);
    // Inside EXEC and a script (one write unit) PUBLISH cannot wait on the store: it counts
    // from the last registry read and ships after the commit.
    assert.deepEqual(shape(await sub.call("SUBSCRIBE", "jobs")), ["subscribe", "jobs", 1]);
    assert.equal(shape(await pub.call("PUBLISH", "jobs", "j1")), 1);
    assert.equal(replyText(await pub.call("MULTI")), "OK");
    assert.equal(replyText(await pub.call("PUBLISH", "jobs", "j2")), "QUEUED");
    assert.deepEqual(shape(await pub.call("EXEC")), [1]);
    assert.equal(
      shape(await pub.call("EVAL", "return redis.call('publish', 'jobs', 'j3')", "0")),
      1,
    );
    for (const m of ["j1", "j2", "j3"]) {
      assert.deepEqual(shape(await sub.reply(10_000)), ["message", "jobs", m]);
    }
    // Names and messages are bytes end to end (the registry keeps names one char per byte).
    assert.deepEqual(shape(await sub.call("SUBSCRIBE", "nöws")), ["subscribe", "nöws", 2]);
    assert.equal(shape(await pub.call("PUBLISH", "nöws", "ü\r\n\0")), 1);
    assert.deepEqual(shape(await sub.reply(10_000)), ["message", "nöws", "ü\r\n\0"]);
    // Bytes 0x80-0x9f too ("…" is E2 80 A6), which a windows-1252 decoder maps elsewhere.
    assert.deepEqual(shape(await sub.call("SUBSCRIBE", "n…ws")), ["subscribe", "n…ws", 3]);
    assert.equal(shape(await pub.call("PUBLISH", "n…ws", "m")), 1);
    assert.deepEqual(shape(await sub.reply(10_000)), ["message", "n…ws", "m"]);
  },
});

Deno.test({
  name: "a write on B is a keyspace event for A's subscriber and invalidates A's tracked key",
  ...clientTest,
  async fn() {
    await using fe = await twoFrontEnds();
    const sub = ioredis(fe.a.ports.redis);
    const writer = ioredis(fe.b.ports.redis);
    using tracked = await RespClient.connect(fe.a.ports.redis);
    try {
      await sub.config("SET", "notify-keyspace-events", "KEA");
      const events: string[] = [];
      sub.on("pmessage", (_p, channel, message) => events.push(`${channel} ${message}`));
      await sub.psubscribe("__key*@0__:*");
      await untilSeen(events, () => writer.set("probe", "1"));
      events.length = 0;
      await writer.set("greeting", "hello");
      await writer.del("greeting");
      await until(events, 4);
      assert.deepEqual(events, [
        "__keyspace@0__:greeting set",
        "__keyevent@0__:set greeting",
        "__keyspace@0__:greeting del",
        "__keyevent@0__:del greeting",
      ]);

      // Client tracking: A's RESP3 client reads a key; B's write invalidates it.
      await tracked.call("HELLO", "3");
      assert.equal(replyText(await tracked.call("CLIENT", "TRACKING", "ON")), "OK");
      await writer.set("cached", "v1");
      assert.equal(replyText(await tracked.call("GET", "cached")), "v1");
      await writer.set("cached", "v2");
      assert.deepEqual(shape(await tracked.reply(10_000)), ["invalidate", ["cached"]]);
      // FLUSHALL on B: every tracking client on A gets the null invalidation.
      assert.equal(replyText(await tracked.call("GET", "cached")), "v2");
      await writer.flushall();
      const flushed = shape(await tracked.reply(10_000)) as unknown[];
      assert.equal(flushed[0], "invalidate");
    } finally {
      sub.disconnect();
      writer.disconnect();
    }
  },
});

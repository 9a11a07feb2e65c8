/**
 * Pub/Sub through stock clients: a round trip under RESP2 (ioredis) and RESP3 (node-redis) with
 * channel, pattern and shard subscriptions, receiver counts, publish order, PUBSUB introspection,
 * ordinary commands still working on a RESP3 connection that is subscribed, a pipelined burst
 * reaching every subscriber whole, and a subscriber that stops reading being cut off.
 * @module
 */
import assert from "node:assert/strict";
import { createClient } from "redis";
import type { Redis } from "ioredis";
import { ioredis, until } from "./pubsub_clients.ts";
import { startTestServer } from "../../helpers/server.ts";
import { command, replyInteger, replyItems, replyText, RespClient } from "../resp_client.ts";

const clientTest = { sanitizeOps: false, sanitizeResources: false };

Deno.test({
  name: "RESP2 (ioredis): channel and pattern subscribers get messages in publish order",
  ...clientTest,
  async fn() {
    await using s = await startTestServer({ protocols: ["redis"] });
    const sub = ioredis(s.ports.redis);
    const pub = ioredis(s.ports.redis);
    try {
      const got: string[] = [];
      sub.on("message", (channel, message) => got.push(`${channel}:${message}`));
      sub.on(
        "pmessage",
        (pattern, channel, message) => got.push(`${pattern}|${channel}:${message}`),
      );
      assert.equal(await sub.subscribe("news", "sport"), 2);
      assert.equal(await sub.psubscribe("ne*"), 3);
      assert.equal(await pub.publish("news", "one"), 2, "the channel and the pattern");
      assert.equal(await pub.publish("sport", "two"), 1);
      assert.equal(await pub.publish("nets", "x"), 1, "the pattern alone");
      assert.equal(await pub.publish("other", "x"), 0);
      for (let i = 0; i < 20; i++) await pub.publish("sport", String(i));
      await until(got, 24);
      assert.deepEqual(got.slice(0, 4), ["news:one", "ne*|news:one", "sport:two", "ne*|nets:x"]);
      assert.deepEqual(got.slice(4), Array.from({ length: 20 }, (_, i) => `sport:${i}`));
      assert.deepEqual(await pub.pubsub("NUMSUB", "news", "none"), ["news", 1, "none", 0]);
      assert.equal(await pub.pubsub("NUMPAT"), 1);
      assert.deepEqual((await pub.pubsub("CHANNELS", "*")) as string[], ["news", "sport"]);
      // A RESP2 connection in subscribed mode refuses ordinary commands, as Redis does.
      using raw = await RespClient.connect(s.ports.redis);
      await raw.call("SUBSCRIBE", "x");
      assert.equal(
        replyText(await raw.call("GET", "k")),
        "ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context",
      );
      assert.deepEqual(replyItems(await raw.call("PING")).map(replyText), ["pong", ""]);
    } finally {
      sub.disconnect();
      pub.disconnect();
    }
  },
});

Deno.test({
  name: "RESP3 (node-redis): pushes arrive while ordinary commands work on the same connection",
  ...clientTest,
  async fn() {
    await using s = await startTestServer({ protocols: ["redis"] });
    const url = `redis://127.0.0.1:${s.ports.redis}`;
    const sub = createClient({ url, RESP: 3 });
    const pub = createClient({ url, RESP: 3 });
    await Promise.all([sub.connect(), pub.connect()]);
    try {
      const got: string[] = [];
      await sub.subscribe("chat", (message, channel) => got.push(`${channel}:${message}`));
      await sub.pSubscribe("ch*", (message, channel) => got.push(`p ${channel}:${message}`));
      await sub.sSubscribe("shard", (message, channel) => got.push(`s ${channel}:${message}`));
      assert.equal(await pub.publish("chat", "hello"), 2);
      assert.equal(await pub.sPublish("shard", "sharded"), 1);
      await until(got, 3);
      assert.deepEqual(got.sort(), ["chat:hello", "p chat:hello", "s shard:sharded"].sort());
      // The RESP3 connection keeps running commands while subscribed.
      const plain = await createClient({ url, RESP: 3 }).connect();
      await plain.subscribe("c", () => {});
      await plain.set("k", "v");
      assert.equal(await plain.get("k"), "v");
      await plain.quit();
      assert.deepEqual(await pub.pubSubShardNumSub(["shard"]), { shard: 1 });
    } finally {
      await sub.quit();
      await pub.quit();
    }
  },
});

/** Send `count` PUBLISHes to `channel` in one write; their receiver counts. */
async function publishBurst(
  pub: RespClient,
  channel: string,
  messages: readonly string[],
): Promise<number[]> {
  const parts = messages.map((m) => command("PUBLISH", channel, m));
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) bytes.set(p, (at += p.length) - p.length);
  await pub.send(bytes);
  const counts: number[] = [];
  for (let i = 0; i < messages.length; i++) counts.push(replyInteger(await pub.reply(30_000)));
  return counts;
}

Deno.test({
  name: "a pipelined burst reaches every subscriber whole and in order; a stalled one is cut off",
  ...clientTest,
  async fn() {
    await using s = await startTestServer({ protocols: ["redis"] });
    using pub = await RespClient.connect(s.ports.redis);
    const subs = await Promise.all([1, 2, 3].map(() => RespClient.connect(s.ports.redis)));
    try {
      for (const sub of subs) await sub.call("SUBSCRIBE", "burst");
      const messages = Array.from({ length: 500 }, (_, i) => `m${i}`);
      assert.deepEqual(await publishBurst(pub, "burst", messages), messages.map(() => 3));
      for (const sub of subs) {
        for (const m of messages) {
          const frame = replyItems(await sub.reply(30_000)).map(replyText);
          assert.deepEqual(frame, ["message", "burst", m]);
        }
      }
      // A subscriber that never reads passes the pubsub hard limit and is closed, as in Redis.
      assert.equal(
        replyText(
          await pub.call("CONFIG", "SET", "client-output-buffer-limit", "pubsub 262144 0 0"),
        ),
        "OK",
      );
      const stalled = await Deno.connect({ hostname: "127.0.0.1", port: s.ports.redis });
      try {
        await stalled.write(command("SUBSCRIBE", "stall"));
        const big = "x".repeat(64 * 1024);
        let receivers = 1;
        // Kernel buffers take a few MiB first: publish up to 64 MiB, in rounds, until it is gone.
        for (let round = 0; round < 64 && receivers > 0; round++) {
          const counts = await publishBurst(pub, "stall", Array(16).fill(big));
          receivers = counts.at(-1)!;
          if (round === 0) assert.equal(counts[0], 1, "subscribed before the first message");
        }
        assert.equal(receivers, 0, "the stalled subscriber was cut off");
        assert.equal(replyInteger(await pub.call("PUBLISH", "burst", "after")), 3);
      } finally {
        stalled.close();
      }
    } finally {
      for (const sub of subs) sub.close();
    }
  },
});

/**
 * Publish through `publish` (given the publishing client) on `channel` while a subscriber GETs
 * each announced key on another connection as its message comes: the `key=value` reads in the
 * order the messages arrived. Redis runs a command's writes before the PUBLISH after it, so each
 * GET finds the value written before its announcement.
 */
async function announcedReads(
  channel: string,
  count: number,
  publish: (pub: Redis) => Promise<void>,
): Promise<string[]> {
  await using s = await startTestServer({ protocols: ["redis"] });
  const sub = ioredis(s.ports.redis);
  const pub = ioredis(s.ports.redis);
  const reader = ioredis(s.ports.redis);
  try {
    const seen: string[] = [];
    sub.on("message", (_channel, key) => {
      reader.get(key).then((value) => seen.push(`${key}=${value}`), (e) => seen.push(`${e}`));
    });
    assert.equal(await sub.subscribe(channel), 1);
    await publish(pub);
    await until(seen, count);
    return seen;
  } finally {
    sub.disconnect();
    pub.disconnect();
    reader.disconnect();
  }
}

Deno.test({
  name: "PUBLISH inside MULTI/EXEC or a script reaches subscribers after the unit's writes, once",
  ...clientTest,
  async fn() {
    // Celery's Redis result backend stores a result and announces it in one MULTI (SETEX +
    // PUBLISH); its consumer GETs the key when the message comes.
    const expected: string[] = [];
    const seen = await announcedReads("results", 40, async (pub) => {
      for (let i = 0; i < 20; i++) {
        const replies = await pub.multi().setex(`m${i}`, 600, `v${i}`).publish("results", `m${i}`)
          .exec();
        assert.deepEqual(replies, [[null, "OK"], [null, 1]]);
        const script =
          "redis.call('SET', KEYS[1], ARGV[1]); return redis.call('PUBLISH', 'results', KEYS[1])";
        assert.equal(await pub.eval(script, 1, `s${i}`, `w${i}`), 1);
        expected.push(`m${i}=v${i}`, `s${i}=w${i}`);
      }
    });
    assert.deepEqual(seen, expected);
  },
});

Deno.test({
  name: "a pipelined PUBLISH after a write reaches subscribers after the write, in order",
  ...clientTest,
  async fn() {
    // Cache invalidation as apps write it: SET the key, PUBLISH its name, in one pipeline (as
    // node-redis and auto-pipelining ioredis send commands of one tick); a second PUBLISH in the
    // pipeline, after another write, arrives second.
    const expected: string[] = [];
    const seen = await announcedReads("changed", 60, async (pub) => {
      for (let i = 0; i < 20; i++) {
        const replies = await pub.pipeline().set(`p${i}`, `v${i}`).publish("changed", `p${i}`)
          .incr(`n${i}`).publish("changed", `n${i}`).publish("changed", `p${i}`).exec();
        assert.deepEqual(replies, [[null, "OK"], [null, 1], [null, 1], [null, 1], [null, 1]]);
        expected.push(`p${i}=v${i}`, `n${i}=1`, `p${i}=v${i}`);
      }
    });
    assert.deepEqual(seen, expected);
  },
});

/**
 * Pub/Sub through stock clients: a round trip under RESP2 (ioredis) and RESP3 (node-redis) with
 * channel, pattern and shard subscriptions, receiver counts, publish order, PUBSUB introspection,
 * and ordinary commands still working on a RESP3 connection that is subscribed.
 * @module
 */
import assert from "node:assert/strict";
import { createClient } from "redis";
import { ioredis, until } from "./pubsub_clients.ts";
import { startTestServer } from "../../helpers/server.ts";
import { replyItems, replyText, RespClient } from "../resp_client.ts";

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

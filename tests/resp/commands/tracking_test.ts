/**
 * Client-side caching and CLIENT PAUSE through real clients: node-redis 6's clientSideCache
 * invalidated by another client's writes and by FLUSHDB, raw RESP3 invalidation pushes (default
 * mode, NOLOOP, BCAST prefixes, expiry), RESP2 REDIRECT to a `__redis__:invalidate`
 * subscriber, CLIENT TRACKINGINFO/GETREDIR/CACHING, and CLIENT PAUSE WRITE holding another
 * client's SET but not its GET.
 * @module
 */
import assert from "node:assert/strict";
import { Redis } from "ioredis";
import { BasicClientSideCache, createClient } from "redis";
import { startTestServer } from "../../helpers/server.ts";
import { replyInteger, replyText, RespClient } from "../resp_client.ts";
import type { Reply } from "../../../protocols/resp/reply.ts";

const clientTest = { sanitizeOps: false, sanitizeResources: false };

function ioredis(port: number): Redis {
  return new Redis({ port, host: "127.0.0.1", maxRetriesPerRequest: 1, retryStrategy: () => null });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A push/array reply as nested text (null as null). */
function shape(r: Reply): unknown {
  if (r.type === "push" || r.type === "array" || r.type === "set") return r.value.map(shape);
  if (r.type === "null" || r.type === "nullArray") return null;
  if (r.type === "map") return r.value.map(([k, v]) => [shape(k), shape(v)]);
  if (r.type === "integer") return Number(r.value);
  return replyText(r);
}

Deno.test({
  name: "node-redis clientSideCache: served from the cache, invalidated by another client",
  ...clientTest,
  async fn() {
    await using s = await startTestServer({ protocols: ["redis"] });
    const url = `redis://127.0.0.1:${s.ports.redis}`;
    const cache = new BasicClientSideCache({ ttl: 0, maxEntries: 0 });
    const cached = createClient({ url, RESP: 3, clientSideCache: cache });
    const writer = createClient({ url });
    await Promise.all([cached.connect(), writer.connect()]);
    try {
      await writer.set("greeting", "hello");
      assert.equal(await cached.get("greeting"), "hello");
      assert.equal(await cached.get("greeting"), "hello");
      assert.equal(cache.stats().hitCount, 1, "the second GET came from the cache");
      await writer.set("greeting", "changed");
      for (let i = 0; i < 200 && cache.size() > 0; i++) await sleep(10);
      assert.equal(cache.size(), 0, "the invalidation emptied the cache");
      assert.equal(await cached.get("greeting"), "changed");
      assert.equal(cache.size(), 1);
      await writer.flushDb();
      for (let i = 0; i < 200 && cache.size() > 0; i++) await sleep(10);
      assert.equal(cache.size(), 0, "FLUSHDB sends a null invalidation");
      assert.equal(await cached.get("greeting"), null);
    } finally {
      await Promise.all([cached.quit(), writer.quit()]);
    }
  },
});

Deno.test({
  name: "raw RESP3 tracking: default mode, NOLOOP, BCAST prefixes, expiry, TRACKINGINFO",
  ...clientTest,
  async fn() {
    await using s = await startTestServer({ protocols: ["redis"] });
    using a = await RespClient.connect(s.ports.redis);
    using b = await RespClient.connect(s.ports.redis);
    await a.call("HELLO", "3");
    assert.equal(replyText(await a.call("CLIENT", "TRACKING", "on")), "OK");
    assert.equal(replyInteger(await a.call("CLIENT", "GETREDIR")), 0);
    await a.call("GET", "k");
    await a.call("MGET", "k2", "k3");
    await b.call("SET", "k", "1");
    assert.deepEqual(shape(await a.reply()), ["invalidate", ["k"]]);
    await b.call("SET", "k", "2");
    await b.call("DEL", "k2", "k3");
    // k was not read again, k2/k3 never existed: nothing more is due, so the next reply is PING's.
    assert.equal(replyText(await a.call("PING")), "PONG");
    // Its own write: the reply first, then the invalidation.
    await a.call("GET", "k");
    assert.equal(replyText(await a.call("SET", "k", "3")), "OK");
    assert.deepEqual(shape(await a.reply()), ["invalidate", ["k"]]);
    // NOLOOP: its own writes are not reported back.
    await a.call("CLIENT", "TRACKING", "on", "NOLOOP");
    await a.call("GET", "k");
    assert.equal(replyText(await a.call("SET", "k", "4")), "OK");
    assert.equal(replyText(await a.call("PING")), "PONG");
    // Expiry by the sweeper invalidates too.
    await b.call("SET", "e", "1", "PX", "100");
    await a.call("GET", "e");
    assert.deepEqual(shape(await a.reply(5000)), ["invalidate", ["e"]]);
    assert.match(replyText(await a.call("CLIENT", "INFO")), / flags=t .* redir=0 /);
    assert.deepEqual(shape(await a.call("CLIENT", "TRACKINGINFO")), [
      ["flags", ["on", "noloop"]],
      ["redirect", 0],
      ["prefixes", []],
    ]);
    // BCAST: every write under a prefix, one message per prefix, without reading first.
    await a.call("CLIENT", "TRACKING", "off");
    assert.equal(replyInteger(await a.call("CLIENT", "GETREDIR")), -1);
    await a.call("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "user:", "PREFIX", "job:");
    await b.call("MSET", "user:1", "a", "job:2", "b", "other", "c");
    assert.deepEqual(shape(await a.reply()), ["invalidate", ["job:2"]]);
    assert.deepEqual(shape(await a.reply()), ["invalidate", ["user:1"]]);
    assert.equal(
      replyText(await a.call("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "user:1")),
      "ERR Prefix 'user:1' overlaps with an existing prefix 'user:'. Prefixes for a single client must not overlap.",
    );
    // OPTIN: only the command after CLIENT CACHING yes is tracked.
    await a.call("CLIENT", "TRACKING", "off");
    await a.call("CLIENT", "TRACKING", "on", "OPTIN");
    await a.call("GET", "o1");
    await a.call("CLIENT", "CACHING", "yes");
    await a.call("GET", "o2");
    await b.call("SET", "o1", "1");
    await b.call("SET", "o2", "1");
    assert.deepEqual(shape(await a.reply()), ["invalidate", ["o2"]]);
    assert.equal(
      replyText(await a.call("CLIENT", "CACHING", "no")),
      "ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.",
    );
  },
});

Deno.test({
  name: "RESP2 tracking with REDIRECT: invalidations reach the __redis__:invalidate subscriber",
  ...clientTest,
  async fn() {
    await using s = await startTestServer({ protocols: ["redis"] });
    // A raw subscriber: ioredis drops pub/sub messages whose payload is an array (as on Redis).
    using sub = await RespClient.connect(s.ports.redis);
    const tracked = ioredis(s.ports.redis);
    const writer = ioredis(s.ports.redis);
    try {
      const subId = replyInteger(await sub.call("CLIENT", "ID"));
      await sub.call("SUBSCRIBE", "__redis__:invalidate");
      await assert.rejects(tracked.client("TRACKING", "on", "REDIRECT", "999999"), {
        message: "ERR The client ID you want redirect to does not exist",
      });
      assert.equal(await tracked.client("TRACKING", "on", "REDIRECT", String(subId)), "OK");
      assert.equal(await tracked.client("GETREDIR"), subId);
      await tracked.get("page");
      await writer.set("page", "v2");
      assert.deepEqual(shape(await sub.reply()), ["message", "__redis__:invalidate", ["page"]]);
      await writer.flushdb();
      assert.deepEqual(shape(await sub.reply()), ["message", "__redis__:invalidate", null]);
    } finally {
      tracked.disconnect();
      writer.disconnect();
    }
  },
});

Deno.test({
  name: "CLIENT PAUSE WRITE holds another client's SET until UNPAUSE, not its GET; ALL holds reads",
  ...clientTest,
  async fn() {
    await using s = await startTestServer({ protocols: ["redis"] });
    const admin = ioredis(s.ports.redis);
    const other = ioredis(s.ports.redis);
    try {
      await other.set("k", "before");
      assert.equal(await admin.client("PAUSE", "100000", "WRITE"), "OK");
      let setDone = false;
      const set = other.set("k", "after").then((r) => {
        setDone = true;
        return r;
      });
      const reader = ioredis(s.ports.redis);
      try {
        assert.equal(await reader.get("k"), "before", "reads go on during a WRITE pause");
        await sleep(100);
        assert.equal(setDone, false, "the SET waits for the pause");
        assert.equal(await reader.get("k"), "before");
        assert.equal(await admin.client("UNPAUSE"), "OK");
        assert.equal(await set, "OK");
        assert.equal(await reader.get("k"), "after");
      } finally {
        reader.disconnect();
      }
      // An ALL pause holds reads too (and CLIENT UNPAUSE, as in Redis) until it runs out.
      await admin.client("PAUSE", "2000", "ALL");
      let getDone = false;
      const get = other.get("k").then((r) => {
        getDone = true;
        return r;
      });
      await sleep(100);
      assert.equal(getDone, false, "the GET waits for the ALL pause");
      assert.equal(await get, "after");
      await assert.rejects(admin.call("CLIENT", "PAUSE", "10", "SOME"), {
        message: "ERR CLIENT PAUSE mode must be WRITE or ALL",
      });
      await assert.rejects(admin.client("PAUSE", "-1"), { message: "ERR timeout is negative" });
      await assert.rejects(admin.client("PAUSE", "x"), {
        message: "ERR timeout is not an integer or out of range",
      });
    } finally {
      admin.disconnect();
      other.disconnect();
    }
  },
});

Deno.test({
  name: "OBJECT FREQ/IDLETIME follow maxmemory-policy; WAIT answers 0; CLIENT NO-EVICT/NO-TOUCH",
  ...clientTest,
  async fn() {
    await using s = await startTestServer({ protocols: ["redis"] });
    using c = await RespClient.connect(s.ports.redis);
    await c.call("SET", "k", "v");
    assert.equal(replyInteger(await c.call("OBJECT", "IDLETIME", "k")), 0);
    assert.match(
      replyText(await c.call("OBJECT", "FREQ", "k")),
      /^ERR An LFU maxmemory policy is not selected/,
    );
    await c.call("CONFIG", "SET", "maxmemory-policy", "allkeys-lfu");
    assert.equal(replyInteger(await c.call("OBJECT", "FREQ", "k")), 5);
    assert.match(
      replyText(await c.call("OBJECT", "IDLETIME", "k")),
      /^ERR An LFU maxmemory policy is selected/,
    );
    assert.equal(replyInteger(await c.call("OBJECT", "REFCOUNT", "k")), 1);
    assert.equal(replyInteger(await c.call("WAIT", "0", "0")), 0);
    assert.equal(replyText(await c.call("CLIENT", "NO-EVICT", "on")), "OK");
    assert.equal(replyText(await c.call("CLIENT", "NO-TOUCH", "on")), "OK");
    assert.match(replyText(await c.call("CLIENT", "INFO")), /flags=eT /);
  },
});

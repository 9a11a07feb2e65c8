/**
 * MULTI/EXEC/WATCH through stock clients: queued and runtime errors, WATCH losing a race to
 * another client, the optimistic check-and-set loop from the ioredis docs, and atomicity: no
 * other client ever sees part of an EXEC.
 * @module
 */
import assert from "node:assert/strict";
import { Redis } from "ioredis";
import { createClient } from "redis";
import { startTestServer } from "../../helpers/server.ts";
import { replyItems, replyText, RespClient } from "../resp_client.ts";

const clientTest = { sanitizeOps: false, sanitizeResources: false };

function ioredis(port: number): Redis {
  return new Redis({ port, host: "127.0.0.1", maxRetriesPerRequest: 1, retryStrategy: () => null });
}

Deno.test({
  name: "ioredis: EXEC runs the queue with per-command runtime errors; a queuing error aborts",
  ...clientTest,
  async fn() {
    await using s = await startTestServer({ protocols: ["redis"] });
    const r = ioredis(s.ports.redis);
    try {
      const result = await r.multi().set("a", "1").incr("a").hset("a", "f", "v").get("a").exec();
      assert.equal(result?.length, 4);
      assert.deepEqual(result?.[0], [null, "OK"]);
      assert.deepEqual(result?.[1], [null, 2]);
      assert.match(String(result?.[2][0]), /WRONGTYPE/);
      assert.deepEqual(result?.[3], [null, "2"]);
      using raw = await RespClient.connect(s.ports.redis);
      assert.equal(replyText(await raw.call("MULTI")), "OK");
      assert.equal(replyText(await raw.call("SET", "b", "1")), "QUEUED");
      assert.match(replyText(await raw.call("NOSUCHCOMMAND")), /^ERR unknown command/);
      assert.equal(
        replyText(await raw.call("EXEC")),
        "EXECABORT Transaction discarded because of previous errors.",
      );
      assert.equal(await r.get("b"), null, "an aborted transaction writes nothing");
    } finally {
      r.disconnect();
    }
  },
});

Deno.test({
  name: "WATCH: EXEC answers null when another client changed a watched key, else runs",
  ...clientTest,
  async fn() {
    await using s = await startTestServer({ protocols: ["redis"] });
    const a = ioredis(s.ports.redis);
    const b = ioredis(s.ports.redis);
    try {
      await a.set("balance", "100");
      await a.watch("balance");
      await b.set("balance", "50");
      const lost = await a.multi().set("balance", "90").exec();
      assert.equal(lost, null);
      assert.equal(await a.get("balance"), "50");
      await a.watch("balance");
      const won = await a.multi().set("balance", "40").exec();
      assert.deepEqual(won, [[null, "OK"]]);
      // A watched key deleted, or expired, by anyone also loses the race.
      // (The key must still live once WATCH runs: a key already expired then does not count.)
      for (const ttl of [50, 500, 5000]) {
        await a.set("gone", "1", "PX", ttl);
        await a.watch("gone");
        if (await b.pttl("gone") <= 0) {
          await a.unwatch();
          continue;
        }
        while (await b.exists("gone")) await new Promise((r) => setTimeout(r, 20));
        assert.equal(await a.multi().set("gone", "2").exec(), null);
        break;
      }
      assert.equal(await a.get("gone"), null);
      await a.watch("flushed");
      await a.set("flushed", "x");
      assert.equal(await a.multi().get("flushed").exec(), null);
    } finally {
      a.disconnect();
      b.disconnect();
    }
  },
});

Deno.test({
  name: "the ioredis optimistic check-and-set loop counts exactly under contention",
  ...clientTest,
  async fn() {
    await using s = await startTestServer({ protocols: ["redis"] });
    const clients = Array.from({ length: 4 }, () => ioredis(s.ports.redis));
    try {
      const perClient = 15;
      await Promise.all(clients.map(async (c) => {
        for (let done = 0; done < perClient;) {
          await c.watch("counter");
          const value = Number(await c.get("counter") ?? "0");
          const result = await c.multi().set("counter", String(value + 1)).exec();
          if (result !== null) done++;
        }
      }));
      assert.equal(await clients[0].get("counter"), String(clients.length * perClient));
    } finally {
      for (const c of clients) c.disconnect();
    }
  },
});

Deno.test({
  name: "no other client ever sees part of an EXEC (node-redis, RESP3)",
  ...clientTest,
  async fn() {
    await using s = await startTestServer({ protocols: ["redis"] });
    const writer = createClient({ url: `redis://127.0.0.1:${s.ports.redis}`, RESP: 3 });
    const reader = ioredis(s.ports.redis);
    await writer.connect();
    try {
      let stop = false;
      const torn: string[][] = [];
      const reading = (async () => {
        while (!stop) {
          const [x, y] = await reader.mget("x", "y");
          if (x !== y) torn.push([String(x), String(y)]);
        }
      })();
      for (let i = 0; i < 100; i++) {
        const replies = await writer.multi().set("x", String(i)).set("y", String(i)).exec();
        assert.deepEqual(replies, ["OK", "OK"]);
      }
      stop = true;
      await reading;
      assert.deepEqual(torn, []);
      // SELECT inside the queue moves the connection, as Redis's does.
      using raw = await RespClient.connect(s.ports.redis);
      await raw.call("MULTI");
      await raw.call("SELECT", "2");
      await raw.call("SET", "q", "1");
      assert.deepEqual(replyItems(await raw.call("EXEC")).map(replyText), ["OK", "OK"]);
      assert.equal(replyText(await raw.call("GET", "q")), "1");
    } finally {
      await writer.quit();
      reader.disconnect();
    }
  },
});

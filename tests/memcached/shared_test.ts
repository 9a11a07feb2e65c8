/** Two memcached front-ends on one shared store (the remote-KV shape): no state kept apart. */
import assert from "node:assert/strict";
import { Auth } from "../../src/auth.ts";
import { createLogger } from "../../src/log.ts";
import { RateLimiter } from "../../src/rate_limit.ts";
import { type OpenedStore, openStore } from "../../src/store/mod.ts";
import { type MemcachedServer, startMemcachedServer } from "../../protocols/memcached/mod.ts";
import { testConfig } from "../helpers/server.ts";
import { RawClient } from "../helpers/net.ts";
import { exchange } from "./wire.ts";

async function frontEnds(path: string) {
  const config = testConfig();
  const started: { store: OpenedStore; server: MemcachedServer }[] = [];
  for (let i = 0; i < 2; i++) {
    const store = await openStore({ path, shared: true });
    const ctx = {
      store: store.scope(["memcached"]),
      config,
      auth: new Auth(null),
      limiter: new RateLimiter(0),
      log: createLogger("error"),
      tls: null,
      health: () => new Response(null, { status: 503 }),
      admin: () => Promise.resolve(new Response(null, { status: 404 })),
    };
    const server = await startMemcachedServer(ctx, { hostname: "127.0.0.1", port: 0 });
    started.push({ store, server });
  }
  return {
    ports: started.map((s) => s.server.tcp.addr.port),
    async [Symbol.asyncDispose]() {
      for (const s of started) {
        await s.server.tcp.close();
        await s.store.close();
      }
    },
  };
}

Deno.test("front-ends sharing a store see each other's writes, flush_all and add races", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await using fe = await frontEnds(`${dir}/db.sqlite`);
    using a = await RawClient.connect(fe.ports[0]);
    using b = await RawClient.connect(fe.ports[1]);
    await exchange(a, "set k 3 0 1\r\nv\r\n", "STORED\r\n");
    await exchange(b, "get k\r\n", "VALUE k 3 1\r\nv\r\nEND\r\n");
    await exchange(a, "flush_all\r\n", "OK\r\n");
    await exchange(b, "get k\r\n", "END\r\n");
    await exchange(b, "set k 0 0 1\r\nw\r\n", "STORED\r\n");
    await exchange(a, "get k\r\n", "VALUE k 0 1\r\nw\r\nEND\r\n");
    await Promise.all([a.send("add lock 0 0 1\r\na\r\n"), b.send("add lock 0 0 1\r\nb\r\n")]);
    const replies = [await a.readText("\r\n"), await b.readText("\r\n")].sort();
    assert.deepEqual(replies, ["NOT_STORED\r\n", "STORED\r\n"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

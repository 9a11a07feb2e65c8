/**
 * Stock clients against basekv over real sockets: ioredis 6 (RESP3 by default), ioredis 5,
 * node-redis 6 (RESP3) and node-redis 4 (RESP2), each connecting with a password and db 3 and
 * running a pipeline of strings, expiry and hashes; Debian's redis-cli (redis-benchmark runs in
 * commands/data_socket_test.ts).
 * @module
 */
import assert from "node:assert/strict";
import { Redis as Redis6 } from "ioredis";
import { Redis as Redis5 } from "ioredis5";
import { createClient as createClient6 } from "redis";
import { createClient as createClient4 } from "redis4";
import { startTestServer } from "../helpers/server.ts";
import { replyText, RespClient } from "./resp_client.ts";

/** Client libraries keep timers and sockets the test sanitizers would flag after quit. */
const clientTest = { sanitizeOps: false, sanitizeResources: false };

/** Another connection's view of db 3 (proves SELECT really switched keyspaces). */
async function db3Value(port: number, key: string): Promise<string | null> {
  using c = await RespClient.connect(port);
  await c.call("AUTH", "pw");
  await c.call("SELECT", "3");
  const r = await c.call("GET", key);
  return r.type === "null" ? null : replyText(r);
}

async function libNameOf(port: number, name: string): Promise<string> {
  using c = await RespClient.connect(port);
  await c.call("AUTH", "pw");
  const list = replyText(await c.call("CLIENT", "LIST"));
  return list.split("\n").find((l) => l.includes(` name=${name} `)) ?? "";
}

/** Both ioredis majors behind one shape (5's API is a subset of 6's for what is used here). */
interface IoOptions {
  host: string;
  port: number;
  password: string;
  db: number;
  connectionName: string;
  lazyConnect: boolean;
  maxRetriesPerRequest: number;
  retryStrategy: () => null;
}
const IOREDIS: [string, (options: IoOptions) => Redis6][] = [
  ["ioredis 6", (options) => new Redis6(options)],
  ["ioredis 5", (options) => new Redis5(options) as unknown as Redis6],
];

for (const [label, connect] of IOREDIS) {
  Deno.test({
    name: `${label} connects with a password and db 3, then pipelines strings, expiry, hashes`,
    ...clientTest,
    async fn() {
      await using s = await startTestServer({ protocols: ["redis"], password: "pw" });
      const client = connect({
        host: "127.0.0.1",
        port: s.ports.redis,
        password: "pw",
        db: 3,
        connectionName: "io",
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      try {
        await client.connect();
        assert.equal(await client.ping(), "PONG");
        assert.equal(await client.echo("hi"), "hi");
        assert.equal(await client.client("GETNAME"), "io");
        assert.match(await client.info("server"), /redis_version:7\.2/);
        const results = await client.pipeline()
          .set("k", "v")
          .get("k")
          .expire("k", 100)
          .ttl("k")
          .hset("h", "a", "1", "b", "2")
          .hgetall("h")
          .exec();
        assert.deepEqual(results?.map(([err, value]: [Error | null, unknown]) => [err, value]), [
          [null, "OK"],
          [null, "v"],
          [null, 1],
          [null, 100],
          [null, 2],
          [null, { a: "1", b: "2" }],
        ]);
        assert.equal(await db3Value(s.ports.redis, "k"), "v");
        assert.match(await libNameOf(s.ports.redis, "io"), / db=3 .*lib-name=ioredis/);
      } finally {
        client.disconnect();
      }
    },
  });
}

Deno.test({
  name: "node-redis 6 connects over RESP3 with a password and db 3, then pipelines",
  ...clientTest,
  async fn() {
    await using s = await startTestServer({ protocols: ["redis"], password: "pw" });
    const client = createClient6({
      socket: { host: "127.0.0.1", port: s.ports.redis, reconnectStrategy: false },
      password: "pw",
      database: 3,
      name: "nr6",
      RESP: 3,
    });
    client.on("error", () => {});
    await client.connect();
    try {
      assert.equal(await client.ping(), "PONG");
      assert.equal(await client.clientGetName(), "nr6");
      const [set, get, expire, ttl, hset, hgetall] = await Promise.all([
        client.set("k", "v"),
        client.get("k"),
        client.expire("k", 100),
        client.ttl("k"),
        client.hSet("h", { a: "1", b: "2" }),
        client.hGetAll("h"),
      ]);
      assert.deepEqual([set, get, expire, ttl, hset], ["OK", "v", 1, 100, 2]);
      assert.deepEqual({ ...hgetall }, { a: "1", b: "2" });
      assert.equal(await db3Value(s.ports.redis, "k"), "v");
      assert.match(await libNameOf(s.ports.redis, "nr6"), / db=3 .*resp=3 lib-name=node-redis/);
    } finally {
      await client.close();
    }
  },
});

Deno.test({
  name: "node-redis 4 connects over RESP2 with a password and db 3, then pipelines",
  ...clientTest,
  async fn() {
    await using s = await startTestServer({ protocols: ["redis"], password: "pw" });
    const client = createClient4({
      socket: { host: "127.0.0.1", port: s.ports.redis, reconnectStrategy: false },
      password: "pw",
      database: 3,
      name: "nr4",
    });
    client.on("error", () => {});
    await client.connect();
    try {
      assert.equal(await client.ping(), "PONG");
      assert.equal(await client.clientGetName(), "nr4");
      const [set, get, expire, ttl, hset, hgetall] = await Promise.all([
        client.set("k", "v"),
        client.get("k"),
        client.expire("k", 100),
        client.ttl("k"),
        client.hSet("h", { a: "1", b: "2" }),
        client.hGetAll("h"),
      ]);
      assert.deepEqual([set, get, expire, ttl, hset], ["OK", "v", true, 100, 2]);
      assert.deepEqual({ ...hgetall }, { a: "1", b: "2" });
      assert.equal(await db3Value(s.ports.redis, "k"), "v");
      assert.match(await libNameOf(s.ports.redis, "nr4"), / db=3 .*resp=2 /);
    } finally {
      await client.quit();
    }
  },
});

async function run(cmd: string, args: string[]): Promise<{ code: number; out: string }> {
  const r = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
  const dec = new TextDecoder();
  return { code: r.code, out: dec.decode(r.stdout) + dec.decode(r.stderr) };
}

Deno.test("redis-cli reads INFO and PING", async () => {
  await using s = await startTestServer({ protocols: ["redis"], password: "pw" });
  const port = String(s.ports.redis);
  const ping = await run("redis-cli", ["-p", port, "--no-auth-warning", "-a", "pw", "PING"]);
  assert.equal(ping.out.trim(), "PONG");
  const info = await run("redis-cli", ["-p", port, "--no-auth-warning", "-a", "pw", "INFO"]);
  assert.equal(info.code, 0);
  assert.match(info.out, /# Server\r?\nredis_version:7\.2\.\d+/);
  assert.match(info.out, /connected_clients:1/);
  const resp3 = await run("redis-cli", [
    "-3",
    "-p",
    port,
    "--no-auth-warning",
    "-a",
    "pw",
    "HELLO",
    "3",
  ]);
  assert.match(resp3.out, /proto\s*\n?3/);
  const noAuth = await run("redis-cli", ["-p", port, "PING"]);
  assert.match(noAuth.out, /NOAUTH Authentication required\./);
});

/**
 * Redis's connection limits over real sockets: maxclients, timeout, proto-max-bulk-len, the
 * unauthenticated request limits, client-query-buffer-limit, output-buffer limits and the
 * request timeout that stops a client trickling a request from holding its slot forever.
 * @module
 */
import assert from "node:assert/strict";
import { RawClient } from "../helpers/net.ts";
import { startTestServer } from "../helpers/server.ts";

const CLOSE_WAIT_MS = 10_000;

async function command(c: RawClient, text: string, suffix = "\r\n"): Promise<string> {
  await c.send(text);
  return await c.readText(suffix);
}

Deno.test("redis: maxclients refuses the next client with Redis's error, then frees up", async () => {
  await using s = await startTestServer({ protocols: ["redis"] });
  const port = s.ports.redis;
  using admin = await RawClient.connect(port);
  assert.equal(await command(admin, "CONFIG SET maxclients 2\r\n"), "+OK\r\n");
  using second = await RawClient.connect(port);
  assert.equal(await command(second, "PING\r\n"), "+PONG\r\n");
  const third = await RawClient.connect(port);
  assert.equal(await third.readText("\r\n"), "-ERR max number of clients reached\r\n");
  assert.ok(await third.closedWithin(CLOSE_WAIT_MS));
  third.close();
  assert.match(await command(admin, "INFO stats\r\n", "\r\n\r\n"), /rejected_connections:1\r\n/);
  second.close();
  // The slot comes back once a client leaves.
  let fresh: RawClient | null = null;
  for (let i = 0; i < 50 && !fresh; i++) {
    const c = await RawClient.connect(port);
    if ((await command(c, "PING\r\n")) === "+PONG\r\n") fresh = c;
    else c.close();
  }
  assert.ok(fresh, "a client gets in after one left");
  fresh.close();
  assert.match(
    await command(admin, "CONFIG SET maxclients 0\r\n"),
    /^-ERR CONFIG SET failed \(possibly related to argument 'maxclients'\) - argument must be between 1 and 4294967295 inclusive\r\n$/,
  );
});

Deno.test("redis: timeout closes idle clients, not blocked or subscribed ones", async () => {
  await using s = await startTestServer({ protocols: ["redis"] });
  const port = s.ports.redis;
  using admin = await RawClient.connect(port);
  using idle = await RawClient.connect(port);
  using blocked = await RawClient.connect(port);
  using subscribed = await RawClient.connect(port);
  assert.equal(await command(idle, "PING\r\n"), "+PONG\r\n");
  await command(subscribed, "SUBSCRIBE ch\r\n", ":1\r\n");
  await blocked.send("BLPOP q 0\r\n");
  assert.equal(await command(admin, "CONFIG SET timeout 1\r\n"), "+OK\r\n");
  assert.ok(await idle.closedWithin(CLOSE_WAIT_MS), "the idle client is closed");
  await new Promise((r) => setTimeout(r, 1500));
  // The admin connection was idle too: a fresh one pushes and publishes.
  using pusher = await RawClient.connect(port);
  assert.equal(await command(pusher, "RPUSH q v\r\n"), ":1\r\n");
  assert.equal(await blocked.readText("v\r\n"), "*2\r\n$1\r\nq\r\n$1\r\nv\r\n");
  assert.equal(await command(pusher, "PUBLISH ch m\r\n"), ":1\r\n");
  assert.match(await subscribed.readText("m\r\n"), /message\r\n\$2\r\nch\r\n\$1\r\nm\r\n$/);
  await command(pusher, "CONFIG SET timeout 0\r\n");
});

Deno.test("redis: proto-max-bulk-len and the unauthenticated limits answer Redis's errors, then close", async () => {
  await using s = await startTestServer({ protocols: ["redis"], password: "pw" });
  const port = s.ports.redis;
  const closedAfter = async (text: string, expected: string) => {
    using c = await RawClient.connect(port);
    assert.equal(await command(c, text, "length\r\n"), expected);
    assert.ok(await c.closedWithin(CLOSE_WAIT_MS));
  };
  await closedAfter("*11\r\n", "-ERR Protocol error: unauthenticated multibulk length\r\n");
  await closedAfter(
    "*2\r\n$3\r\nGET\r\n$20000\r\n",
    "-ERR Protocol error: unauthenticated bulk length\r\n",
  );
  using admin = await RawClient.connect(port);
  assert.equal(await command(admin, "AUTH pw\r\n"), "+OK\r\n");
  assert.equal(await command(admin, "CONFIG SET proto-max-bulk-len 1mb\r\n"), "+OK\r\n");
  await closedAfter(
    "AUTH pw\r\n*2\r\n$3\r\nGET\r\n$2000000\r\n",
    "+OK\r\n-ERR Protocol error: invalid bulk length\r\n",
  );
  // Within the limit a large argument still works.
  assert.equal(
    await command(admin, `*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$900000\r\n${"x".repeat(900000)}\r\n`),
    "+OK\r\n",
  );
  assert.match(
    await command(admin, "CONFIG SET proto-max-bulk-len 1000\r\n"),
    /argument must be between 1048576 and 9223372036854775807 inclusive\r\n$/,
  );
});

Deno.test("redis: client-query-buffer-limit closes a client whose request outgrows it", async () => {
  await using s = await startTestServer({ protocols: ["redis"] });
  using admin = await RawClient.connect(s.ports.redis);
  assert.equal(await command(admin, "CONFIG SET client-query-buffer-limit 1mb\r\n"), "+OK\r\n");
  using c = await RawClient.connect(s.ports.redis);
  // A 4 MiB argument is allowed by proto-max-bulk-len, but not buffered past 1 MiB.
  await c.send("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$4194304\r\n");
  const chunk = "x".repeat(256 * 1024);
  for (let i = 0; i < 8; i++) await c.send(chunk).catch(() => {});
  assert.ok(await c.closedWithin(CLOSE_WAIT_MS));
  assert.equal(await command(admin, "EXISTS k\r\n"), ":0\r\n");
});

Deno.test("redis: client-output-buffer-limit closes a normal client over the hard limit", async () => {
  await using s = await startTestServer({ protocols: ["redis"] });
  using admin = await RawClient.connect(s.ports.redis);
  assert.match(
    await command(admin, 'CONFIG SET client-output-buffer-limit "foo 1 2 3"\r\n'),
    / - Invalid client class specified in buffer limit configuration\.\r\n$/,
  );
  assert.equal(
    await command(admin, 'CONFIG SET client-output-buffer-limit "normal 64kb 0 0"\r\n'),
    "+OK\r\n",
  );
  assert.equal(
    await command(admin, "CONFIG GET client-output-buffer-limit\r\n", "60\r\n"),
    "*2\r\n$26\r\nclient-output-buffer-limit\r\n$71\r\n" +
      "normal 65536 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60\r\n",
  );
  assert.equal(
    await command(admin, `*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$100000\r\n${"y".repeat(100_000)}\r\n`),
    "+OK\r\n",
  );
  assert.equal(await command(admin, "STRLEN big\r\n"), ":100000\r\n");
  // The reply would pass 64 KiB: the client is closed, no reply.
  await admin.send("GET big\r\n");
  assert.ok(await admin.closedWithin(CLOSE_WAIT_MS));
});

Deno.test("redis: a client trickling a request cannot hold its connection past the request timeout", async () => {
  await using s = await startTestServer({ protocols: ["redis"], requestTimeoutMs: 1500 });
  using slow = await RawClient.connect(s.ports.redis);
  using steady = await RawClient.connect(s.ports.redis);
  const request = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$100\r\n";
  let closed = false;
  // One byte every 200 ms: the request never completes within 1.5 s.
  for (let i = 0; i < request.length + 40 && !closed; i++) {
    await slow.send(i < request.length ? request[i] : "x").catch(() => closed = true);
    // A steady client making progress is not affected.
    assert.equal(await command(steady, "PING\r\n"), "+PONG\r\n");
    closed ||= await slow.closedWithin(200);
  }
  assert.ok(closed, "the trickling client was closed");
  assert.equal(await command(steady, "PING\r\n"), "+PONG\r\n");
});

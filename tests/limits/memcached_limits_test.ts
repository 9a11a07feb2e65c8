/**
 * memcached's connection limits over real sockets: -c (maxconns_fast: the error line, then
 * close), -R (requests per event, counted in conn_yields), the key line and item size limits,
 * and the request timeout for a client that trickles a request.
 * @module
 */
import assert from "node:assert/strict";
import { RawClient } from "../helpers/net.ts";
import { startTestServer, testConfig } from "../helpers/server.ts";

const CLOSE_WAIT_MS = 10_000;

function withFlags(flags: Record<string, number>) {
  return {
    protocols: ["memcached"],
    serviceFlags: { ...testConfig().serviceFlags, ...flags },
  };
}

async function command(c: RawClient, text: string, suffix = "\r\n"): Promise<string> {
  await c.send(text);
  return await c.readText(suffix);
}

Deno.test("memcached: -c refuses the next connection with memcached's error", async () => {
  await using s = await startTestServer(withFlags({ "memcached-max-connections": 2 }));
  const port = s.ports.memcached;
  using a = await RawClient.connect(port);
  using b = await RawClient.connect(port);
  assert.match(await command(a, "version\r\n"), /^VERSION /);
  assert.match(await command(b, "version\r\n"), /^VERSION /);
  const c = await RawClient.connect(port);
  assert.equal(await c.readText("\r\n"), "ERROR Too many open connections\r\n");
  assert.ok(await c.closedWithin(CLOSE_WAIT_MS));
  c.close();
  const stats = await command(a, "stats\r\n", "END\r\n");
  assert.match(stats, /STAT max_connections 2\r\n/);
  assert.match(stats, /STAT rejected_connections 1\r\n/);
  assert.match(await command(a, "stats settings\r\n", "END\r\n"), /STAT maxconns 2\r\n/);
});

Deno.test("memcached: -R splits a long pipeline into turns, every reply in order", async () => {
  await using s = await startTestServer(withFlags({ "memcached-reqs-per-event": 5 }));
  using c = await RawClient.connect(s.ports.memcached);
  let pipeline = "";
  let expected = "";
  for (let i = 0; i < 23; i++) {
    pipeline += `set k${i} 0 0 ${String(i).length}\r\n${i}\r\nget k${i}\r\n`;
    expected += `STORED\r\nVALUE k${i} 0 ${String(i).length}\r\n${i}\r\nEND\r\n`;
  }
  assert.equal(await command(c, pipeline, "VALUE k22 0 2\r\n22\r\nEND\r\n"), expected);
  const stats = await command(c, "stats\r\n", "END\r\n");
  assert.ok(Number(/STAT conn_yields (\d+)\r\n/.exec(stats)![1]) >= 9, stats);
  assert.match(await command(c, "stats settings\r\n", "END\r\n"), /STAT reqs_per_event 5\r\n/);
});

Deno.test("memcached: the 2048-byte key line and the item size limit answer memcached's errors", async () => {
  await using s = await startTestServer({ protocols: ["memcached"] });
  using c = await RawClient.connect(s.ports.memcached);
  assert.equal(
    await command(c, `get ${"k".repeat(251)}\r\n`),
    "CLIENT_ERROR bad command line format\r\n",
  );
  // A line past 2048 bytes without its end: memcached 1.6.18 closes the connection, silently.
  using long = await RawClient.connect(s.ports.memcached);
  await long.send(`set ${"k".repeat(3000)}`);
  assert.ok(await long.silentFor(100));
  assert.ok(await long.closedWithin(10_000));
  assert.equal(
    await command(c, `set big 0 0 ${1024 * 1024 + 1}\r\n${"v".repeat(1024 * 1024 + 1)}\r\n`),
    "SERVER_ERROR object too large for cache\r\n",
  );
  assert.match(await command(c, "version\r\n"), /^VERSION /);
});

Deno.test("memcached: a client trickling a request is closed after the request timeout", async () => {
  await using s = await startTestServer({ protocols: ["memcached"], requestTimeoutMs: 1500 });
  using slow = await RawClient.connect(s.ports.memcached);
  using steady = await RawClient.connect(s.ports.memcached);
  let closed = false;
  for (let i = 0; i < 60 && !closed; i++) {
    await slow.send(i < 12 ? "set k 0 0 9"[i] ?? " " : "x").catch(() => closed = true);
    assert.match(await command(steady, "version\r\n"), /^VERSION /);
    closed ||= await slow.closedWithin(200);
  }
  assert.ok(closed, "the trickling client was closed");
});

/**
 * Many idle connections cost bounded memory: 2000 idle clients on the Redis and memcached ports
 * of a basekv child, its RSS printed before and after (no assertion on it: the machine is
 * shared), and the server still answering.
 * @module
 */
import assert from "node:assert/strict";
import { RawClient } from "../helpers/net.ts";
import { startChild } from "../helpers/server.ts";

const IDLE = 2000;

async function rssMiB(pid: number): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

Deno.test(`${IDLE} idle connections cost bounded memory and the server still answers`, async () => {
  await using child = await startChild([
    "--memory",
    "--redis-port=0",
    "--memcached-port=0",
    "--protocols=redis,memcached",
    "--log-level=error",
  ]);
  using probe = await RawClient.connect(child.ports.redis);
  await probe.send("PING\r\n");
  assert.equal(await probe.readText("\r\n"), "+PONG\r\n");
  const before = await rssMiB(child.pid);
  const idle: Deno.TcpConn[] = [];
  try {
    for (let i = 0; i < IDLE; i++) {
      const port = i % 2 === 0 ? child.ports.redis : child.ports.memcached;
      idle.push(await Deno.connect({ hostname: "127.0.0.1", port }));
    }
    // Every connection is accepted and served (a round trip on the last of each kind).
    for (const conn of idle.slice(-2)) {
      await conn.write(new TextEncoder().encode("version\r\n"));
      const buf = new Uint8Array(64);
      assert.ok(((await conn.read(buf)) ?? 0) > 0);
    }
    await new Promise((r) => setTimeout(r, 500));
    const after = await rssMiB(child.pid);
    const perConn = ((after - before) * 1024) / IDLE;
    console.log(
      `RSS with ${IDLE} idle connections: ${before.toFixed(1)} MiB before, ` +
        `${after.toFixed(1)} MiB after (${perConn.toFixed(1)} KiB per connection)`,
    );
    await probe.send("SET k v\r\nGET k\r\n");
    assert.equal(await probe.readText("v\r\n"), "+OK\r\n$1\r\nv\r\n");
  } finally {
    for (const conn of idle) conn.close();
  }
});

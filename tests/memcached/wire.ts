/**
 * Raw-socket helpers for the memcached tests: start a server with only memcached, send bytes
 * and compare exact replies.
 * @module
 */
import assert from "node:assert/strict";
import { RawClient } from "../helpers/net.ts";
import { startTestServer, type TestServer } from "../helpers/server.ts";
import type { Config } from "../../src/config.ts";

/** Start basekv with only the memcached listener. */
export function startMemcached(overrides: Partial<Config> = {}): Promise<TestServer> {
  return startTestServer({ protocols: ["memcached"], ...overrides });
}

/** Connect a raw client to the server's memcached port. */
export function connect(s: TestServer): Promise<RawClient> {
  return RawClient.connect(s.ports.memcached);
}

const latin1 = new TextDecoder("latin1");

/** Send `request` and assert the reply is exactly `expected` (latin1 text). */
export async function exchange(c: RawClient, request: string | Uint8Array, expected: string) {
  await c.send(request);
  const got = await c.readBytes(new TextEncoder().encode(expected).length);
  assert.deepEqual(latin1.decode(got), expected);
}

/** Assert nothing at all arrives within a short while. */
export async function assertSilent(c: RawClient, ms = 150): Promise<void> {
  assert.deepEqual(await c.silentFor(ms), true, "expected no reply bytes");
}

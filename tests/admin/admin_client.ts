/**
 * Test helpers for the admin API: a request helper and clients of all three protocols on one
 * in-process server.
 * @module
 */
import memjs from "memjs";
import { Redis } from "ioredis";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { startTestServer, type TestServer } from "../helpers/server.ts";
import { sdkClient } from "../dynamodb/client.ts";
import type { Config } from "../../src/config.ts";

/** Call the admin API; resolves with the status and the parsed JSON body. */
export async function admin(
  port: number,
  method: string,
  path: string,
  init: { body?: string; headers?: Record<string, string> } = {},
  // deno-lint-ignore no-explicit-any -- parsed JSON, its shape is what the assertions check
): Promise<{ status: number; body: any }> {
  const res = await fetch(`http://127.0.0.1:${port}/_basekv/${path}`, { method, ...init });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** A server with a client per protocol; dispose it with `await using`. */
export interface AllClients extends AsyncDisposable {
  server: TestServer;
  http: number;
  redis: Redis;
  mc: memjs.Client;
  ddb: DynamoDBClient;
}

/** Start basekv with every protocol and connect a client to each. */
export async function startAll(overrides: Partial<Config> = {}): Promise<AllClients> {
  const server = await startTestServer(overrides);
  const redis = new Redis({
    port: server.ports.redis,
    host: "127.0.0.1",
    password: overrides.password ?? undefined,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
  });
  await redis.connect();
  const mc = memjs.Client.create(`127.0.0.1:${server.ports.memcached}`, {
    retries: 0,
    logger: { log() {} },
    ...(overrides.password ? { username: "u", password: overrides.password } : {}),
  });
  const ddb = sdkClient(server.ports.http, overrides.password ?? "fake");
  return {
    server,
    http: server.ports.http,
    redis,
    mc,
    ddb,
    [Symbol.asyncDispose]: async () => {
      redis.disconnect();
      mc.close();
      ddb.destroy();
      await server[Symbol.asyncDispose]();
    },
  };
}

/** Text of a memcached value, or null. */
export async function mcGet(mc: memjs.Client, key: string): Promise<string | null> {
  const { value } = await mc.get(key);
  return value === null ? null : new TextDecoder().decode(value);
}

/**
 * The Redis an application test drives: an in-process basekv by default, or Debian's
 * redis-server with `BASEKV_APPS_TARGET=redis-server` (to tell a basekv bug from a test bug),
 * plus a trap that records every error the application's clients log or emit.
 * @module
 */
import assert from "node:assert/strict";
import { Redis, type RedisOptions } from "ioredis";
import { createClient } from "redis";
import { startTestServer } from "../helpers/server.ts";
import { startRedisServer } from "../helpers/redis_server.ts";

/** A running Redis-speaking server for one test. */
export interface AppTarget extends AsyncDisposable {
  port: number;
}

/** A connected node-redis client (the `redis` package). */
export type NodeRedis = ReturnType<typeof createClient>;

/** Start the server the application tests run against. */
export async function startTarget(): Promise<AppTarget> {
  if (Deno.env.get("BASEKV_APPS_TARGET") === "redis-server") {
    const redis = await startRedisServer({ durable: false });
    return { port: redis.port, [Symbol.asyncDispose]: () => redis.stop() };
  }
  const s = await startTestServer({ protocols: ["redis"] });
  return { port: s.ports.redis, [Symbol.asyncDispose]: () => s[Symbol.asyncDispose]() };
}

/**
 * Collects errors: anything written with console.error/console.warn while it is installed, and
 * whatever `record` is handed (wire it to the clients' "error" events). Dispose to restore the
 * console.
 */
export class ErrorTrap implements Disposable {
  readonly errors: string[] = [];
  #error = console.error;
  #warn = console.warn;

  constructor() {
    console.error = (...args: unknown[]) => this.record(args.map(String).join(" "));
    console.warn = (...args: unknown[]) => this.record(args.map(String).join(" "));
  }

  /** Record one error (an Error, a message, anything). */
  record = (error: unknown): void => {
    this.errors.push(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
  };

  [Symbol.dispose](): void {
    console.error = this.#error;
    console.warn = this.#warn;
  }
}

/** Wait until `ready()` is true, polling; throws after `limitMs` naming `what`. */
export async function until(
  what: string,
  ready: () => boolean | Promise<boolean>,
  limitMs = 60_000,
): Promise<void> {
  const stop = Date.now() + limitMs;
  while (!(await ready())) {
    if (Date.now() > stop) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Register an application test: `fn` gets a fresh target's port and the error trap, and the
 * test fails if any client logged or emitted an error. npm clients keep timers and sockets
 * past their close, so the sanitizers are off.
 */
export function appTest(name: string, fn: (port: number, trap: ErrorTrap) => Promise<void>): void {
  Deno.test({
    name,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      await using target = await startTarget();
      using trap = new ErrorTrap();
      await fn(target.port, trap);
      assert.deepEqual(trap.errors, [], "no client logs or emits an error");
    },
  });
}

/** An ioredis client to `port` whose errors go to `trap`. */
export function ioredisFor(port: number, trap: ErrorTrap, options: RedisOptions = {}): Redis {
  const client = new Redis({ port, host: "127.0.0.1", ...options });
  client.on("error", trap.record);
  return client;
}

/** A connected node-redis client to `port` (RESP2 unless told) whose errors go to `trap`. */
export async function nodeRedisFor(port: number, trap: ErrorTrap, resp: 2 | 3 = 2) {
  const client = createClient({ url: `redis://127.0.0.1:${port}`, RESP: resp }) as NodeRedis;
  client.on("error", trap.record);
  await client.connect();
  return client;
}

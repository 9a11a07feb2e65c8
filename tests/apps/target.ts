/**
 * The Redis an application test drives: an in-process basekv by default, or Debian's
 * redis-server with `BASEKV_APPS_TARGET=redis-server` (to tell a basekv bug from a test bug),
 * plus a trap that records every error the application's clients log or emit.
 * @module
 */
import { startTestServer } from "../helpers/server.ts";
import { startRedisServer } from "../helpers/redis_server.ts";

/** A running Redis-speaking server for one test. */
export interface AppTarget extends AsyncDisposable {
  port: number;
}

/** Options every application test passes to Deno.test: npm clients keep timers and sockets. */
export const appTest = { sanitizeOps: false, sanitizeResources: false };

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

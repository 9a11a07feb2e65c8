/**
 * Test helpers that run a real basekv: in-process on ephemeral ports over an in-memory store
 * (fast, for protocol tests), or as a child process through main.ts (for CLI and lifecycle).
 * @module
 */
import { type Config, parseConfig } from "../../src/config.ts";
import { createLogger } from "../../src/log.ts";
import { type RunningServer, startServer } from "../../src/server.ts";
import { SERVICES } from "../../protocols/mod.ts";

/** Ports a started server listens on (0 for protocols not started). */
export interface Ports {
  redis: number;
  memcached: number;
  http: number;
}

/**
 * Read from the environment by every test server: `BASEKV_DYNAMODB_MAX_CONNECTIONS=1000 deno test
 * -A tests/dynamodb/` runs the DynamoDB tests on the node:http path a connection cap selects.
 */
const TEST_ENV = new Set(["BASEKV_DYNAMODB_MAX_CONNECTIONS"]);

/** A config for tests: in-memory store, every port ephemeral, quiet log. */
export function testConfig(overrides: Partial<Config> = {}): Config {
  const result = parseConfig(
    [
      "--memory",
      "--redis-port=0",
      "--memcached-port=0",
      "--http-port=0",
      "--log-level=error",
    ],
    SERVICES,
    (name) => TEST_ENV.has(name) ? Deno.env.get(name) : undefined,
  );
  if (result.kind !== "run") throw new Error("unreachable");
  return { ...result.config, ...overrides };
}

/** An in-process server; dispose it (`await using`) to shut it down. */
export interface TestServer extends AsyncDisposable {
  server: RunningServer;
  ports: Ports;
}

/**
 * Opt-in: `BASEKV_TEST_STORE=remote deno test -A tests/` runs every in-process server on its
 * own fake KV Connect server (remote path: checks on, cache off) instead of an in-memory store.
 */
const REMOTE_STORE = Deno.env.get("BASEKV_TEST_STORE") === "remote";

/** Start basekv in this process with `testConfig(overrides)`. */
export async function startTestServer(overrides: Partial<Config> = {}): Promise<TestServer> {
  let fake: AsyncDisposable & { url: string } | null = null;
  if (REMOTE_STORE && overrides.kvUrl === undefined) {
    const { startKvConnectServer, TEST_KV_TOKEN } = await import("./kv_connect_server.ts");
    Deno.env.set("DENO_KV_ACCESS_TOKEN", TEST_KV_TOKEN);
    fake = await startKvConnectServer();
  }
  const config = testConfig(fake ? { kvUrl: fake.url, ...overrides } : overrides);
  const server = await startServer(config, SERVICES, createLogger(config.logLevel));
  const port = (name: "redis" | "memcached" | "dynamodb") => server.services.get(name)?.port ?? 0;
  return {
    server,
    ports: { redis: port("redis"), memcached: port("memcached"), http: port("dynamodb") },
    [Symbol.asyncDispose]: async () => {
      await server.close();
      await fake?.[Symbol.asyncDispose]();
    },
  };
}

/** A basekv child process. */
export interface ChildServer extends AsyncDisposable {
  ports: Ports;
  readyLine: string;
  /** The child's process id. */
  pid: number;
  /** Send `signal` without waiting for an exit (SIGHUP and the like). */
  signal(signal: Deno.Signal): void;
  /** Send SIGTERM (or `signal`) and wait; resolves with the exit code. */
  stop(signal?: Deno.Signal): Promise<number>;
  stderr(): Promise<string>;
}

/** The deno binary running these tests. */
export const DENO = Deno.execPath();
/** Flags a child Deno needs to import the test-only npm clients, as the test task passes them. */
export const TEST_IMPORT_FLAGS = [
  `--import-map=${new URL("../import_map.json", import.meta.url).pathname}`,
  `--lock=${new URL("../deno.lock", import.meta.url).pathname}`,
];
const MAIN = new URL("../../main.ts", import.meta.url).pathname;

/** Run main.ts with `args` to completion (for flag errors); returns code and output. */
export async function runMain(args: string[], env: Record<string, string> = {}) {
  const out = await new Deno.Command(DENO, {
    args: ["run", "-A", "--unstable-kv", MAIN, ...args],
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** Parse "redis 127.0.0.1:1234, memcached ..., dynamodb http://127.0.0.1:5678" into ports. */
export function parseReadyLine(line: string): Ports {
  const port = (name: string) => Number(line.match(new RegExp(`${name} \\S*:(\\d+)`))?.[1] ?? 0);
  return { redis: port("redis"), memcached: port("memcached"), http: port("dynamodb") };
}

/**
 * Start main.ts as a child and wait for its ready line; `env` adds to the inherited environment,
 * `prefix` runs it through another command that ends by exec'ing it (as `unshare … sh -c`).
 */
export async function startChild(
  args: string[],
  script = MAIN,
  env: Record<string, string> = {},
  prefix: string[] = [],
): Promise<ChildServer> {
  const argv = [...prefix, DENO, "run", "-A", "--unstable-kv", script, ...args];
  const child = new Deno.Command(argv[0], {
    args: argv.slice(1),
    env,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  const errText = new Response(child.stderr).text();
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) {
      const status = await child.status;
      throw new Error(`basekv exited (${status.code}) before ready: ${await errText}`);
    }
    text += value;
  }
  const readyLine = text.split("\n")[0];
  const drain = (async () => {
    while (!(await reader.read()).done) { /* keep the pipe flowing */ }
  })();
  let stopped: Promise<number> | null = null;
  const stop = (signal: Deno.Signal = "SIGTERM") =>
    stopped ??= (async () => {
      try {
        child.kill(signal);
      } catch {
        // Already gone.
      }
      const status = await child.status;
      await drain;
      return status.code;
    })();
  return {
    ports: parseReadyLine(readyLine),
    readyLine,
    stop,
    pid: child.pid,
    signal: (signal) => child.kill(signal),
    stderr: () => errText,
    [Symbol.asyncDispose]: async () => {
      await stop();
      await errText;
    },
  };
}

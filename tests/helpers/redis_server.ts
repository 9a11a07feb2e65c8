/** Debian's redis-server as a reference peer (parity tests, benchmarks) on a free loopback port. */
import { freePort, waitForPort } from "./ports.ts";

/** A running redis-server in its own temp dir; `stop()` ends it and removes the dir. */
export interface RedisServer extends AsyncDisposable {
  port: number;
  stop(): Promise<void>;
}

/** Start redis-server; `durable` turns on the AOF with an fsync per write (basekv's guarantee). */
export async function startRedisServer(options: { durable: boolean }): Promise<RedisServer> {
  const dir = await Deno.makeTempDir({ prefix: "basekv-redis-ref-" });
  const port = freePort();
  const persistence = options.durable
    ? ["--appendonly", "yes", "--appendfsync", "always"]
    : ["--appendonly", "no"];
  const child = new Deno.Command("redis-server", {
    args: [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--dir",
      dir,
      "--save",
      "",
      ...persistence,
    ],
    stdout: "null",
    stderr: "null",
  }).spawn();
  let stopped: Promise<void> | null = null;
  const stop = () =>
    stopped ??= (async () => {
      child.kill("SIGTERM");
      await child.status;
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    })();
  try {
    await waitForPort(port);
  } catch (error) {
    await stop();
    throw error;
  }
  return { port, stop, [Symbol.asyncDispose]: stop };
}

/** True when redis-server is installed. */
export const hasRedisServer: Promise<boolean> = new Deno.Command("redis-server", {
  args: ["--version"],
  stdout: "null",
}).output().then((o) => o.success, () => false);

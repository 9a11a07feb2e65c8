/**
 * redis-benchmark against basekv (file store) and against Debian's redis-server with
 * `appendonly yes`, `appendfsync always` (both durable per write), in the same run, at `-c 50`
 * and at `-c 50 -P 16`; prints requests/s per command and the basekv/redis ratio.
 * Run: `deno task bench redis` (BENCH_N / BENCH_N_PIPELINED change the request counts).
 * @module
 */
import { startChild } from "../tests/helpers/server.ts";

const TESTS = "set,get,incr,hset";
const N = Number(Deno.env.get("BENCH_N") ?? 20000);
const N_PIPELINED = Number(Deno.env.get("BENCH_N_PIPELINED") ?? 100000);

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** requests/s per test name from `redis-benchmark --csv`. */
async function benchmark(port: number, extra: string[]): Promise<Map<string, number>> {
  const out = await new Deno.Command("redis-benchmark", {
    args: ["-p", String(port), "-t", TESTS, "-c", "50", "--csv", ...extra],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) {
    throw new Error(`redis-benchmark failed: ${new TextDecoder().decode(out.stderr)}`);
  }
  const rps = new Map<string, number>();
  for (const line of text.split("\n")) {
    const cells = line.split(",").map((c) => c.replaceAll('"', ""));
    if (cells.length > 1 && cells[0] !== "test") rps.set(cells[0], Number(cells[1]));
  }
  return rps;
}

async function waitForPort(port: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`redis-server did not listen on ${port}`);
}

const dir = await Deno.makeTempDir({ prefix: "basekv-redis-bench-" });
const redisPort = freePort();
const redis = new Deno.Command("redis-server", {
  args: [
    "--port",
    String(redisPort),
    "--bind",
    "127.0.0.1",
    "--appendonly",
    "yes",
    "--appendfsync",
    "always",
    "--save",
    "",
    "--dir",
    dir,
  ],
  stdout: "null",
  stderr: "null",
}).spawn();
const basekv = await startChild([
  `--data=${dir}/basekv.sqlite`,
  "--protocols=redis",
  "--redis-port=0",
  "--log-level=error",
]);
try {
  await waitForPort(redisPort);
  for (
    const [label, extra] of [
      [`-c 50 -n ${N}`, ["-n", String(N)]],
      [`-c 50 -P 16 -n ${N_PIPELINED}`, ["-n", String(N_PIPELINED), "-P", "16"]],
    ] as const
  ) {
    const ours = await benchmark(basekv.ports.redis, [...extra]);
    const theirs = await benchmark(redisPort, [...extra]);
    console.log(`\nredis-benchmark ${label} (requests/s; redis-server appendfsync always)`);
    console.log(`${"test".padEnd(8)} ${"basekv".padStart(10)} ${"redis".padStart(10)} ratio`);
    for (const [test, rps] of ours) {
      const ref = theirs.get(test) ?? NaN;
      console.log(
        `${test.padEnd(8)} ${rps.toFixed(0).padStart(10)} ${ref.toFixed(0).padStart(10)} ${
          (rps / ref).toFixed(2)
        }`,
      );
    }
  }
} finally {
  await basekv.stop();
  await basekv.stderr();
  redis.kill("SIGTERM");
  await redis.status;
  await Deno.remove(dir, { recursive: true });
}

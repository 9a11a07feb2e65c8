/**
 * Redis benchmark: redis-benchmark against basekv (a child process on a temp-file store) and
 * against Debian's redis-server (appendonly yes, appendfsync always) in the same run; prints
 * requests/s per command and the basekv/redis ratio, at -c 50 and at -c 50 -P 16.
 * Run: deno task bench redis
 * @module
 */
import { startChild } from "../tests/helpers/server.ts";
import { startRedisServer } from "../tests/helpers/redis_server.ts";

/** Requests per redis-benchmark run (bounded so the whole bench takes about a minute). */
const REQUESTS = 50_000;
const CLIENTS = 50;
const PIPELINE = 16;
const TESTS = "set,get,incr,hset";

/** Requests/s per test name, parsed from `redis-benchmark -q` output. */
function parseRates(text: string): Map<string, number> {
  const rates = new Map<string, number>();
  // -q prints progress with carriage returns; the final figure follows the last one.
  for (const line of text.split(/[\r\n]+/)) {
    const m = line.match(/^([A-Z]+)(?: [^:]*)?: ([0-9.]+) requests per second/);
    if (m) rates.set(m[1], Number(m[2]));
  }
  return rates;
}

async function benchmark(port: number, pipeline: number): Promise<Map<string, number>> {
  const out = await new Deno.Command("redis-benchmark", {
    args: [
      "-p",
      String(port),
      "-t",
      TESTS,
      "-n",
      String(REQUESTS),
      "-c",
      String(CLIENTS),
      "-P",
      String(pipeline),
      "-q",
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  if (out.code !== 0) {
    throw new Error(`redis-benchmark failed: ${new TextDecoder().decode(out.stderr)}`);
  }
  return parseRates(text);
}

function report(label: string, basekv: Map<string, number>, redis: Map<string, number>): void {
  console.log(`\n${label}`);
  console.log(
    `${"command".padEnd(8)} ${"basekv req/s".padStart(14)} ${"redis req/s".padStart(14)} ${
      "ratio".padStart(7)
    }`,
  );
  for (const name of TESTS.toUpperCase().split(",")) {
    const b = basekv.get(name) ?? 0;
    const r = redis.get(name) ?? 0;
    const ratio = r > 0 ? (b / r).toFixed(2) : "n/a";
    console.log(
      `${name.padEnd(8)} ${Math.round(b).toString().padStart(14)} ${
        Math.round(r).toString().padStart(14)
      } ${ratio.padStart(7)}`,
    );
  }
}

/** Run the Redis benchmark; returns requests/s by "<command>@P<pipeline>". */
export async function redisBench(): Promise<Record<string, number>> {
  const dir = await Deno.makeTempDir({ prefix: "basekv-redis-bench-" });
  const figures: Record<string, number> = {};
  const redis = await startRedisServer({ durable: true });
  await using basekv = await startChild([
    `--data=${dir}/basekv.sqlite`,
    "--redis-port=0",
    "--memcached-port=0",
    "--http-port=0",
    "--log-level=error",
  ]);
  try {
    console.log(
      `redis-benchmark -n ${REQUESTS} -c ${CLIENTS} -t ${TESTS}; redis-server: appendonly yes, appendfsync always`,
    );
    for (const pipeline of [1, PIPELINE]) {
      const b = await benchmark(basekv.ports.redis, pipeline);
      const r = await benchmark(redis.port, pipeline);
      report(`-c ${CLIENTS} -P ${pipeline}`, b, r);
      for (const [name, rate] of b) figures[`${name}@P${pipeline}`] = rate;
      for (const [name, rate] of r) figures[`redis:${name}@P${pipeline}`] = rate;
    }
  } finally {
    await redis.stop();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
  return figures;
}

if (import.meta.main) await redisBench();

/**
 * Redis workloads of issues 8 and 10: redis-benchmark `-c 50 -r 100000` at -P 1 and -P 16. SET,
 * INCR, HSET, LPUSH, RPOP, SADD and ZADD against redis-server with `appendonly yes, appendfsync
 * always`; GET (keyspace preloaded, so every GET hits) against redis-server without persistence;
 * ZRANGEBYSCORE on the sorted sets ZADD filled, on the same server. basekv runs on a file store.
 * `BASEKV_BENCH_REDIS_ROWS=LPUSH,RPOP` runs only the named workloads.
 * @module
 */
import {
  count,
  interleaved,
  KEYSPACE,
  loadRedisKeys,
  type Row,
  type Section,
  startBasekv,
  type Stat,
  versionOf,
} from "./bench_lib.ts";
import { startRedisServer } from "../tests/helpers/redis_server.ts";

const CLIENTS = 50;
const VALUE = "v".repeat(100);

/**
 * Each run is sized to take about RUN_SECONDS on the slower server (measured by a short
 * calibration run of CALIBRATION requests), within MIN..MAX requests: a count, not a duration,
 * is all redis-benchmark takes.
 */
const RUN_SECONDS = count(3, 0.5);
const CALIBRATION = count(3_000, 1_000);
const MIN_REQUESTS = count(5_000, 1_000);
const MAX_REQUESTS = count(300_000, 10_000);

/** One workload: a redis-benchmark command line; every key and member is random. */
interface Workload {
  name: string;
  command: readonly string[];
  /** A write, measured against the fsync-always reference (and held to its ratio). */
  durable: boolean;
  /** A read of what an earlier durable row wrote: measured on that same reference server. */
  readsWrites?: boolean;
}

/** Each workload as a redis-benchmark command line; every key is random over the keyspace. */
const WORKLOADS: Workload[] = [
  { name: "SET", command: ["SET", "key:__rand_int__", VALUE], durable: true },
  { name: "INCR", command: ["INCR", "counter:__rand_int__"], durable: true },
  { name: "HSET", command: ["HSET", "hash:__rand_int__", "field", VALUE], durable: true },
  { name: "GET", command: ["GET", "key:__rand_int__"], durable: false },
  { name: "LPUSH", command: ["LPUSH", "list:__rand_int__", VALUE], durable: true },
  // Pops the lists LPUSH filled (a pop of an emptied list is a miss on both servers alike).
  { name: "RPOP", command: ["RPOP", "list:__rand_int__"], durable: true },
  { name: "SADD", command: ["SADD", "set:__rand_int__", "member:__rand_int__"], durable: true },
  {
    name: "ZADD",
    command: ["ZADD", "zset:__rand_int__", "__rand_int__", "member:__rand_int__"],
    durable: true,
  },
  {
    name: "ZRANGEBYSCORE",
    command: ["ZRANGEBYSCORE", "zset:__rand_int__", "-inf", "+inf", "LIMIT", "0", "10"],
    durable: false,
    readsWrites: true,
  },
];

/** The workloads BASEKV_BENCH_REDIS_ROWS names (all when unset). */
function selected(): Workload[] {
  const names = Deno.env.get("BASEKV_BENCH_REDIS_ROWS")?.split(",").map((n) => n.trim());
  return names ? WORKLOADS.filter((w) => names.includes(w.name)) : WORKLOADS;
}

/** Issue 8's minimum basekv/reference ratios. */
function target(durable: boolean, pipeline: number): number {
  if (durable) return pipeline === 1 ? 1.0 : 0.5;
  return pipeline === 1 ? 0.8 : 0.4;
}

/** One redis-benchmark run; parses its CSV line (rps, p50, p99). */
async function redisBenchmark(
  port: number,
  pipeline: number,
  requests: number,
  command: readonly string[],
): Promise<Stat> {
  const out = await new Deno.Command("redis-benchmark", {
    args: [
      ...["-p", String(port), "-c", String(CLIENTS), "-P", String(pipeline)],
      ...["-n", String(requests), "-r", String(KEYSPACE), "--csv"],
      ...command,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) throw new Error(`redis-benchmark: ${new TextDecoder().decode(out.stderr)}`);
  // Header: "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95…","p99…","max…"
  const line = text.trim().split("\n").find((l) => !l.startsWith('"test"'));
  const fields = line?.split('","').map((f) => f.replaceAll('"', ""));
  if (!fields || fields.length < 8) throw new Error(`redis-benchmark output: ${text}`);
  return { opsPerSec: Number(fields[1]), p50Ms: Number(fields[4]), p99Ms: Number(fields[6]) };
}

/** Run every Redis workload against basekv and its reference, interleaved. */
export async function redisBench(): Promise<Section> {
  const dir = await Deno.makeTempDir({ prefix: "basekv-bench-redis-" });
  try {
    await using basekv = await startBasekv({ data: `${dir}/basekv.sqlite`, protocols: ["redis"] });
    await using aof = await startRedisServer({ durable: true });
    await using plain = await startRedisServer({ durable: false });
    const workloads = selected();
    if (workloads.some((w) => w.name === "GET")) {
      console.log(`redis: preloading ${KEYSPACE} keys`);
      await loadRedisKeys(basekv.ports.redis, "key:", 0, KEYSPACE, VALUE.length);
      await loadRedisKeys(plain.port, "key:", 0, KEYSPACE, VALUE.length);
    }
    const rows: Row[] = [];
    for (const pipeline of [1, 16]) {
      for (const w of workloads) {
        const refPort = w.durable || w.readsWrites ? aof.port : plain.port;
        const slowest = Math.min(
          (await redisBenchmark(basekv.ports.redis, pipeline, CALIBRATION, w.command)).opsPerSec,
          (await redisBenchmark(refPort, pipeline, CALIBRATION, w.command)).opsPerSec,
        );
        const requests = Math.round(
          Math.min(MAX_REQUESTS, Math.max(MIN_REQUESTS, slowest * RUN_SECONDS)),
        );
        const run = (port: number) => () => redisBenchmark(port, pipeline, requests, w.command);
        rows.push(
          await interleaved(
            `${w.name} -P ${pipeline}`,
            target(w.durable, pipeline),
            run(basekv.ports.redis),
            run(refPort),
          ),
        );
      }
    }
    return {
      title: "Redis",
      reference: `${await versionOf("redis-server", ["--version"])}; writes vs ` +
        "`appendonly yes, appendfsync always`, GET vs no persistence, ZRANGEBYSCORE on the " +
        "server ZADD filled",
      rows,
      notes: [
        `redis-benchmark -c ${CLIENTS} -r ${KEYSPACE}; -n sized for about ${RUN_SECONDS} s ` +
        `on the slower server (${MIN_REQUESTS}–${MAX_REQUESTS}); 100-byte values; HSET writes field \`field\` of a random hash ` +
        `key; GET keyspace preloaded (all hits); LPUSH a 100-byte value to a random list, RPOP ` +
        `from the lists LPUSH filled; SADD and ZADD a random member (ZADD a random score) to a ` +
        `random key; ZRANGEBYSCORE -inf +inf LIMIT 0 10 of a random sorted set ZADD filled.`,
      ],
    };
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

/**
 * Redis workloads of issues 8, 10 and 11: redis-benchmark `-c 50 -r 100000` at -P 1 and -P 16.
 * SET, INCR, HSET, LPUSH, RPOP, SADD, ZADD and EVALSHA (INCR + PEXPIRE in a script) against
 * redis-server with `appendonly yes, appendfsync always`; GET (keyspace preloaded, so every GET
 * hits) and PUBLISH to 10 subscribers against redis-server without persistence; ZRANGEBYSCORE on
 * the sorted sets ZADD filled, on the same server. basekv runs on a file store.
 * `BASEKV_BENCH_REDIS_ROWS=LPUSH,RPOP` runs only the named workloads.
 * @module
 */
import {
  ask,
  count,
  type Figure,
  floorFigure,
  interleaved,
  KEYSPACE,
  loadRedisKeys,
  median,
  resp,
  respComplete,
  type Row,
  type Section,
  startBasekv,
  startFloor,
  type Stat,
  versionOf,
} from "./bench_lib.ts";
import { startRedisServer } from "../tests/helpers/redis_server.ts";
import { subscribe, type Subscribers } from "./subscribers.ts";

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

/** EVALSHA's script: a counter with a sliding expiry, the shape of a rate limiter's step. */
const SCRIPT = "local n = redis.call('INCR', KEYS[1]) " +
  "redis.call('PEXPIRE', KEYS[1], 60000) return n";
const SCRIPT_SHA = Array.from(
  new Uint8Array(await crypto.subtle.digest("SHA-1", new TextEncoder().encode(SCRIPT))),
  (b) => b.toString(16).padStart(2, "0"),
).join("");

/** PUBLISH's audience: this many connections subscribed to one channel on each server. */
const SUBSCRIBERS = 10;
const CHANNEL = "bench:channel";
/** How long the subscribers may take, after the last PUBLISH reply, to hold every message. */
const DELIVERY_TIMEOUT_MS = 30_000;

/** One workload: a redis-benchmark command line; every key and member is random. */
interface Workload {
  name: string;
  command: readonly string[];
  /** A write, measured against the fsync-always reference (and held to its ratio). */
  durable: boolean;
  /** A read of what an earlier durable row wrote: measured on that same reference server. */
  readsWrites?: boolean;
  /** Run once on each server before the workload's first run (e.g. SCRIPT LOAD). */
  setup?: (port: number) => Promise<void>;
  /** PUBLISH: the subscribers on each server that must receive every message. */
  fanout?: boolean;
  /** Also run against the bare Deno KV write server (bench/kv_floor_server.ts) each round. */
  floor?: boolean;
}

/** Each workload as a redis-benchmark command line; every key is random over the keyspace. */
const WORKLOADS: Workload[] = [
  { name: "SET", command: ["SET", "key:__rand_int__", VALUE], durable: true, floor: true },
  { name: "INCR", command: ["INCR", "counter:__rand_int__"], durable: true, floor: true },
  {
    name: "HSET",
    command: ["HSET", "hash:__rand_int__", "field", VALUE],
    durable: true,
    floor: true,
  },
  { name: "GET", command: ["GET", "key:__rand_int__"], durable: false },
  { name: "LPUSH", command: ["LPUSH", "list:__rand_int__", VALUE], durable: true, floor: true },
  // Pops the lists LPUSH filled (a pop of an emptied list is a miss on both servers alike).
  { name: "RPOP", command: ["RPOP", "list:__rand_int__"], durable: true },
  {
    name: "SADD",
    command: ["SADD", "set:__rand_int__", "member:__rand_int__"],
    durable: true,
    floor: true,
  },
  {
    name: "ZADD",
    command: ["ZADD", "zset:__rand_int__", "__rand_int__", "member:__rand_int__"],
    durable: true,
    floor: true,
  },
  {
    name: "ZRANGEBYSCORE",
    command: ["ZRANGEBYSCORE", "zset:__rand_int__", "-inf", "+inf", "LIMIT", "0", "10"],
    durable: false,
    readsWrites: true,
  },
  {
    name: "EVALSHA",
    command: ["EVALSHA", SCRIPT_SHA, "1", "script:__rand_int__"],
    durable: true,
    setup: loadScript,
  },
  // PUBLISH persists nothing on either server: measured against the in-memory reference and held
  // to the in-memory (GET) targets.
  { name: "PUBLISH", command: ["PUBLISH", CHANNEL, VALUE], durable: false, fanout: true },
];

/** SCRIPT LOAD on `port`; both servers must name the script by the same SHA-1. */
async function loadScript(port: number): Promise<void> {
  const reply = await ask(port, resp("SCRIPT", "LOAD", SCRIPT), respComplete);
  if (!reply.includes(SCRIPT_SHA)) throw new Error(`SCRIPT LOAD on ${port}: ${reply}`);
}

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
    await using floor = workloads.some((w) => w.floor)
      ? await startFloor(`${dir}/floor.sqlite`)
      : undefined;
    if (workloads.some((w) => w.name === "GET")) {
      console.log(`redis: preloading ${KEYSPACE} keys`);
      await loadRedisKeys(basekv.ports.redis, "key:", 0, KEYSPACE, VALUE.length);
      await loadRedisKeys(plain.port, "key:", 0, KEYSPACE, VALUE.length);
    }
    const rows: Row[] = [];
    const figures: Figure[] = [];
    for (const w of workloads) {
      const refPort = w.durable || w.readsWrites ? aof.port : plain.port;
      await w.setup?.(basekv.ports.redis);
      await w.setup?.(refPort);
    }
    for (const pipeline of [1, 16]) {
      for (const w of workloads) {
        const refPort = w.durable || w.readsWrites ? aof.port : plain.port;
        const fanout = w.fanout ? await openFanout(basekv.ports.redis, refPort) : undefined;
        await using _ = fanout;
        const run = (port: number, requests: number) =>
          fanout
            ? fanout.run(port, () => redisBenchmark(port, pipeline, requests, w.command), requests)
            : redisBenchmark(port, pipeline, requests, w.command);
        const slowest = Math.min(
          (await run(basekv.ports.redis, CALIBRATION)).opsPerSec,
          (await run(refPort, CALIBRATION)).opsPerSec,
        );
        const requests = Math.round(
          Math.min(MAX_REQUESTS, Math.max(MIN_REQUESTS, slowest * RUN_SECONDS)),
        );
        const name = `${w.name} -P ${pipeline}`;
        const row = await interleaved(
          name,
          target(w.durable, pipeline),
          () => run(basekv.ports.redis, requests),
          () => run(refPort, requests),
          w.floor && floor ? () => run(floor.port, requests) : undefined,
        );
        rows.push(row);
        if (fanout) figures.push(...fanout.figures(name, basekv.ports.redis, refPort));
        if (row.floor) figures.push(floorFigure(row, row.floor));
      }
    }
    return {
      title: "Redis",
      reference: `${await versionOf("redis-server", ["--version"])}; writes vs ` +
        "`appendonly yes, appendfsync always`, GET and PUBLISH vs no persistence, " +
        "ZRANGEBYSCORE on the server ZADD filled",
      rows,
      figures,
      notes: [
        `redis-benchmark -c ${CLIENTS} -r ${KEYSPACE}; -n sized for about ${RUN_SECONDS} s ` +
        `on the slower server (${MIN_REQUESTS}–${MAX_REQUESTS}); 100-byte values; HSET writes field \`field\` of a random hash ` +
        `key; GET keyspace preloaded (all hits); LPUSH a 100-byte value to a random list, RPOP ` +
        `from the lists LPUSH filled; SADD and ZADD a random member (ZADD a random score) to a ` +
        `random key; ZRANGEBYSCORE -inf +inf LIMIT 0 10 of a random sorted set ZADD filled; ` +
        `EVALSHA of \`${SCRIPT}\` (SCRIPT LOAD once per server) on a random key.`,
        `Deno KV floor: bench/kv_floor_server.ts, a bare RESP server on its own file store that ` +
        `writes the entries a command needs at least (SET and INCR: the value; HSET, SADD, ` +
        `LPUSH: the key's entry with its size and the member's; ZADD: also the score index ` +
        `entry), groups every pending command into one Deno KV atomic (no reads, TTL index, ` +
        `counts or cache) and replies after the commit; run in the same rounds as those rows.`,
        `PUBLISH: a 100-byte message to one channel with ${SUBSCRIBERS} subscribers (raw RESP2 ` +
        `connections in the benchmark process) on each server. Its ops/s counts a run as ` +
        `finished when every subscriber holds every message, not at the last PUBLISH reply; ` +
        `p50/p99 are of the PUBLISH replies. The delivered rows below must show every message ` +
        `at every subscriber.`,
      ],
    };
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

/** PUBLISH's subscribers on basekv and on the reference, and what they received. */
interface Fanout extends AsyncDisposable {
  /**
   * One redis-benchmark run of `requests` PUBLISHes to `port`; ops/s is stretched to include the
   * wait, after the last reply, until every subscriber holds every message.
   */
  run(port: number, bench: () => Promise<Stat>, requests: number): Promise<Stat>;
  /** Messages delivered per subscriber on each server, each held to what was published. */
  figures(workload: string, basekvPort: number, refPort: number): Figure[];
}

async function openFanout(basekvPort: number, refPort: number): Promise<Fanout> {
  const servers = new Map<
    number,
    { subs: Subscribers; before: number; sent: number; lagMs: number[] }
  >();
  for (const port of [basekvPort, refPort]) {
    // The PUBLISHes of earlier rows, which these subscribers did not hear.
    const before = await publishCalls(port);
    const subs = await subscribe(port, SUBSCRIBERS, CHANNEL, VALUE);
    // PUBLISH answers its receiver count: every subscriber must be registered before the load.
    const reply = await ask(port, resp("PUBLISH", CHANNEL, VALUE), respComplete);
    if (reply !== `:${SUBSCRIBERS}\r\n`) throw new Error(`PUBLISH on ${port} answered ${reply}`);
    servers.set(port, { subs, before, sent: await publishCalls(port) - before, lagMs: [] });
  }
  const close = async () => {
    for (const { subs } of servers.values()) await subs.close();
  };
  return {
    async run(port, bench, requests) {
      const server = servers.get(port)!;
      const stat = await bench();
      // redis-benchmark overshoots -n under pipelining: the server's own count is what was sent.
      server.sent = await publishCalls(port) - server.before;
      const lagMs = await server.subs.until(server.sent, DELIVERY_TIMEOUT_MS);
      server.lagMs.push(lagMs);
      const seconds = requests / stat.opsPerSec + lagMs / 1000;
      return { ...stat, opsPerSec: requests / seconds };
    },
    figures(workload, basekvPort, refPort) {
      const sides = [["basekv", basekvPort], ["reference", refPort]] as const;
      return sides.map(([who, port]) => {
        const { subs, sent, lagMs } = servers.get(port)!;
        const counts = subs.counts();
        const failure = subs.failure();
        return {
          name: `${workload}: messages at each of ${SUBSCRIBERS} subscribers, ${who}`,
          value: Math.min(...counts),
          unit: "messages",
          min: sent,
          note: `most ${Math.max(...counts)}; last one arrived a median ${
            median(lagMs).toFixed(1)
          } ms after the last reply${failure ? `; ${failure}` : ""}`,
        };
      });
    },
    [Symbol.asyncDispose]: close,
  };
}

/** PUBLISH calls `port` has served, from `INFO commandstats` (which omits uncalled commands). */
async function publishCalls(port: number): Promise<number> {
  const info = await ask(port, resp("INFO", "commandstats"), respComplete);
  if (!info.startsWith("$")) throw new Error(`INFO commandstats on ${port}: ${info}`);
  return Number(info.match(/cmdstat_publish:calls=(\d+)/)?.[1] ?? 0);
}

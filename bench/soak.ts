/**
 * The soak: a bounded mixed load on all three protocols against one basekv process, sampling its
 * RSS and the load's p99 latency every second into a CSV and a PNG chart, and the verdict on both.
 * @module
 */
import { Redis } from "ioredis";
import {
  BatchWriteItemCommand,
  CreateTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from "@aws-sdk/client-dynamodb";
import { RawClient } from "../tests/helpers/net.ts";
import { sdkClient } from "../tests/dynamodb/client.ts";
import { median, quantile, sleep, startBasekv } from "./bench_lib.ts";
import { lineChartPng } from "./chart_png.ts";

/**
 * Keys per protocol: large enough that reads miss the hot set, small enough to prefill fast (the
 * short form's, so its prefill stays a few seconds on a busy machine).
 */
const KEYSPACE = 5_000;
const SHORT_KEYSPACE = 2_000;
/** Runs shorter than this are the short form. */
const SHORT_RUN_S = 120;
const REDIS_CLIENTS = 4;
const MEMCACHED_CLIENTS = 2;
const DYNAMODB_CLIENTS = 2;
/** Values between these sizes, random per write. */
const VALUE_MIN = 64;
const VALUE_MAX = 1024;
/** Reads per write (a cache-like mix). */
const READ_SHARE = 0.7;
const TABLE = "soak";

/**
 * RSS after warm-up may grow this much by the end before it counts as a leak, plus a fixed slack
 * for the one-off steps V8 and SQLite's page cache take when they grow (seen: +25 MiB at once).
 */
export const RSS_GROWTH_LIMIT = 1.25;
export const RSS_SLACK_MIB = 16;
/**
 * The last window's p99 may be this many times the first window's; a p99 under the floor passes
 * whatever the ratio: on a shared 2-core machine (other test files start and stop beside the short
 * form) a neighbour alone takes a quiet 20 ms p99 to 100–200 ms, with one-second spikes to 750 ms.
 */
export const P99_GROWTH_LIMIT = 3;
export const P99_FLOOR_MS = 250;

/** One second of the run. */
export interface Sample {
  /** Seconds since the load started. */
  t: number;
  rssMiB: number;
  /** V8 heap in use (Redis INFO `used_memory`): tells a JS leak from allocator or SQLite growth. */
  heapMiB: number;
  /** p99 of the requests completed in this second, in ms. */
  p99Ms: number;
  ops: number;
  errors: number;
}

/** What the run measured and whether it holds. */
export interface SoakResult {
  samples: Sample[];
  warmupS: number;
  rssAfterWarmupMiB: number;
  rssEndMiB: number;
  p99FirstMs: number;
  p99LastMs: number;
  totalOps: number;
  totalErrors: number;
  csvPath: string;
  pngPath: string;
  /** Broken bounds, in words; empty when the run holds. */
  failures: string[];
  /** How long writing every key once took, before the timed run. */
  prefillMs: number;
}

const enc = new TextEncoder();

function randomKey(prefix: string, keys: number): string {
  return `${prefix}:${Math.floor(Math.random() * keys)}`;
}

function randomValue(): string {
  const n = VALUE_MIN + Math.floor(Math.random() * (VALUE_MAX - VALUE_MIN));
  return "v".repeat(n);
}

/** Bytes of one complete memcached `get` reply at the start of `b`, or 0. */
function memcachedGetReply(b: Uint8Array): number {
  const text = new TextDecoder("latin1").decode(b);
  const end = text.indexOf("END\r\n");
  if (end < 0) return 0;
  if (text.startsWith("VALUE ")) {
    const line = text.indexOf("\r\n");
    const size = Number(text.slice(0, line).split(" ")[3]);
    const total = line + 2 + size + 2 + 5;
    return b.length >= total ? total : 0;
  }
  return end + 5;
}

interface Load {
  prefillMs: number;
  /** Latencies (ms) completed since the last drain. */
  drain(): { latencies: number[]; errors: number };
  stop(): Promise<void>;
}

function redisClient(port: number): Redis {
  return new Redis({ port, host: "127.0.0.1", maxRetriesPerRequest: 0, lazyConnect: true });
}

/** Every key of every protocol written once, so reads hit from the start (protocols in parallel). */
async function prefill(
  keys: number,
  redis: Redis,
  memcachedPort: number,
  ddb: DynamoDBClient,
): Promise<void> {
  const BATCH = 500;
  const LANES = 4;
  const redisFill = async () => {
    for (let i = 0; i < keys; i += BATCH) {
      const pairs: string[] = [];
      for (let k = i; k < Math.min(keys, i + BATCH); k++) pairs.push(`r:${k}`, randomValue());
      await redis.mset(...pairs);
    }
  };
  // A memcached connection commits its pipelined sets one by one: several connections.
  const memcachedFill = async (lane: number) => {
    using mc = await RawClient.connect(memcachedPort);
    const SLICE = BATCH / 5;
    for (let i = lane * SLICE; i < keys; i += LANES * SLICE) {
      let batch = "";
      for (let k = i; k < Math.min(keys, i + SLICE); k++) {
        const v = randomValue();
        batch += `set m:${k} 0 0 ${v.length}\r\n${v}\r\n`;
      }
      await mc.send(batch);
      for (let k = i; k < Math.min(keys, i + SLICE); k++) await mc.readText("\r\n", 60_000);
    }
  };
  // BatchWriteItem takes 25 items; LANES requests in flight at a time.
  const dynamoFill = async (lane: number) => {
    for (let i = lane * 25; i < keys; i += LANES * 25) {
      const items = [];
      for (let k = i; k < Math.min(keys, i + 25); k++) {
        items.push({ PutRequest: { Item: { pk: { S: `d:${k}` }, v: { S: randomValue() } } } });
      }
      await ddb.send(new BatchWriteItemCommand({ RequestItems: { [TABLE]: items } }));
    }
  };
  const lanes = Array.from({ length: LANES }, (_, i) => i);
  await Promise.all([redisFill(), ...lanes.map(memcachedFill), ...lanes.map(dynamoFill)]);
}

async function startLoad(ports: { redis: number; memcached: number; http: number }, keys: number) {
  const redis = Array.from({ length: REDIS_CLIENTS }, () => redisClient(ports.redis));
  await Promise.all(redis.map((r) => r.connect()));
  const mcs = await Promise.all(
    Array.from({ length: MEMCACHED_CLIENTS }, () => RawClient.connect(ports.memcached)),
  );
  const ddbs = Array.from({ length: DYNAMODB_CLIENTS }, () => sdkClient(ports.http));
  await ddbs[0].send(
    new CreateTableCommand({
      TableName: TABLE,
      AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      BillingMode: "PAY_PER_REQUEST",
    }),
  );
  const t0 = performance.now();
  await prefill(keys, redis[0], ports.memcached, ddbs[0]);
  const prefillMs = performance.now() - t0;

  let latencies: number[] = [];
  let errors = 0;
  let stopped = false;
  const worker = async (op: () => Promise<unknown>) => {
    while (!stopped) {
      const t0 = performance.now();
      try {
        await op();
        latencies.push(performance.now() - t0);
      } catch {
        errors++;
        // A failing server must not turn the loop into a busy spin.
        await sleep(10);
      }
    }
  };
  const reads = () => Math.random() < READ_SHARE;
  const jobs = [
    ...redis.map((r) =>
      worker(() =>
        reads() ? r.get(randomKey("r", keys)) : r.set(randomKey("r", keys), randomValue())
      )
    ),
    ...mcs.map((c) =>
      worker(async () => {
        if (reads()) {
          await c.send(`get ${randomKey("m", keys)}\r\n`);
          await c.readUntil(memcachedGetReply, 60_000);
        } else {
          const v = randomValue();
          await c.send(enc.encode(`set ${randomKey("m", keys)} 0 0 ${v.length}\r\n${v}\r\n`));
          const line = await c.readText("\r\n", 60_000);
          if (line !== "STORED\r\n") throw new Error(line);
        }
      })
    ),
    ...ddbs.map((d) =>
      worker(() =>
        reads()
          ? d.send(
            new GetItemCommand({ TableName: TABLE, Key: { pk: { S: randomKey("d", keys) } } }),
          )
          : d.send(
            new PutItemCommand({
              TableName: TABLE,
              Item: { pk: { S: randomKey("d", keys) }, v: { S: randomValue() } },
            }),
          )
      )
    ),
  ];
  const load: Load = {
    prefillMs,
    drain: () => {
      const out = { latencies, errors };
      latencies = [];
      errors = 0;
      return out;
    },
    stop: async () => {
      stopped = true;
      await Promise.all(jobs);
      for (const r of redis) r.disconnect();
      for (const c of mcs) c.close();
      for (const d of ddbs) d.destroy();
    },
  };
  return load;
}

function p99(latencies: number[]): number {
  return quantile([...latencies].sort((a, b) => a - b), 0.99);
}

/** Run the soak for `seconds`; write `soak.csv` and `soak.png` into `outDir`. */
export async function runSoak(seconds: number, outDir: string): Promise<SoakResult> {
  const dir = await Deno.makeTempDir({ prefix: "basekv-soak-" });
  await using server = await startBasekv({ data: `${dir}/basekv.sqlite` });
  const samples: Sample[] = [];
  /** Each second's latencies, kept for the window p99s. */
  const perSecond: number[][] = [];
  let prefillMs = NaN;
  try {
    const load = await startLoad(server.ports, seconds < SHORT_RUN_S ? SHORT_KEYSPACE : KEYSPACE);
    prefillMs = load.prefillMs;
    const probe = redisClient(server.ports.redis);
    await probe.connect();
    const heapMiB = async () => {
      const info = await probe.info("memory");
      return Number(info.match(/used_memory:(\d+)/)?.[1] ?? NaN) / 1024 / 1024;
    };
    const t0 = performance.now();
    for (let s = 1; s <= seconds; s++) {
      await sleep(Math.max(0, t0 + s * 1000 - performance.now()));
      const { latencies, errors } = load.drain();
      perSecond.push(latencies);
      samples.push({
        t: s,
        rssMiB: await server.rssMiB(),
        heapMiB: await heapMiB(),
        p99Ms: latencies.length ? p99(latencies) : NaN,
        ops: latencies.length,
        errors,
      });
    }
    probe.disconnect();
    await load.stop();
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
  return { ...await judge(samples, perSecond, outDir), prefillMs };
}

/** Warm-up: the first minute, or the first third of a shorter run. */
function warmupOf(seconds: number): number {
  return Math.min(60, Math.floor(seconds / 3));
}

async function judge(
  samples: Sample[],
  perSecond: number[][],
  outDir: string,
): Promise<Omit<SoakResult, "prefillMs">> {
  const warmupS = warmupOf(samples.length);
  const after = samples.slice(warmupS);
  // The first and last windows after warm-up: a minute, or half of what is left.
  const window = Math.max(1, Math.min(60, Math.floor(after.length / 2)));
  const rssAfterWarmupMiB = median(after.slice(0, window).map((s) => s.rssMiB));
  const rssEndMiB = median(after.slice(-window).map((s) => s.rssMiB));
  const p99FirstMs = p99(perSecond.slice(warmupS, warmupS + window).flat());
  const p99LastMs = p99(perSecond.slice(-window).flat());
  const failures: string[] = [];
  if (!(rssEndMiB <= rssAfterWarmupMiB * RSS_GROWTH_LIMIT + RSS_SLACK_MIB)) {
    failures.push(
      `RSS grew from ${rssAfterWarmupMiB.toFixed(1)} MiB after warm-up to ` +
        `${
          rssEndMiB.toFixed(1)
        } MiB at the end (limit ×${RSS_GROWTH_LIMIT} + ${RSS_SLACK_MIB} MiB)`,
    );
  }
  if (!(p99LastMs <= Math.max(p99FirstMs * P99_GROWTH_LIMIT, P99_FLOOR_MS))) {
    failures.push(
      `p99 grew from ${p99FirstMs.toFixed(1)} ms in the first window to ` +
        `${
          p99LastMs.toFixed(1)
        } ms in the last (limit ×${P99_GROWTH_LIMIT}, floor ${P99_FLOOR_MS} ms)`,
    );
  }
  await Deno.mkdir(outDir, { recursive: true });
  const csvPath = `${outDir}/soak.csv`;
  const pngPath = `${outDir}/soak.png`;
  const csv = ["t_s,rss_mib,heap_mib,p99_ms,ops,errors"].concat(
    samples.map((s) =>
      `${s.t},${s.rssMiB.toFixed(1)},${s.heapMiB.toFixed(1)},${
        Number.isFinite(s.p99Ms) ? s.p99Ms.toFixed(2) : ""
      },` +
      `${s.ops},${s.errors}`
    ),
  );
  await Deno.writeTextFile(csvPath, csv.join("\n") + "\n");
  await Deno.writeFile(
    pngPath,
    lineChartPng([
      {
        label: "basekv RSS (MiB)",
        rgb: [30, 90, 200],
        points: samples.map((s) => [s.t, s.rssMiB]),
      },
      {
        label: "V8 heap used (MiB)",
        rgb: [40, 150, 60],
        points: samples.map((s) => [s.t, s.heapMiB]),
      },
      { label: "p99 latency (ms)", rgb: [200, 60, 30], points: samples.map((s) => [s.t, s.p99Ms]) },
    ], "TIME (S)"),
  );
  return {
    samples,
    warmupS,
    rssAfterWarmupMiB,
    rssEndMiB,
    p99FirstMs,
    p99LastMs,
    totalOps: samples.reduce((n, s) => n + s.ops, 0),
    totalErrors: samples.reduce((n, s) => n + s.errors, 0),
    csvPath,
    pngPath,
    failures,
  };
}

/**
 * Scale case of issue 8 (`deno task bench scale`): load N keys of 100 B (default 5,000,000;
 * BASEKV_BENCH_SCALE_KEYS or `--keys=N`) into a file store, 50 connections × 16 pipelined SETs,
 * and compare load rate and GET rate with a small store; report RSS, count latency,
 * restart-to-ready and data-file bytes per stored byte.
 * @module
 */
import {
  benchKey,
  count,
  type Figure,
  fmtRate,
  idleRss,
  loadRedisKeys,
  logFigures,
  peakRssDuring,
  type Section,
  startBasekv,
  startFloor,
} from "./bench_lib.ts";
import { countFigures, restartMs } from "./lifecycle_bench.ts";
import { createBenchTable, preloadItems } from "./dynamodb_bench.ts";

const VALUE_BYTES = 100;
const SMALL = 10_000;
/** Items in the DynamoDB table whose ItemCount is timed. */
const TABLE_PARTITIONS = count(1_000, 100);

function keysWanted(): number {
  const flag = Deno.args.find((a) => a.startsWith("--keys="))?.slice("--keys=".length);
  const n = Number(flag ?? Deno.env.get("BASEKV_BENCH_SCALE_KEYS") ?? count(5_000_000, 50_000));
  if (!Number.isInteger(n) || n < SMALL * 2) throw new Error(`scale keys must be ≥ ${SMALL * 2}`);
  return n;
}

/**
 * GETs/s of random stored keys below `keyspace` (redis-benchmark -c 50 -P 16), and the highest
 * RSS sampled while they ran (`rss` given).
 */
async function getRate(
  port: number,
  keyspace: number,
  rss: () => Promise<number> = () => Promise.resolve(0),
): Promise<{ rate: number; peakMiB: number }> {
  const { value: out, peakMiB } = await peakRssDuring(
    rss,
    () =>
      new Deno.Command("redis-benchmark", {
        args: [
          ...["-p", String(port), "-c", "50", "-P", "16", "-n", String(count(100_000, 10_000))],
          ...["-r", String(keyspace), "--csv", "GET", "key:__rand_int__"],
        ],
        stdout: "piped",
      }).output(),
    250,
  );
  const line = new TextDecoder().decode(out.stdout).trim().split("\n").at(-1) ?? "";
  return { rate: Number(line.split('","')[1]), peakMiB };
}

/**
 * GETs/s of the bare Deno KV reader (bench/kv_floor_server.ts) on basekv's own file once basekv
 * has stopped: what a server that reads each miss from Deno KV reaches, beside basekv's figures.
 */
async function floorGets(data: string, n: number, smallGet: number): Promise<Figure[]> {
  await using floor = await startFloor(data, "basekv");
  const rate = (await getRate(floor.port, n)).rate;
  return [{
    name: `GET/s of random keys, ${n}-key store, Deno KV floor (bench/kv_floor_server.ts)`,
    value: rate,
    unit: "/s",
    note: `${(rate / smallGet).toFixed(2)} of basekv's 10k-key figure: a bare server reading ` +
      `each GET from this file with getMany reaches no more`,
  }];
}

/** Bytes of the SQLite file and its -wal and -shm companions. */
async function fileBytes(path: string): Promise<number> {
  let total = 0;
  for (const p of [path, `${path}-wal`, `${path}-shm`]) {
    total += await Deno.stat(p).then((s) => s.size, () => 0);
  }
  return total;
}

/** Run the scale case. */
export async function scaleBench(): Promise<Section> {
  const n = keysWanted();
  const segment = Math.max(SMALL, Math.floor(n / 20));
  const dir = await Deno.makeTempDir({ prefix: "basekv-bench-scale-" });
  const data = `${dir}/basekv.sqlite`;
  const figures: Figure[] = [];
  /** GETs/s of random keys on a 10k-key store (all cached), the yardstick of the big store's. */
  let smallGet = NaN;
  console.log(`scale: loading ${n} keys into a file store in ${dir}`);
  try {
    {
      await using basekv = await startBasekv({ data });
      const port = basekv.ports.redis;
      const emptyRate = await loadRedisKeys(port, "key:", 0, SMALL, VALUE_BYTES);
      smallGet = (await getRate(port, SMALL)).rate;
      console.log(
        `scale: empty store ${fmtRate(emptyRate)} SET/s; GET @10k ${fmtRate(smallGet)}/s`,
      );
      let lastRate = NaN;
      const t0 = performance.now();
      for (let from = SMALL; from < n; from += segment) {
        const to = Math.min(n, from + segment);
        lastRate = await loadRedisKeys(port, "key:", from, to, VALUE_BYTES);
        console.log(`scale: ${to} keys, last segment ${fmtRate(lastRate)} SET/s`);
      }
      const loadRate = (n - SMALL) / ((performance.now() - t0) / 1000);
      const { rate: bigGet, peakMiB } = await getRate(port, n, basekv.rssMiB);
      await createBenchTable(basekv.ports.http);
      await preloadItems(basekv.ports.http, TABLE_PARTITIONS);
      const rss = await idleRss(basekv.rssMiB);
      figures.push(
        { name: "SET/s into an empty store (first 10k keys)", value: emptyRate, unit: "/s" },
        { name: `SET/s, whole load of ${n} keys`, value: loadRate, unit: "/s" },
        { name: `SET/s, last ${segment} keys`, value: lastRate, unit: "/s" },
        {
          name: "load rate at the end ÷ into an empty store",
          value: lastRate / emptyRate,
          unit: "×",
          min: 0.7,
        },
        { name: "GET/s of random keys, 10k-key store", value: smallGet, unit: "/s" },
        { name: `GET/s of random keys, ${n}-key store`, value: bigGet, unit: "/s" },
        { name: "GET rate ÷ 10k-key figure", value: bigGet / smallGet, unit: "×", min: 0.7 },
        { name: `RSS with ${n} keys, idle`, value: rss, unit: "MiB", max: 300 },
        { name: `RSS with ${n} keys, peak under the GETs`, value: peakMiB, unit: "MiB" },
        ...await countFigures(basekv),
      );
    }
    const bytes = await fileBytes(data);
    const stored = n * (benchKey("key:", 0).length + VALUE_BYTES);
    figures.push(
      {
        name: "restart until all ports answer",
        value: await restartMs(data),
        unit: "ms",
        max: 1000,
      },
      ...await floorGets(data, n, smallGet),
      { name: "data file bytes (sqlite + wal + shm)", value: bytes / 2 ** 20, unit: "MiB" },
      {
        name: "data file bytes per stored byte (key + value)",
        value: bytes / stored,
        unit: "×",
      },
    );
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
  logFigures(figures);
  return {
    title: "Scale",
    reference: "basekv against itself on a small store (issue 8 scale targets)",
    rows: [],
    figures,
    notes: [
      `Keys \`key:<12 digits>\` with ${VALUE_BYTES}-byte values, written once each by a Deno ` +
      "loader with 50 connections × 16 pipelined SETs (redis-benchmark's `-r` draws keys at " +
      "random, so it cannot store exactly N distinct keys); GETs by `redis-benchmark -c 50 -P 16 " +
      "-r <keys>` (all hits). Idle RSS is read once it stops falling after the load (the memory " +
      "reducer runs when the server goes quiet), at most 10 s. The DynamoDB table timed by " +
      "DescribeTable holds " +
      `${TABLE_PARTITIONS * 10} items.`,
    ],
  };
}

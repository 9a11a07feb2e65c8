/**
 * basekv's own figures (issues 8 and 13): start to every port answering with `--memory` on an
 * empty store, restart on a populated file store, count latency (DBSIZE, INFO keyspace,
 * memcached curr_items, DescribeTable ItemCount) and idle RSS.
 * @module
 */
import {
  askOn,
  type Basekv,
  count,
  type Figure,
  idleRss,
  KEYSPACE,
  loadRedisKeys,
  logFigures,
  median,
  medianLatency,
  resp,
  respComplete,
  type Section,
  sleep,
  startBasekv,
} from "./bench_lib.ts";
import { preloadMemcached } from "./memcached_bench.ts";
import { createBenchTable, dynamoCall, preloadItems } from "./dynamodb_bench.ts";

const STARTS = count(7, 3);
const COUNT_CALLS = count(50, 10);
/** Populated store: the Redis keyspace, a tenth as many memcached items and DynamoDB items. */
const POPULATION = KEYSPACE * 1.2;
/** Settle time before reading idle RSS. */
const IDLE_MS = 2000;

/** Median latency of each count query on a running basekv, and the counts they returned. */
export async function countFigures(basekv: Basekv, table = "bench"): Promise<Figure[]> {
  const redis = await Deno.connect({ hostname: "127.0.0.1", port: basekv.ports.redis });
  const memcached = await Deno.connect({ hostname: "127.0.0.1", port: basekv.ports.memcached });
  try {
    const dbsize = await askOn(redis, resp("DBSIZE"), respComplete);
    const stats = await askOn(memcached, "stats\r\n", (r) => r.endsWith("END\r\n"));
    const described = await dynamoCall(basekv.ports.http, "DescribeTable", { TableName: table });
    const items = (described as { Table: { ItemCount: number } }).Table.ItemCount;
    const note = (n: string | number | undefined) => `returned ${n}`;
    return [
      {
        name: "DBSIZE",
        value: await medianLatency(COUNT_CALLS, () => askOn(redis, resp("DBSIZE"), respComplete)),
        unit: "ms",
        max: 1,
        note: note(dbsize.trim().replace(/^:/, "")),
      },
      {
        name: "INFO keyspace",
        value: await medianLatency(
          COUNT_CALLS,
          () => askOn(redis, resp("INFO", "keyspace"), respComplete),
        ),
        unit: "ms",
        max: 1,
      },
      {
        name: "memcached stats (curr_items)",
        value: await medianLatency(
          COUNT_CALLS,
          () => askOn(memcached, "stats\r\n", (r) => r.endsWith("END\r\n")),
        ),
        unit: "ms",
        max: 1,
        note: note(stats.match(/STAT curr_items (\d+)/)?.[1]),
      },
      {
        name: "DescribeTable ItemCount",
        value: await medianLatency(
          COUNT_CALLS,
          () => dynamoCall(basekv.ports.http, "DescribeTable", { TableName: table }),
        ),
        unit: "ms",
        max: 1,
        note: note(items),
      },
    ];
  } finally {
    redis.close();
    memcached.close();
  }
}

/** Median of STARTS restarts of a file store until every port answers. */
export async function restartMs(data: string): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < STARTS; i++) {
    const basekv = await startBasekv({ data });
    times.push(basekv.startMs);
    await basekv.stop();
  }
  return median(times);
}

/** Run the start, count and memory measurements. */
export async function lifecycleBench(): Promise<Section> {
  const figures: Figure[] = [];
  const starts: number[] = [];
  const readies: number[] = [];
  let freshRss = NaN;
  for (let i = 0; i < STARTS; i++) {
    await using basekv = await startBasekv();
    starts.push(basekv.startMs);
    readies.push(basekv.readyMs);
    if (i === 0) {
      await sleep(IDLE_MS);
      freshRss = await basekv.rssMiB();
    }
  }
  figures.push(
    {
      name: "start, `--memory`, empty store, all 3 ports answering",
      value: median(starts),
      unit: "ms",
      max: 150,
      note: `median of ${STARTS}; process spawn to PING, \`version\` and HTTP replies`,
    },
    {
      name: "start, `--memory`, empty store, as the ready line reports it",
      value: median(readies),
      unit: "ms",
      max: 150,
      note: `median of ${STARTS}; from basekv's process start to every listener up`,
    },
    { name: "idle RSS, fresh `--memory` server", value: freshRss, unit: "MiB", max: 80 },
  );

  const dir = await Deno.makeTempDir({ prefix: "basekv-bench-lifecycle-" });
  try {
    const data = `${dir}/basekv.sqlite`;
    {
      await using basekv = await startBasekv({ data });
      console.log(`lifecycle: populating a file store (${POPULATION} items)`);
      await loadRedisKeys(basekv.ports.redis, "key:", 0, KEYSPACE, 100);
      await preloadMemcached(basekv.ports.memcached, KEYSPACE / 10);
      await createBenchTable(basekv.ports.http);
      await preloadItems(basekv.ports.http, KEYSPACE / 100);
      figures.push(...await countFigures(basekv));
      figures.push({
        name: `idle RSS, file store with ${POPULATION} items`,
        value: await idleRss(basekv.rssMiB),
        unit: "MiB",
        note:
          "read once it stops falling (at most 10 s); issue 8: bounded by `--cache-mb` (default 96) plus a fixed overhead",
      });
    }
    figures.push({
      name: `restart, file store with ${POPULATION} items, all 3 ports answering`,
      value: await restartMs(data),
      unit: "ms",
      max: 1000,
      note: `median of ${STARTS}`,
    });
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
  logFigures(figures);
  return {
    title: "Start, counts, memory",
    reference: "issue 8 and issue 13 (start) limits",
    rows: [],
    figures,
    notes: [
      `Count latencies: median of ${COUNT_CALLS} calls on one open connection (at least one, ` +
      "fewer once a query's calls have taken 5 s).",
    ],
  };
}

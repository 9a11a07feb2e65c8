/**
 * GSI case of issue 12 (`deno task bench gsi`): N items (default 1,000,000; 20,000 under
 * BASEKV_BENCH_QUICK=1; BASEKV_BENCH_GSI_ITEMS or `--items=N`) in a table with a global
 * secondary index, loaded into basekv and dynalite in the same run, then a table Query and a GSI
 * Query of 10 items from random partitions on each, interleaved.
 * @module
 */
import {
  count,
  type Figure,
  fmtRate,
  interleaved,
  logFigures,
  type Row,
  type Section,
  startBasekv,
  versionOf,
} from "./bench_lib.ts";
import {
  batchLoad,
  type BenchIndex,
  CLIENTS,
  createBenchTable,
  load,
  PAYLOAD,
  PER_PARTITION,
  REQUESTS,
  startDynalite,
  type WireItem,
} from "./dynamodb_bench.ts";

const TABLE = "gsibench";
const INDEX: BenchIndex = { name: "byGroup", hash: "gpk", range: "gsk" };

function itemsWanted(): number {
  const flag = Deno.args.find((a) => a.startsWith("--items="))?.slice("--items=".length);
  const n = Number(flag ?? Deno.env.get("BASEKV_BENCH_GSI_ITEMS") ?? count(1_000_000, 20_000));
  if (!Number.isInteger(n) || n < PER_PARTITION * 10 || n % PER_PARTITION !== 0) {
    throw new Error(`gsi items must be a multiple of ${PER_PARTITION}, ≥ ${PER_PARTITION * 10}`);
  }
  return n;
}

/**
 * Item `i` of `n`: table partition i / 10, index partition i mod n/10, so each index partition
 * holds 10 items from 10 table partitions spread over the whole table (the index is not the
 * table in another order).
 */
function gsiItem(i: number, n: number): WireItem {
  return {
    pk: { S: `user-${Math.floor(i / PER_PARTITION)}` },
    sk: { S: `item-${i % PER_PARTITION}` },
    gpk: { S: `group-${i % (n / PER_PARTITION)}` },
    gsk: { S: String(i).padStart(9, "0") },
    n: { N: "0" },
    payload: PAYLOAD,
  };
}

/** Run the GSI case against basekv (file store) and dynalite (in memory). */
export async function gsiBench(): Promise<Section> {
  const n = itemsWanted();
  const partitions = n / PER_PARTITION;
  const random = () => Math.floor(Math.random() * partitions);
  const tableQuery = (): [string, unknown] => [
    "Query",
    {
      TableName: TABLE,
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: { ":pk": { S: `user-${random()}` } },
    },
  ];
  const indexQuery = (): [string, unknown] => [
    "Query",
    {
      TableName: TABLE,
      IndexName: INDEX.name,
      KeyConditionExpression: "gpk = :g",
      ExpressionAttributeValues: { ":g": { S: `group-${random()}` } },
    },
  ];
  const dir = await Deno.makeTempDir({ prefix: "basekv-bench-gsi-" });
  try {
    await using basekv = await startBasekv({ data: `${dir}/basekv.sqlite`, protocols: ["http"] });
    // A million items and their index entries in dynalite's in-memory LevelDB outgrow node's
    // default heap limit on some machines; give it room rather than measure a crash.
    await using dynalite = await startDynalite(["--max-old-space-size=8192"]);
    const loadRates: number[] = [];
    for (const [name, port] of [["basekv", basekv.ports.http], ["dynalite", dynalite.port]]) {
      console.log(`gsi: loading ${n} items into ${name}`);
      await createBenchTable(port as number, TABLE, INDEX);
      loadRates.push(await batchLoad(port as number, TABLE, n, (i) => gsiItem(i, n)));
      console.log(`gsi: ${name} loaded at ${fmtRate(loadRates.at(-1)!)} items/s`);
    }
    const rows: Row[] = [
      await interleaved(
        `Query (10 items), ${n} items`,
        3,
        () => load(basekv.ports.http, tableQuery),
        () => load(dynalite.port, tableQuery),
      ),
      await interleaved(
        `GSI Query (10 items), ${n} items`,
        3,
        () => load(basekv.ports.http, indexQuery),
        () => load(dynalite.port, indexQuery),
      ),
    ];
    const [table, index] = rows;
    const figures: Figure[] = [
      { name: `basekv load, ${n} items with one GSI`, value: loadRates[0], unit: "items/s" },
      { name: `dynalite load, ${n} items with one GSI`, value: loadRates[1], unit: "items/s" },
      {
        name: "GSI Query ÷ table Query, basekv ops/s",
        value: index.basekv.opsPerSec / table.basekv.opsPerSec,
        unit: "×",
        note: "issue 12: about the same at any table size",
      },
      {
        name: "GSI Query ÷ table Query, dynalite ops/s",
        value: index.reference.opsPerSec / table.reference.opsPerSec,
        unit: "×",
      },
      {
        name: "GSI Query, basekv ÷ dynalite ops/s",
        value: index.basekv.opsPerSec / index.reference.opsPerSec,
        unit: "×",
      },
    ];
    logFigures(figures);
    return {
      title: `DynamoDB GSI Query at ${n} items`,
      reference: `dynalite 4.0.0 (npm, in memory, node ${await versionOf("node", ["--version"])})`,
      rows,
      figures,
      notes: [
        `Table \`${TABLE}\` (pk, sk) with GSI \`${INDEX.name}\` (gpk, gsk; projection ALL) ` +
        `holding ${n} items: ${partitions} table partitions × ${PER_PARTITION} items, and ` +
        `${partitions} index partitions × ${PER_PARTITION} items, each index partition drawn ` +
        "from 10 table partitions across the table; 100-byte payload attribute. Loaded through " +
        `BatchWriteItem of 25 items by ${CLIENTS} concurrent clients into each server in the ` +
        "same run (basekv on a file store with durable acknowledgements). Queries: " +
        `${CLIENTS} keep-alive HTTP/1.1 connections, ${REQUESTS} calls per run, a random partition each, ` +
        "10 items a page; medians of interleaved rounds.",
      ],
    };
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

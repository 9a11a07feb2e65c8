/**
 * DynamoDB workloads of issue 8: PutItem, GetItem, Query (10 items) and UpdateItem of random keys
 * at 16 keep-alive HTTP/1.1 connections, against dynalite 4.0.0 (npm, in memory, installed once under
 * ~/.cache). basekv runs on a file store with durable acknowledgements.
 * @module
 */
import {
  count,
  type Figure,
  floorFigure,
  freePort,
  interleaved,
  KEYSPACE,
  type RefServer,
  type Row,
  type Section,
  startBasekv,
  startFloor,
  startRef,
  type Stat,
  statOf,
  versionOf,
} from "./bench_lib.ts";
import { HttpConnection, httpRequest } from "./http_client.ts";

export const CLIENTS = 16;
export const REQUESTS = count(3_000, 300);
/** Items per partition: a Query returns this many. */
export const PER_PARTITION = 10;
const PARTITIONS = KEYSPACE / PER_PARTITION;
const DYNALITE = "dynalite@4.0.0";
const DYNALITE_DIR = `${Deno.env.get("HOME") ?? "/tmp"}/.cache/basekv-bench/dynalite-4.0.0`;

// dynalite checks the SigV4 header's shape only; basekv without --password accepts any.
const HEADERS = {
  "content-type": "application/x-amz-json-1.0",
  "x-amz-date": "20260101T000000Z",
  authorization:
    "AWS4-HMAC-SHA256 Credential=AKIDBENCH/20260101/us-east-1/dynamodb/aws4_request, " +
    "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=" + "0".repeat(64),
};

/** One DynamoDB call; returns the parsed reply. */
export async function dynamoCall(port: number, op: string, body: unknown): Promise<unknown> {
  const res = await fetch(`http://127.0.0.1:${port}/`, {
    method: "POST",
    headers: { ...HEADERS, "x-amz-target": `DynamoDB_20120810.${op}` },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${op} failed (${res.status}): ${text}`);
  return JSON.parse(text);
}

export const PAYLOAD = { S: "x".repeat(100) };
const pk = (p: number) => ({ S: `user-${p}` });
const key = (p: number, s: number) => ({ pk: pk(p), sk: { S: `item-${s}` } });
const randomPartition = () => Math.floor(Math.random() * PARTITIONS);
const randomKey = () => key(randomPartition(), Math.floor(Math.random() * PER_PARTITION));
const item = (p: number, s: number) => ({ ...key(p, s), n: { N: "0" }, payload: PAYLOAD });

/** A global secondary index of string attributes `hash` and `range`, projecting ALL. */
export interface BenchIndex {
  name: string;
  hash: string;
  range: string;
}

/**
 * Create table `name` (pk, sk), with `index` if given, and wait until it and its index take
 * writes (dynalite: CREATING 500 ms).
 */
export async function createBenchTable(
  port: number,
  name = "bench",
  index?: BenchIndex,
): Promise<void> {
  const attributes = ["pk", "sk", ...(index ? [index.hash, index.range] : [])];
  await dynamoCall(port, "CreateTable", {
    TableName: name,
    KeySchema: [
      { AttributeName: "pk", KeyType: "HASH" },
      { AttributeName: "sk", KeyType: "RANGE" },
    ],
    AttributeDefinitions: attributes.map((AttributeName) => ({
      AttributeName,
      AttributeType: "S",
    })),
    ...(index && {
      GlobalSecondaryIndexes: [{
        IndexName: index.name,
        KeySchema: [
          { AttributeName: index.hash, KeyType: "HASH" },
          { AttributeName: index.range, KeyType: "RANGE" },
        ],
        Projection: { ProjectionType: "ALL" },
      }],
    }),
    BillingMode: "PAY_PER_REQUEST",
  });
  for (let i = 0; i < 100; i++) {
    const reply = await dynamoCall(port, "DescribeTable", { TableName: name }) as {
      Table: { TableStatus: string; GlobalSecondaryIndexes?: { IndexStatus: string }[] };
    };
    const indexes = reply.Table.GlobalSecondaryIndexes ?? [];
    if (
      reply.Table.TableStatus === "ACTIVE" && indexes.every((i) => i.IndexStatus === "ACTIVE")
    ) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A DynamoDB item in wire form. */
export type WireItem = Record<string, unknown>;

/**
 * Write items `itemOf(0)`… `itemOf(n - 1)` into `table` with BatchWriteItem (25 a call), CLIENTS
 * calls at once, retrying unprocessed items; items are built as they are sent, so a million of
 * them never sit in memory at once. Returns items written per second.
 */
export async function batchLoad(
  port: number,
  table: string,
  n: number,
  itemOf: (i: number) => WireItem,
): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CLIENTS }, async () => {
    while (next < n) {
      const from = next;
      next = Math.min(n, from + 25);
      let requests = Array.from(
        { length: next - from },
        (_, j) => ({ PutRequest: { Item: itemOf(from + j) } }),
      );
      while (requests.length > 0) {
        const reply = await dynamoCall(port, "BatchWriteItem", {
          RequestItems: { [table]: requests },
        }) as { UnprocessedItems?: Record<string, typeof requests> };
        requests = reply.UnprocessedItems?.[table] ?? [];
      }
    }
  }));
  return n / ((performance.now() - t0) / 1000);
}

/** Write `partitions` × PER_PARTITION items with BatchWriteItem (25 a call), 16 calls at once. */
export async function preloadItems(port: number, partitions: number, table = "bench") {
  await batchLoad(
    port,
    table,
    partitions * PER_PARTITION,
    (i) => item(Math.floor(i / PER_PARTITION), i % PER_PARTITION),
  );
}

/** A check of a reply body: false fails the run (a server answering wrongly fast wins nothing). */
export type ReplyCheck = (body: string) => boolean;

/** Any JSON object: what a successful reply is when the workload names nothing stricter. */
const jsonObject: ReplyCheck = (body) => body.startsWith("{") && body.endsWith("}");

/** A workload: the request of one call (random keys) and what its reply must look like. */
export interface Workload {
  request: () => [string, unknown];
  check: ReplyCheck;
  /** A write, committed by the floor server; a read is answered there with a canned reply. */
  floor?: boolean;
}

/** The workloads, each repeatable (puts overwrite, updates increment). */
export const WORKLOADS: Record<string, Workload> = {
  PutItem: {
    request: () => {
      const k = randomKey();
      return ["PutItem", { TableName: "bench", Item: { ...k, n: { N: "1" }, payload: PAYLOAD } }];
    },
    check: (body) => body === "{}",
    floor: true,
  },
  GetItem: {
    request: () => ["GetItem", { TableName: "bench", Key: randomKey() }],
    check: (body) => body.startsWith('{"Item":{') && body.includes(PAYLOAD.S),
  },
  "Query (10 items)": {
    request: () => [
      "Query",
      {
        TableName: "bench",
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": pk(randomPartition()) },
      },
    ],
    check: (body) => new RegExp(`"Count":${PER_PARTITION}[,}]`).test(body),
  },
  UpdateItem: {
    request: () => [
      "UpdateItem",
      {
        TableName: "bench",
        Key: randomKey(),
        UpdateExpression: "SET n = n + :one",
        ExpressionAttributeValues: { ":one": { N: "1" } },
      },
    ],
    check: (body) => body === "{}",
    floor: true,
  },
};

/** The request line and headers of an `op` call to `port`, up to Content-Length. */
function requestHead(port: number, op: string): string {
  const headers = {
    ...HEADERS,
    host: `127.0.0.1:${port}`,
    "x-amz-target": `DynamoDB_20120810.${op}`,
  };
  return `POST / HTTP/1.1\r\n${
    Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join("")
  }`;
}

/**
 * REQUESTS calls made by CLIENTS concurrent keep-alive connections; every request is serialised
 * before the clock starts, and every reply must be a 200 that passes `check`.
 */
export async function load(
  port: number,
  request: () => [string, unknown],
  check: ReplyCheck = jsonObject,
): Promise<Stat> {
  const heads = new Map<string, string>();
  const requests = Array.from({ length: REQUESTS }, () => {
    const [op, body] = request();
    let head = heads.get(op);
    if (head === undefined) heads.set(op, head = requestHead(port, op));
    return httpRequest(head, JSON.stringify(body));
  });
  const connections = await Promise.all(
    Array.from({ length: CLIENTS }, () => HttpConnection.open(port)),
  );
  const decoder = new TextDecoder();
  let issued = 0;
  const latencies: number[] = [];
  try {
    const t0 = performance.now();
    await Promise.all(connections.map(async (connection) => {
      while (issued < REQUESTS) {
        const request = requests[issued++];
        const start = performance.now();
        const reply = await connection.send(request);
        latencies.push(performance.now() - start);
        const body = decoder.decode(reply.body);
        if (reply.status !== 200 || !check(body)) {
          throw new Error(`unexpected reply (${reply.status}): ${body.slice(0, 300)}`);
        }
      }
    }));
    return statOf(latencies, REQUESTS, performance.now() - t0);
  } finally {
    for (const connection of connections) connection.close();
  }
}

/** Install dynalite into DYNALITE_DIR unless present; returns its cli.js path. */
async function installDynalite(): Promise<string> {
  const cli = `${DYNALITE_DIR}/node_modules/dynalite/cli.js`;
  try {
    await Deno.stat(cli);
    return cli;
  } catch {
    // Not installed yet.
  }
  await Deno.mkdir(DYNALITE_DIR, { recursive: true });
  const out = await new Deno.Command("npm", {
    args: ["install", "--no-audit", "--no-fund", "--prefix", DYNALITE_DIR, DYNALITE],
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr).trim());
  return cli;
}

/** Start dynalite (in memory) on a free port; `nodeArgs` go to node before the script. */
export async function startDynalite(nodeArgs: string[] = []): Promise<RefServer> {
  const port = freePort();
  return await startRef(
    "node",
    [...nodeArgs, await installDynalite(), "--port", String(port)],
    port,
    "http",
  );
}

/** Run the DynamoDB workloads against basekv and dynalite, interleaved. */
export async function dynamodbBench(): Promise<Section> {
  const dir = await Deno.makeTempDir({ prefix: "basekv-bench-dynamodb-" });
  try {
    await using basekv = await startBasekv({ data: `${dir}/basekv.sqlite`, protocols: ["http"] });
    await using dynalite = await startDynalite();
    console.log(`dynamodb: preloading ${PARTITIONS * PER_PARTITION} items`);
    for (const port of [basekv.ports.http, dynalite.port]) {
      await createBenchTable(port);
      await preloadItems(port, PARTITIONS);
    }
    await using floor = await startFloor(`${dir}/floor.sqlite`, "http");
    const rows: Row[] = [];
    const figures: Figure[] = [];
    for (const [name, workload] of Object.entries(WORKLOADS)) {
      const { request, check } = workload;
      const row = await interleaved(
        name,
        3,
        () => load(basekv.ports.http, request, check),
        () => load(dynalite.port, request, check),
        // A read's floor reply is canned (no item): only its status is checked.
        () => load(floor.port, request, workload.floor ? check : () => true),
      );
      rows.push(row);
      if (row.floor) figures.push(floorFigure(row, row.floor));
    }
    return {
      title: "DynamoDB",
      reference: `dynalite 4.0.0 (npm, in memory, node ${await versionOf("node", ["--version"])})`,
      rows,
      figures,
      notes: [
        `${CLIENTS} keep-alive HTTP/1.1 connections (raw sockets, requests serialised before ` +
        `the clock starts, replies checked), ${REQUESTS} calls per run; ` +
        `${PARTITIONS} partitions × ${PER_PARTITION} items preloaded, random keys; ` +
        `100-byte payload attribute.`,
        `Deno KV floor: bench/kv_floor_server.ts behind Deno.serve on its own file store, ` +
        `writing each PutItem or UpdateItem body as one entry (no read, parse or index) and ` +
        `replying \`{}\` after the group commit, and answering GetItem and Query with a canned ` +
        `1 KiB body at once (no read: the most a Deno.serve server answers here); every reply ` +
        `carries the headers DynamoDB's do (content type, request id, CRC-32); run in the same ` +
        `rounds as each row.`,
      ],
    };
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

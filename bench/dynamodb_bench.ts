/**
 * DynamoDB benchmark: PutItem, GetItem, Query and UpdateItem throughput at 16 concurrent HTTP/1.1
 * keep-alive clients against basekv (child process, temp-file store) and dynalite 4.0.0
 * (in-memory, started with npx) in the same run; prints both and the ratio.
 * Run: deno task bench dynamodb
 * @module
 */
import { startChild } from "../tests/helpers/server.ts";
import { freePort } from "../tests/helpers/ports.ts";

const CONCURRENCY = 16;
const PUTS = 5_000;
const GETS = 5_000;
const UPDATES = 5_000;
const QUERIES = 3_000;
const KEYS = 1_000;
const ROUNDS = 3;
const READY_TIMEOUT_MS = 180_000;
const DYNALITE = "dynalite@4.0.0";
/** Where the bench installs dynalite once (npm), so it runs under node and can be stopped. */
const DYNALITE_DIR = `${Deno.env.get("HOME") ?? "/tmp"}/.cache/basekv-bench/dynalite-4.0.0`;

// dynalite checks the SigV4 header's shape only; basekv without --password accepts any.
const HEADERS = {
  "content-type": "application/x-amz-json-1.0",
  "x-amz-date": "20260101T000000Z",
  authorization:
    "AWS4-HMAC-SHA256 Credential=AKIDBENCH/20260101/us-east-1/dynamodb/aws4_request, " +
    "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=" + "0".repeat(64),
};

async function call(port: number, op: string, body: unknown): Promise<void> {
  const res = await fetch(`http://127.0.0.1:${port}/`, {
    method: "POST",
    headers: { ...HEADERS, "x-amz-target": `DynamoDB_20120810.${op}` },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${op} failed (${res.status}): ${text}`);
}

async function phase(port: number, total: number, request: (i: number) => [string, unknown]) {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < total) {
      const [op, body] = request(next++);
      await call(port, op, body);
    }
  }));
  return total / ((performance.now() - t0) / 1000);
}

const key = (i: number) => ({ pk: { S: `user-${i % KEYS}` }, sk: { S: `item-${i % 10}` } });

/** Create the bench table and wait until it takes writes (dynalite: CREATING for 500 ms). */
async function prepare(port: number): Promise<void> {
  await call(port, "CreateTable", {
    TableName: "bench",
    KeySchema: [
      { AttributeName: "pk", KeyType: "HASH" },
      { AttributeName: "sk", KeyType: "RANGE" },
    ],
    AttributeDefinitions: [
      { AttributeName: "pk", AttributeType: "S" },
      { AttributeName: "sk", AttributeType: "S" },
    ],
    BillingMode: "PAY_PER_REQUEST",
  });
  for (let i = 0; i < 100; i++) {
    try {
      await call(port, "PutItem", { TableName: "bench", Item: { ...key(0), n: { N: "0" } } });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

const PAYLOAD = { S: "x".repeat(100) };

/** The phases, each repeatable (puts overwrite, updates increment). */
const PHASES: Record<string, [number, (i: number) => [string, unknown]]> = {
  PutItem: [PUTS, (i) => [
    "PutItem",
    { TableName: "bench", Item: { ...key(i), n: { N: String(i) }, payload: PAYLOAD } },
  ]],
  GetItem: [GETS, (i) => ["GetItem", { TableName: "bench", Key: key(i) }]],
  "Query (10 items)": [QUERIES, (i) => [
    "Query",
    {
      TableName: "bench",
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: { ":pk": key(i).pk },
    },
  ]],
  UpdateItem: [UPDATES, (i) => [
    "UpdateItem",
    {
      TableName: "bench",
      Key: key(i),
      UpdateExpression: "SET n = n + :one",
      ExpressionAttributeValues: { ":one": { N: "1" } },
    },
  ]],
};

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)];
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

async function waitUp(port: number, child: Deno.ChildProcess) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let exited = false;
  child.status.then(() => exited = true);
  while (Date.now() < deadline && !exited) {
    try {
      await call(port, "ListTables", {});
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error(`dynalite did not start on port ${port}`);
}

/** Run the DynamoDB benchmark and return basekv's figures and ratios. */
export async function dynamodbBench(): Promise<Record<string, number>> {
  const dir = await Deno.makeTempDir();
  const out: Record<string, number> = {};
  const port = freePort();
  let dynalite: Deno.ChildProcess | null = null;
  const child = await startChild([
    `--data=${dir}/bench.sqlite`,
    "--protocols=dynamodb",
    "--http-port=0",
    "--log-level=error",
  ]);
  try {
    try {
      dynalite = new Deno.Command("node", {
        args: [await installDynalite(), "--port", String(port)],
        stdout: "null",
        stderr: "null",
      }).spawn();
      await waitUp(port, dynalite);
      await prepare(port);
    } catch (error) {
      console.log(`dynalite unavailable (${(error as Error).message}); basekv figures only`);
      dynalite = null;
    }
    await prepare(child.ports.http);
    console.log(
      `${"phase (16 clients)".padEnd(20)} ${"basekv".padStart(10)} ${"dynalite".padStart(10)} ${
        "ratio".padStart(7)
      }   (median of ${ROUNDS} interleaved rounds)`,
    );
    for (const [name, [count, request]] of Object.entries(PHASES)) {
      // Interleave the two servers round by round so load from elsewhere hits both alike.
      const ours: number[] = [];
      const theirs: number[] = [];
      for (let r = 0; r < ROUNDS; r++) {
        if (dynalite) theirs.push(await phase(port, count, request));
        ours.push(await phase(child.ports.http, count, request));
      }
      const rate = median(ours);
      const ref = dynalite ? median(theirs) : NaN;
      out[name] = rate;
      if (dynalite) out[`${name}Ratio`] = rate / ref;
      console.log(
        `${name.padEnd(20)} ${Math.round(rate).toString().padStart(10)} ${
          (dynalite ? Math.round(ref).toString() : "-").padStart(10)
        } ${(dynalite ? (rate / ref).toFixed(2) + "x" : "-").padStart(7)}`,
      );
    }
  } finally {
    if (dynalite) {
      try {
        dynalite.kill("SIGKILL");
      } catch { /* already gone */ }
      await dynalite.status;
    }
    await child.stop();
    await Deno.remove(dir, { recursive: true });
  }
  return out;
}

if (import.meta.main) await dynamodbBench();

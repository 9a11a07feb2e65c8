/**
 * `basekv export | import | backup`: export -> import round-trips through a live server and
 * through data files; a backup taken under write load opens and holds every acknowledged write.
 * @module
 */
import assert from "node:assert/strict";
import { Redis } from "ioredis";
import { runMain, startChild, startTestServer } from "../helpers/server.ts";
import { admin } from "./admin_client.ts";

const FIXTURE = {
  dynamodb: {
    tables: [{
      TableName: "round_trip",
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
      BillingMode: "PAY_PER_REQUEST",
      TimeToLiveSpecification: { Enabled: true, AttributeName: "exp" },
    }],
    items: {
      round_trip: [
        {
          pk: { S: "a" },
          n: { N: "1.5" },
          b: { B: "AP8=" },
          m: { M: { l: { L: [{ NULL: true }] } } },
        },
        { pk: { S: "b" }, ss: { SS: ["x", "y"] }, t: { BOOL: true } },
      ],
    },
  },
  redis: {
    "0": {
      s: { type: "string", value: "v" },
      h: { type: "hash", value: { f: "1" } },
      l: { type: "list", value: ["1", "2"] },
      z: { type: "set", value: ["a"] },
      bin: { type: "string", value: "AP8=", encoding: "base64" },
    },
    "5": { other: { type: "string", value: "x" } },
  },
  memcached: { m: { value: "v", flags: 9 }, n: { value: "w" } },
};

async function tempFile(name: string, text?: string): Promise<string> {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/${name}`;
  if (text !== undefined) await Deno.writeTextFile(path, text);
  return path;
}

Deno.test("export -> import round-trips through live servers and through data files", async () => {
  const seed = await tempFile("seed.json", JSON.stringify(FIXTURE));
  await using a = await startTestServer({ seeds: [seed] });
  await using b = await startTestServer();
  const exported = await tempFile("export.json");
  let out = await runMain([
    "export",
    "--url",
    `http://127.0.0.1:${a.ports.http}`,
    "--out",
    exported,
  ]);
  assert.equal(out.code, 0, out.stderr);
  assert.deepEqual(JSON.parse(await Deno.readTextFile(exported)), FIXTURE);

  out = await runMain(["import", exported, "--url", `http://127.0.0.1:${b.ports.http}`]);
  assert.equal(out.code, 0, out.stderr);
  assert.deepEqual((await admin(b.ports.http, "GET", "export")).body, FIXTURE);

  // Into a data file and out of it again, with no server running.
  const data = await tempFile("data.sqlite3");
  const child = await startChild([
    "--data",
    data,
    "--redis-port=0",
    "--memcached-port=0",
    "--http-port=0",
  ]);
  assert.equal(await child.stop(), 0);
  out = await runMain(["import", exported, "--data", data]);
  assert.equal(out.code, 0, out.stderr);
  out = await runMain(["export", "--data", data]);
  assert.equal(out.code, 0, out.stderr);
  assert.deepEqual(JSON.parse(out.stdout), FIXTURE);
  out = await runMain(["export", "--data", data, "--namespace", "memcached"]);
  assert.deepEqual(JSON.parse(out.stdout), { memcached: FIXTURE.memcached });

  // Errors: a bad fixture names its path, a wrong password is refused.
  const bad = await tempFile("bad.json", JSON.stringify({ redis: { "0": { k: { type: "x" } } } }));
  out = await runMain(["import", bad, "--url", `http://127.0.0.1:${b.ports.http}`]);
  assert.equal(out.code, 1);
  assert.match(out.stderr, /\$\.redis\["0"\]\.k\.type: expected one of/);
  out = await runMain(["export", "--data", `${data}.missing`]);
  assert.equal(out.code, 1);
  assert.match(out.stderr, /No data file/);
});

Deno.test("backup under write load opens and holds every write acknowledged before it began", async () => {
  await using s = await startTestServer();
  const redis = new Redis({ port: s.ports.redis, host: "127.0.0.1", lazyConnect: true });
  await redis.connect();
  let acked = 0;
  let stop = false;
  const writer = (async () => {
    for (let i = 0; !stop && i < 100_000; i++) {
      await redis.set(`k${i}`, `v${i}`);
      acked = i + 1;
    }
  })();
  while (acked < 300) await new Promise((r) => setTimeout(r, 10));
  const before = acked;
  const out = await tempFile("backup.sqlite3");
  const result = await runMain([
    "backup",
    "--url",
    `http://127.0.0.1:${s.ports.http}`,
    "--out",
    out,
  ]);
  stop = true;
  await writer;
  redis.disconnect();
  assert.equal(result.code, 0, result.stderr);

  // The copy is a basekv data file: a server opens it and serves every acknowledged write.
  await using copy = await startTestServer({ memory: false, data: out });
  const check = new Redis({ port: copy.ports.redis, host: "127.0.0.1", lazyConnect: true });
  await check.connect();
  try {
    const keys = Array.from({ length: before }, (_, i) => `k${i}`);
    const values = await check.mget(...keys);
    assert.deepEqual(values, keys.map((_, i) => `v${i}`));
    assert.ok((await check.dbsize()) >= before);
  } finally {
    check.disconnect();
  }
});

/**
 * `--seed` fixtures: every DynamoDB attribute type, each Redis type with a TTL and memcached
 * flags load and read back exactly through real clients; a reset loads them again; a bad
 * fixture fails the start naming the file, the path inside it and the reason.
 * @module
 */
import assert from "node:assert/strict";
import { DescribeTimeToLiveCommand, GetItemCommand, QueryCommand } from "@aws-sdk/client-dynamodb";
import { admin, startAll } from "./admin_client.ts";
import { runMain } from "../helpers/server.ts";

const ITEM = {
  pk: { S: "user#1" },
  sk: { N: "42" },
  s: { S: "text ünïcode" },
  n: { N: "-12.5" },
  b: { B: "AAEC/w==" },
  t: { BOOL: true },
  f: { BOOL: false },
  z: { NULL: true },
  m: { M: { inner: { L: [{ S: "a" }, { N: "1" }, { M: {} }] } } },
  l: { L: [{ SS: ["x", "y"] }, { NULL: true }] },
  ss: { SS: ["a", "b"] },
  ns: { NS: ["1", "2.5"] },
  bs: { BS: ["AQ==", "Ag=="] },
  g: { S: "gsi-key" },
};

const FIXTURE = {
  dynamodb: {
    tables: [{
      TableName: "fixture_table",
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }, {
        AttributeName: "sk",
        KeyType: "RANGE",
      }],
      AttributeDefinitions: [
        { AttributeName: "pk", AttributeType: "S" },
        { AttributeName: "sk", AttributeType: "N" },
        { AttributeName: "g", AttributeType: "S" },
      ],
      BillingMode: "PAY_PER_REQUEST",
      GlobalSecondaryIndexes: [{
        IndexName: "byG",
        KeySchema: [{ AttributeName: "g", KeyType: "HASH" }],
        Projection: { ProjectionType: "ALL" },
      }],
      TimeToLiveSpecification: { Enabled: true, AttributeName: "expires" },
    }],
    items: { fixture_table: [ITEM, { pk: { S: "user#2" }, sk: { N: "1" } }] },
  },
  redis: {
    "0": {
      str: { type: "string", value: "hello", ttl: 3600 },
      plain: "just a string",
      hash: { type: "hash", value: { a: "1", b: "2" }, ttl: 600 },
      list: { type: "list", value: ["x", "y", "x"], ttl: 60 },
      set: { type: "set", value: ["m1", "m2"], ttl: 120.5 },
      bin: { type: "string", value: "AP8=", encoding: "base64" },
    },
    "2": { other: { type: "string", value: "db2" } },
  },
  memcached: {
    flagged: { value: "v1", flags: 123456 },
    expiring: { value: "v2", flags: 1, ttl: 300 },
    plain: "v3",
  },
};

async function withFixture<T>(fixture: unknown, fn: (path: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/fixture.json`;
  await Deno.writeTextFile(path, JSON.stringify(fixture));
  try {
    return await fn(path);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("--seed loads every DynamoDB type, each Redis type with its TTL and memcached flags; reset reloads them", async () => {
  await withFixture(FIXTURE, async (path) => {
    await using s = await startAll({ seeds: [path] });
    const check = async (when: string) => {
      const got = await s.ddb.send(
        new GetItemCommand({
          TableName: "fixture_table",
          Key: { pk: { S: "user#1" }, sk: { N: "42" } },
        }),
      );
      assert.deepEqual(got.Item, {
        ...ITEM,
        b: { B: new Uint8Array([0, 1, 2, 255]) },
        bs: { BS: [new Uint8Array([1]), new Uint8Array([2])] },
      });
      const byG = await s.ddb.send(
        new QueryCommand({
          TableName: "fixture_table",
          IndexName: "byG",
          KeyConditionExpression: "g = :g",
          ExpressionAttributeValues: { ":g": { S: "gsi-key" } },
        }),
      );
      assert.equal(byG.Items?.length, 1);
      const ttl = await s.ddb.send(new DescribeTimeToLiveCommand({ TableName: "fixture_table" }));
      assert.equal(ttl.TimeToLiveDescription?.AttributeName, "expires");

      const r = s.redis;
      assert.equal(await r.get("str"), "hello");
      assert.equal(await r.get("plain"), "just a string", when);
      assert.deepEqual(await r.hgetall("hash"), { a: "1", b: "2" });
      assert.deepEqual(await r.lrange("list", 0, -1), ["x", "y", "x"]);
      assert.deepEqual((await r.smembers("set")).sort(), ["m1", "m2"]);
      assert.deepEqual([...(await r.getBuffer("bin"))!], [0, 255]);
      for (
        const [key, ttlS] of [["str", 3600], ["hash", 600], ["list", 60], ["set", 120.5]] as const
      ) {
        const pttl = await r.pttl(key);
        assert.ok(pttl > (ttlS - 30) * 1000 && pttl <= ttlS * 1000, `${key}: ${pttl}`);
      }
      assert.equal(await r.pttl("plain"), -1);
      await r.select(2);
      assert.equal(await r.get("other"), "db2");
      await r.select(0);

      const f = await s.mc.get("flagged");
      assert.equal(new TextDecoder().decode(f.value!), "v1");
      assert.equal(f.flags!.readUInt32BE(0), 123456);
      const e = await s.mc.get("expiring");
      assert.equal(e.flags!.readUInt32BE(0), 1);
      assert.equal(new TextDecoder().decode((await s.mc.get("plain")).value!), "v3");
    };
    await check("at start");

    // Tests change things; a reset puts the fixtures back.
    await s.redis.flushall();
    await s.mc.delete("flagged");
    await admin(s.http, "POST", "reset");
    await check("after a reset");

    // A part reset reloads that part only.
    await s.redis.set("str", "changed");
    await s.redis.select(2);
    await s.redis.set("other", "changed");
    await s.redis.select(0);
    assert.equal((await admin(s.http, "POST", "reset?db=2")).status, 200);
    assert.equal(await s.redis.get("str"), "changed");
    await s.redis.select(2);
    assert.equal(await s.redis.get("other"), "db2");
    await s.redis.select(0);
    const ddbReset = await admin(s.http, "POST", "reset?table=fixture_table");
    assert.equal(ddbReset.status, 200);
    await s.redis.set("str", "hello", "EX", 3600);
    await check("after part resets");
  });
});

const BAD: [string, unknown, string][] = [
  ["not JSON", "{", "$: not JSON"],
  ["unknown section", { mysql: {} }, "$.mysql: unknown section"],
  [
    "bad Redis type",
    { redis: { "0": { k: { type: "stream", value: "x" } } } },
    '$.redis["0"].k.type: expected one of string, hash, list, set',
  ],
  ["bad db", { redis: { "16": {} } }, '$.redis["16"]: expected a database number 0-15'],
  [
    "bad TTL",
    { redis: { "0": { k: { type: "string", value: "v", ttl: -1 } } } },
    '$.redis["0"].k.ttl: expected a TTL in seconds greater than 0',
  ],
  [
    "bad flags",
    { memcached: { k: { value: "v", flags: "x" } } },
    "$.memcached.k.flags: expected a whole number 0-4294967295",
  ],
  [
    "bad table",
    { dynamodb: { tables: [{ TableName: "ab" }] } },
    "$.dynamodb.tables[0]: ValidationException:",
  ],
  [
    "item without its key",
    {
      dynamodb: {
        tables: [FIXTURE.dynamodb.tables[0]],
        items: { fixture_table: [ITEM, { pk: { S: "x" } }] },
      },
    },
    "$.dynamodb.items.fixture_table[1]: ValidationException: One or more parameter values were invalid: Missing the key sk in the item",
  ],
];

Deno.test("a bad fixture fails the start with the file, the path inside it and the reason", async () => {
  for (const [label, fixture, expected] of BAD) {
    await withFixture(fixture, async (path) => {
      if (typeof fixture === "string") await Deno.writeTextFile(path, fixture);
      const dir = await Deno.makeTempDir();
      const data = `${dir}/data/basekv.sqlite3`;
      const out = await runMain([
        "--seed",
        path,
        "--data",
        data,
        "--redis-port=0",
        "--memcached-port=0",
        "--http-port=0",
      ]);
      assert.equal(out.code, 1, `${label}: ${out.stderr}`);
      assert.ok(
        out.stderr.includes(`basekv: Bad fixture ${path}: ${expected}`),
        `${label}: ${out.stderr}`,
      );
      // The failed start leaves no data file behind.
      assert.deepEqual([...Deno.readDirSync(dir)].length, 0, label);
      await Deno.remove(dir, { recursive: true });
    });
  }
});

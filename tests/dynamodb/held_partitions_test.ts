/**
 * Whole-partition Queries answered from partitions held in memory stay exact: after puts,
 * updates, deletes, batch and transaction writes and TTL sweeps, whether the table was known
 * whole from its creation, read back after a restart, or partly dropped for room; and two
 * front-ends on one shared store (nothing held) see each other's writes.
 * @module
 */
import assert from "node:assert/strict";
import { QueryCommand } from "@aws-sdk/client-dynamodb";
import { startKvConnectServer, TEST_KV_TOKEN } from "../helpers/kv_connect_server.ts";
import { createTable, type DynamoFixture, startDynamo } from "./client.ts";
import type { Config } from "../../src/config.ts";
import { seededRandom as random } from "../helpers/random.ts";

type Wire = Record<string, Record<string, string>>;

const encoder = new TextEncoder();

/** UTF-8 byte order, DynamoDB's order of string sort keys. */
function byteOrder(a: string, b: string): number {
  const x = encoder.encode(a);
  const y = encoder.encode(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

/** What the store holds, by partition then sort key. */
type Model = Map<string, Map<string, Wire>>;

/** The items a whole-partition Query must return, in its order. */
function expected(model: Model, pk: string, forward: boolean): Wire[] {
  const items = [...(model.get(pk)?.entries() ?? [])].sort(([a], [b]) => byteOrder(a, b))
    .map(([, item]) => item);
  return forward ? items : items.reverse();
}

/** A whole-partition Query through the SDK (which checks each reply's x-amz-crc32). */
async function query(
  f: DynamoFixture,
  table: string,
  pk: string,
  forward: boolean,
  limit?: number,
): Promise<unknown[]> {
  const reply = await f.client.send(
    new QueryCommand({
      TableName: table,
      KeyConditionExpression: "pk = :p",
      ExpressionAttributeValues: { ":p": { S: pk } },
      ScanIndexForward: forward,
      Limit: limit,
    }),
  );
  assert.equal(reply.Count, reply.Items?.length);
  assert.equal(reply.ScannedCount, reply.Count);
  return reply.Items ?? [];
}

/** Every partition, both directions, equals the model and the store's own read (Limit set). */
async function checkAll(f: DynamoFixture, table: string, model: Model, pks: string[], at: string) {
  for (const pk of pks) {
    for (const forward of [true, false]) {
      const want = expected(model, pk, forward);
      assert.deepEqual(await query(f, table, pk, forward), want, `${at}: ${pk} ${forward}`);
      assert.deepEqual(await query(f, table, pk, forward, 1000), want, `${at}: ${pk} read`);
    }
  }
}

const PARTITIONS = ["p0", "p1", "p2", "p3", "p4", "p5"];
const SKS = ["a", "b", "a0", "é", "z", "B", "10", "9"];

/**
 * Random writes of every kind to table `t`, each followed by Queries of the partitions it
 * touched (all of them every tenth step); `payload` sizes the items (large ones force drops).
 */
async function randomRun(
  f: DynamoFixture,
  seed: number,
  steps: number,
  payload: number,
  PKS = PARTITIONS,
) {
  const rand = random(seed);
  const pick = <T>(list: T[]): T => list[Math.floor(rand() * list.length)];
  const model: Model = new Map();
  const now = Math.floor(Date.now() / 1000);
  const itemOf = (pk: string, sk: string): Wire => {
    const item: Wire = {
      pk: { S: pk },
      sk: { S: sk },
      v: { S: "v".repeat(1 + Math.floor(rand() * payload)) },
    };
    // Some items are past their TTL (the sweep deletes them), some far from it.
    const r = rand();
    if (r < 0.2) item.exp = { N: String(now - 60) };
    else if (r < 0.3) item.exp = { N: String(now + 36000) };
    return item;
  };
  const set = (item: Wire) => {
    const pk = item.pk.S;
    if (!model.has(pk)) model.set(pk, new Map());
    model.get(pk)!.set(item.sk.S, item);
  };
  const remove = (pk: string, sk: string) => model.get(pk)?.delete(sk);
  const ok = (reply: { status: number; body: unknown }) =>
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
  await checkAll(f, "tbl", model, PKS, "start");
  for (let step = 0; step < steps; step++) {
    const kind = rand();
    const pk = pick(PKS);
    const touched = new Set([pk]);
    if (kind < 0.35) {
      const item = itemOf(pk, pick(SKS));
      ok(await f.raw("PutItem", { TableName: "tbl", Item: item }));
      set(item);
    } else if (kind < 0.5) {
      const sk = pick(SKS);
      const v = { S: `u${step}` };
      ok(
        await f.raw("UpdateItem", {
          TableName: "tbl",
          Key: { pk: { S: pk }, sk: { S: sk } },
          UpdateExpression: "SET v = :v",
          ExpressionAttributeValues: { ":v": v },
        }),
      );
      set({ ...(model.get(pk)?.get(sk) ?? { pk: { S: pk }, sk: { S: sk } }), v });
    } else if (kind < 0.7) {
      const sk = pick(SKS);
      ok(await f.raw("DeleteItem", { TableName: "tbl", Key: { pk: { S: pk }, sk: { S: sk } } }));
      remove(pk, sk);
    } else if (kind < 0.82) {
      // Distinct keys: a batch may not name one twice.
      const keys = new Map<string, [string, string]>();
      for (let i = 0; i < 4; i++) {
        const k: [string, string] = [pick(PKS), pick(SKS)];
        keys.set(k.join("\0"), k);
      }
      const requests = [...keys.values()].map(([p, s]) => {
        touched.add(p);
        if (rand() < 0.6) {
          const item = itemOf(p, s);
          set(item);
          return { PutRequest: { Item: item } };
        }
        remove(p, s);
        return { DeleteRequest: { Key: { pk: { S: p }, sk: { S: s } } } };
      });
      const reply = await f.raw("BatchWriteItem", { RequestItems: { tbl: requests } });
      ok(reply);
      assert.deepEqual(reply.body.UnprocessedItems, {});
    } else if (kind < 0.92) {
      const other = pick(PKS);
      touched.add(other);
      const item = itemOf(pk, "a");
      ok(
        await f.raw("TransactWriteItems", {
          TransactItems: [
            { Put: { TableName: "tbl", Item: item } },
            { Delete: { TableName: "tbl", Key: { pk: { S: other }, sk: { S: "b" } } } },
          ],
        }),
      );
      set(item);
      remove(other, "b");
    } else {
      // The sweep deletes every item past its TTL, through the same commits as any write.
      let due = 0;
      for (const [p, items] of model) {
        for (const [s, item] of items) {
          if (item.exp && Number(item.exp.N) < now) {
            items.delete(s);
            touched.add(p);
            due++;
          }
        }
      }
      assert.equal(await f.sweepTtl(), due, `step ${step}: swept`);
    }
    await checkAll(
      f,
      "tbl",
      model,
      step % 10 === 9 ? PKS : [...touched],
      `seed ${seed} step ${step}`,
    );
  }
}

async function ttlTable(f: DynamoFixture, name: string) {
  await createTable(f, name, { pk: "S", sk: "S" });
  const reply = await f.raw("UpdateTimeToLive", {
    TableName: name,
    TimeToLiveSpecification: { Enabled: true, AttributeName: "exp" },
  });
  assert.equal(reply.status, 200);
}

// The sweeper runs only when asked (the route): the test knows when items go.
const ASKED_SWEEPS: Partial<Config> = { serviceFlags: { "dynamodb-ttl-delay": 360000 } };

Deno.test("a table held whole from its creation answers Queries exactly through every write", async () => {
  await using f = await startDynamo(ASKED_SWEEPS);
  await ttlTable(f, "tbl");
  for (const seed of [3, 17]) {
    await f.raw("DeleteTable", { TableName: "tbl" });
    await ttlTable(f, "tbl");
    await randomRun(f, seed, 120, 40);
  }
});

Deno.test("a partition written many times between two reads is exact", async () => {
  await using f = await startDynamo();
  await createTable(f, "burst", { pk: "S", sk: "S" });
  const model = new Map<string, Wire>();
  const key = (sk: string) => ({ pk: { S: "p" }, sk: { S: sk } });
  for (let round = 0; round < 3; round++) {
    // More writes than a held partition takes before it packs them unread.
    for (let i = 0; i < 21; i++) {
      const sk = `k${(i * 7 + round) % 12}`;
      if (i % 5 === 4) {
        await f.raw("DeleteItem", { TableName: "burst", Key: key(sk) });
        model.delete(sk);
      } else {
        const item = { ...key(sk), v: { S: `${round}.${i}` } };
        await f.raw("PutItem", { TableName: "burst", Item: item });
        model.set(sk, item);
      }
    }
    const want = expected(new Map([["p", model]]), "p", true);
    assert.deepEqual(await query(f, "burst", "p", false), want.toReversed());
    assert.deepEqual(await query(f, "burst", "p", true), want);
    assert.deepEqual(await query(f, "burst", "p", true, 1000), want);
  }
});

Deno.test("partitions dropped for room (a 1 MiB cache) leave every Query exact", async () => {
  // Half a MiB holds about sixty 8 KB items: the run keeps dropping and re-reading partitions.
  await using f = await startDynamo({ ...ASKED_SWEEPS, cacheMb: 1 });
  await ttlTable(f, "tbl");
  await randomRun(f, 29, 150, 24000, Array.from({ length: 24 }, (_, i) => `p${i}`));
});

Deno.test("after a restart partitions are read, then held, and stay exact", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const data = `${dir}/db.sqlite`;
    const put = (f: DynamoFixture, pk: string, sk: string, v: string) =>
      f.raw("PutItem", { TableName: "rst", Item: { pk: { S: pk }, sk: { S: sk }, v: { S: v } } });
    const item = (pk: string, sk: string, v: string) => ({
      pk: { S: pk },
      sk: { S: sk },
      v: { S: v },
    });
    {
      await using f = await startDynamo({ memory: false, data });
      await createTable(f, "rst", { pk: "S", sk: "S" });
      await put(f, "p", "b", "1");
      await put(f, "p", "a", "2");
    }
    await using f = await startDynamo({ memory: false, data });
    for (let i = 0; i < 2; i++) {
      assert.deepEqual(await query(f, "rst", "p", true), [
        item("p", "a", "2"),
        item("p", "b", "1"),
      ]);
      assert.deepEqual(await query(f, "rst", "q", true), []);
    }
    await put(f, "p", "c", "3");
    await f.raw("DeleteItem", { TableName: "rst", Key: { pk: { S: "p" }, sk: { S: "a" } } });
    await put(f, "q", "x", "4");
    for (let i = 0; i < 2; i++) {
      assert.deepEqual(await query(f, "rst", "p", false), [
        item("p", "c", "3"),
        item("p", "b", "1"),
      ]);
      assert.deepEqual(await query(f, "rst", "q", true), [item("q", "x", "4")]);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("front-ends on one shared store hold no partition and see each other's writes", async () => {
  Deno.env.set("DENO_KV_ACCESS_TOKEN", TEST_KV_TOKEN);
  await using kv = await startKvConnectServer();
  await using one = await startDynamo({ kvUrl: kv.url });
  await using two = await startDynamo({ kvUrl: kv.url });
  await createTable(one, "shr", { pk: "S", sk: "S" });
  const item = (sk: string) => ({ pk: { S: "p" }, sk: { S: sk } });
  await one.raw("PutItem", { TableName: "shr", Item: item("a") });
  for (let i = 0; i < 2; i++) assert.deepEqual(await query(one, "shr", "p", true), [item("a")]);
  await two.raw("PutItem", { TableName: "shr", Item: item("b") });
  await two.raw("DeleteItem", { TableName: "shr", Key: item("a") });
  assert.deepEqual(await query(one, "shr", "p", true), [item("b")]);
});

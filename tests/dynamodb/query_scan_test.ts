/**
 * Query and Scan through the AWS SDK v3: key conditions as range reads (numbers in numeric
 * order), direction, paging with Limit and LastEvaluatedKey, filters, projections, COUNT,
 * indexes and parallel segments.
 * @module
 */
import assert from "node:assert/strict";
import {
  CreateTableCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  type QueryCommandInput,
  ScanCommand,
} from "@aws-sdk/client-dynamodb";
import { paginateQuery, QueryCommand as DocQuery } from "@aws-sdk/lib-dynamodb";
import {
  createTable,
  DUMMY_SIGNATURE,
  type DynamoFixture,
  rejection,
  startDynamo,
} from "./client.ts";

const NUMBERS = ["-10", "-1.5", "0", "0.25", "2", "10", "100", "1e3"];

async function seed(f: DynamoFixture) {
  await f.client.send(
    new CreateTableCommand({
      TableName: "events",
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }, {
        AttributeName: "n",
        KeyType: "RANGE",
      }],
      AttributeDefinitions: [
        { AttributeName: "pk", AttributeType: "S" },
        { AttributeName: "n", AttributeType: "N" },
        { AttributeName: "kind", AttributeType: "S" },
      ],
      GlobalSecondaryIndexes: [{
        IndexName: "by-kind",
        KeySchema: [{ AttributeName: "kind", KeyType: "HASH" }, {
          AttributeName: "n",
          KeyType: "RANGE",
        }],
        Projection: { ProjectionType: "KEYS_ONLY" },
      }],
      BillingMode: "PAY_PER_REQUEST",
    }),
  );
  for (const [i, n] of NUMBERS.entries()) {
    await f.client.send(
      new PutItemCommand({
        TableName: "events",
        Item: {
          pk: { S: "a" },
          n: { N: n },
          ...(i % 2 === 0 ? { kind: { S: "even" } } : {}),
          label: { S: `item${i}` },
        },
      }),
    );
  }
  await f.client.send(
    new PutItemCommand({
      TableName: "events",
      Item: { pk: { S: "b" }, n: { N: "5" }, kind: { S: "even" }, label: { S: "other" } },
    }),
  );
}

function q(extra: Partial<QueryCommandInput>) {
  return new QueryCommand({
    TableName: "events",
    KeyConditionExpression: "pk = :pk",
    ExpressionAttributeValues: { ":pk": { S: "a" } },
    ...extra,
  });
}

Deno.test("Query() returns a partition in numeric sort-key order, both directions", async () => {
  await using f = await startDynamo();
  await seed(f);
  const up = await f.client.send(q({}));
  assert.deepEqual(up.Items?.map((i) => i.n.N), [
    "-10",
    "-1.5",
    "0",
    "0.25",
    "2",
    "10",
    "100",
    "1000",
  ]);
  assert.equal(up.Count, 8);
  assert.equal(up.LastEvaluatedKey, undefined);
  const down = await f.client.send(q({ ScanIndexForward: false }));
  assert.deepEqual(down.Items?.map((i) => i.n.N), [
    "1000",
    "100",
    "10",
    "2",
    "0.25",
    "0",
    "-1.5",
    "-10",
  ]);
});

Deno.test("String keys ASCII or not, short or digested, read back by GetItem and Query in byte order", async () => {
  await using f = await startDynamo();
  await createTable(f, "words", { pk: "S", sk: "S" });
  // Around the 128-byte inline partition key and the ASCII fast path: each partition distinct.
  const partitions = ["a", "é", "日本", "x".repeat(128), "x".repeat(129), "x".repeat(127) + "é"];
  // UTF-8 byte order: ASCII, then 2-byte, then 3-byte sequences.
  const sorts = ["A", "z", "~", "é", "ÿ", "日"];
  for (const pk of partitions) {
    for (const sk of [...sorts].reverse()) {
      await f.client.send(
        new PutItemCommand({ TableName: "words", Item: { pk: { S: pk }, sk: { S: sk } } }),
      );
    }
  }
  for (const pk of partitions) {
    for (const sk of sorts) {
      const got = await f.client.send(
        new GetItemCommand({ TableName: "words", Key: { pk: { S: pk }, sk: { S: sk } } }),
      );
      assert.deepEqual(got.Item, { pk: { S: pk }, sk: { S: sk } });
    }
    // Twice: the second Query may be answered from the kept reply.
    for (let i = 0; i < 2; i++) {
      const page = await f.client.send(
        new QueryCommand({
          TableName: "words",
          KeyConditionExpression: "pk = :pk",
          ExpressionAttributeValues: { ":pk": { S: pk } },
        }),
      );
      assert.deepEqual(page.Items?.map((item) => item.sk.S), sorts, pk);
    }
  }
});

Deno.test("Query() sort-key conditions select the right range", async () => {
  await using f = await startDynamo();
  await seed(f);
  const cases: [string, Record<string, { N: string }>, string[]][] = [
    ["n = :a", { ":a": { N: "2.0" } }, ["2"]],
    ["n < :a", { ":a": { N: "0" } }, ["-10", "-1.5"]],
    ["n <= :a", { ":a": { N: "0" } }, ["-10", "-1.5", "0"]],
    ["n > :a", { ":a": { N: "10" } }, ["100", "1000"]],
    ["n >= :a", { ":a": { N: "10" } }, ["10", "100", "1000"]],
    ["n BETWEEN :a AND :b", { ":a": { N: "-1.5" }, ":b": { N: "2" } }, ["-1.5", "0", "0.25", "2"]],
  ];
  for (const [cond, values, expected] of cases) {
    const r = await f.client.send(q({
      KeyConditionExpression: `pk = :pk AND ${cond}`,
      ExpressionAttributeValues: { ":pk": { S: "a" }, ...values },
    }));
    assert.deepEqual(r.Items?.map((i) => i.n.N), expected, cond);
  }
});

Deno.test("Query() pages with Limit and ExclusiveStartKey; DocumentClient paginates", async () => {
  await using f = await startDynamo();
  await seed(f);
  const seen: string[] = [];
  let start: QueryCommandInput["ExclusiveStartKey"];
  let pages = 0;
  do {
    const r = await f.client.send(q({ Limit: 3, ExclusiveStartKey: start }));
    seen.push(...r.Items!.map((i) => i.n.N!));
    start = r.LastEvaluatedKey;
    pages++;
  } while (start);
  assert.deepEqual(seen, ["-10", "-1.5", "0", "0.25", "2", "10", "100", "1000"]);
  assert.equal(pages, 3);
  const all: number[] = [];
  const pager = paginateQuery({ client: f.doc, pageSize: 2 }, {
    TableName: "events",
    KeyConditionExpression: "pk = :pk",
    ExpressionAttributeValues: { ":pk": "a" },
    ScanIndexForward: false,
  });
  for await (const page of pager) all.push(...page.Items!.map((i) => i.n as number));
  assert.deepEqual(all, [1000, 100, 10, 2, 0.25, 0, -1.5, -10]);
});

Deno.test("Query() applies FilterExpression after Limit and projects", async () => {
  await using f = await startDynamo();
  await seed(f);
  const r = await f.client.send(q({
    FilterExpression: "attribute_exists(kind)",
    ProjectionExpression: "label",
    Limit: 4,
  }));
  assert.deepEqual(r.Items, [{ label: { S: "item0" } }, { label: { S: "item2" } }]);
  assert.equal(r.Count, 2);
  assert.equal(r.ScannedCount, 4);
  assert.ok(r.LastEvaluatedKey);
  const count = await f.client.send(q({ Select: "COUNT" }));
  assert.equal(count.Items, undefined);
  assert.equal(count.Count, 8);
  const doc = await f.doc.send(
    new DocQuery({
      TableName: "events",
      KeyConditionExpression: "pk = :pk AND n > :z",
      FilterExpression: "begins_with(label, :p)",
      ExpressionAttributeValues: { ":pk": "a", ":z": 0, ":p": "item" },
    }),
  );
  assert.deepEqual(doc.Items?.map((i) => i.n), [0.25, 2, 10, 100, 1000]);
});

Deno.test("Query() on a GSI returns projected keys in index order", async () => {
  await using f = await startDynamo();
  await seed(f);
  const r = await f.client.send(
    new QueryCommand({
      TableName: "events",
      IndexName: "by-kind",
      KeyConditionExpression: "kind = :k AND n >= :z",
      ExpressionAttributeValues: { ":k": { S: "even" }, ":z": { N: "0" } },
    }),
  );
  assert.deepEqual(r.Items, [
    { pk: { S: "a" }, n: { N: "0" }, kind: { S: "even" } },
    { pk: { S: "a" }, n: { N: "2" }, kind: { S: "even" } },
    { pk: { S: "b" }, n: { N: "5" }, kind: { S: "even" } },
    { pk: { S: "a" }, n: { N: "100" }, kind: { S: "even" } },
  ]);
  const page = await f.client.send(
    new QueryCommand({
      TableName: "events",
      IndexName: "by-kind",
      KeyConditionExpression: "kind = :k",
      ExpressionAttributeValues: { ":k": { S: "even" } },
      Limit: 2,
    }),
  );
  assert.deepEqual(page.LastEvaluatedKey, { pk: { S: "a" }, n: { N: "0" }, kind: { S: "even" } });
  const next = await f.client.send(
    new QueryCommand({
      TableName: "events",
      IndexName: "by-kind",
      KeyConditionExpression: "kind = :k",
      ExpressionAttributeValues: { ":k": { S: "even" } },
      ExclusiveStartKey: page.LastEvaluatedKey,
    }),
  );
  assert.deepEqual(next.Items?.map((i) => i.n.N), ["2", "5", "100"]);
});

Deno.test("Query() errors use DynamoDB's messages", async () => {
  await using f = await startDynamo();
  await seed(f);
  const missing = await rejection(f.client.send(new QueryCommand({ TableName: "events" })));
  assert.equal(
    missing.message,
    "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.",
  );
  const noIndex = await rejection(f.client.send(q({ IndexName: "nope" })));
  assert.equal(noIndex.message, "The table does not have the specified index: nope");
  const wrongKey = await rejection(f.client.send(
    new QueryCommand({
      TableName: "events",
      KeyConditionExpression: "n = :n",
      ExpressionAttributeValues: { ":n": { N: "1" } },
    }),
  ));
  assert.equal(wrongKey.name, "ValidationException");
  assert.equal(wrongKey.message, "Query condition missed key schema element: pk");
  const consistent = await rejection(f.client.send(
    new QueryCommand({
      TableName: "events",
      IndexName: "by-kind",
      ConsistentRead: true,
      KeyConditionExpression: "kind = :k",
      ExpressionAttributeValues: { ":k": { S: "even" } },
    }),
  ));
  assert.equal(
    consistent.message,
    "Consistent reads are not supported on global secondary indexes",
  );
  const all = await rejection(f.client.send(
    new QueryCommand({
      TableName: "events",
      IndexName: "by-kind",
      Select: "ALL_ATTRIBUTES",
      KeyConditionExpression: "kind = :k",
      ExpressionAttributeValues: { ":k": { S: "even" } },
    }),
  ));
  assert.equal(
    all.message,
    "One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary index by-kind because its projection type is not ALL",
  );
  const table = await rejection(f.client.send(q({ TableName: "ghost" })));
  assert.equal(table.name, "ResourceNotFoundException");
});

Deno.test("Scan() reads every item, pages, filters and splits into segments", async () => {
  await using f = await startDynamo();
  await seed(f);
  const all = await f.client.send(new ScanCommand({ TableName: "events" }));
  assert.equal(all.Count, 9);
  const seen = new Set<string>();
  let start: Record<string, never> | undefined;
  do {
    const r = await f.client.send(
      new ScanCommand({ TableName: "events", Limit: 4, ExclusiveStartKey: start }),
    );
    for (const i of r.Items!) seen.add(`${i.pk.S}/${i.n.N}`);
    start = r.LastEvaluatedKey as typeof start;
  } while (start);
  assert.equal(seen.size, 9);
  const filtered = await f.client.send(
    new ScanCommand({
      TableName: "events",
      FilterExpression: "#l = :l",
      ExpressionAttributeNames: { "#l": "label" },
      ExpressionAttributeValues: { ":l": { S: "other" } },
    }),
  );
  assert.deepEqual(filtered.Items?.map((i) => i.pk.S), ["b"]);
  assert.equal(filtered.ScannedCount, 9);
  let total = 0;
  for (let s = 0; s < 3; s++) {
    const r = await f.client.send(
      new ScanCommand({ TableName: "events", Segment: s, TotalSegments: 3 }),
    );
    total += r.Count!;
  }
  assert.equal(total, 9);
  const idx = await f.client.send(new ScanCommand({ TableName: "events", IndexName: "by-kind" }));
  assert.equal(idx.Count, 5);
  const bad = await rejection(
    f.client.send(new ScanCommand({ TableName: "events", Segment: 3, TotalSegments: 3 })),
  );
  assert.equal(
    bad.message,
    "The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: 3 is not less than TotalSegments: 3",
  );
});

/** PutItem through the raw client; fails the test unless it succeeds. */
async function put(f: DynamoFixture, body: Record<string, unknown>): Promise<void> {
  const res = await f.raw("PutItem", body);
  assert.equal(res.status, 200, JSON.stringify(res.body));
}

/** An operation's raw reply text (the bytes as sent), with a dummy signature. */
async function replyText(
  f: DynamoFixture,
  body: Record<string, unknown>,
  op = "Query",
): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${f.port}/`, {
    method: "POST",
    headers: {
      ...DUMMY_SIGNATURE,
      "content-type": "application/x-amz-json-1.0",
      "x-amz-target": `DynamoDB_20120810.${op}`,
    },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  assert.equal(res.status, 200, text);
  return text;
}

Deno.test("Query() and GetItem() send stored items byte for byte as the parsed path would", async () => {
  await using f = await startDynamo();
  await createTable(f, "pairs", { pk: "S", sk: "S" });
  await createTable(f, "single", { pk: "S" });
  // Attribute names and values JSON treats specially: escapes, non-ASCII, integer-like names
  // (which objects order first), "__proto__", nesting, sets and binaries.
  const odd = {
    "10": { S: 'quote " backslash \\ tab \t nul \u0000 é 😀' },
    "2": { N: "-0.5" },
    ["__proto__"]: { M: { "1": { L: [{ BOOL: true }, { NULL: true }] }, a: { SS: ["x", "y"] } } },
    bin: { B: "AAEC" },
    nums: { NS: ["1", "2.5"] },
  };
  for (let i = 0; i < 4; i++) {
    await put(f, {
      TableName: "pairs",
      Item: { pk: { S: "p" }, sk: { S: `s${i}` }, ...odd },
    });
  }
  await put(f, {
    TableName: "single",
    Item: { pk: { S: "p" }, ...odd },
  });
  // A filter that keeps every item sends the page through the parsing path.
  const keep = { FilterExpression: "attribute_exists(pk)" };
  const cases: Record<string, unknown>[] = [
    { TableName: "pairs" },
    { TableName: "pairs", Limit: 2 },
    { TableName: "pairs", Limit: 4 },
    { TableName: "pairs", ScanIndexForward: false, Limit: 3 },
    { TableName: "pairs", ExclusiveStartKey: { pk: { S: "p" }, sk: { S: "s1" } } },
    { TableName: "single" },
  ];
  for (const c of cases) {
    const body = {
      ...c,
      KeyConditionExpression: "pk = :p",
      ExpressionAttributeValues: { ":p": { S: "p" } },
    };
    const spliced = await replyText(f, body);
    assert.equal(spliced, await replyText(f, { ...body, ...keep }), JSON.stringify(c));
    assert.ok(JSON.parse(spliced).Count > 0);
  }
  for (const [table, key] of [["pairs", { sk: { S: "s1" } }], ["single", {}]] as const) {
    const body = { TableName: table, Key: { pk: { S: "p" }, ...key } };
    const spliced = await replyText(f, body, "GetItem");
    const sized = await replyText(f, { ...body, ReturnConsumedCapacity: "TOTAL" }, "GetItem");
    assert.ok(sized.startsWith(spliced.slice(0, -1) + ',"ConsumedCapacity":'), spliced);
    assert.equal(JSON.parse(spliced).Item.bin.B, "AAEC");
  }
  const absent = { TableName: "pairs", Key: { pk: { S: "p" }, sk: { S: "none" } } };
  assert.equal(await replyText(f, absent, "GetItem"), "{}");
});

Deno.test("Query() pages that may reach 1 MB stop where the items' sizes pass it", async () => {
  await using f = await startDynamo();
  await createTable(f, "big", { pk: "S", sk: "S" });
  // Four items of ~350 KB: the page stops at the third, where their sizes pass 1 MB.
  for (let i = 0; i < 4; i++) {
    await put(f, {
      TableName: "big",
      Item: { pk: { S: "p" }, sk: { S: `s${i}` }, v: { S: "x".repeat(350_000) } },
    });
  }
  const reply = JSON.parse(
    await replyText(f, {
      TableName: "big",
      KeyConditionExpression: "pk = :p",
      ExpressionAttributeValues: { ":p": { S: "p" } },
    }),
  );
  assert.equal(reply.Count, 3);
  assert.deepEqual(reply.LastEvaluatedKey, { pk: { S: "p" }, sk: { S: "s2" } });
});

/** The sort keys and `v` attributes a whole-partition Query of `pk` in "pairs" returns. */
async function partition(f: DynamoFixture, pk: string, forward = true): Promise<string[]> {
  const text = await replyText(f, {
    TableName: "pairs",
    KeyConditionExpression: "pk = :p",
    ExpressionAttributeValues: { ":p": { S: pk } },
    ScanIndexForward: forward,
  });
  return (JSON.parse(text).Items as { sk: { S: string }; v?: { S: string } }[])
    .map((i) => `${i.sk.S}=${i.v?.S ?? "-"}`);
}

Deno.test("Query() of a whole partition sees every write to it at once, however it is made", async () => {
  await using f = await startDynamo();
  await createTable(f, "pairs", { pk: "S", sk: "S" });
  const item = (pk: string, sk: string, v: string) => ({
    pk: { S: pk },
    sk: { S: sk },
    v: { S: v },
  });
  await put(f, { TableName: "pairs", Item: item("p", "a", "1") });
  await put(f, { TableName: "pairs", Item: item("q", "a", "1") });
  // Asked twice: a kept reply is sent again whole.
  assert.deepEqual(await partition(f, "p"), ["a=1"]);
  assert.deepEqual(await partition(f, "p"), ["a=1"]);
  const ok = async (op: string, body: Record<string, unknown>) => {
    const res = await f.raw(op, body);
    assert.equal(res.status, 200, JSON.stringify(res.body));
  };
  await put(f, { TableName: "pairs", Item: item("p", "b", "1") });
  assert.deepEqual(await partition(f, "p"), ["a=1", "b=1"]);
  assert.deepEqual(await partition(f, "p", false), ["b=1", "a=1"]);
  await ok("UpdateItem", {
    TableName: "pairs",
    Key: { pk: { S: "p" }, sk: { S: "a" } },
    UpdateExpression: "SET v = :v",
    ExpressionAttributeValues: { ":v": { S: "2" } },
  });
  assert.deepEqual(await partition(f, "p"), ["a=2", "b=1"]);
  assert.deepEqual(await partition(f, "p", false), ["b=1", "a=2"]);
  await ok("BatchWriteItem", {
    RequestItems: {
      pairs: [
        { PutRequest: { Item: item("p", "c", "1") } },
        { DeleteRequest: { Key: { pk: { S: "p" }, sk: { S: "b" } } } },
      ],
    },
  });
  assert.deepEqual(await partition(f, "p"), ["a=2", "c=1"]);
  await ok("TransactWriteItems", {
    TransactItems: [{ Put: { TableName: "pairs", Item: item("p", "d", "1") } }],
  });
  await ok("DeleteItem", { TableName: "pairs", Key: { pk: { S: "p" }, sk: { S: "a" } } });
  assert.deepEqual(await partition(f, "p"), ["c=1", "d=1"]);
  // Another partition's reply is its own.
  assert.deepEqual(await partition(f, "q"), ["a=1"]);
  await ok("DeleteTable", { TableName: "pairs" });
  const gone = await f.raw("Query", {
    TableName: "pairs",
    KeyConditionExpression: "pk = :p",
    ExpressionAttributeValues: { ":p": { S: "p" } },
  });
  assert.equal(gone.status, 400);
  await createTable(f, "pairs", { pk: "S", sk: "S" });
  assert.deepEqual(await partition(f, "p"), []);
});

Deno.test("Query() on a shared store sees another front-end's write to the partition", async () => {
  const { startKvConnectServer, TEST_KV_TOKEN } = await import("../helpers/kv_connect_server.ts");
  Deno.env.set("DENO_KV_ACCESS_TOKEN", TEST_KV_TOKEN);
  await using kv = await startKvConnectServer();
  await using a = await startDynamo({ kvUrl: kv.url });
  await using b = await startDynamo({ kvUrl: kv.url });
  await createTable(a, "pairs", { pk: "S", sk: "S" });
  await put(a, { TableName: "pairs", Item: { pk: { S: "p" }, sk: { S: "a" } } });
  assert.deepEqual(await partition(a, "p"), ["a=-"]);
  await put(b, { TableName: "pairs", Item: { pk: { S: "p" }, sk: { S: "b" } } });
  assert.deepEqual(await partition(a, "p"), ["a=-", "b=-"]);
});

Deno.test("Query() answers a key condition the same before and after it has succeeded", async () => {
  await using f = await startDynamo();
  await createTable(f, "pairs", { pk: "S", sk: "S" });
  await put(f, { TableName: "pairs", Item: { pk: { S: "p" }, sk: { S: "a" } } });
  const query = (text: string, values: unknown, names?: unknown) =>
    f.raw("Query", {
      TableName: "pairs",
      KeyConditionExpression: text,
      ExpressionAttributeValues: values,
      ...(names ? { ExpressionAttributeNames: names } : {}),
    });
  const wrong: [string, unknown, unknown?][] = [
    ["pk = :v", { ":v": { N: "1" } }],
    ["pk = :v", { ":v": { N: "x" } }],
    ["pk = :v", { ":v": { S: "p" }, ":w": { S: "q" } }],
    ["pk = :v", { ":w": { S: "p" } }],
    ["#k = :v", { ":v": { S: "p" } }, { "#k": "sk" }],
    ["#k = :v", { ":v": { S: "p" } }, { "#k": "pk", "#u": "sk" }],
  ];
  const before = [];
  for (const args of wrong) before.push(await query(...args));
  for (const [text, names] of [["pk = :v", undefined], ["#k = :v", { "#k": "pk" }]] as const) {
    const ok = await query(text, { ":v": { S: "p" } }, names);
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(ok.body.Count, 1);
    const other = await query(text, { ":v": { S: "none" } }, names);
    assert.equal(other.body.Count, 0);
  }
  for (const [i, args] of wrong.entries()) {
    const after = await query(...args);
    assert.equal(before[i].status, 400, JSON.stringify(args));
    assert.deepEqual(
      [after.status, after.body],
      [before[i].status, before[i].body],
      JSON.stringify(args),
    );
  }
});

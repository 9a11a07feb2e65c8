/**
 * Secondary indexes through the AWS SDK v3: entries kept fresh by every write path (an item
 * moving between GSI partitions, leaving a sparse index, deleted, batch/transaction/PartiQL
 * writes), projections and their Select errors, LSIs, index Scans, and a GSI added to a
 * populated table (CREATING with Backfilling, then ACTIVE and answering).
 * @module
 */
import assert from "node:assert/strict";
import {
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteItemCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ExecuteStatementCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from "@aws-sdk/client-dynamodb";
import {
  paginateQuery,
  PutCommand as DocPut,
  QueryCommand as DocQuery,
} from "@aws-sdk/lib-dynamodb";
import { type DynamoFixture, rejection, startDynamo } from "./client.ts";

async function ordersTable(f: DynamoFixture) {
  await f.client.send(
    new CreateTableCommand({
      TableName: "orders",
      KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
      AttributeDefinitions: [
        { AttributeName: "id", AttributeType: "S" },
        { AttributeName: "status", AttributeType: "S" },
        { AttributeName: "at", AttributeType: "N" },
        { AttributeName: "customer", AttributeType: "S" },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: "by-status",
          KeySchema: [
            { AttributeName: "status", KeyType: "HASH" },
            { AttributeName: "at", KeyType: "RANGE" },
          ],
          Projection: { ProjectionType: "ALL" },
        },
        {
          IndexName: "by-customer",
          KeySchema: [{ AttributeName: "customer", KeyType: "HASH" }],
          Projection: { ProjectionType: "INCLUDE", NonKeyAttributes: ["total"] },
        },
        {
          IndexName: "keys",
          KeySchema: [{ AttributeName: "status", KeyType: "HASH" }],
          Projection: { ProjectionType: "KEYS_ONLY" },
        },
      ],
      BillingMode: "PAY_PER_REQUEST",
    }),
  );
}

async function byStatus(client: DynamoDBClient, status: string): Promise<string[]> {
  const r = await client.send(
    new QueryCommand({
      TableName: "orders",
      IndexName: "by-status",
      KeyConditionExpression: "#s = :s",
      ExpressionAttributeNames: { "#s": "status" },
      ExpressionAttributeValues: { ":s": { S: status } },
    }),
  );
  return (r.Items ?? []).map((i) => i.id.S!);
}

Deno.test("a GSI Query after writes returns fresh data from every write path", async () => {
  await using f = await startDynamo();
  await ordersTable(f);
  for (const [id, status, at] of [["o1", "open", 3], ["o2", "open", 1], ["o3", "done", 2]]) {
    await f.client.send(
      new PutItemCommand({
        TableName: "orders",
        Item: {
          id: { S: String(id) },
          status: { S: String(status) },
          at: { N: String(at) },
          customer: { S: "c1" },
          total: { N: "10" },
          note: { S: "x" },
        },
      }),
    );
  }
  assert.deepEqual(await byStatus(f.client, "open"), ["o2", "o1"]);
  // An update moves o1 between index partitions.
  await f.client.send(
    new UpdateItemCommand({
      TableName: "orders",
      Key: { id: { S: "o1" } },
      UpdateExpression: "SET #s = :d",
      ExpressionAttributeNames: { "#s": "status" },
      ExpressionAttributeValues: { ":d": { S: "done" } },
    }),
  );
  assert.deepEqual(await byStatus(f.client, "open"), ["o2"]);
  assert.deepEqual(await byStatus(f.client, "done"), ["o3", "o1"]);
  // Removing a key attribute takes the item out of the sparse index.
  await f.client.send(
    new UpdateItemCommand({
      TableName: "orders",
      Key: { id: { S: "o3" } },
      UpdateExpression: "REMOVE #s",
      ExpressionAttributeNames: { "#s": "status" },
    }),
  );
  assert.deepEqual(await byStatus(f.client, "done"), ["o1"]);
  // A non-key change is visible through an ALL projection.
  await f.client.send(
    new UpdateItemCommand({
      TableName: "orders",
      Key: { id: { S: "o1" } },
      UpdateExpression: "SET note = :n",
      ExpressionAttributeValues: { ":n": { S: "changed" } },
    }),
  );
  const fresh = await f.client.send(
    new QueryCommand({
      TableName: "orders",
      IndexName: "by-status",
      KeyConditionExpression: "#s = :s",
      ExpressionAttributeNames: { "#s": "status" },
      ExpressionAttributeValues: { ":s": { S: "done" } },
    }),
  );
  assert.equal(fresh.Items?.[0].note.S, "changed");
  await f.client.send(new DeleteItemCommand({ TableName: "orders", Key: { id: { S: "o1" } } }));
  assert.deepEqual(await byStatus(f.client, "done"), []);
  // BatchWriteItem, TransactWriteItems and PartiQL keep the index too.
  await f.client.send(
    new BatchWriteItemCommand({
      RequestItems: {
        orders: [
          { PutRequest: { Item: { id: { S: "b1" }, status: { S: "new" }, at: { N: "5" } } } },
          { PutRequest: { Item: { id: { S: "b2" }, status: { S: "new" }, at: { N: "4" } } } },
          { DeleteRequest: { Key: { id: { S: "o2" } } } },
        ],
      },
    }),
  );
  assert.deepEqual(await byStatus(f.client, "new"), ["b2", "b1"]);
  assert.deepEqual(await byStatus(f.client, "open"), []);
  await f.client.send(
    new TransactWriteItemsCommand({
      TransactItems: [
        {
          Put: {
            TableName: "orders",
            Item: { id: { S: "t1" }, status: { S: "new" }, at: { N: "9" } },
          },
        },
        { Delete: { TableName: "orders", Key: { id: { S: "b2" } } } },
      ],
    }),
  );
  assert.deepEqual(await byStatus(f.client, "new"), ["b1", "t1"]);
  await f.client.send(
    new ExecuteStatementCommand({
      Statement: `UPDATE orders SET status = 'open' WHERE id = 'b1'`,
    }),
  );
  await f.client.send(
    new ExecuteStatementCommand({
      Statement: `INSERT INTO orders VALUE {'id': 'p1', 'status': 'open', 'at': 7}`,
    }),
  );
  assert.deepEqual(await byStatus(f.client, "new"), ["t1"]);
  assert.deepEqual(await byStatus(f.client, "open"), ["b1", "p1"]);
});

Deno.test("index projections: KEYS_ONLY and INCLUDE return what they project; Select errors", async () => {
  await using f = await startDynamo();
  await ordersTable(f);
  await f.client.send(
    new PutItemCommand({
      TableName: "orders",
      Item: {
        id: { S: "o1" },
        status: { S: "open" },
        at: { N: "1" },
        customer: { S: "c1" },
        total: { N: "12" },
        note: { S: "x" },
      },
    }),
  );
  const keys = await f.client.send(
    new QueryCommand({
      TableName: "orders",
      IndexName: "keys",
      KeyConditionExpression: "#s = :s",
      ExpressionAttributeNames: { "#s": "status" },
      ExpressionAttributeValues: { ":s": { S: "open" } },
    }),
  );
  assert.deepEqual(keys.Items, [{ id: { S: "o1" }, status: { S: "open" } }]);
  const included = await f.client.send(
    new QueryCommand({
      TableName: "orders",
      IndexName: "by-customer",
      KeyConditionExpression: "customer = :c",
      ExpressionAttributeValues: { ":c": { S: "c1" } },
    }),
  );
  assert.deepEqual(included.Items, [{
    id: { S: "o1" },
    customer: { S: "c1" },
    total: { N: "12" },
  }]);
  const all = await rejection(f.client.send(
    new QueryCommand({
      TableName: "orders",
      IndexName: "keys",
      Select: "ALL_ATTRIBUTES",
      KeyConditionExpression: "#s = :s",
      ExpressionAttributeNames: { "#s": "status" },
      ExpressionAttributeValues: { ":s": { S: "open" } },
    }),
  ));
  assert.equal(all.name, "ValidationException");
  assert.match(all.message, /ALL_ATTRIBUTES/);
  const consistent = await rejection(f.client.send(
    new QueryCommand({
      TableName: "orders",
      IndexName: "keys",
      ConsistentRead: true,
      KeyConditionExpression: "#s = :s",
      ExpressionAttributeNames: { "#s": "status" },
      ExpressionAttributeValues: { ":s": { S: "open" } },
    }),
  ));
  assert.equal(
    consistent.message,
    "Consistent reads are not supported on global secondary indexes",
  );
  const count = await f.client.send(
    new ScanCommand({ TableName: "orders", IndexName: "by-customer", Select: "COUNT" }),
  );
  assert.equal(count.Count, 1);
  assert.equal(count.Items, undefined);
});

Deno.test("GSI paging carries index and table keys; reverse order; filters; lib-dynamodb paginates", async () => {
  await using f = await startDynamo();
  await ordersTable(f);
  for (let i = 0; i < 25; i++) {
    await f.client.send(
      new PutItemCommand({
        TableName: "orders",
        Item: {
          id: { S: `o${String(i).padStart(2, "0")}` },
          status: { S: "open" },
          at: { N: String(i % 5) },
          total: { N: String(i) },
        },
      }),
    );
  }
  const first = await f.client.send(
    new QueryCommand({
      TableName: "orders",
      IndexName: "by-status",
      KeyConditionExpression: "#s = :s",
      ExpressionAttributeNames: { "#s": "status" },
      ExpressionAttributeValues: { ":s": { S: "open" } },
      Limit: 7,
      ScanIndexForward: false,
    }),
  );
  assert.equal(first.Items?.length, 7);
  assert.deepEqual(Object.keys(first.LastEvaluatedKey ?? {}).sort(), ["at", "id", "status"]);
  assert.deepEqual(first.Items?.map((i) => i.at.N), ["4", "4", "4", "4", "4", "3", "3"]);
  const seen: string[] = [];
  const pages = paginateQuery({ client: f.doc, pageSize: 4 }, {
    TableName: "orders",
    IndexName: "by-status",
    KeyConditionExpression: "#s = :s AND #a BETWEEN :lo AND :hi",
    FilterExpression: "#t >= :t",
    ExpressionAttributeNames: { "#s": "status", "#a": "at", "#t": "total" },
    ExpressionAttributeValues: { ":s": "open", ":lo": 1, ":hi": 3, ":t": 10 },
  });
  for await (const page of pages) for (const item of page.Items ?? []) seen.push(item.id);
  assert.deepEqual(seen.length, 9);
  assert.equal(new Set(seen).size, 9);
  const ats = (await f.doc.send(
    new DocQuery({
      TableName: "orders",
      IndexName: "by-status",
      KeyConditionExpression: "#s = :s AND #a > :a",
      ExpressionAttributeNames: { "#s": "status", "#a": "at" },
      ExpressionAttributeValues: { ":s": "open", ":a": 2 },
    }),
  )).Items?.map((i) => i.at);
  assert.deepEqual(ats, [3, 3, 3, 3, 3, 4, 4, 4, 4, 4]);
});

Deno.test("an LSI answers in its sort order; a KEYS_ONLY LSI fetches the item for ALL_ATTRIBUTES", async () => {
  await using f = await startDynamo();
  await f.client.send(
    new CreateTableCommand({
      TableName: "scores",
      KeySchema: [
        { AttributeName: "user", KeyType: "HASH" },
        { AttributeName: "game", KeyType: "RANGE" },
      ],
      AttributeDefinitions: [
        { AttributeName: "user", AttributeType: "S" },
        { AttributeName: "game", AttributeType: "S" },
        { AttributeName: "score", AttributeType: "N" },
      ],
      LocalSecondaryIndexes: [{
        IndexName: "by-score",
        KeySchema: [
          { AttributeName: "user", KeyType: "HASH" },
          { AttributeName: "score", KeyType: "RANGE" },
        ],
        Projection: { ProjectionType: "KEYS_ONLY" },
      }],
      BillingMode: "PAY_PER_REQUEST",
    }),
  );
  for (const [game, score] of [["chess", 30], ["go", 10], ["tetris", 20], ["pong", -5]]) {
    await f.client.send(
      new PutItemCommand({
        TableName: "scores",
        Item: {
          user: { S: "u1" },
          game: { S: String(game) },
          score: { N: String(score) },
          extra: { S: `e-${game}` },
        },
      }),
    );
  }
  await f.client.send(
    new PutItemCommand({ TableName: "scores", Item: { user: { S: "u1" }, game: { S: "none" } } }),
  );
  const q = (input: Partial<ConstructorParameters<typeof QueryCommand>[0]>) =>
    f.client.send(
      new QueryCommand({
        TableName: "scores",
        IndexName: "by-score",
        KeyConditionExpression: "#u = :u AND score > :z",
        ExpressionAttributeNames: { "#u": "user" },
        ExpressionAttributeValues: { ":u": { S: "u1" }, ":z": { N: "0" } },
        ...input,
      }),
    );
  const plain = await q({});
  assert.deepEqual(plain.Items?.map((i) => i.game.S), ["go", "tetris", "chess"]);
  assert.equal(plain.Items?.[0].extra, undefined);
  const full = await q({ Select: "ALL_ATTRIBUTES", ConsistentRead: true });
  assert.deepEqual(full.Items?.map((i) => i.extra?.S), ["e-go", "e-tetris", "e-chess"]);
  const updated = await f.client.send(
    new UpdateItemCommand({
      TableName: "scores",
      Key: { user: { S: "u1" }, game: { S: "go" } },
      UpdateExpression: "SET score = :s",
      ExpressionAttributeValues: { ":s": { N: "99" } },
      ReturnValues: "ALL_NEW",
    }),
  );
  assert.equal(updated.Attributes?.score.N, "99");
  assert.deepEqual((await q({ ScanIndexForward: false })).Items?.map((i) => i.game.S), [
    "go",
    "chess",
    "tetris",
  ]);
  const scan = await f.client.send(new ScanCommand({ TableName: "scores", IndexName: "by-score" }));
  assert.equal(scan.Count, 4);
});

Deno.test("UpdateTable adds a GSI to a populated table: CREATING and Backfilling, then it answers", async () => {
  await using f = await startDynamo();
  await f.client.send(
    new CreateTableCommand({
      TableName: "big",
      KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
      AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
      BillingMode: "PAY_PER_REQUEST",
    }),
  );
  const total = 3000;
  for (let i = 0; i < total; i += 25) {
    const batch = Array.from({ length: 25 }, (_, j) => ({
      PutRequest: {
        Item: {
          id: { S: `i${i + j}` },
          ...((i + j) % 3 === 0 ? {} : { color: { S: (i + j) % 3 === 1 ? "red" : "blue" } }),
          n: { N: String(i + j) },
        },
      },
    }));
    await f.client.send(new BatchWriteItemCommand({ RequestItems: { big: batch } }));
  }
  const created = await f.client.send(
    new UpdateTableCommand({
      TableName: "big",
      AttributeDefinitions: [
        { AttributeName: "color", AttributeType: "S" },
        { AttributeName: "n", AttributeType: "N" },
      ],
      GlobalSecondaryIndexUpdates: [{
        Create: {
          IndexName: "by-color",
          KeySchema: [
            { AttributeName: "color", KeyType: "HASH" },
            { AttributeName: "n", KeyType: "RANGE" },
          ],
          Projection: { ProjectionType: "KEYS_ONLY" },
        },
      }],
    }),
  );
  const gsi = created.TableDescription?.GlobalSecondaryIndexes?.[0];
  assert.equal(gsi?.IndexStatus, "CREATING");
  assert.equal(gsi?.Backfilling, true);
  const query = () =>
    f.client.send(
      new QueryCommand({
        TableName: "big",
        IndexName: "by-color",
        KeyConditionExpression: "color = :c AND n < :n",
        ExpressionAttributeValues: { ":c": { S: "red" }, ":n": { N: "100" } },
      }),
    );
  // Written while the backfill runs: the write path maintains the new index itself.
  await f.client.send(
    new PutItemCommand({
      TableName: "big",
      Item: { id: { S: "late" }, color: { S: "red" }, n: { N: "-1" } },
    }),
  );
  const early = await query().then(() => null, (e: Error) => e);
  const describe = () => f.client.send(new DescribeTableCommand({ TableName: "big" }));
  if (early) {
    assert.equal(early.name, "ValidationException");
    assert.equal(early.message, "Cannot read from backfilling global secondary index: by-color");
  }
  for (let i = 0; i < 600; i++) {
    const d = await describe();
    if (d.Table?.GlobalSecondaryIndexes?.[0].IndexStatus === "ACTIVE") break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const d = await describe();
  assert.equal(d.Table?.GlobalSecondaryIndexes?.[0].IndexStatus, "ACTIVE");
  assert.equal(d.Table?.GlobalSecondaryIndexes?.[0].Backfilling, undefined);
  const r = await query();
  const expected = ["-1"];
  for (let n = 0; n < 100; n++) if (n % 3 === 1) expected.push(String(n));
  assert.deepEqual(r.Items?.map((i) => i.n.N), expected);
  // Deleting the index drops its entries in the background.
  const store = f.server.server.store;
  const tableId = d.Table!.TableId!;
  const countEntries = async () => {
    let n = 0;
    for await (const _ of store.list({ prefix: ["dynamodb", "index", tableId] })) n++;
    return n;
  };
  assert.equal(await countEntries(), 2001);
  await f.client.send(
    new UpdateTableCommand({
      TableName: "big",
      GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: "by-color" } }],
    }),
  );
  for (let i = 0; i < 600 && await countEntries() > 0; i++) {
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(await countEntries(), 0);
  const gone = await rejection(query());
  assert.equal(gone.message, "The table does not have the specified index: by-color");
});

Deno.test("an expired item leaves its indexes with it at the sweep", async () => {
  await using f = await startDynamo({ serviceFlags: { "dynamodb-ttl-delay": 3600 } });
  await ordersTable(f);
  await f.client.send(
    new UpdateTimeToLiveCommand({
      TableName: "orders",
      TimeToLiveSpecification: { Enabled: true, AttributeName: "expires" },
    }),
  );
  const past = Math.floor(Date.now() / 1000) - 60;
  await f.client.send(
    new PutItemCommand({
      TableName: "orders",
      Item: { id: { S: "gone" }, status: { S: "open" }, at: { N: "1" }, expires: { N: `${past}` } },
    }),
  );
  await f.client.send(
    new PutItemCommand({
      TableName: "orders",
      Item: { id: { S: "kept" }, status: { S: "open" }, at: { N: "2" } },
    }),
  );
  assert.deepEqual(await byStatus(f.client, "open"), ["gone", "kept"]);
  assert.equal(await f.sweepTtl(), 1);
  assert.deepEqual(await byStatus(f.client, "open"), ["kept"]);
});

Deno.test("multi-attribute GSI keys: create, describe, write checks, queries and their errors", async () => {
  await using f = await startDynamo();
  const attr = (name: string, type: "S" | "N") => ({ AttributeName: name, AttributeType: type });
  const gsiKey = [
    { AttributeName: "tournament", KeyType: "HASH" as const },
    { AttributeName: "region", KeyType: "HASH" as const },
    { AttributeName: "round", KeyType: "RANGE" as const },
    { AttributeName: "bracket", KeyType: "RANGE" as const },
  ];
  const create = (keySchema: typeof gsiKey, name = "matches") =>
    f.client.send(
      new CreateTableCommand({
        TableName: name,
        KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
        AttributeDefinitions: [
          attr("id", "S"),
          attr("tournament", "S"),
          attr("region", "S"),
          attr("round", "S"),
          attr("bracket", "N"),
          ...(keySchema.some((k) => k.AttributeName === "extra") ? [attr("extra", "S")] : []),
        ],
        GlobalSecondaryIndexes: [{
          IndexName: "by-match",
          KeySchema: keySchema,
          Projection: { ProjectionType: "ALL" },
        }],
        BillingMode: "PAY_PER_REQUEST",
      }),
    );
  const tooMany = await rejection(create([
    ...gsiKey.slice(0, 2),
    { AttributeName: "round", KeyType: "HASH" },
    { AttributeName: "bracket", KeyType: "HASH" },
    { AttributeName: "extra", KeyType: "HASH" },
  ], "bad1"));
  assert.equal(tooMany.name, "ValidationException");
  const disordered = await rejection(create([gsiKey[0], gsiKey[2], gsiKey[1]], "bad2"));
  assert.equal(disordered.name, "ValidationException");
  const created = await create(gsiKey);
  assert.deepEqual(created.TableDescription?.GlobalSecondaryIndexes?.[0].KeySchema, gsiKey);
  const described = await f.client.send(new DescribeTableCommand({ TableName: "matches" }));
  assert.deepEqual(described.Table?.GlobalSecondaryIndexes?.[0].KeySchema, gsiKey);

  const rows: [string, string, string, string, number | null][] = [
    ["m1", "W24", "NA", "semi", 2],
    ["m2", "W24", "NA", "final", 1],
    ["m3", "W24", "NA", "semi", 1],
    ["m4", "W24", "EU", "semi", 1],
    ["m5", "W24", "NA", "quarter", 3],
    ["m6", "W24", "NA", "semi", null],
  ];
  for (const [id, tournament, region, round, bracket] of rows) {
    await f.doc.send(
      new DocPut({
        TableName: "matches",
        Item: { id, tournament, region, round, ...(bracket === null ? {} : { bracket }) },
      }),
    );
  }
  const badType = await rejection(f.client.send(
    new PutItemCommand({
      TableName: "matches",
      Item: { id: { S: "x" }, tournament: { S: "W24" }, region: { N: "1" } },
    }),
  ));
  assert.equal(badType.name, "ValidationException");
  assert.match(badType.message, /region/);

  const q = (expr: string, values: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    f.doc.send(
      new DocQuery({
        TableName: "matches",
        IndexName: "by-match",
        KeyConditionExpression: expr,
        ExpressionAttributeValues: values,
        ...extra,
      }),
    );
  const all = await q("tournament = :t AND #r = :r", { ":t": "W24", ":r": "NA" }, {
    ExpressionAttributeNames: { "#r": "region" },
  });
  // Sorted by round, then bracket; m6 (no bracket) is absent from the sparse index.
  assert.deepEqual(all.Items?.map((i) => i.id), ["m2", "m5", "m3", "m1"]);
  const semis = await q(
    "tournament = :t AND #r = :r AND #d = :d AND bracket >= :b",
    { ":t": "W24", ":r": "NA", ":d": "semi", ":b": 2 },
    { ExpressionAttributeNames: { "#r": "region", "#d": "round" } },
  );
  assert.deepEqual(semis.Items?.map((i) => i.id), ["m1"]);
  const prefix = await q(
    "tournament = :t AND #r = :r AND begins_with(#d, :d)",
    { ":t": "W24", ":r": "NA", ":d": "s" },
    { ExpressionAttributeNames: { "#r": "region", "#d": "round" }, ScanIndexForward: false },
  );
  assert.deepEqual(prefix.Items?.map((i) => i.id), ["m1", "m3"]);
  const page = await q("tournament = :t AND #r = :r", { ":t": "W24", ":r": "NA" }, {
    ExpressionAttributeNames: { "#r": "region" },
    Limit: 2,
  });
  assert.deepEqual(
    Object.keys(page.LastEvaluatedKey ?? {}).sort(),
    ["bracket", "id", "region", "round", "tournament"],
  );
  const rest = await q("tournament = :t AND #r = :r", { ":t": "W24", ":r": "NA" }, {
    ExpressionAttributeNames: { "#r": "region" },
    ExclusiveStartKey: page.LastEvaluatedKey,
  });
  assert.deepEqual(rest.Items?.map((i) => i.id), ["m3", "m1"]);

  const missingHash = await rejection(q("tournament = :t", { ":t": "W24" }));
  assert.equal(missingHash.name, "ValidationException");
  assert.match(missingHash.message, /region/);
  const skipped = await rejection(
    q("tournament = :t AND #r = :r AND bracket > :b", { ":t": "W24", ":r": "NA", ":b": 1 }, {
      ExpressionAttributeNames: { "#r": "region" },
    }),
  );
  assert.equal(skipped.name, "ValidationException");
  assert.match(skipped.message, /round/);
  const rangeNotLast = await rejection(
    q(
      "tournament = :t AND #r = :r AND #d > :d AND bracket = :b",
      { ":t": "W24", ":r": "NA", ":d": "a", ":b": 1 },
      { ExpressionAttributeNames: { "#r": "region", "#d": "round" } },
    ),
  );
  assert.equal(rangeNotLast.name, "ValidationException");
  const hashRange = await rejection(
    q("tournament = :t AND #r > :r", { ":t": "W24", ":r": "NA" }, {
      ExpressionAttributeNames: { "#r": "region" },
    }),
  );
  assert.equal(hashRange.name, "ValidationException");

  // The same key schema added by UpdateTable backfills and answers.
  await f.client.send(
    new UpdateTableCommand({
      TableName: "matches",
      GlobalSecondaryIndexUpdates: [{
        Create: {
          IndexName: "by-match-2",
          KeySchema: gsiKey,
          Projection: { ProjectionType: "KEYS_ONLY" },
        },
      }],
    }),
  );
  for (let i = 0; i < 200; i++) {
    const d = await f.client.send(new DescribeTableCommand({ TableName: "matches" }));
    if (d.Table?.GlobalSecondaryIndexes?.every((g) => g.IndexStatus === "ACTIVE")) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const second = await q("tournament = :t AND #r = :r", { ":t": "W24", ":r": "EU" }, {
    ExpressionAttributeNames: { "#r": "region" },
    IndexName: "by-match-2",
  });
  assert.deepEqual(second.Items, [
    { id: "m4", tournament: "W24", region: "EU", round: "semi", bracket: 1 },
  ]);
});

Deno.test("index entries fit the store when index and table keys are both at their limits", async () => {
  await using f = await startDynamo();
  await f.client.send(
    new CreateTableCommand({
      TableName: "long",
      KeySchema: [
        { AttributeName: "pk", KeyType: "HASH" },
        { AttributeName: "sk", KeyType: "RANGE" },
      ],
      AttributeDefinitions: [
        { AttributeName: "pk", AttributeType: "S" },
        { AttributeName: "sk", AttributeType: "S" },
        { AttributeName: "g", AttributeType: "S" },
        { AttributeName: "r", AttributeType: "S" },
      ],
      GlobalSecondaryIndexes: [{
        IndexName: "by-g",
        KeySchema: [
          { AttributeName: "g", KeyType: "HASH" },
          { AttributeName: "r", KeyType: "RANGE" },
        ],
        Projection: { ProjectionType: "KEYS_ONLY" },
      }],
      BillingMode: "PAY_PER_REQUEST",
    }),
  );
  const long = (c: string) => c.repeat(1024);
  for (const c of ["a", "b", "c"]) {
    await f.doc.send(
      new DocPut({
        TableName: "long",
        Item: { pk: "p".repeat(2048), sk: long(c), g: "g".repeat(2048), r: long("r") },
      }),
    );
  }
  const seen: string[] = [];
  const pages = paginateQuery({ client: f.doc, pageSize: 1 }, {
    TableName: "long",
    IndexName: "by-g",
    KeyConditionExpression: "g = :g AND r = :r",
    ExpressionAttributeValues: { ":g": "g".repeat(2048), ":r": long("r") },
  });
  for await (const page of pages) for (const item of page.Items ?? []) seen.push(item.sk[0]);
  assert.deepEqual(seen.sort(), ["a", "b", "c"]);
});

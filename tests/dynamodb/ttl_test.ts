/**
 * TTL as DynamoDB does it: an expired item stays readable (table and index) until the sweeper
 * deletes it, and the deletion leaves a REMOVE stream record from the DynamoDB service.
 * @module
 */
import assert from "node:assert/strict";
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  GetItemCommand,
  QueryCommand,
  UpdateTimeToLiveCommand,
} from "@aws-sdk/client-dynamodb";
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import {
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from "@aws-sdk/client-dynamodb-streams";
import { type DynamoFixture, startDynamo } from "./client.ts";

async function sessionsTable(f: DynamoFixture): Promise<string> {
  const created = await f.client.send(
    new CreateTableCommand({
      TableName: "sessions",
      KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
      AttributeDefinitions: [
        { AttributeName: "id", AttributeType: "S" },
        { AttributeName: "user", AttributeType: "S" },
      ],
      GlobalSecondaryIndexes: [{
        IndexName: "by-user",
        KeySchema: [{ AttributeName: "user", KeyType: "HASH" }],
        Projection: { ProjectionType: "KEYS_ONLY" },
      }],
      StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" },
      BillingMode: "PAY_PER_REQUEST",
    }),
  );
  await f.client.send(
    new UpdateTimeToLiveCommand({
      TableName: "sessions",
      TimeToLiveSpecification: { Enabled: true, AttributeName: "expires" },
    }),
  );
  return created.TableDescription!.LatestStreamArn!;
}

async function idsOf(f: DynamoFixture, user: string): Promise<string[]> {
  const r = await f.client.send(
    new QueryCommand({
      TableName: "sessions",
      IndexName: "by-user",
      KeyConditionExpression: "#u = :u",
      ExpressionAttributeNames: { "#u": "user" },
      ExpressionAttributeValues: { ":u": { S: user } },
    }),
  );
  return (r.Items ?? []).map((i) => i.id.S!).sort();
}

Deno.test("a TTL-expired item is readable until the sweep, then gone with a service REMOVE record", async () => {
  await using f = await startDynamo({ serviceFlags: { "dynamodb-ttl-delay": 3600 } });
  const arn = await sessionsTable(f);
  const now = Math.floor(Date.now() / 1000);
  await f.doc.send(
    new PutCommand({
      TableName: "sessions",
      Item: { id: "s1", user: "ann", expires: now - 30 },
    }),
  );
  await f.doc.send(
    new PutCommand({
      TableName: "sessions",
      Item: { id: "s2", user: "ann", expires: now + 3600 },
    }),
  );
  const get = (id: string) =>
    f.client.send(new GetItemCommand({ TableName: "sessions", Key: { id: { S: id } } }));
  assert.ok((await get("s1")).Item, "expired but not yet swept");
  assert.deepEqual(await idsOf(f, "ann"), ["s1", "s2"]);
  assert.equal(await f.sweepTtl(), 1);
  assert.equal((await get("s1")).Item, undefined);
  assert.ok((await get("s2")).Item);
  assert.deepEqual(await idsOf(f, "ann"), ["s2"]);
  assert.equal(await f.sweepTtl(), 0, "a second sweep finds nothing due");
  const table = await f.client.send(new DescribeTableCommand({ TableName: "sessions" }));
  assert.equal(table.Table?.ItemCount, 1);

  const shard = (await f.streams.send(new DescribeStreamCommand({ StreamArn: arn })))
    .StreamDescription!.Shards![0];
  const { ShardIterator } = await f.streams.send(
    new GetShardIteratorCommand({
      StreamArn: arn,
      ShardId: shard.ShardId!,
      ShardIteratorType: "TRIM_HORIZON",
    }),
  );
  const { Records } = await f.streams.send(new GetRecordsCommand({ ShardIterator }));
  assert.deepEqual(Records?.map((r) => r.eventName), ["INSERT", "INSERT", "REMOVE"]);
  const removal = Records![2];
  assert.deepEqual(removal.userIdentity, {
    Type: "Service",
    PrincipalId: "dynamodb.amazonaws.com",
  });
  assert.deepEqual(removal.dynamodb?.Keys, { id: { S: "s1" } });
  assert.equal(removal.dynamodb?.OldImage?.user.S, "ann");
  assert.equal(Records![0].userIdentity, undefined, "user writes carry no identity");
});

Deno.test("the sweeper deletes due items by itself; TTL enabled on a populated table", async () => {
  await using f = await startDynamo({ serviceFlags: { "dynamodb-ttl-delay": 0 } });
  await f.client.send(
    new CreateTableCommand({
      TableName: "cache",
      KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
      AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
      BillingMode: "PAY_PER_REQUEST",
    }),
  );
  const past = Math.floor(Date.now() / 1000) - 10;
  for (let i = 0; i < 150; i++) {
    await f.doc.send(
      new PutCommand({
        TableName: "cache",
        Item: { id: `k${i}`, ...(i % 3 === 0 ? { expires: past } : {}) },
      }),
    );
  }
  await f.client.send(
    new UpdateTimeToLiveCommand({
      TableName: "cache",
      TimeToLiveSpecification: { Enabled: true, AttributeName: "expires" },
    }),
  );
  const status = async () =>
    (await f.client.send(new DescribeTimeToLiveCommand({ TableName: "cache" })))
      .TimeToLiveDescription?.TimeToLiveStatus;
  assert.ok(["ENABLING", "ENABLED"].includes((await status())!));
  const count = async () =>
    (await f.client.send(new DescribeTableCommand({ TableName: "cache" }))).Table?.ItemCount;
  for (let i = 0; i < 200 && await count() !== 100; i++) {
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(await count(), 100, "the 50 expired items are swept without a forced sweep");
  assert.equal(await status(), "ENABLED");
});

Deno.test("with --password the sweep route needs the password as a bearer token", async () => {
  await using f = await startDynamo({ password: "s3cret" });
  const url = `http://127.0.0.1:${f.port}/_basekv/dynamodb/ttl-sweep`;
  const refused = await fetch(url, { method: "POST" });
  assert.equal(
    (await refused.json()).__type,
    "com.amazon.coral.service#MissingAuthenticationTokenException",
  );
  const wrong = await fetch(url, { method: "POST", headers: { authorization: "Bearer nope" } });
  assert.equal(wrong.status, 400);
  await wrong.body?.cancel();
  const ok = await fetch(url, { method: "POST", headers: { authorization: "Bearer s3cret" } });
  assert.deepEqual(await ok.json(), { ExpiredItems: 0 });
});

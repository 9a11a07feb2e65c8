/**
 * DynamoDB Streams over the wire (DynamoDBStreams_20120810 targets): item writes made through
 * the SDK become INSERT/MODIFY/REMOVE records in commit order, read with shard iterators.
 * @module
 */
import assert from "node:assert/strict";
import {
  CreateTableCommand,
  DeleteItemCommand,
  PutItemCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  UpdateTableCommand,
} from "@aws-sdk/client-dynamodb";
import { createTable, DUMMY_SIGNATURE, type DynamoFixture, startDynamo } from "./client.ts";

async function streams(f: DynamoFixture, op: string, body: unknown) {
  const res = await fetch(`http://127.0.0.1:${f.port}/`, {
    method: "POST",
    headers: {
      "content-type": "application/x-amz-json-1.0",
      "x-amz-target": `DynamoDBStreams_20120810.${op}`,
      ...DUMMY_SIGNATURE,
    },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

Deno.test("item writes produce stream records in commit order", async () => {
  await using f = await startDynamo();
  const created = await f.client.send(
    new CreateTableCommand({
      TableName: "feed",
      KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
      AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
      BillingMode: "PAY_PER_REQUEST",
      StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" },
    }),
  );
  const arn = created.TableDescription!.LatestStreamArn!;
  const key = { id: { S: "a" } };
  await f.client.send(new PutItemCommand({ TableName: "feed", Item: { ...key, v: { N: "1" } } }));
  await f.client.send(
    new UpdateItemCommand({
      TableName: "feed",
      Key: key,
      UpdateExpression: "SET v = :two",
      ExpressionAttributeValues: { ":two": { N: "2" } },
    }),
  );
  await f.client.send(new DeleteItemCommand({ TableName: "feed", Key: key }));
  await f.client.send(new DeleteItemCommand({ TableName: "feed", Key: { id: { S: "none" } } }));
  await f.client.send(
    new TransactWriteItemsCommand({
      TransactItems: [
        { Put: { TableName: "feed", Item: { id: { S: "t1" } } } },
        { Put: { TableName: "feed", Item: { id: { S: "t2" } } } },
      ],
    }),
  );

  const list = await streams(f, "ListStreams", { TableName: "feed" });
  assert.deepEqual(list.body.Streams.map((s: { StreamArn: string }) => s.StreamArn), [arn]);
  const described = (await streams(f, "DescribeStream", { StreamArn: arn })).body.StreamDescription;
  assert.equal(described.StreamStatus, "ENABLED");
  assert.equal(described.StreamViewType, "NEW_AND_OLD_IMAGES");
  const shard = described.Shards[0].ShardId;
  const it = (await streams(f, "GetShardIterator", {
    StreamArn: arn,
    ShardId: shard,
    ShardIteratorType: "TRIM_HORIZON",
  })).body.ShardIterator;
  const page = (await streams(f, "GetRecords", { ShardIterator: it, Limit: 3 })).body;
  assert.deepEqual(page.Records.map((r: { eventName: string }) => r.eventName), [
    "INSERT",
    "MODIFY",
    "REMOVE",
  ]);
  const modify = page.Records[1].dynamodb;
  assert.deepEqual(modify.Keys, key);
  assert.deepEqual(modify.OldImage, { ...key, v: { N: "1" } });
  assert.deepEqual(modify.NewImage, { ...key, v: { N: "2" } });
  assert.equal(page.Records[2].dynamodb.NewImage, undefined);
  assert.equal(page.Records[0].eventSource, "aws:dynamodb");
  assert.equal(page.Records[0].awsRegion, "us-east-1");
  const seqs = page.Records.map((r: { dynamodb: { SequenceNumber: string } }) =>
    BigInt(r.dynamodb.SequenceNumber)
  );
  assert.ok(seqs[0] < seqs[1] && seqs[1] < seqs[2]);
  const rest = (await streams(f, "GetRecords", { ShardIterator: page.NextShardIterator })).body;
  assert.deepEqual(
    rest.Records.map((r: { dynamodb: { Keys: { id: { S: string } } } }) => r.dynamodb.Keys.id.S),
    ["t1", "t2"],
  );
  const empty = (await streams(f, "GetRecords", { ShardIterator: rest.NextShardIterator })).body;
  assert.deepEqual(empty.Records, []);
  const latest = (await streams(f, "GetShardIterator", {
    StreamArn: arn,
    ShardId: shard,
    ShardIteratorType: "LATEST",
  })).body.ShardIterator;
  await f.client.send(new PutItemCommand({ TableName: "feed", Item: { id: { S: "late" } } }));
  const late = (await streams(f, "GetRecords", { ShardIterator: latest })).body;
  assert.deepEqual(late.Records.map((r: { eventName: string }) => r.eventName), ["INSERT"]);
});

Deno.test("streams follow the table's stream setting and view type", async () => {
  await using f = await startDynamo();
  await createTable(f, "quiet", { id: "S" });
  await f.client.send(new PutItemCommand({ TableName: "quiet", Item: { id: { S: "before" } } }));
  const on = await f.client.send(
    new UpdateTableCommand({
      TableName: "quiet",
      StreamSpecification: { StreamEnabled: true, StreamViewType: "KEYS_ONLY" },
    }),
  );
  const arn = on.TableDescription!.LatestStreamArn!;
  await f.client.send(
    new PutItemCommand({
      TableName: "quiet",
      Item: { id: { S: "after" }, big: { S: "x" } },
    }),
  );
  const shard = (await streams(f, "DescribeStream", { StreamArn: arn })).body.StreamDescription
    .Shards[0].ShardId;
  const it = (await streams(f, "GetShardIterator", {
    StreamArn: arn,
    ShardId: shard,
    ShardIteratorType: "TRIM_HORIZON",
  })).body.ShardIterator;
  const records = (await streams(f, "GetRecords", { ShardIterator: it })).body.Records;
  assert.equal(records.length, 1);
  assert.deepEqual(records[0].dynamodb.Keys, { id: { S: "after" } });
  assert.equal(records[0].dynamodb.NewImage, undefined);
  assert.equal(records[0].dynamodb.StreamViewType, "KEYS_ONLY");
  const missing = await streams(f, "DescribeStream", { StreamArn: `${arn}x` });
  assert.equal(missing.status, 400);
  assert.equal(
    missing.body.__type,
    "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException",
  );
  const bad = await streams(f, "GetRecords", { ShardIterator: "garbage" });
  assert.equal(bad.body.message, "Invalid ShardIterator");
});

/**
 * DynamoDB Streams as Lambda reads them, through @aws-sdk/client-dynamodb-streams: shards,
 * iterators across pages, every record field per view type, closed and re-enabled streams,
 * expired iterators and trimmed data.
 * @module
 */
import assert from "node:assert/strict";
import { CreateTableCommand, UpdateTableCommand } from "@aws-sdk/client-dynamodb";
import { DeleteCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import {
  type _Record,
  DescribeStreamCommand,
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  ListStreamsCommand,
} from "@aws-sdk/client-dynamodb-streams";
import { type DynamoFixture, rejection, startDynamo } from "./client.ts";

async function table(f: DynamoFixture, name: string, view: string): Promise<string> {
  const created = await f.client.send(
    new CreateTableCommand({
      TableName: name,
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
      BillingMode: "PAY_PER_REQUEST",
      StreamSpecification: {
        StreamEnabled: true,
        StreamViewType: view as "NEW_IMAGE",
      },
    }),
  );
  return created.TableDescription!.LatestStreamArn!;
}

async function iterator(f: DynamoFixture, arn: string, type = "TRIM_HORIZON", seq?: string) {
  const shard = (await f.streams.send(new DescribeStreamCommand({ StreamArn: arn })))
    .StreamDescription!.Shards![0].ShardId!;
  return (await f.streams.send(
    new GetShardIteratorCommand({
      StreamArn: arn,
      ShardId: shard,
      ShardIteratorType: type as "TRIM_HORIZON",
      SequenceNumber: seq,
    }),
  )).ShardIterator!;
}

/** Write 7 changes to `name`: 3 inserts, 2 modifies, 2 removes. */
async function sevenChanges(f: DynamoFixture, name: string) {
  for (const pk of ["a", "b", "c"]) {
    await f.doc.send(new PutCommand({ TableName: name, Item: { pk, n: 1 } }));
  }
  for (const pk of ["a", "b"]) {
    await f.doc.send(
      new UpdateCommand({
        TableName: name,
        Key: { pk },
        UpdateExpression: "SET n = n + :one",
        ExpressionAttributeValues: { ":one": 1 },
      }),
    );
  }
  for (const pk of ["a", "c"]) {
    await f.doc.send(new DeleteCommand({ TableName: name, Key: { pk } }));
  }
}

Deno.test("Streams consumed through iterators across 3 pages, with every record field", async () => {
  await using f = await startDynamo();
  const arn = await table(f, "feed", "NEW_AND_OLD_IMAGES");
  await sevenChanges(f, "feed");
  let it: string | undefined = await iterator(f, arn);
  const pages: _Record[][] = [];
  for (let i = 0; i < 3; i++) {
    const page: GetRecordsCommandOutput = await f.streams.send(
      new GetRecordsCommand({ ShardIterator: it, Limit: 3 }),
    );
    pages.push(page.Records ?? []);
    it = page.NextShardIterator;
    assert.ok(it, "an open shard always gives a next iterator");
  }
  assert.deepEqual(pages.map((p) => p.length), [3, 3, 1]);
  const records = pages.flat();
  assert.deepEqual(
    records.map((r) => `${r.eventName} ${r.dynamodb?.Keys?.pk.S}`),
    ["INSERT a", "INSERT b", "INSERT c", "MODIFY a", "MODIFY b", "REMOVE a", "REMOVE c"],
  );
  const tip = await f.streams.send(new GetRecordsCommand({ ShardIterator: it }));
  assert.deepEqual(tip.Records, [], "an empty page at the tip");
  assert.ok(tip.NextShardIterator);
  const modify = records[3];
  assert.match(modify.eventID!, /^[0-9a-f]{32}$/);
  assert.equal(modify.eventVersion, "1.1");
  assert.equal(modify.eventSource, "aws:dynamodb");
  assert.equal(modify.awsRegion, "us-east-1");
  assert.ok(modify.dynamodb?.ApproximateCreationDateTime instanceof Date);
  assert.equal(modify.dynamodb?.StreamViewType, "NEW_AND_OLD_IMAGES");
  assert.deepEqual(modify.dynamodb?.OldImage, { pk: { S: "a" }, n: { N: "1" } });
  assert.deepEqual(modify.dynamodb?.NewImage, { pk: { S: "a" }, n: { N: "2" } });
  assert.ok(modify.dynamodb!.SizeBytes! > 0);
  const seqs = records.map((r) => BigInt(r.dynamodb!.SequenceNumber!));
  assert.ok(seqs.every((s, i) => i === 0 || s > seqs[i - 1]), "sequence numbers ascend");
  // AT_ and AFTER_SEQUENCE_NUMBER start at and after a record.
  const at = await f.streams.send(
    new GetRecordsCommand({
      ShardIterator: await iterator(
        f,
        arn,
        "AT_SEQUENCE_NUMBER",
        records[5].dynamodb!.SequenceNumber,
      ),
    }),
  );
  assert.deepEqual(at.Records?.map((r) => r.eventName), ["REMOVE", "REMOVE"]);
  const after = await f.streams.send(
    new GetRecordsCommand({
      ShardIterator: await iterator(
        f,
        arn,
        "AFTER_SEQUENCE_NUMBER",
        records[5].dynamodb!.SequenceNumber,
      ),
    }),
  );
  assert.deepEqual(after.Records?.map((r) => r.dynamodb?.Keys?.pk.S), ["c"]);
  const latest = await iterator(f, arn, "LATEST");
  await f.doc.send(new PutCommand({ TableName: "feed", Item: { pk: "z" } }));
  const late = await f.streams.send(new GetRecordsCommand({ ShardIterator: latest }));
  assert.deepEqual(late.Records?.map((r) => r.dynamodb?.Keys?.pk.S), ["z"]);
});

Deno.test("each view type carries its images", async () => {
  await using f = await startDynamo();
  const views = ["KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"];
  for (const view of views) {
    const arn = await table(f, view.toLowerCase(), view);
    await sevenChanges(f, view.toLowerCase());
    const { Records } = await f.streams.send(
      new GetRecordsCommand({ ShardIterator: await iterator(f, arn) }),
    );
    const modify = Records![3].dynamodb!;
    assert.equal(modify.StreamViewType, view);
    assert.deepEqual(modify.Keys, { pk: { S: "a" } });
    assert.equal(modify.NewImage !== undefined, view.includes("NEW"), view);
    assert.equal(modify.OldImage !== undefined, view.includes("OLD"), view);
  }
  const listed = await f.streams.send(new ListStreamsCommand({ Limit: 3 }));
  assert.equal(listed.Streams?.length, 3);
  const rest = await f.streams.send(
    new ListStreamsCommand({ ExclusiveStartStreamArn: listed.LastEvaluatedStreamArn }),
  );
  assert.equal(rest.Streams?.length, 1);
  assert.equal(rest.LastEvaluatedStreamArn, undefined);
  const one = await f.streams.send(new ListStreamsCommand({ TableName: "new_image" }));
  assert.deepEqual(one.Streams?.map((s) => s.TableName), ["new_image"]);
});

Deno.test("disable and re-enable: a new stream ARN and label; the old one closes and stays readable", async () => {
  await using f = await startDynamo();
  const first = await table(f, "flip", "KEYS_ONLY");
  await f.doc.send(new PutCommand({ TableName: "flip", Item: { pk: "1" } }));
  await f.client.send(
    new UpdateTableCommand({ TableName: "flip", StreamSpecification: { StreamEnabled: false } }),
  );
  const closed = (await f.streams.send(new DescribeStreamCommand({ StreamArn: first })))
    .StreamDescription!;
  assert.equal(closed.StreamStatus, "DISABLED");
  assert.ok(closed.Shards![0].SequenceNumberRange?.EndingSequenceNumber);
  await new Promise((r) => setTimeout(r, 5)); // labels are millisecond timestamps
  const on = await f.client.send(
    new UpdateTableCommand({
      TableName: "flip",
      StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_IMAGE" },
    }),
  );
  const second = on.TableDescription!.LatestStreamArn!;
  assert.notEqual(second, first);
  assert.notEqual(on.TableDescription!.LatestStreamLabel, first.split("/").at(-1));
  await f.doc.send(new PutCommand({ TableName: "flip", Item: { pk: "2" } }));
  const old = await f.streams.send(
    new GetRecordsCommand({ ShardIterator: await iterator(f, first) }),
  );
  assert.deepEqual(old.Records?.map((r) => r.dynamodb?.Keys?.pk.S), ["1"]);
  const drained = await f.streams.send(
    new GetRecordsCommand({ ShardIterator: old.NextShardIterator }),
  );
  assert.deepEqual(drained.Records, []);
  assert.equal(drained.NextShardIterator, undefined, "a drained closed shard ends");
  const fresh = await f.streams.send(
    new GetRecordsCommand({ ShardIterator: await iterator(f, second) }),
  );
  assert.deepEqual(fresh.Records?.map((r) => r.dynamodb?.NewImage?.pk.S), ["2"]);
  const listed = await f.streams.send(new ListStreamsCommand({ TableName: "flip" }));
  assert.deepEqual(listed.Streams?.map((s) => s.StreamArn), [first, second]);
  // A sequence number from before this stream's oldest record is trimmed data.
  const oldSeq = old.Records![0].dynamodb!.SequenceNumber;
  const trimmed = await rejection(iterator(f, second, "AT_SEQUENCE_NUMBER", oldSeq));
  assert.equal(trimmed.name, "TrimmedDataAccessException");
  assert.equal(trimmed.message, "The data you are trying to access has been trimmed.");
});

Deno.test("a shard iterator expires after 15 minutes", async () => {
  await using f = await startDynamo();
  const arn = await table(f, "slow", "KEYS_ONLY");
  const it = JSON.parse(atob(await iterator(f, arn)));
  const stale = btoa(JSON.stringify({ ...it, at: Date.now() - 16 * 60 * 1000 }));
  const e = await rejection(f.streams.send(new GetRecordsCommand({ ShardIterator: stale })));
  assert.equal(e.name, "ExpiredIteratorException");
  assert.equal(e.message, "The provided iterator exceeds the maximum age allowed.");
});

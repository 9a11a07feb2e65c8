/**
 * Table lifecycle through the AWS SDK v3: create (ACTIVE at once), describe, list with paging,
 * update, delete, TTL, tags, endpoints and limits, with DynamoDB's exception classes and messages.
 * @module
 */
import assert from "node:assert/strict";
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DeleteTableCommand,
  DescribeEndpointsCommand,
  DescribeLimitsCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  GetItemCommand,
  ListTablesCommand,
  ListTagsOfResourceCommand,
  PutItemCommand,
  type TableClass,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from "@aws-sdk/client-dynamodb";
import { rejection, startDynamo } from "./client.ts";

function simpleTable(name: string, extra: Partial<CreateTableCommandInput> = {}) {
  return new CreateTableCommand({
    TableName: name,
    KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }, {
      AttributeName: "sk",
      KeyType: "RANGE",
    }],
    AttributeDefinitions: [
      { AttributeName: "pk", AttributeType: "S" },
      { AttributeName: "sk", AttributeType: "N" },
    ],
    BillingMode: "PAY_PER_REQUEST",
    ...extra,
  });
}

Deno.test("CreateTable() returns an ACTIVE description DescribeTable repeats", async () => {
  await using f = await startDynamo();
  const created = await f.client.send(simpleTable("orders", {
    Tags: [{ Key: "team", Value: "core" }],
    StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" },
  }));
  const t = created.TableDescription!;
  assert.equal(t.TableStatus, "ACTIVE");
  assert.equal(t.TableName, "orders");
  assert.equal(t.TableArn, "arn:aws:dynamodb:us-east-1:000000000000:table/orders");
  assert.match(t.TableId!, /^[0-9a-f-]{36}$/);
  assert.ok(t.CreationDateTime instanceof Date);
  assert.equal(t.BillingModeSummary?.BillingMode, "PAY_PER_REQUEST");
  assert.equal(t.ItemCount, 0);
  assert.equal(t.StreamSpecification?.StreamViewType, "NEW_AND_OLD_IMAGES");
  assert.ok(t.LatestStreamArn?.startsWith(`${t.TableArn}/stream/`));
  await f.client.send(
    new PutItemCommand({ TableName: "orders", Item: { pk: { S: "a" }, sk: { N: "1" } } }),
  );
  const d = (await f.client.send(new DescribeTableCommand({ TableName: "orders" }))).Table!;
  assert.deepEqual(d.KeySchema, t.KeySchema);
  assert.equal(d.TableStatus, "ACTIVE");
  assert.equal(d.ItemCount, 1);
  assert.ok(d.TableSizeBytes! > 0);
  const byArn = await f.client.send(new DescribeTableCommand({ TableName: t.TableArn }));
  assert.equal(byArn.Table?.TableId, t.TableId);
});

Deno.test("CreateTable() with provisioned throughput, GSI and LSI describes them", async () => {
  await using f = await startDynamo();
  const t = (await f.client.send(
    new CreateTableCommand({
      TableName: "users",
      KeySchema: [
        { AttributeName: "id", KeyType: "HASH" },
        { AttributeName: "ts", KeyType: "RANGE" },
      ],
      AttributeDefinitions: [
        { AttributeName: "id", AttributeType: "S" },
        { AttributeName: "ts", AttributeType: "N" },
        { AttributeName: "email", AttributeType: "S" },
        { AttributeName: "score", AttributeType: "N" },
      ],
      ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 3 },
      GlobalSecondaryIndexes: [{
        IndexName: "by-email",
        KeySchema: [{ AttributeName: "email", KeyType: "HASH" }],
        Projection: { ProjectionType: "KEYS_ONLY" },
        ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 },
      }],
      LocalSecondaryIndexes: [{
        IndexName: "by-score",
        KeySchema: [
          { AttributeName: "id", KeyType: "HASH" },
          { AttributeName: "score", KeyType: "RANGE" },
        ],
        Projection: { ProjectionType: "INCLUDE", NonKeyAttributes: ["name"] },
      }],
    }),
  )).TableDescription!;
  assert.equal(t.ProvisionedThroughput?.ReadCapacityUnits, 5);
  assert.equal(t.BillingModeSummary?.BillingMode, "PROVISIONED");
  assert.equal(t.GlobalSecondaryIndexes?.[0].IndexStatus, "ACTIVE");
  assert.equal(t.GlobalSecondaryIndexes?.[0].IndexArn, `${t.TableArn}/index/by-email`);
  assert.deepEqual(t.LocalSecondaryIndexes?.[0].Projection, {
    ProjectionType: "INCLUDE",
    NonKeyAttributes: ["name"],
  });
  await f.client.send(
    new PutItemCommand({
      TableName: "users",
      Item: { id: { S: "1" }, ts: { N: "1" }, email: { S: "a@b" } },
    }),
  );
  await f.client.send(
    new PutItemCommand({
      TableName: "users",
      Item: { id: { S: "1" }, ts: { N: "2" }, score: { N: "7" } },
    }),
  );
  const d = (await f.client.send(new DescribeTableCommand({ TableName: "users" }))).Table!;
  assert.equal(d.ItemCount, 2);
  assert.equal(d.GlobalSecondaryIndexes?.[0].ItemCount, 1);
  assert.equal(d.LocalSecondaryIndexes?.[0].ItemCount, 1);
  const empty = await rejection(f.client.send(
    new PutItemCommand({
      TableName: "users",
      Item: { id: { S: "1" }, ts: { N: "3" }, email: { S: "" } },
    }),
  ));
  assert.equal(
    empty.message,
    "One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty string value. IndexName: by-email, IndexKey: email",
  );
  const e = await rejection(
    f.client.send(
      new PutItemCommand({
        TableName: "users",
        Item: { id: { S: "1" }, ts: { N: "1" }, email: { N: "5" } },
      }),
    ),
  );
  assert.equal(e.name, "ValidationException");
  assert.equal(
    e.message,
    "One or more parameter values were invalid: Type mismatch for Index Key email Expected: S Actual: N IndexName: by-email",
  );
});

Deno.test("CreateTable() validation errors use DynamoDB's messages", async () => {
  await using f = await startDynamo();
  const cases: [CreateTableCommandInput, string][] = [
    [
      {
        TableName: "ab",
        KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
        AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
        BillingMode: "PAY_PER_REQUEST",
      },
      "1 validation error detected: Value 'ab' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3",
    ],
    [
      {
        TableName: "good",
        KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
        AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
      },
      "One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED",
    ],
    [
      {
        TableName: "good",
        KeySchema: [{ AttributeName: "pk", KeyType: "RANGE" }],
        AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
        BillingMode: "PAY_PER_REQUEST",
      },
      "Invalid KeySchema: The first KeySchemaElement is not a HASH key type",
    ],
    [
      {
        TableName: "good",
        KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
        AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }, {
          AttributeName: "x",
          AttributeType: "S",
        }],
        BillingMode: "PAY_PER_REQUEST",
      },
      "One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions",
    ],
    [
      {
        TableName: "good",
        KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
        AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
        BillingMode: "PAY_PER_REQUEST",
      },
      "One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [pk], AttributeDefinitions: [id]",
    ],
  ];
  for (const [input, message] of cases) {
    const e = await rejection(f.client.send(new CreateTableCommand(input)));
    assert.equal(e.name, "ValidationException");
    assert.equal(e.message, message);
  }
  await f.client.send(simpleTable("dup"));
  const e = await rejection(f.client.send(simpleTable("dup")));
  assert.equal(e.name, "ResourceInUseException");
  assert.equal(e.message, "Table already exists: dup");
});

Deno.test("ListTables() pages with Limit and ExclusiveStartTableName", async () => {
  await using f = await startDynamo();
  for (const name of ["ccc", "aaa", "bbb", "ddd", "eee"]) await f.client.send(simpleTable(name));
  const first = await f.client.send(new ListTablesCommand({ Limit: 2 }));
  assert.deepEqual(first.TableNames, ["aaa", "bbb"]);
  assert.equal(first.LastEvaluatedTableName, "bbb");
  const second = await f.client.send(
    new ListTablesCommand({ Limit: 3, ExclusiveStartTableName: "bbb" }),
  );
  assert.deepEqual(second.TableNames, ["ccc", "ddd", "eee"]);
  assert.equal(second.LastEvaluatedTableName, undefined);
  const e = await rejection(f.client.send(new ListTablesCommand({ Limit: 101 })));
  assert.equal(
    e.message,
    "1 validation error detected: Value '101' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100",
  );
});

Deno.test("DeleteTable() drops the table and its items at once", async () => {
  await using f = await startDynamo();
  await f.client.send(simpleTable("gone"));
  await f.client.send(
    new PutItemCommand({ TableName: "gone", Item: { pk: { S: "a" }, sk: { N: "1" } } }),
  );
  const d = await f.client.send(new DeleteTableCommand({ TableName: "gone" }));
  assert.equal(d.TableDescription?.TableStatus, "DELETING");
  const e = await rejection(f.client.send(new DescribeTableCommand({ TableName: "gone" })));
  assert.equal(e.name, "ResourceNotFoundException");
  assert.equal(e.message, "Requested resource not found: Table: gone not found");
  const g = await rejection(
    f.client.send(
      new GetItemCommand({ TableName: "gone", Key: { pk: { S: "a" }, sk: { N: "1" } } }),
    ),
  );
  assert.equal(g.name, "ResourceNotFoundException");
  assert.equal(g.message, "Requested resource not found");
  await f.client.send(simpleTable("gone"));
  const again = await f.client.send(
    new GetItemCommand({ TableName: "gone", Key: { pk: { S: "a" }, sk: { N: "1" } } }),
  );
  assert.equal(again.Item, undefined);
  const twice = await rejection(f.client.send(new DeleteTableCommand({ TableName: "nope" })));
  assert.equal(twice.name, "ResourceNotFoundException");
});

Deno.test("DeleteTable() refuses a table with deletion protection", async () => {
  await using f = await startDynamo();
  await f.client.send(simpleTable("kept", { DeletionProtectionEnabled: true }));
  const e = await rejection(f.client.send(new DeleteTableCommand({ TableName: "kept" })));
  assert.equal(e.name, "ResourceInUseException");
  assert.equal(
    e.message,
    "Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.",
  );
  await f.client.send(
    new UpdateTableCommand({ TableName: "kept", DeletionProtectionEnabled: false }),
  );
  await f.client.send(new DeleteTableCommand({ TableName: "kept" }));
});

Deno.test("UpdateTable() switches billing, throughput and adds/removes a GSI", async () => {
  await using f = await startDynamo();
  await f.client.send(simpleTable("upd"));
  const prov = (await f.client.send(
    new UpdateTableCommand({
      TableName: "upd",
      BillingMode: "PROVISIONED",
      ProvisionedThroughput: { ReadCapacityUnits: 4, WriteCapacityUnits: 2 },
    }),
  )).TableDescription!;
  assert.equal(prov.BillingModeSummary?.BillingMode, "PROVISIONED");
  assert.equal(prov.ProvisionedThroughput?.ReadCapacityUnits, 4);
  const same = await rejection(f.client.send(
    new UpdateTableCommand({
      TableName: "upd",
      ProvisionedThroughput: { ReadCapacityUnits: 4, WriteCapacityUnits: 2 },
    }),
  ));
  assert.match(same.message, /^The provisioned throughput for the table will not change/);
  const createGsi = [{
    Create: {
      IndexName: "g-index",
      KeySchema: [{ AttributeName: "g", KeyType: "HASH" as const }],
      Projection: { ProjectionType: "ALL" as const },
      ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 },
    },
  }];
  const withGsi = (await f.client.send(
    new UpdateTableCommand({
      TableName: "upd",
      AttributeDefinitions: [{ AttributeName: "g", AttributeType: "S" }],
      GlobalSecondaryIndexUpdates: createGsi,
    }),
  )).TableDescription!;
  assert.equal(withGsi.GlobalSecondaryIndexes?.[0].IndexName, "g-index");
  assert.equal(withGsi.GlobalSecondaryIndexes?.[0].IndexStatus, "CREATING");
  assert.equal(withGsi.GlobalSecondaryIndexes?.[0].Backfilling, true);
  assert.equal(withGsi.AttributeDefinitions?.length, 3);
  let status: string | undefined = "CREATING";
  while (status === "CREATING") {
    const d = await f.client.send(new DescribeTableCommand({ TableName: "upd" }));
    status = d.Table?.GlobalSecondaryIndexes?.[0].IndexStatus;
  }
  assert.equal(status, "ACTIVE");
  const again = await rejection(f.client.send(
    new UpdateTableCommand({
      TableName: "upd",
      GlobalSecondaryIndexUpdates: createGsi,
    }),
  ));
  assert.equal(again.name, "ValidationException");
  assert.equal(again.message, "Attempting to create an index which already exists");
  const without = (await f.client.send(
    new UpdateTableCommand({
      TableName: "upd",
      GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: "g-index" } }],
    }),
  )).TableDescription!;
  assert.equal(without.GlobalSecondaryIndexes, undefined);
  assert.equal(without.AttributeDefinitions?.length, 2);
});

Deno.test("UpdateTable() switches the table class and refuses one DynamoDB has not", async () => {
  await using f = await startDynamo();
  await f.client.send(simpleTable("cls"));
  const ia = (await f.client.send(
    new UpdateTableCommand({ TableName: "cls", TableClass: "STANDARD_INFREQUENT_ACCESS" }),
  )).TableDescription!;
  assert.equal(ia.TableClassSummary?.TableClass, "STANDARD_INFREQUENT_ACCESS");
  const bad = await rejection(f.client.send(
    new UpdateTableCommand({ TableName: "cls", TableClass: "GLACIER" as TableClass }),
  ));
  assert.equal(bad.name, "ValidationException");
  assert.equal(
    bad.message,
    "1 validation error detected: Value 'GLACIER' at 'tableClass' failed to satisfy constraint: " +
      "Member must satisfy enum value set: [STANDARD, STANDARD_INFREQUENT_ACCESS]",
  );
  const d = await f.client.send(new DescribeTableCommand({ TableName: "cls" }));
  assert.equal(d.Table?.TableClassSummary?.TableClass, "STANDARD_INFREQUENT_ACCESS");
});

Deno.test("UpdateTimeToLive() and DescribeTimeToLive() round-trip; expired items vanish at the sweep", async () => {
  await using f = await startDynamo({ serviceFlags: { "dynamodb-ttl-delay": 3600 } });
  await f.client.send(simpleTable("ttl"));
  const off = await f.client.send(new DescribeTimeToLiveCommand({ TableName: "ttl" }));
  assert.deepEqual(off.TimeToLiveDescription, { TimeToLiveStatus: "DISABLED" });
  const on = await f.client.send(
    new UpdateTimeToLiveCommand({
      TableName: "ttl",
      TimeToLiveSpecification: { Enabled: true, AttributeName: "expires" },
    }),
  );
  assert.deepEqual(on.TimeToLiveSpecification, { Enabled: true, AttributeName: "expires" });
  let d = await f.client.send(new DescribeTimeToLiveCommand({ TableName: "ttl" }));
  for (let i = 0; i < 100 && d.TimeToLiveDescription?.TimeToLiveStatus === "ENABLING"; i++) {
    await new Promise((r) => setTimeout(r, 20));
    d = await f.client.send(new DescribeTimeToLiveCommand({ TableName: "ttl" }));
  }
  assert.deepEqual(d.TimeToLiveDescription, {
    TimeToLiveStatus: "ENABLED",
    AttributeName: "expires",
  });
  const e = await rejection(f.client.send(
    new UpdateTimeToLiveCommand({
      TableName: "ttl",
      TimeToLiveSpecification: { Enabled: true, AttributeName: "expires" },
    }),
  ));
  assert.equal(e.message, "TimeToLive is already enabled");
  const past = String(Math.floor(Date.now() / 1000) - 60);
  const future = String(Math.floor(Date.now() / 1000) + 3600);
  await f.client.send(
    new PutItemCommand({
      TableName: "ttl",
      Item: { pk: { S: "old" }, sk: { N: "1" }, expires: { N: past } },
    }),
  );
  await f.client.send(
    new PutItemCommand({
      TableName: "ttl",
      Item: { pk: { S: "new" }, sk: { N: "1" }, expires: { N: future } },
    }),
  );
  const key = (pk: string) => ({ pk: { S: pk }, sk: { N: "1" } });
  assert.ok(
    (await f.client.send(new GetItemCommand({ TableName: "ttl", Key: key("old") }))).Item,
    "an expired item is readable until the sweeper deletes it",
  );
  assert.equal(await f.sweepTtl(), 1);
  assert.equal(
    (await f.client.send(new GetItemCommand({ TableName: "ttl", Key: key("old") }))).Item,
    undefined,
  );
  assert.ok((await f.client.send(new GetItemCommand({ TableName: "ttl", Key: key("new") }))).Item);
});

Deno.test("TagResource(), UntagResource() and ListTagsOfResource() manage table tags", async () => {
  await using f = await startDynamo();
  const arn = (await f.client.send(simpleTable("tagged", { Tags: [{ Key: "a", Value: "1" }] })))
    .TableDescription!.TableArn!;
  await f.client.send(
    new TagResourceCommand({
      ResourceArn: arn,
      Tags: [{ Key: "b", Value: "2" }, { Key: "a", Value: "3" }],
    }),
  );
  const tags = (await f.client.send(new ListTagsOfResourceCommand({ ResourceArn: arn }))).Tags;
  assert.deepEqual(tags, [{ Key: "b", Value: "2" }, { Key: "a", Value: "3" }]);
  await f.client.send(new UntagResourceCommand({ ResourceArn: arn, TagKeys: ["a"] }));
  assert.deepEqual(
    (await f.client.send(new ListTagsOfResourceCommand({ ResourceArn: arn }))).Tags,
    [{ Key: "b", Value: "2" }],
  );
  const missing = arn.replace("tagged", "nothere");
  const e = await rejection(f.client.send(new ListTagsOfResourceCommand({ ResourceArn: missing })));
  // AWS refuses an ARN naming no table as it refuses one the caller may not see.
  assert.equal(e.name, "AccessDeniedException");
  assert.equal(
    e.message,
    `User: arn:aws:iam::000000000000:root is not authorized to perform: dynamodb:ListTagsOfResource on resource: ${missing}`,
  );
  const bad = await rejection(f.client.send(new ListTagsOfResourceCommand({ ResourceArn: "xyz" })));
  assert.equal(bad.name, "ValidationException");
  assert.equal(bad.message, "Invalid TableArn: Invalid ResourceArn provided as input xyz");
});

Deno.test("DescribeEndpoints() and DescribeLimits() answer in DynamoDB's shape", async () => {
  await using f = await startDynamo();
  const ep = await f.client.send(new DescribeEndpointsCommand({}));
  assert.deepEqual(ep.Endpoints, [{
    Address: "dynamodb.us-east-1.amazonaws.com",
    CachePeriodInMinutes: 1440,
  }]);
  const limits = await f.client.send(new DescribeLimitsCommand({}));
  assert.equal(limits.TableMaxWriteCapacityUnits, 40000);
  assert.equal(limits.AccountMaxReadCapacityUnits, 80000);
});

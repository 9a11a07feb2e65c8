/**
 * AWS's exact texts for the validation cases issue 12 lists under "Every error exact": batch
 * size and required members, a missing TableName, repeated key attributes, Select's enum text,
 * empty binary sets, key errors inside transactions and the no-op PROVISIONED update.
 * @module
 */
import assert from "node:assert/strict";
import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  CreateTableCommand,
  type CreateTableCommandInput,
  DeleteTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
  TransactGetItemsCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  UpdateTableCommand,
} from "@aws-sdk/client-dynamodb";
import { createTable, type DynamoFixture, rejection, startDynamo } from "./client.ts";

/** The error `send` rejects with: its name and message. */
async function failure(p: Promise<unknown>): Promise<[string, string]> {
  const e = await rejection(p);
  return [e.name, e.message];
}

const puts = (n: number, prefix: string) =>
  Array.from({ length: n }, (_, i) => ({ PutRequest: { Item: { id: { S: `${prefix}${i}` } } } }));
const keys = (n: number) => Array.from({ length: n }, (_, i) => ({ id: { S: `k${i}` } }));

async function twoTables(f: DynamoFixture): Promise<void> {
  await createTable(f, "left", { id: "S" });
  await createTable(f, "right", { id: "S" });
}

Deno.test("Batches: empty RequestItems, one table over the limit, several tables over it", async () => {
  await using f = await startDynamo();
  await twoTables(f);
  const bwi = (RequestItems: Record<string, ReturnType<typeof puts>>) =>
    failure(f.client.send(new BatchWriteItemCommand({ RequestItems })));
  assert.deepEqual(await bwi({}), [
    "ValidationException",
    "The requestItems parameter is required for BatchWriteItem",
  ]);
  // 26 writes to one table break the member constraint, not AWS's "Too many items" sentence.
  assert.deepEqual(await bwi({ left: puts(26, "a") }), [
    "ValidationException",
    "1 validation error detected: Value at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 25, Member must have length greater than or equal to 1]",
  ]);
  assert.deepEqual(await bwi({ left: puts(20, "a"), right: puts(6, "b") }), [
    "ValidationException",
    "Too many items requested for the BatchWriteItem call",
  ]);

  const bgi = (RequestItems: Record<string, { Keys: ReturnType<typeof keys> }>) =>
    failure(f.client.send(new BatchGetItemCommand({ RequestItems })));
  assert.deepEqual(await bgi({}), [
    "ValidationException",
    "The requestItems parameter is required for BatchGetItem",
  ]);
  assert.deepEqual(await bgi({ left: { Keys: keys(101) } }), [
    "ValidationException",
    "1 validation error detected: Value at 'requestItems.left.member.keys' failed to satisfy constraint: Member must have length less than or equal to 100",
  ]);
  assert.deepEqual(await bgi({ left: { Keys: [] } }), [
    "ValidationException",
    "1 validation error detected: Value '[]' at 'requestItems.left.member.keys' failed to satisfy constraint: Member must have length greater than or equal to 1",
  ]);
  assert.deepEqual(await bgi({ left: { Keys: keys(60) }, right: { Keys: keys(60) } }), [
    "ValidationException",
    "Too many items requested for the BatchGetItem call",
  ]);
});

Deno.test("A missing TableName: the table operations' sentence, the item operations' constraint", async () => {
  await using f = await startDynamo();
  const required = [
    "ValidationException",
    "The parameter 'TableName' is required but was not present in the request",
  ];
  const missing = { TableName: undefined as unknown as string };
  assert.deepEqual(await failure(f.client.send(new DescribeTableCommand(missing))), required);
  assert.deepEqual(await failure(f.client.send(new DeleteTableCommand(missing))), required);
  assert.deepEqual(
    await failure(
      f.client.send(new UpdateTableCommand({ ...missing, BillingMode: "NOPE" as "PROVISIONED" })),
    ),
    required,
  );
  assert.deepEqual(await failure(f.client.send(new DescribeTimeToLiveCommand(missing))), required);
  // Before the member constraints CreateTable otherwise lists (here: no KeySchema).
  assert.deepEqual(
    await failure(f.client.send(
      new CreateTableCommand({ ...missing } as unknown as CreateTableCommandInput),
    )),
    required,
  );
  assert.deepEqual(
    await failure(f.client.send(new GetItemCommand({ ...missing, Key: { id: { S: "a" } } }))),
    [
      "ValidationException",
      "1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null",
    ],
  );
});

Deno.test("CreateTable: a key schema naming one attribute twice, or an undefined one of two", async () => {
  await using f = await startDynamo();
  const create = (keys: [string, string][], defs: string[]) =>
    failure(f.client.send(
      new CreateTableCommand({
        TableName: "keyed",
        KeySchema: keys.map(([AttributeName, KeyType]) => ({
          AttributeName,
          KeyType: KeyType as "HASH" | "RANGE",
        })),
        AttributeDefinitions: defs.map((AttributeName) => ({ AttributeName, AttributeType: "S" })),
        BillingMode: "PAY_PER_REQUEST",
      }),
    ));
  const generic = [
    "ValidationException",
    "Invalid KeySchema: Some index key attribute have no definition",
  ];
  assert.deepEqual(await create([["a", "HASH"], ["a", "RANGE"]], ["a"]), generic);
  assert.deepEqual(await create([["a", "HASH"], ["a", "HASH"]], ["a", "b"]), generic);
  assert.deepEqual(await create([["a", "HASH"], ["b", "RANGE"]], ["a"]), generic);
  // Definitions are checked before the key types.
  assert.deepEqual(await create([["a", "RANGE"], ["b", "RANGE"]], ["a"]), generic);
  assert.deepEqual(await create([["a", "RANGE"]], ["a"]), [
    "ValidationException",
    "Invalid KeySchema: The first KeySchemaElement is not a HASH key type",
  ]);
});

Deno.test("Select's enum text in AWS's order, before Limit's, and empty binary sets", async () => {
  await using f = await startDynamo();
  await createTable(f, "items", { id: "S" });
  assert.deepEqual(
    await failure(f.client.send(
      new ScanCommand({ TableName: "items", Select: "NOPE" as "COUNT", Limit: 0 }),
    )),
    [
      "ValidationException",
      "2 validation errors detected: Value 'NOPE' at 'select' failed to satisfy constraint: Member must satisfy enum value set: [SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]; Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1",
    ],
  );
  const put = (value: Record<string, unknown>) =>
    failure(f.client.send(
      new PutItemCommand({ TableName: "items", Item: { id: { S: "a" }, set: value as never } }),
    ));
  assert.deepEqual(await put({ BS: [] }), [
    "ValidationException",
    "One or more parameter values were invalid: Binary sets should not be empty",
  ]);
  assert.deepEqual(await put({ NS: [] }), [
    "ValidationException",
    "One or more parameter values were invalid: An number set  may not be empty",
  ]);
});

Deno.test("A key that does not fit its table cancels a transaction with a ValidationError reason", async () => {
  await using f = await startDynamo();
  await createTable(f, "orders", { id: "S" });
  const write = await rejection(f.client.send(
    new TransactWriteItemsCommand({
      TransactItems: [
        { Put: { TableName: "orders", Item: { id: { S: "a" } } } },
        { Delete: { TableName: "orders", Key: { order: { S: "a" } } } },
        { Put: { TableName: "orders", Item: { order: { S: "b" } } } },
      ],
    }),
  ));
  assert.ok(write instanceof TransactionCanceledException);
  assert.equal(
    write.message,
    "Transaction cancelled, please refer cancellation reasons for specific reasons [None, ValidationError, ValidationError]",
  );
  assert.deepEqual(write.CancellationReasons, [
    { Code: "None" },
    { Code: "ValidationError", Message: "The provided key element does not match the schema" },
    {
      Code: "ValidationError",
      Message: "One or more parameter values were invalid: Missing the key id in the item",
    },
  ]);
  // Nothing was written.
  const got = await f.client.send(
    new GetItemCommand({ TableName: "orders", Key: { id: { S: "a" } } }),
  );
  assert.equal(got.Item, undefined);
  const read = await rejection(f.client.send(
    new TransactGetItemsCommand({
      TransactItems: [
        { Get: { TableName: "orders", Key: { id: { N: "1" } } } },
        { Get: { TableName: "orders", Key: { id: { S: "1" } } } },
      ],
    }),
  ));
  assert.ok(read instanceof TransactionCanceledException);
  assert.deepEqual(read.CancellationReasons, [
    { Code: "ValidationError", Message: "The provided key element does not match the schema" },
    { Code: "None" },
  ]);
});

Deno.test("UpdateTable restating PROVISIONED with the same throughput changes nothing: AWS's error", async () => {
  await using f = await startDynamo();
  await f.client.send(
    new CreateTableCommand({
      TableName: "prov",
      KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
      AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
      ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 3 },
    }),
  );
  assert.deepEqual(
    await failure(f.client.send(
      new UpdateTableCommand({
        TableName: "prov",
        BillingMode: "PROVISIONED",
        ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 3 },
      }),
    )),
    [
      "ValidationException",
      "The provisioned throughput for the table will not change. The requested value equals the current value. Current ReadCapacityUnits provisioned for the table: 5. Requested ReadCapacityUnits: 5. Current WriteCapacityUnits provisioned for the table: 3. Requested WriteCapacityUnits: 3. Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits.",
    ],
  );
});

/**
 * TransactWriteItems and TransactGetItems through the AWS SDK v3: all-or-nothing writes,
 * CancellationReasons, duplicate targets, idempotent tokens and snapshot reads.
 * @module
 */
import assert from "node:assert/strict";
import {
  GetItemCommand,
  PutItemCommand,
  TransactGetItemsCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
} from "@aws-sdk/client-dynamodb";
import { TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import { createTable, type DynamoFixture, rejection, startDynamo } from "./client.ts";

async function accounts(f: DynamoFixture) {
  await createTable(f, "accounts", { id: "S" });
  for (const [id, balance] of [["alice", "100"], ["bob", "5"]]) {
    await f.client.send(
      new PutItemCommand({
        TableName: "accounts",
        Item: { id: { S: id }, balance: { N: balance } },
      }),
    );
  }
}

const balance = async (f: DynamoFixture, id: string) =>
  (await f.client.send(new GetItemCommand({ TableName: "accounts", Key: { id: { S: id } } })))
    .Item?.balance.N;

function transfer(amount: string, token?: string) {
  return new TransactWriteItemsCommand({
    ClientRequestToken: token,
    TransactItems: [
      {
        Update: {
          TableName: "accounts",
          Key: { id: { S: "alice" } },
          UpdateExpression: "SET balance = balance - :a",
          ConditionExpression: "balance >= :a",
          ExpressionAttributeValues: { ":a": { N: amount } },
          ReturnValuesOnConditionCheckFailure: "ALL_OLD",
        },
      },
      {
        Update: {
          TableName: "accounts",
          Key: { id: { S: "bob" } },
          UpdateExpression: "SET balance = balance + :a",
          ExpressionAttributeValues: { ":a": { N: amount } },
        },
      },
      { Put: { TableName: "accounts", Item: { id: { S: `log-${amount}` } } } },
    ],
  });
}

Deno.test("TransactWriteItems() applies every action or none", async () => {
  await using f = await startDynamo();
  await accounts(f);
  await f.client.send(transfer("30"));
  assert.equal(await balance(f, "alice"), "70");
  assert.equal(await balance(f, "bob"), "35");
  const e = await rejection(f.client.send(transfer("500")));
  assert.ok(e instanceof TransactionCanceledException);
  assert.equal(
    e.message,
    "Transaction cancelled, please refer cancellation reasons for specific reasons [ConditionalCheckFailed, None, None]",
  );
  assert.deepEqual(e.CancellationReasons, [
    {
      Code: "ConditionalCheckFailed",
      Message: "The conditional request failed",
      Item: { id: { S: "alice" }, balance: { N: "70" } },
    },
    { Code: "None" },
    { Code: "None" },
  ]);
  assert.equal(await balance(f, "alice"), "70");
  assert.equal(await balance(f, "bob"), "35");
  const log = await f.client.send(
    new GetItemCommand({ TableName: "accounts", Key: { id: { S: "log-500" } } }),
  );
  assert.equal(log.Item, undefined);
});

Deno.test("TransactWriteItems() ConditionCheck and Delete, via the DocumentClient", async () => {
  await using f = await startDynamo();
  await accounts(f);
  const e = await rejection(f.doc.send(
    new TransactWriteCommand({
      TransactItems: [
        {
          ConditionCheck: {
            TableName: "accounts",
            Key: { id: "bob" },
            ConditionExpression: "balance > :x",
            ExpressionAttributeValues: { ":x": 10 },
          },
        },
        { Delete: { TableName: "accounts", Key: { id: "alice" } } },
      ],
    }),
  )) as TransactionCanceledException;
  assert.deepEqual(e.CancellationReasons?.map((r) => r.Code), ["ConditionalCheckFailed", "None"]);
  assert.equal(await balance(f, "alice"), "100");
  await f.doc.send(
    new TransactWriteCommand({
      TransactItems: [
        {
          ConditionCheck: {
            TableName: "accounts",
            Key: { id: "bob" },
            ConditionExpression: "attribute_exists(id)",
          },
        },
        { Delete: { TableName: "accounts", Key: { id: "alice" } } },
      ],
    }),
  );
  assert.equal(await balance(f, "alice"), undefined);
});

Deno.test("TransactWriteItems() refuses two actions on one item and honours tokens", async () => {
  await using f = await startDynamo();
  await accounts(f);
  const dup = await rejection(f.client.send(
    new TransactWriteItemsCommand({
      TransactItems: [
        { Put: { TableName: "accounts", Item: { id: { S: "x" } } } },
        { Delete: { TableName: "accounts", Key: { id: { S: "x" } } } },
      ],
    }),
  ));
  assert.equal(dup.name, "ValidationException");
  assert.equal(dup.message, "Transaction request cannot include multiple operations on one item");
  await f.client.send(transfer("10", "token-1"));
  await f.client.send(transfer("10", "token-1"));
  assert.equal(await balance(f, "alice"), "90", "a retried token applies once");
  const mismatch = await rejection(f.client.send(transfer("20", "token-1")));
  assert.equal(mismatch.name, "IdempotentParameterMismatchException");
});

Deno.test("TransactGetItems() reads several items at once", async () => {
  await using f = await startDynamo();
  await accounts(f);
  const r = await f.client.send(
    new TransactGetItemsCommand({
      TransactItems: [
        {
          Get: {
            TableName: "accounts",
            Key: { id: { S: "alice" } },
            ProjectionExpression: "balance",
          },
        },
        { Get: { TableName: "accounts", Key: { id: { S: "nobody" } } } },
        { Get: { TableName: "accounts", Key: { id: { S: "bob" } } } },
      ],
    }),
  );
  assert.deepEqual(r.Responses, [
    { Item: { balance: { N: "100" } } },
    {},
    { Item: { id: { S: "bob" }, balance: { N: "5" } } },
  ]);
});

Deno.test("a transaction action missing a required member gets AWS's ValidationException", async () => {
  await using f = await startDynamo();
  await accounts(f);
  const put = await f.raw("TransactWriteItems", {
    TransactItems: [{ Put: { Item: { id: { S: "x" } } } }],
  });
  assert.equal(put.status, 400);
  assert.equal(
    put.body.message,
    "1 validation error detected: Value null at 'transactItems.1.member.put.tableName' " +
      "failed to satisfy constraint: Member must not be null",
  );
  const update = await f.raw("TransactWriteItems", {
    TransactItems: [
      { Put: { TableName: "accounts", Item: { id: { S: "x" } } } },
      { Update: { TableName: "accounts" } },
    ],
  });
  assert.match(String(update.body.message), /^2 validation errors detected: /);
  assert.match(String(update.body.message), /'transactItems\.2\.member\.update\.key'/);
  assert.match(String(update.body.message), /'transactItems\.2\.member\.update\.updateExpression'/);
  const get = await f.raw("TransactGetItems", {
    TransactItems: [{ Get: { TableName: "accounts" } }],
  });
  assert.match(String(get.body.message), /'transactItems\.1\.member\.get\.key'/);
});

Deno.test("empty statement lists and a repeated TransactGetItems key get AWS's errors", async () => {
  await using f = await startDynamo();
  await createTable(f, "dups", { pk: "S" });
  const batch = await f.raw("BatchExecuteStatement", { Statements: [] });
  assert.equal(
    batch.body.message,
    "1 validation error detected: Value '[]' at 'statements' failed to satisfy constraint: " +
      "Member must have length greater than or equal to 1",
  );
  const tx = await f.raw("ExecuteTransaction", { TransactStatements: [] });
  assert.equal(
    tx.body.message,
    "1 validation error detected: Value '[]' at 'transactStatements' failed to satisfy " +
      "constraint: Member must have length greater than or equal to 1",
  );
  const get = { Get: { TableName: "dups", Key: { pk: { S: "a" } } } };
  const twice = await f.raw("TransactGetItems", { TransactItems: [get, get] });
  assert.equal(twice.body.__type, "com.amazon.coral.validate#ValidationException");
  assert.equal(
    twice.body.message,
    "Transaction request cannot include multiple operations on one item",
  );
});

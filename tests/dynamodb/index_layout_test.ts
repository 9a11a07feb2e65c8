/**
 * Indexes an older build defined without keeping entries (index records with no id) get
 * their entries built at start, before the service answers.
 * @module
 */
import assert from "node:assert/strict";
import {
  CreateTableCommand,
  DescribeTableCommand,
  PutItemCommand,
  QueryCommand,
} from "@aws-sdk/client-dynamodb";
import { openStore } from "../../src/store/mod.ts";
import type { TableRecord } from "../../protocols/dynamodb/storage/tables.ts";
import { startDynamo } from "./client.ts";

const countEvenQuery = new QueryCommand({
  TableName: "legacy",
  IndexName: "byG",
  KeyConditionExpression: "g = :g",
  ExpressionAttributeValues: { ":g": { S: "even" } },
  Select: "COUNT",
});

Deno.test({
  name: "a GSI and an LSI from a build without index entries are backfilled at start",
  // It edits the data file between two runs: a test store that is a file this process owns.
  ignore: Deno.env.get("BASEKV_TEST_STORE") === "remote",
}, async () => {
  const dir = await Deno.makeTempDir();
  const data = `${dir}/db.sqlite`;
  try {
    {
      await using f = await startDynamo({ memory: false, data });
      await f.client.send(
        new CreateTableCommand({
          TableName: "legacy",
          KeySchema: [
            { AttributeName: "pk", KeyType: "HASH" },
            { AttributeName: "sk", KeyType: "RANGE" },
          ],
          AttributeDefinitions: [
            { AttributeName: "pk", AttributeType: "S" },
            { AttributeName: "sk", AttributeType: "S" },
            { AttributeName: "g", AttributeType: "S" },
            { AttributeName: "l", AttributeType: "N" },
          ],
          GlobalSecondaryIndexes: [{
            IndexName: "byG",
            KeySchema: [{ AttributeName: "g", KeyType: "HASH" }],
            Projection: { ProjectionType: "ALL" },
          }],
          LocalSecondaryIndexes: [{
            IndexName: "byL",
            KeySchema: [
              { AttributeName: "pk", KeyType: "HASH" },
              { AttributeName: "l", KeyType: "RANGE" },
            ],
            Projection: { ProjectionType: "KEYS_ONLY" },
          }],
          BillingMode: "PAY_PER_REQUEST",
        }),
      );
      for (let i = 0; i < 120; i++) {
        await f.client.send(
          new PutItemCommand({
            TableName: "legacy",
            Item: {
              pk: { S: "p" },
              sk: { S: `s${String(i).padStart(3, "0")}` },
              l: { N: String(i) },
              ...(i % 2 === 0 ? { g: { S: "even" } } : {}),
            },
          }),
        );
      }
    }
    // Make the table look as an older build left it: indexes without ids and no entries.
    const store = await openStore({ path: data });
    const view = store.scope(["dynamodb"]);
    const record = (await view.get<TableRecord>(["table", "legacy"]))!.meta!;
    await view.deletePrefix(["index", record.id]);
    const strip = (i: TableRecord["gsis"][number]) => ({ ...i, id: undefined });
    await view.set(["table", "legacy"], {
      meta: { ...record, gsis: record.gsis.map(strip), lsis: record.lsis.map(strip) },
    });
    await store.close();

    await using f = await startDynamo({ memory: false, data });
    const countEven = async () => (await f.client.send(countEvenQuery)).Count;
    assert.equal(await countEven(), 60);
    const byL = await f.client.send(
      new QueryCommand({
        TableName: "legacy",
        IndexName: "byL",
        KeyConditionExpression: "pk = :p AND l BETWEEN :a AND :b",
        ExpressionAttributeValues: { ":p": { S: "p" }, ":a": { N: "10" }, ":b": { N: "19" } },
      }),
    );
    assert.equal(byL.Count, 10);
    assert.equal(byL.Items?.[0].sk.S, "s010");
    const { Table } = await f.client.send(new DescribeTableCommand({ TableName: "legacy" }));
    assert.equal(Table?.GlobalSecondaryIndexes?.[0].IndexStatus, "ACTIVE");
    assert.equal(Table?.GlobalSecondaryIndexes?.[0].ItemCount, 60);
    assert.equal(Table?.LocalSecondaryIndexes?.[0].ItemCount, 120);
    // Writes after start keep the backfilled entries current.
    await f.client.send(
      new PutItemCommand({
        TableName: "legacy",
        Item: { pk: { S: "p" }, sk: { S: "s000" }, l: { N: "0" } },
      }),
    );
    assert.equal(await countEven(), 59);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

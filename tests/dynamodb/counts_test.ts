/**
 * DescribeTable's ItemCount and per-index ItemCount come from the store's counters: exact
 * after puts, overwrites and deletes, with no listing.
 * @module
 */
import assert from "node:assert/strict";
import {
  CreateTableCommand,
  DeleteItemCommand,
  DescribeTableCommand,
  PutItemCommand,
} from "@aws-sdk/client-dynamodb";
import { startDynamo } from "./client.ts";

Deno.test("DescribeTable ItemCount follows puts and deletes, per table and per index", async () => {
  await using f = await startDynamo();
  for (const name of ["one", "two"]) {
    await f.client.send(
      new CreateTableCommand({
        TableName: name,
        KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
        AttributeDefinitions: [
          { AttributeName: "pk", AttributeType: "S" },
          { AttributeName: "g", AttributeType: "S" },
        ],
        GlobalSecondaryIndexes: [{
          IndexName: "by-g",
          KeySchema: [{ AttributeName: "g", KeyType: "HASH" }],
          Projection: { ProjectionType: "ALL" },
        }],
        BillingMode: "PAY_PER_REQUEST",
      }),
    );
  }
  const put = (table: string, pk: string, g?: string) =>
    f.client.send(
      new PutItemCommand({
        TableName: table,
        Item: { pk: { S: pk }, ...(g ? { g: { S: g } } : {}) },
      }),
    );
  const describe = async (table: string) => {
    const t = (await f.client.send(new DescribeTableCommand({ TableName: table }))).Table!;
    return {
      items: t.ItemCount,
      index: t.GlobalSecondaryIndexes?.[0].ItemCount,
      sized: t.TableSizeBytes! > 0,
    };
  };
  for (let i = 0; i < 20; i++) await put("one", `p${i}`, i % 2 === 0 ? "even" : undefined);
  await put("two", "only");
  await put("one", "p0", "even"); // an overwrite
  await put("one", "p1", "odd"); // enters the index
  assert.deepEqual(await describe("one"), { items: 20, index: 11, sized: true });
  assert.deepEqual(await describe("two"), { items: 1, index: 0, sized: true });
  for (const pk of ["p0", "p3", "nope"]) {
    await f.client.send(new DeleteItemCommand({ TableName: "one", Key: { pk: { S: pk } } }));
  }
  await put("one", "p2"); // leaves the index
  assert.deepEqual(await describe("one"), { items: 18, index: 9, sized: true });
});

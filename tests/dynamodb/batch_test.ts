/**
 * BatchWriteItem and BatchGetItem through the AWS SDK v3 and the DocumentClient: several
 * tables, projections, limits and duplicate keys.
 * @module
 */
import assert from "node:assert/strict";
import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  GetItemCommand,
} from "@aws-sdk/client-dynamodb";
import { BatchGetCommand, BatchWriteCommand } from "@aws-sdk/lib-dynamodb";
import { createTable, type DynamoFixture, rejection, startDynamo } from "./client.ts";

async function tables(f: DynamoFixture) {
  for (const name of ["left", "right"]) {
    await createTable(f, name, { id: "S" });
  }
}

Deno.test("BatchWriteItem() puts and deletes over two tables", async () => {
  await using f = await startDynamo();
  await tables(f);
  const put = await f.client.send(
    new BatchWriteItemCommand({
      RequestItems: {
        left: Array.from({ length: 20 }, (_, i) => ({
          PutRequest: { Item: { id: { S: `k${i}` }, v: { N: String(i) } } },
        })),
        right: [{ PutRequest: { Item: { id: { S: "r" } } } }],
      },
      ReturnConsumedCapacity: "TOTAL",
    }),
  );
  assert.deepEqual(put.UnprocessedItems, {});
  assert.deepEqual(put.ConsumedCapacity, [
    { TableName: "left", CapacityUnits: 20 },
    { TableName: "right", CapacityUnits: 1 },
  ]);
  await f.client.send(
    new BatchWriteItemCommand({
      RequestItems: { left: [{ DeleteRequest: { Key: { id: { S: "k3" } } } }] },
    }),
  );
  const gone = await f.client.send(
    new GetItemCommand({ TableName: "left", Key: { id: { S: "k3" } } }),
  );
  assert.equal(gone.Item, undefined);
  const kept = await f.client.send(
    new GetItemCommand({ TableName: "left", Key: { id: { S: "k4" } } }),
  );
  assert.deepEqual(kept.Item, { id: { S: "k4" }, v: { N: "4" } });
});

Deno.test("BatchWriteItem() refuses more than 25 requests, duplicates and missing tables", async () => {
  await using f = await startDynamo();
  await tables(f);
  const many = await rejection(f.client.send(
    new BatchWriteItemCommand({
      RequestItems: {
        left: Array.from(
          { length: 20 },
          (_, i) => ({ PutRequest: { Item: { id: { S: `a${i}` } } } }),
        ),
        right: Array.from(
          { length: 6 },
          (_, i) => ({ PutRequest: { Item: { id: { S: `b${i}` } } } }),
        ),
      },
    }),
  ));
  assert.equal(many.message, "Too many items requested for the BatchWriteItem call");
  const dup = await rejection(f.client.send(
    new BatchWriteItemCommand({
      RequestItems: {
        left: [
          { PutRequest: { Item: { id: { S: "same" } } } },
          { DeleteRequest: { Key: { id: { S: "same" } } } },
        ],
      },
    }),
  ));
  assert.equal(dup.message, "Provided list of item keys contains duplicates");
  const missing = await rejection(f.client.send(
    new BatchWriteItemCommand({
      RequestItems: { ghost: [{ PutRequest: { Item: { id: { S: "x" } } } }] },
    }),
  ));
  assert.equal(missing.name, "ResourceNotFoundException");
});

Deno.test("BatchGetItem() reads keys from two tables with a projection", async () => {
  await using f = await startDynamo();
  await tables(f);
  await f.doc.send(
    new BatchWriteCommand({
      RequestItems: {
        left: [1, 2, 3].map((i) => ({ PutRequest: { Item: { id: `k${i}`, v: i, w: "x" } } })),
        right: [{ PutRequest: { Item: { id: "r", v: 9 } } }],
      },
    }),
  );
  const got = await f.client.send(
    new BatchGetItemCommand({
      RequestItems: {
        left: {
          Keys: [{ id: { S: "k1" } }, { id: { S: "k3" } }, { id: { S: "nope" } }],
          ProjectionExpression: "#v",
          ExpressionAttributeNames: { "#v": "v" },
        },
        right: { Keys: [{ id: { S: "r" } }], ConsistentRead: true },
      },
    }),
  );
  const left = got.Responses!.left.map((i) => i.v.N).sort();
  assert.deepEqual(left, ["1", "3"]);
  assert.deepEqual(got.Responses!.right, [{ id: { S: "r" }, v: { N: "9" } }]);
  assert.deepEqual(got.UnprocessedKeys, {});
  const doc = await f.doc.send(
    new BatchGetCommand({
      RequestItems: { left: { Keys: [{ id: "k2" }] } },
    }),
  );
  assert.deepEqual(doc.Responses?.left, [{ id: "k2", v: 2, w: "x" }]);
  const tooMany = await rejection(f.client.send(
    new BatchGetItemCommand({
      RequestItems: {
        left: { Keys: Array.from({ length: 51 }, (_, i) => ({ id: { S: `k${i}` } })) },
        right: { Keys: Array.from({ length: 50 }, (_, i) => ({ id: { S: `k${i}` } })) },
      },
    }),
  ));
  assert.equal(tooMany.message, "Too many items requested for the BatchGetItem call");
  const dup = await rejection(f.client.send(
    new BatchGetItemCommand({
      RequestItems: { left: { Keys: [{ id: { S: "a" } }, { id: { S: "a" } }] } },
    }),
  ));
  assert.equal(dup.message, "Provided list of item keys contains duplicates");
});

Deno.test("BatchWriteItem() and BatchGetItem() see the same item in equal numbers and key orders, not in binary keys one byte apart", async () => {
  await using f = await startDynamo();
  await createTable(f, "numbin", { n: "N", b: "B" });
  const key = (n: string, b: number[]) => ({ n: { N: n }, b: { B: new Uint8Array(b) } });
  const dup = await rejection(f.client.send(
    new BatchWriteItemCommand({
      RequestItems: {
        numbin: [
          { PutRequest: { Item: key("1", [0x80, 1]) } },
          // The same item: 1.0 is the number 1, and attribute order does not matter.
          { DeleteRequest: { Key: { b: { B: new Uint8Array([0x80, 1]) }, n: { N: "1.0" } } } },
        ],
      },
    }),
  ));
  assert.equal(dup.message, "Provided list of item keys contains duplicates");
  // Bytes 0x80 and 0x81 (one apart, both above ASCII) are two items.
  await f.client.send(
    new BatchWriteItemCommand({
      RequestItems: {
        numbin: [
          { PutRequest: { Item: key("1", [0x80, 1]) } },
          { PutRequest: { Item: key("1", [0x81, 1]) } },
        ],
      },
    }),
  );
  const got = await f.client.send(
    new BatchGetItemCommand({
      RequestItems: { numbin: { Keys: [key("1", [0x80, 1]), key("1", [0x81, 1])] } },
    }),
  );
  assert.equal(got.Responses?.numbin?.length, 2);
  const again = await rejection(f.client.send(
    new BatchGetItemCommand({
      RequestItems: { numbin: { Keys: [key("1", [0x80, 1]), key("1.00", [0x80, 1])] } },
    }),
  ));
  assert.equal(again.message, "Provided list of item keys contains duplicates");
});

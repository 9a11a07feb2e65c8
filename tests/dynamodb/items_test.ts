/**
 * Item operations through the AWS SDK v3: the full type system round-trips, Put/Get/Update/
 * DeleteItem with conditions, ReturnValues, capacity and metrics, and their error paths.
 * @module
 */
import assert from "node:assert/strict";
import {
  type AttributeValue,
  BatchWriteItemCommand,
  ConditionalCheckFailedException,
  CreateTableCommand,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { createTable, type DynamoFixture, rejection, startDynamo } from "./client.ts";

async function withTable(f: DynamoFixture, name = "items", range = true) {
  await createTable(f, name, range ? { pk: "S", sk: "N" } : { pk: "S" });
}

const KEY = { pk: { S: "p" }, sk: { N: "1" } };

Deno.test("PutItem() and GetItem() round-trip every AttributeValue type", async () => {
  await using f = await startDynamo();
  await withTable(f);
  const allBytes = new Uint8Array(256).map((_, i) => i);
  const item: Record<string, AttributeValue> = {
    ...KEY,
    s: { S: "héllo ✓" },
    empty: { S: "" },
    n38: { N: "12345678901234567890123456789012345678" },
    neg: { N: "-0.000000000000000000000000000000000001" },
    big: { N: "9.9999999999999999999999999999999999999E+125" },
    bin: { B: allBytes },
    t: { BOOL: true },
    f: { BOOL: false },
    nul: { NULL: true },
    ss: { SS: ["a", "b", ""] },
    ns: { NS: ["1", "2.5", "-3"] },
    bs: { BS: [new Uint8Array([1]), new Uint8Array([2, 3])] },
    m: {
      M: { inner: { M: { deep: { L: [{ S: "x" }, { N: "1" }, { NULL: true }] } } }, e: { M: {} } },
    },
    l: { L: [{ L: [] }, { M: { a: { BOOL: true } } }, { SS: ["z"] }] },
  };
  await f.client.send(new PutItemCommand({ TableName: "items", Item: item }));
  const got = (await f.client.send(new GetItemCommand({ TableName: "items", Key: KEY }))).Item!;
  const expected = {
    ...item,
    big: {
      N: "999999999999999999999999999999999999990000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
    },
  };
  assert.deepEqual(got, expected);
});

Deno.test("numbers are normalized as DynamoDB stores them", async () => {
  await using f = await startDynamo();
  await withTable(f);
  await f.client.send(
    new PutItemCommand({
      TableName: "items",
      Item: { ...KEY, a: { N: "1.50" }, b: { N: "-0" }, c: { N: "1E3" }, d: { N: "0010.0100" } },
    }),
  );
  const got = (await f.client.send(new GetItemCommand({ TableName: "items", Key: KEY }))).Item!;
  assert.deepEqual([got.a, got.b, got.c, got.d], [{ N: "1.5" }, { N: "0" }, { N: "1000" }, {
    N: "10.01",
  }]);
  const sk = (await f.client.send(
    new GetItemCommand({ TableName: "items", Key: { pk: { S: "p" }, sk: { N: "1.000" } } }),
  )).Item;
  assert.ok(sk, "1.000 addresses the same sort key as 1");
});

Deno.test("invalid AttributeValues are ValidationExceptions with DynamoDB's text", async () => {
  await using f = await startDynamo();
  await withTable(f);
  const cases: [Record<string, AttributeValue>, string][] = [
    [{ x: { N: "abc" } }, "The parameter cannot be converted to a numeric value: abc"],
    [
      { x: { N: "1".repeat(39) } },
      "Attempting to store more than 38 significant digits in a Number",
    ],
    [
      { x: { N: "1E126" } },
      "Number overflow. Attempting to store a number with magnitude larger than supported range",
    ],
    [
      { x: { SS: [] } },
      "One or more parameter values were invalid: An string set  may not be empty",
    ],
    [
      { x: { SS: ["a", "a"] } },
      "One or more parameter values were invalid: Input collection [a, a] contains duplicates.",
    ],
    [
      { x: { NULL: false } },
      "One or more parameter values were invalid: Null attribute value types must have the value of true",
    ],
    [
      { x: {} as AttributeValue },
      "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes",
    ],
  ];
  for (const [extra, message] of cases) {
    const e = await rejection(
      f.client.send(new PutItemCommand({ TableName: "items", Item: { ...KEY, ...extra } })),
    );
    assert.equal(e.name, "ValidationException", message);
    assert.equal(e.message, message);
  }
});

Deno.test("key attributes are checked against the table's schema", async () => {
  await using f = await startDynamo();
  await withTable(f);
  const put = (item: Record<string, AttributeValue>) =>
    rejection(f.client.send(new PutItemCommand({ TableName: "items", Item: item })));
  assert.equal(
    (await put({ pk: { S: "p" } })).message,
    "One or more parameter values were invalid: Missing the key sk in the item",
  );
  assert.equal(
    (await put({ pk: { N: "1" }, sk: { N: "1" } })).message,
    "One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N",
  );
  assert.equal(
    (await put({ pk: { S: "" }, sk: { N: "1" } })).message,
    "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: pk",
  );
  const get = await rejection(
    f.client.send(new GetItemCommand({ TableName: "items", Key: { pk: { S: "p" } } })),
  );
  assert.equal(get.name, "ValidationException");
  assert.equal(get.message, "The provided key element does not match the schema");
  const missing = await rejection(
    f.client.send(new GetItemCommand({ TableName: "nosuch", Key: KEY })),
  );
  assert.equal(missing.name, "ResourceNotFoundException");
  assert.equal(missing.message, "Requested resource not found");
});

Deno.test("items over 400 KB are refused; large items just under it round-trip", async () => {
  await using f = await startDynamo();
  await withTable(f);
  const big = "x".repeat(400 * 1024 - 20);
  await f.client.send(new PutItemCommand({ TableName: "items", Item: { ...KEY, v: { S: big } } }));
  const got = (await f.client.send(new GetItemCommand({ TableName: "items", Key: KEY }))).Item!;
  assert.equal(got.v.S, big);
  const e = await rejection(
    f.client.send(
      new PutItemCommand({ TableName: "items", Item: { ...KEY, v: { S: big + "x".repeat(100) } } }),
    ),
  );
  assert.equal(e.name, "ValidationException");
  assert.equal(e.message, "Item size has exceeded the maximum allowed size");
});

Deno.test("PutItem() with ConditionExpression fails with the old item when asked", async () => {
  await using f = await startDynamo();
  await withTable(f);
  await f.client.send(new PutItemCommand({ TableName: "items", Item: { ...KEY, v: { N: "1" } } }));
  const e = await rejection(f.client.send(
    new PutItemCommand({
      TableName: "items",
      Item: { ...KEY, v: { N: "2" } },
      ConditionExpression: "attribute_not_exists(pk)",
      ReturnValuesOnConditionCheckFailure: "ALL_OLD",
    }),
  ));
  assert.ok(e instanceof ConditionalCheckFailedException);
  assert.equal(e.message, "The conditional request failed");
  assert.deepEqual(e.Item, { ...KEY, v: { N: "1" } });
  const plain = await rejection(f.client.send(
    new PutItemCommand({
      TableName: "items",
      Item: { ...KEY, v: { N: "2" } },
      ConditionExpression: "v = :one AND #v > :two",
      ExpressionAttributeNames: { "#v": "v" },
      ExpressionAttributeValues: { ":one": { N: "1" }, ":two": { N: "5" } },
    }),
  )) as ConditionalCheckFailedException;
  assert.equal(plain.name, "ConditionalCheckFailedException");
  assert.equal(plain.Item, undefined);
  const old = await f.client.send(
    new PutItemCommand({
      TableName: "items",
      Item: { ...KEY, v: { N: "3" } },
      ConditionExpression: "v = :one",
      ExpressionAttributeValues: { ":one": { N: "1" } },
      ReturnValues: "ALL_OLD",
    }),
  );
  assert.deepEqual(old.Attributes, { ...KEY, v: { N: "1" } });
});

Deno.test("a bad ConditionExpression is a ValidationException with the parser's message", async () => {
  await using f = await startDynamo();
  await withTable(f);
  const syntax = await rejection(f.client.send(
    new PutItemCommand({ TableName: "items", Item: KEY, ConditionExpression: "a = = b" }),
  ));
  assert.equal(syntax.name, "ValidationException");
  assert.equal(
    syntax.message,
    'Invalid ConditionExpression: Syntax error; token: "=", near: "= = b"',
  );
  const unused = await rejection(f.client.send(
    new PutItemCommand({
      TableName: "items",
      Item: KEY,
      ConditionExpression: "attribute_exists(pk)",
      ExpressionAttributeValues: { ":x": { S: "1" } },
    }),
  ));
  assert.equal(
    unused.message,
    "Value provided in ExpressionAttributeValues unused in expressions: keys: {:x}",
  );
  const bare = await rejection(f.client.send(
    new PutItemCommand({ TableName: "items", Item: KEY, ExpressionAttributeNames: { "#a": "a" } }),
  ));
  assert.equal(
    bare.message,
    "ExpressionAttributeNames can only be specified when using expressions",
  );
  const put = await rejection(f.client.send(
    new PutItemCommand({ TableName: "items", Item: KEY, ReturnValues: "ALL_NEW" }),
  ));
  assert.equal(put.message, "ReturnValues can only be ALL_OLD or NONE");
});

Deno.test("UpdateItem() applies SET/REMOVE/ADD/DELETE and returns each ReturnValues view", async () => {
  await using f = await startDynamo();
  await withTable(f);
  const created = await f.client.send(
    new UpdateItemCommand({
      TableName: "items",
      Key: KEY,
      UpdateExpression:
        "SET a = :a, #l = list_append(if_not_exists(#l, :empty), :l) ADD c :one, s :s",
      ExpressionAttributeNames: { "#l": "list" },
      ExpressionAttributeValues: {
        ":a": { S: "x" },
        ":empty": { L: [] },
        ":l": { L: [{ N: "1" }] },
        ":one": { N: "1" },
        ":s": { SS: ["p", "q"] },
      },
      ReturnValues: "ALL_NEW",
    }),
  );
  assert.deepEqual(created.Attributes, {
    ...KEY,
    a: { S: "x" },
    list: { L: [{ N: "1" }] },
    c: { N: "1" },
    s: { SS: ["p", "q"] },
  });
  const updatedOld = await f.client.send(
    new UpdateItemCommand({
      TableName: "items",
      Key: KEY,
      UpdateExpression: "SET c = c + :five REMOVE a DELETE s :p",
      ExpressionAttributeValues: { ":five": { N: "5" }, ":p": { SS: ["p"] } },
      ReturnValues: "UPDATED_OLD",
    }),
  );
  assert.deepEqual(updatedOld.Attributes, { c: { N: "1" }, a: { S: "x" }, s: { SS: ["p", "q"] } });
  const updatedNew = await f.client.send(
    new UpdateItemCommand({
      TableName: "items",
      Key: KEY,
      UpdateExpression: "SET c = c - :two",
      ExpressionAttributeValues: { ":two": { N: "2.5" } },
      ReturnValues: "UPDATED_NEW",
    }),
  );
  assert.deepEqual(updatedNew.Attributes, { c: { N: "3.5" } });
  const allOld = await f.client.send(
    new UpdateItemCommand({
      TableName: "items",
      Key: KEY,
      UpdateExpression: "REMOVE #l[0]",
      ExpressionAttributeNames: { "#l": "list" },
      ReturnValues: "ALL_OLD",
    }),
  );
  assert.deepEqual(allOld.Attributes?.list, { L: [{ N: "1" }] });
  const now = (await f.client.send(new GetItemCommand({ TableName: "items", Key: KEY }))).Item;
  assert.deepEqual(now, { ...KEY, list: { L: [] }, c: { N: "3.5" }, s: { SS: ["q"] } });
});

Deno.test("UpdateItem() refuses key attributes and failed conditions", async () => {
  await using f = await startDynamo();
  await withTable(f);
  const key = await rejection(f.client.send(
    new UpdateItemCommand({
      TableName: "items",
      Key: KEY,
      UpdateExpression: "SET pk = :v",
      ExpressionAttributeValues: { ":v": { S: "z" } },
    }),
  ));
  assert.equal(
    key.message,
    "One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key",
  );
  const cond = await rejection(f.client.send(
    new UpdateItemCommand({
      TableName: "items",
      Key: KEY,
      UpdateExpression: "SET v = :v",
      ConditionExpression: "attribute_exists(pk)",
      ExpressionAttributeValues: { ":v": { S: "z" } },
    }),
  ));
  assert.equal(cond.name, "ConditionalCheckFailedException");
  assert.equal(
    (await f.client.send(new GetItemCommand({ TableName: "items", Key: KEY }))).Item,
    undefined,
  );
});

Deno.test("DeleteItem() with a condition and ALL_OLD", async () => {
  await using f = await startDynamo();
  await withTable(f);
  await f.client.send(new PutItemCommand({ TableName: "items", Item: { ...KEY, v: { S: "a" } } }));
  const e = await rejection(f.client.send(
    new DeleteItemCommand({
      TableName: "items",
      Key: KEY,
      ConditionExpression: "v = :b",
      ExpressionAttributeValues: { ":b": { S: "b" } },
    }),
  ));
  assert.equal(e.name, "ConditionalCheckFailedException");
  const d = await f.client.send(
    new DeleteItemCommand({
      TableName: "items",
      Key: KEY,
      ConditionExpression: "v = :a",
      ExpressionAttributeValues: { ":a": { S: "a" } },
      ReturnValues: "ALL_OLD",
    }),
  );
  assert.deepEqual(d.Attributes, { ...KEY, v: { S: "a" } });
  const again = await f.client.send(
    new DeleteItemCommand({ TableName: "items", Key: KEY, ReturnValues: "ALL_OLD" }),
  );
  assert.equal(again.Attributes, undefined);
});

Deno.test("GetItem() ProjectionExpression keeps nested paths", async () => {
  await using f = await startDynamo();
  await withTable(f);
  await f.client.send(
    new PutItemCommand({
      TableName: "items",
      Item: {
        ...KEY,
        a: {
          M: { b: { L: [{ S: "0" }, { S: "1" }, { M: { c: { S: "yes" }, d: { S: "no" } } }] } },
        },
        other: { S: "drop" },
      },
    }),
  );
  const got = await f.client.send(
    new GetItemCommand({
      TableName: "items",
      Key: KEY,
      ProjectionExpression: "a.b[2].c, #p",
      ExpressionAttributeNames: { "#p": "pk" },
    }),
  );
  assert.deepEqual(got.Item, {
    pk: { S: "p" },
    a: { M: { b: { L: [{ M: { c: { S: "yes" } } }] } } },
  });
});

Deno.test("ReturnConsumedCapacity and ReturnItemCollectionMetrics are computed", async () => {
  await using f = await startDynamo();
  await withTable(f);
  const put = await f.client.send(
    new PutItemCommand({
      TableName: "items",
      Item: { ...KEY, v: { S: "x".repeat(3000) } },
      ReturnConsumedCapacity: "TOTAL",
    }),
  );
  assert.deepEqual(put.ConsumedCapacity, { TableName: "items", CapacityUnits: 3 });
  const get = await f.client.send(
    new GetItemCommand({
      TableName: "items",
      Key: KEY,
      ReturnConsumedCapacity: "INDEXES",
    }),
  );
  assert.deepEqual(get.ConsumedCapacity, {
    TableName: "items",
    CapacityUnits: 0.5,
    Table: { CapacityUnits: 0.5 },
  });
  const strong = await f.client.send(
    new GetItemCommand({
      TableName: "items",
      Key: KEY,
      ConsistentRead: true,
      ReturnConsumedCapacity: "TOTAL",
    }),
  );
  assert.equal(strong.ConsumedCapacity?.CapacityUnits, 1);
  const arn = "arn:aws:dynamodb:us-east-1:000000000000:table/items";
  const byArn = await f.client.send(
    new GetItemCommand({
      TableName: arn,
      Key: KEY,
      ReturnConsumedCapacity: "TOTAL",
    }),
  );
  assert.equal(byArn.ConsumedCapacity?.TableName, arn);
  await f.client.send(
    new CreateTableCommand({
      TableName: "lsi",
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }, {
        AttributeName: "sk",
        KeyType: "RANGE",
      }],
      AttributeDefinitions: [
        { AttributeName: "pk", AttributeType: "S" },
        { AttributeName: "sk", AttributeType: "N" },
        { AttributeName: "x", AttributeType: "S" },
      ],
      LocalSecondaryIndexes: [{
        IndexName: "by-x",
        KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }, {
          AttributeName: "x",
          KeyType: "RANGE",
        }],
        Projection: { ProjectionType: "ALL" },
      }],
      BillingMode: "PAY_PER_REQUEST",
    }),
  );
  const metrics = await f.client.send(
    new PutItemCommand({
      TableName: "lsi",
      Item: KEY,
      ReturnItemCollectionMetrics: "SIZE",
    }),
  );
  assert.deepEqual(metrics.ItemCollectionMetrics, {
    ItemCollectionKey: { pk: { S: "p" } },
    SizeEstimateRangeGB: [0, 1],
  });
});

Deno.test("legacy Expected, AttributeUpdates and AttributesToGet still work", async () => {
  await using f = await startDynamo();
  await withTable(f);
  await f.client.send(
    new UpdateItemCommand({
      TableName: "items",
      Key: KEY,
      AttributeUpdates: {
        n: { Action: "ADD", Value: { N: "2" } },
        s: { Action: "PUT", Value: { S: "v" } },
      },
      Expected: { pk: { Exists: false } },
    }),
  );
  const e = await rejection(f.client.send(
    new PutItemCommand({
      TableName: "items",
      Item: KEY,
      Expected: { n: { ComparisonOperator: "GT", AttributeValueList: [{ N: "5" }] } },
    }),
  ));
  assert.equal(e.name, "ConditionalCheckFailedException");
  await f.client.send(
    new UpdateItemCommand({
      TableName: "items",
      Key: KEY,
      AttributeUpdates: { s: { Action: "DELETE" } },
      Expected: {
        n: { ComparisonOperator: "BETWEEN", AttributeValueList: [{ N: "1" }, { N: "3" }] },
        s: { Value: { S: "v" } },
      },
    }),
  );
  const got = await f.client.send(
    new GetItemCommand({ TableName: "items", Key: KEY, AttributesToGet: ["n", "s"] }),
  );
  assert.deepEqual(got.Item, { n: { N: "2" } });
  const mixed = await rejection(f.client.send(
    new PutItemCommand({
      TableName: "items",
      Item: KEY,
      Expected: { n: { Exists: false } },
      ConditionExpression: "attribute_exists(pk)",
    }),
  ));
  assert.equal(
    mixed.message,
    "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {Expected} Expression parameters: {ConditionExpression}",
  );
});

Deno.test("an attribute named __proto__ is an ordinary attribute", async () => {
  await using f = await startDynamo();
  await withTable(f);
  const body = '{"TableName":"items","Item":{"pk":{"S":"p"},"sk":{"N":"1"},' +
    '"__proto__":{"M":{"__proto__":{"S":"x"}}}}}';
  assert.equal((await f.raw("PutItem", body)).status, 200);
  const got = await f.raw("GetItem", { TableName: "items", Key: KEY });
  const item = got.body.Item as Record<string, unknown>;
  assert.ok(Object.hasOwn(item, "__proto__"));
  assert.equal(
    JSON.stringify(item),
    '{"pk":{"S":"p"},"sk":{"N":"1"},"__proto__":{"M":{"__proto__":{"S":"x"}}}}',
  );
});

Deno.test("partition keys up to 2048 bytes and sort keys up to 1024 bytes are addressable", async () => {
  await using f = await startDynamo();
  await createTable(f, "bkeys", { h: "S", r: "B" });
  const long = "h".repeat(2048);
  const range = new Uint8Array(1024).fill(7);
  for (const h of [long, "h".repeat(2047), "short"]) {
    await f.client.send(
      new PutItemCommand({
        TableName: "bkeys",
        Item: { h: { S: h }, r: { B: range }, v: { S: h.slice(0, 5) + h.length } },
      }),
    );
  }
  for (const h of [long, "h".repeat(2047), "short"]) {
    const got = await f.client.send(
      new GetItemCommand({ TableName: "bkeys", Key: { h: { S: h }, r: { B: range } } }),
    );
    assert.equal(got.Item?.v.S, h.slice(0, 5) + h.length);
  }
  const tooLong = await rejection(f.client.send(
    new PutItemCommand({ TableName: "bkeys", Item: { h: { S: long + "h" }, r: { B: range } } }),
  ));
  assert.equal(
    tooLong.message,
    "One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes",
  );
  const rangeTooLong = await rejection(f.client.send(
    new PutItemCommand({
      TableName: "bkeys",
      Item: { h: { S: "x" }, r: { B: new Uint8Array(1025) } },
    }),
  ));
  assert.equal(
    rangeTooLong.message,
    "One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size limit of 1024 bytes",
  );
});

Deno.test("concurrent conditional puts: exactly one attribute_not_exists put wins", async () => {
  await using f = await startDynamo();
  await withTable(f);
  const attempts = Array.from({ length: 40 }, (_, i) =>
    f.client.send(
      new PutItemCommand({
        TableName: "items",
        Item: { ...KEY, owner: { N: String(i) } },
        ConditionExpression: "attribute_not_exists(pk)",
      }),
    ).then(() => "ok", (e: Error) => e.name));
  const outcomes = await Promise.all(attempts);
  assert.equal(outcomes.filter((o) => o === "ok").length, 1);
  assert.equal(outcomes.filter((o) => o === "ConditionalCheckFailedException").length, 39);
  const counters = Array.from({ length: 40 }, () =>
    f.client.send(
      new UpdateItemCommand({
        TableName: "items",
        Key: KEY,
        UpdateExpression: "ADD hits :one",
        ExpressionAttributeValues: { ":one": { N: "1" } },
      }),
    ));
  await Promise.all(counters);
  const got = (await f.client.send(new GetItemCommand({ TableName: "items", Key: KEY }))).Item;
  assert.equal(got?.hits.N, "40");
});

Deno.test("hostile bodies get clean errors: deep nesting, huge arrays, wrong shapes", async () => {
  await using f = await startDynamo();
  await withTable(f);
  const deep = "[".repeat(100_000) + "]".repeat(100_000);
  const r1 = await f.raw("PutItem", deep);
  assert.equal(r1.body.__type, "com.amazon.coral.service#SerializationException");
  let nested = '{"S":"x"}';
  for (let i = 0; i < 40; i++) nested = `{"L":[${nested}]}`;
  const r2 = await f.raw(
    "PutItem",
    `{"TableName":"items","Item":{"pk":{"S":"p"},"sk":{"N":"1"},"x":${nested}}}`,
  );
  assert.equal(r2.status, 400);
  assert.equal(r2.body.message, "Nesting Levels have exceeded supported limits");
  const r3 = await f.raw("PutItem", { TableName: "items", Item: [] });
  assert.equal(r3.status, 400);
  const r4 = await f.raw("GetItem", { TableName: "items", Key: null });
  assert.equal(
    r4.body.message,
    "1 validation error detected: Value null at 'key' failed to satisfy constraint: Member must not be null",
  );
  const r5 = await f.raw("UpdateItem", {
    TableName: "items",
    Key: KEY,
    UpdateExpression: "SET a = " + "(".repeat(5000) + ":v" + ")".repeat(5000),
    ExpressionAttributeValues: { ":v": { S: "x" } },
  });
  assert.equal(r5.status, 400);
  assert.equal(r5.body.__type, "com.amazon.coral.validate#ValidationException");
});

Deno.test("GetItem and Query replies stay whole when hundreds are in flight at once (replies share buffers)", async () => {
  await using f = await startDynamo();
  await createTable(f, "many", { pk: "S", sk: "S" });
  const n = 400;
  // 1 KiB payloads: the replies fill several of the shared blocks replies are written into.
  const payload = (i: number) => `${i}:`.padEnd(1024, String.fromCharCode(97 + (i % 26)));
  for (let i = 0; i < n; i += 25) {
    await f.client.send(
      new BatchWriteItemCommand({
        RequestItems: {
          many: Array.from({ length: 25 }, (_, j) => ({
            PutRequest: {
              Item: {
                pk: { S: `p${(i + j) % 40}` },
                sk: { S: `s${i + j}` },
                v: { S: payload(i + j) },
              },
            },
          })),
        },
      }),
    );
  }
  const gets = await Promise.all(Array.from({ length: n }, (_, i) =>
    f.client.send(
      new GetItemCommand({
        TableName: "many",
        Key: { pk: { S: `p${i % 40}` }, sk: { S: `s${i}` } },
      }),
    )));
  gets.forEach((got, i) => assert.equal(got.Item?.v?.S, payload(i)));
  const queries = await Promise.all(Array.from({ length: 40 }, (_, p) =>
    f.client.send(
      new QueryCommand({
        TableName: "many",
        KeyConditionExpression: "pk = :p",
        ExpressionAttributeValues: { ":p": { S: `p${p}` } },
      }),
    )));
  queries.forEach((got, p) => {
    assert.equal(got.Count, n / 40);
    for (const item of got.Items!) {
      assert.equal(item.v.S, payload(Number(item.sk.S!.slice(1))));
      assert.equal(Number(item.sk.S!.slice(1)) % 40, p);
    }
  });
});

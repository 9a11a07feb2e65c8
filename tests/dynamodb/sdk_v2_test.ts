/**
 * The AWS SDK for JavaScript v2 (`aws-sdk`) against basekv: its own signing, its `x-amz-crc32`
 * check on every successful reply, its error parsing (`__type`, `message`/`Message`, raw body
 * members as non-enumerable properties), its retry classification and clock-skew correction, and
 * the DocumentClient's marshalling (sets, binary, empty values, wrapped 38-digit numbers).
 * @module
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import AWS from "aws-sdk";
import { startDynamo } from "./client.ts";
import { testConfig } from "../helpers/server.ts";

type DynamoDB = InstanceType<typeof AWS.DynamoDB>;
type DocumentClient = InstanceType<typeof AWS.DynamoDB.DocumentClient>;

/** What v2 puts on a failed request: `code`, `statusCode`, `retryable` and the raw body. */
type V2Error = Error & {
  code: string;
  statusCode?: number;
  retryable?: boolean;
  requestId?: string;
  [member: string]: unknown;
};

/** v2's own CRC-32, the one its DynamoDB client checks replies with (untyped in its .d.ts). */
const v2Crc32 = (AWS as unknown as { util: { crypto: { crc32(b: Buffer): number } } }).util
  .crypto.crc32;

/*
 * Deno 2.9.6's node:http stalls a response read the streams2 way v2 reads it ('readable' + one
 * read() per event) once it passes 64 KiB, whatever the server (a Python http.server stalls it
 * too); v2's legacy 'data' path reads the same bytes, so the 1 MB page goes through it.
 */
(AWS as unknown as { HttpClient: { streamsApiVersion: number } }).HttpClient.streamsApiVersion = 1;

const AKID = "AKIDV2";
const SECRET = "v2secret";

/** A v2 low-level client for basekv on `port`; `extra` overrides the options. */
function v2(port: number, extra: Record<string, unknown> = {}): DynamoDB {
  return new AWS.DynamoDB({
    endpoint: `http://127.0.0.1:${port}`,
    region: "us-east-1",
    credentials: { accessKeyId: AKID, secretAccessKey: SECRET },
    maxRetries: 0,
    ...extra,
  });
}

/** The error a v2 request's promise rejects with (fails when it resolves). */
async function v2Error(p: Promise<unknown>): Promise<V2Error> {
  try {
    await p;
  } catch (error) {
    return error as V2Error;
  }
  throw new Error("expected the request to fail");
}

/** The fields of a v2 error that callers branch on. */
function summary(e: V2Error): Record<string, unknown> {
  return { code: e.code, message: e.message, statusCode: e.statusCode, retryable: e.retryable };
}

/** A table keyed `pk` (S) + `sk` (N), created through v2 and waited for with its waiter. */
async function createPkSk(db: DynamoDB, name: string): Promise<void> {
  await db.createTable({
    TableName: name,
    KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }, {
      AttributeName: "sk",
      KeyType: "RANGE",
    }],
    AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }, {
      AttributeName: "sk",
      AttributeType: "N",
    }],
    BillingMode: "PAY_PER_REQUEST",
  }).promise();
  await db.waitFor("tableExists", { TableName: name, $waiter: { delay: 1, maxAttempts: 20 } })
    .promise();
}

/** A server that verifies signatures against the v2 client's key. */
async function startVerifying() {
  const file = await Deno.makeTempFile({ suffix: ".credentials" });
  await Deno.writeTextFile(file, `${AKID} ${SECRET}\n`);
  const base = testConfig().serviceFlags;
  const f = await startDynamo({ serviceFlags: { ...base, "aws-credentials": file } });
  return {
    f,
    async [Symbol.asyncDispose]() {
      await f[Symbol.asyncDispose]();
      await Deno.remove(file);
    },
  };
}

Deno.test("SDK v2: signed table lifecycle, waiters, bad secrets and clock-skew correction", async () => {
  await using s = await startVerifying();
  const db = v2(s.f.port);
  await createPkSk(db, "v2tables");
  const described = (await db.describeTable({ TableName: "v2tables" }).promise()).Table!;
  assert.equal(described.TableName, "v2tables");
  assert.equal(described.TableStatus, "ACTIVE");
  assert.equal(described.ItemCount, 0);
  assert.equal(described.TableArn, "arn:aws:dynamodb:us-east-1:000000000000:table/v2tables");
  assert.deepEqual(described.KeySchema, [
    { AttributeName: "pk", KeyType: "HASH" },
    { AttributeName: "sk", KeyType: "RANGE" },
  ]);
  assert.deepEqual(described.BillingModeSummary?.BillingMode, "PAY_PER_REQUEST");
  // v2 parses timestamps into Dates.
  assert.ok(described.CreationDateTime instanceof Date);
  assert.ok(Math.abs(described.CreationDateTime.getTime() - Date.now()) < 10 * 60_000);
  assert.deepEqual((await db.listTables({}).promise()).TableNames, ["v2tables"]);

  // Callback style, and what v2 signs (x-amz-content-sha256, no content-type) verifies.
  const listed = await new Promise<string[] | undefined>((resolve, reject) => {
    db.listTables({ Limit: 5 }, (err, data) => err ? reject(err) : resolve(data.TableNames));
  });
  assert.deepEqual(listed, ["v2tables"]);

  const wrong = await v2Error(
    v2(s.f.port, { credentials: { accessKeyId: AKID, secretAccessKey: "nope" } })
      .listTables({}).promise(),
  );
  assert.deepEqual(summary(wrong), {
    code: "InvalidSignatureException",
    message: "The request signature we calculated does not match the signature you provided. " +
      "Check your AWS Secret Access Key and signing method. " +
      "Consult the service documentation for details.",
    statusCode: 400,
    retryable: false,
  });
  const unknown = await v2Error(
    v2(s.f.port, { credentials: { accessKeyId: "AKIDNOPE", secretAccessKey: SECRET } })
      .listTables({}).promise(),
  );
  assert.deepEqual(summary(unknown), {
    code: "UnrecognizedClientException",
    message: "The security token included in the request is invalid.",
    statusCode: 400,
    retryable: false,
  });

  // A clock 20 minutes slow: v2 marks "Signature ... expired" retryable, and with
  // correctClockSkew it takes the offset from the reply's Date header and succeeds on retry.
  const slow = { systemClockOffset: -20 * 60_000, correctClockSkew: false };
  const expired = await v2Error(v2(s.f.port, slow).listTables({}).promise());
  assert.equal(expired.code, "InvalidSignatureException");
  assert.match(expired.message, /^Signature expired: \d{8}T\d{6}Z is now earlier than /);
  assert.equal(expired.statusCode, 400);
  assert.equal(expired.retryable, true);
  const corrected = v2(s.f.port, { ...slow, correctClockSkew: true, maxRetries: 1 });
  assert.deepEqual((await corrected.listTables({}).promise()).TableNames, ["v2tables"]);
  assert.ok(Math.abs(corrected.config.systemClockOffset!) < 5 * 60_000);

  await db.deleteTable({ TableName: "v2tables" }).promise();
  await db.waitFor("tableNotExists", {
    TableName: "v2tables",
    $waiter: { delay: 1, maxAttempts: 20 },
  }).promise();
  const gone = await v2Error(db.describeTable({ TableName: "v2tables" }).promise());
  assert.deepEqual(summary(gone), {
    code: "ResourceNotFoundException",
    message: "Requested resource not found: Table: v2tables not found",
    statusCode: 400,
    retryable: false,
  });
});

Deno.test("SDK v2 DocumentClient: writes with conditions and ReturnValues", async () => {
  await using f = await startDynamo();
  const db = v2(f.port);
  await createPkSk(db, "v2items");
  const doc: DocumentClient = new AWS.DynamoDB.DocumentClient({ service: db });
  const T = "v2items";

  const first = await doc.put({
    TableName: T,
    Item: { pk: "u", sk: 1, name: "Ada", age: 36, tags: ["x", 1, null, true], blank: "" },
    ReturnValues: "ALL_OLD",
  }).promise();
  assert.deepEqual(first.Attributes, undefined);
  const replaced = await doc.put({
    TableName: T,
    Item: { pk: "u", sk: 1, name: "Ada", age: 36, tags: ["x", 1, null, true], blank: "" },
    ConditionExpression: "attribute_exists(pk) AND age = :a",
    ExpressionAttributeValues: { ":a": 36 },
    ReturnValues: "ALL_OLD",
  }).promise();
  assert.deepEqual(replaced.Attributes, {
    pk: "u",
    sk: 1,
    name: "Ada",
    age: 36,
    tags: ["x", 1, null, true],
    blank: "",
  });

  const updated = await doc.update({
    TableName: T,
    Key: { pk: "u", sk: 1 },
    UpdateExpression: "SET age = age + :one, #n = :n REMOVE blank",
    ConditionExpression: "#n = :old",
    ExpressionAttributeNames: { "#n": "name" },
    ExpressionAttributeValues: { ":one": 1, ":n": "Grace", ":old": "Ada" },
    ReturnValues: "UPDATED_NEW",
  }).promise();
  assert.deepEqual(updated.Attributes, { age: 37, name: "Grace" });
  const old = await doc.update({
    TableName: T,
    Key: { pk: "u", sk: 1 },
    UpdateExpression: "ADD visits :one",
    ExpressionAttributeValues: { ":one": 1 },
    ReturnValues: "UPDATED_OLD",
  }).promise();
  assert.deepEqual(old.Attributes, undefined);

  // The condition failure carries the old item, raw (v2 does not unmarshal error members,
  // not even for the DocumentClient), as a non-enumerable property.
  const failed = await v2Error(
    doc.put({
      TableName: T,
      Item: { pk: "u", sk: 1 },
      ConditionExpression: "attribute_not_exists(pk)",
      ReturnValuesOnConditionCheckFailure: "ALL_OLD",
    }).promise(),
  );
  assert.deepEqual(summary(failed), {
    code: "ConditionalCheckFailedException",
    message: "The conditional request failed",
    statusCode: 400,
    retryable: false,
  });
  assert.deepEqual(failed.Item, {
    pk: { S: "u" },
    sk: { N: "1" },
    name: { S: "Grace" },
    age: { N: "37" },
    tags: { L: [{ S: "x" }, { N: "1" }, { NULL: true }, { BOOL: true }] },
    visits: { N: "1" },
  });
  assert.equal(Object.keys(failed).includes("Item"), false);
  assert.equal(failed["[Item]"], "See error.Item for details.");
  const plain = await v2Error(
    doc.delete({
      TableName: T,
      Key: { pk: "u", sk: 1 },
      ConditionExpression: "age > :a",
      ExpressionAttributeValues: { ":a": 100 },
    }).promise(),
  );
  assert.equal(plain.code, "ConditionalCheckFailedException");
  assert.equal(plain.Item, undefined);

  // Callback style on the DocumentClient.
  const got = await new Promise<Record<string, unknown> | undefined>((resolve, reject) => {
    doc.get({ TableName: T, Key: { pk: "u", sk: 1 }, ProjectionExpression: "age, visits" }, (
      err,
      data,
    ) => err ? reject(err) : resolve(data.Item));
  });
  assert.deepEqual(got, { age: 37, visits: 1 });

  const deleted = await doc.delete({
    TableName: T,
    Key: { pk: "u", sk: 1 },
    ConditionExpression: "visits = :v",
    ExpressionAttributeValues: { ":v": 1 },
    ReturnValues: "ALL_OLD",
  }).promise();
  assert.equal(deleted.Attributes?.name, "Grace");
  assert.deepEqual(await doc.get({ TableName: T, Key: { pk: "u", sk: 1 } }).promise(), {});
});

Deno.test("SDK v2 DocumentClient: sets, binary, empty values and 38-digit numbers", async () => {
  await using f = await startDynamo();
  const db = v2(f.port);
  await createPkSk(db, "v2types");
  const T = "v2types";
  const doc = new AWS.DynamoDB.DocumentClient({ service: db });
  const big = "12345678901234567890123456789012345678";
  const wrapped = AWS.DynamoDB.Converter.output({ N: big }, { wrapNumbers: true });

  await doc.put({
    TableName: T,
    Item: {
      pk: "t",
      sk: 1,
      ss: doc.createSet(["b", "a"]),
      ns: doc.createSet([3, 1, 2]),
      bs: doc.createSet([Buffer.from([1]), Buffer.from([2, 3])]),
      buf: Buffer.from([0, 255, 10]),
      u8: new Uint8Array([7, 8]),
      big: wrapped,
    },
  }).promise();
  const raw = (await db.getItem({ TableName: T, Key: { pk: { S: "t" }, sk: { N: "1" } } })
    .promise()).Item!;
  assert.deepEqual(raw.ss.SS?.slice().sort(), ["a", "b"]);
  assert.deepEqual(raw.ns.NS?.slice().sort(), ["1", "2", "3"]);
  assert.equal(raw.big.N, big);
  // v2 decodes B as Buffers.
  assert.ok(Buffer.isBuffer(raw.buf.B));
  assert.deepEqual([...(raw.buf.B as Buffer)], [0, 255, 10]);
  assert.deepEqual([...(raw.u8.B as Buffer)], [7, 8]);
  assert.deepEqual(
    (raw.bs.BS as Buffer[]).map((b) => [...b]).sort((a, b) => a.length - b.length),
    [[1], [2, 3]],
  );

  const item = (await doc.get({ TableName: T, Key: { pk: "t", sk: 1 } }).promise()).Item!;
  assert.equal(item.ss.wrapperName, "Set");
  assert.equal(item.ss.type, "String");
  assert.deepEqual(item.ss.values.slice().sort(), ["a", "b"]);
  assert.equal(item.ns.type, "Number");
  assert.deepEqual(item.ns.values.slice().sort(), [1, 2, 3]);
  assert.equal(item.bs.type, "Binary");
  // Without wrapNumbers v2 hands out a (rounded) JS number.
  assert.equal(item.big, Number(big));

  const exact = new AWS.DynamoDB.DocumentClient({ service: db, wrapNumbers: true });
  const wrappedItem = (await exact.get({ TableName: T, Key: { pk: "t", sk: 1 } }).promise()).Item!;
  assert.equal(wrappedItem.big.value, big);
  assert.equal(wrappedItem.sk.value, "1");
  assert.deepEqual(wrappedItem.ns.values.map((n: { value: string }) => n.value).sort(), [
    "1",
    "2",
    "3",
  ]);
  // 38-digit arithmetic on the server, read back exactly.
  const plusOne = await exact.update({
    TableName: T,
    Key: { pk: "t", sk: 1 },
    UpdateExpression: "ADD big :one",
    ExpressionAttributeValues: { ":one": 1 },
    ReturnValues: "UPDATED_NEW",
  }).promise();
  assert.equal(plusOne.Attributes?.big.value, "12345678901234567890123456789012345679");
  const nines = "9".repeat(38);
  const overflow = await v2Error(
    db.updateItem({
      TableName: T,
      Key: { pk: { S: "t" }, sk: { N: "1" } },
      UpdateExpression: "SET big = :n + :n",
      ExpressionAttributeValues: { ":n": { N: nines } },
    }).promise(),
  );
  assert.deepEqual(summary(overflow), {
    code: "ValidationException",
    message: "Attempting to store more than 38 significant digits in a Number",
    statusCode: 400,
    retryable: false,
  });
  const huge = await v2Error(
    db.updateItem({
      TableName: T,
      Key: { pk: { S: "t" }, sk: { N: "1" } },
      UpdateExpression: "SET big = :n + :n",
      ExpressionAttributeValues: { ":n": { N: "9E+125" } },
    }).promise(),
  );
  assert.deepEqual(summary(huge), {
    code: "ValidationException",
    message:
      "Number overflow. Attempting to store a number with magnitude larger than supported range",
    statusCode: 400,
    retryable: false,
  });

  // Empty strings are stored as such by default; convertEmptyValues turns empty strings,
  // binaries and sets into NULL before they are sent.
  await doc.put({ TableName: T, Item: { pk: "e", sk: 1, s: "", m: { inner: "" } } }).promise();
  assert.deepEqual(
    (await db.getItem({ TableName: T, Key: { pk: { S: "e" }, sk: { N: "1" } } }).promise()).Item,
    { pk: { S: "e" }, sk: { N: "1" }, s: { S: "" }, m: { M: { inner: { S: "" } } } },
  );
  const nulls = new AWS.DynamoDB.DocumentClient({ service: db, convertEmptyValues: true });
  await nulls.put({
    TableName: T,
    Item: { pk: "n", sk: 1, s: "", b: Buffer.alloc(0), m: { inner: "" }, l: [""] },
  }).promise();
  assert.deepEqual(
    (await db.getItem({ TableName: T, Key: { pk: { S: "n" }, sk: { N: "1" } } }).promise()).Item,
    {
      pk: { S: "n" },
      sk: { N: "1" },
      s: { NULL: true },
      b: { NULL: true },
      m: { M: { inner: { NULL: true } } },
      l: { L: [{ NULL: true }] },
    },
  );
  const emptyKey = await v2Error(doc.put({ TableName: T, Item: { pk: "", sk: 1 } }).promise());
  assert.deepEqual(summary(emptyKey), {
    code: "ValidationException",
    message: "One or more parameter values are not valid. " +
      "The AttributeValue for a key attribute cannot contain an empty string value. Key: pk",
    statusCode: 400,
    retryable: false,
  });
  const emptySet = await v2Error(
    db.putItem({ TableName: T, Item: { pk: { S: "x" }, sk: { N: "1" }, s: { SS: [] } } })
      .promise(),
  );
  assert.deepEqual(summary(emptySet), {
    code: "ValidationException",
    message: "One or more parameter values were invalid: An string set  may not be empty",
    statusCode: 400,
    retryable: false,
  });

  // The Converter round-trips what the low-level client reads.
  const converted = AWS.DynamoDB.Converter.unmarshall(
    (await db.getItem({ TableName: T, Key: { pk: { S: "e" }, sk: { N: "1" } } }).promise())
      .Item!,
  );
  assert.deepEqual(converted, { pk: "e", sk: 1, s: "", m: { inner: "" } });
  await db.putItem({
    TableName: T,
    Item: AWS.DynamoDB.Converter.marshall({ pk: "c", sk: 2, list: [1, "a", { b: false }] }),
  }).promise();
  assert.deepEqual(
    (await doc.get({ TableName: T, Key: { pk: "c", sk: 2 } }).promise()).Item,
    { pk: "c", sk: 2, list: [1, "a", { b: false }] },
  );
});

Deno.test("SDK v2: batches, paginated query and scan loops, eachPage", async () => {
  await using f = await startDynamo();
  const db = v2(f.port);
  await createPkSk(db, "v2pages");
  const T = "v2pages";
  const doc = new AWS.DynamoDB.DocumentClient({ service: db });
  const items = Array.from(
    { length: 30 },
    (_, i) => ({ pk: i < 20 ? "a" : "b", sk: i, v: `v${i}` }),
  );
  for (let i = 0; i < items.length; i += 25) {
    const out = await doc.batchWrite({
      RequestItems: {
        [T]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })),
      },
    }).promise();
    assert.deepEqual(out.UnprocessedItems, {});
  }
  const got = await doc.batchGet({
    RequestItems: {
      [T]: { Keys: [{ pk: "a", sk: 3 }, { pk: "b", sk: 29 }, { pk: "zz", sk: 1 }] },
    },
  }).promise();
  assert.deepEqual(got.UnprocessedKeys, {});
  assert.deepEqual(
    got.Responses?.[T].sort((x, y) => x.sk - y.sk),
    [{ pk: "a", sk: 3, v: "v3" }, { pk: "b", sk: 29, v: "v29" }],
  );
  const tooMany = await v2Error(
    doc.batchGet({
      RequestItems: { [T]: { Keys: Array.from({ length: 101 }, (_, i) => ({ pk: "a", sk: i })) } },
    }).promise(),
  );
  assert.deepEqual(summary(tooMany), {
    code: "ValidationException",
    message: "1 validation error detected: Value at 'requestItems.v2pages.member.keys' failed " +
      "to satisfy constraint: Member must have length less than or equal to 100",
    statusCode: 400,
    retryable: false,
  });

  // Query with Limit + ExclusiveStartKey, descending, until LastEvaluatedKey runs out.
  const seen: number[] = [];
  const keys: unknown[] = [];
  let start: AWS.DynamoDB.DocumentClient.Key | undefined;
  do {
    const page = await doc.query({
      TableName: T,
      KeyConditionExpression: "pk = :p AND sk >= :s",
      ExpressionAttributeValues: { ":p": "a", ":s": 5 },
      ScanIndexForward: false,
      Limit: 4,
      ExclusiveStartKey: start,
    }).promise();
    seen.push(...page.Items!.map((i) => i.sk));
    start = page.LastEvaluatedKey;
    keys.push(start);
  } while (start);
  assert.deepEqual(seen, Array.from({ length: 15 }, (_, i) => 19 - i));
  // 15 items in pages of 4: the fourth page is short and has no LastEvaluatedKey.
  assert.deepEqual(keys, [
    { pk: "a", sk: 16 },
    { pk: "a", sk: 12 },
    { pk: "a", sk: 8 },
    undefined,
  ]);

  // eachPage over a low-level Scan with a filter: Count and ScannedCount per page.
  const pages: Array<{ count: number; scanned: number; last: boolean }> = [];
  const values: string[] = [];
  await new Promise<void>((resolve, reject) => {
    db.scan({
      TableName: T,
      Limit: 7,
      FilterExpression: "begins_with(v, :p)",
      ExpressionAttributeValues: { ":p": { S: "v1" } },
    }).eachPage((err, data) => {
      if (err) {
        reject(err);
        return false;
      }
      if (data === null) {
        resolve();
        return true;
      }
      pages.push({
        count: data.Count!,
        scanned: data.ScannedCount!,
        last: data.LastEvaluatedKey === undefined,
      });
      values.push(...data.Items!.map((i) => i.v.S!));
      return true;
    });
  });
  assert.deepEqual(values.sort(), ["v1", ...Array.from({ length: 10 }, (_, i) => `v1${i}`)].sort());
  assert.deepEqual(pages.map((p) => p.scanned), [7, 7, 7, 7, 2]);
  assert.deepEqual(pages.map((p) => p.last), [false, false, false, false, true]);
  assert.equal(pages.reduce((n, p) => n + p.count, 0), 11);

  // The DocumentClient's Select COUNT query.
  const counted = await doc.query({
    TableName: T,
    KeyConditionExpression: "pk = :p",
    ExpressionAttributeValues: { ":p": "b" },
    Select: "COUNT",
  }).promise();
  assert.deepEqual(counted, { Count: 10, ScannedCount: 10 });
});

Deno.test("SDK v2: transactWrite cancellations expose AWS's raw body members", async () => {
  await using f = await startDynamo();
  const db = v2(f.port);
  await createPkSk(db, "v2tx");
  const T = "v2tx";
  const doc = new AWS.DynamoDB.DocumentClient({ service: db });
  await doc.put({ TableName: T, Item: { pk: "held", sk: 1, n: 5 } }).promise();
  await doc.transactWrite({
    TransactItems: [
      { Put: { TableName: T, Item: { pk: "new", sk: 1 } } },
      {
        Update: {
          TableName: T,
          Key: { pk: "held", sk: 1 },
          UpdateExpression: "SET n = n - :d",
          ConditionExpression: "n >= :d",
          ExpressionAttributeValues: { ":d": 2 },
        },
      },
    ],
  }).promise();
  const tx = await doc.transactGet({
    TransactItems: [{ Get: { TableName: T, Key: { pk: "held", sk: 1 } } }, {
      Get: { TableName: T, Key: { pk: "none", sk: 1 } },
    }],
  }).promise();
  assert.deepEqual(tx.Responses, [{ Item: { pk: "held", sk: 1, n: 3 } }, {}]);

  const err = await v2Error(
    doc.transactWrite({
      TransactItems: [
        { Put: { TableName: T, Item: { pk: "other", sk: 1 } } },
        {
          ConditionCheck: {
            TableName: T,
            Key: { pk: "held", sk: 1 },
            ConditionExpression: "n > :big",
            ExpressionAttributeValues: { ":big": 10 },
            ReturnValuesOnConditionCheckFailure: "ALL_OLD",
          },
        },
      ],
    }).promise(),
  );
  const message = "Transaction cancelled, please refer cancellation reasons for specific " +
    "reasons [None, ConditionalCheckFailed]";
  assert.deepEqual(summary(err), {
    code: "TransactionCanceledException",
    message,
    statusCode: 400,
    retryable: false,
  });
  // AWS's body is {"__type", "CancellationReasons", "Message"} (capital M, the model's member
  // name); v2 copies every body member except code/message onto the error, non-enumerable, and
  // leaves the reasons' items as raw AttributeValues.
  assert.deepEqual(err.CancellationReasons, [
    { Code: "None" },
    {
      Code: "ConditionalCheckFailed",
      Message: "The conditional request failed",
      Item: { pk: { S: "held" }, sk: { N: "1" }, n: { N: "3" } },
    },
  ]);
  assert.equal(err.Message, message);
  assert.equal(err["[CancellationReasons]"], "See error.CancellationReasons for details.");
  assert.equal(err["[Message]"], "See error.Message for details.");
  assert.equal(
    err.__type,
    "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
  );
  assert.deepEqual(
    (await doc.get({ TableName: T, Key: { pk: "other", sk: 1 } }).promise()).Item,
    undefined,
  );

  // A reused ClientRequestToken with other parameters: also a capital-M Message member.
  const token = "v2-token-1";
  await doc.transactWrite({
    ClientRequestToken: token,
    TransactItems: [{ Put: { TableName: T, Item: { pk: "tok", sk: 1 } } }],
  }).promise();
  const mismatch = await v2Error(
    doc.transactWrite({
      ClientRequestToken: token,
      TransactItems: [{ Put: { TableName: T, Item: { pk: "tok", sk: 2 } } }],
    }).promise(),
  );
  const mismatchText =
    "The request uses the same client token as a previous, but non-identical request.";
  assert.deepEqual(summary(mismatch), {
    code: "IdempotentParameterMismatchException",
    message: mismatchText,
    statusCode: 400,
    retryable: false,
  });
  assert.equal(mismatch.Message, mismatchText);
});

Deno.test("SDK v2: error objects for missing tables and invalid requests", async () => {
  await using f = await startDynamo();
  const db = v2(f.port);
  await createPkSk(db, "v2errs");
  const doc = new AWS.DynamoDB.DocumentClient({ service: db });
  const cases: Array<[Promise<unknown>, string, string]> = [
    [
      doc.get({ TableName: "missing", Key: { pk: "a", sk: 1 } }).promise(),
      "ResourceNotFoundException",
      "Requested resource not found",
    ],
    [
      db.describeTable({ TableName: "missing" }).promise(),
      "ResourceNotFoundException",
      "Requested resource not found: Table: missing not found",
    ],
    [
      doc.get({ TableName: "v2errs", Key: { pk: "a" } }).promise(),
      "ValidationException",
      "The provided key element does not match the schema",
    ],
    [
      doc.put({ TableName: "v2errs", Item: { pk: "a", sk: "one" } }).promise(),
      "ValidationException",
      "One or more parameter values were invalid: Type mismatch for key sk expected: N actual: S",
    ],
    [
      doc.update({
        TableName: "v2errs",
        Key: { pk: "a", sk: 1 },
        UpdateExpression: "SET #a = :v",
        ExpressionAttributeValues: { ":v": 1 },
      }).promise(),
      "ValidationException",
      "Invalid UpdateExpression: An expression attribute name used in the document path is not " +
      "defined; attribute name: #a",
    ],
    [
      db.createTable({
        TableName: "t",
        KeySchema: [{ AttributeName: "k", KeyType: "HASH" }],
        AttributeDefinitions: [{ AttributeName: "k", AttributeType: "S" }],
        BillingMode: "PAY_PER_REQUEST",
      }).promise(),
      "ValidationException",
      "1 validation error detected: Value 't' at 'tableName' failed to satisfy constraint: " +
      "Member must have length greater than or equal to 3",
    ],
    [
      db.createTable({
        TableName: "v2errs",
        KeySchema: [{ AttributeName: "k", KeyType: "HASH" }],
        AttributeDefinitions: [{ AttributeName: "k", AttributeType: "S" }],
        BillingMode: "PAY_PER_REQUEST",
      }).promise(),
      "ResourceInUseException",
      "Table already exists: v2errs",
    ],
  ];
  for (const [request, code, message] of cases) {
    const e = await v2Error(request);
    assert.deepEqual(summary(e), { code, message, statusCode: 400, retryable: false });
    assert.equal(typeof e.requestId, "string");
    assert.equal(
      e.__type,
      `${
        code === "ValidationException"
          ? "com.amazon.coral.validate#"
          : "com.amazonaws.dynamodb.v20120810#"
      }${code}`,
    );
  }
  // Callback style gets the same error object.
  const viaCallback = await new Promise<V2Error>((resolve) => {
    db.getItem(
      { TableName: "missing", Key: { pk: { S: "a" }, sk: { N: "1" } } },
      (err) => resolve(err as unknown as V2Error),
    );
  });
  assert.equal(viaCallback.code, "ResourceNotFoundException");
  assert.equal(viaCallback.statusCode, 400);
});

Deno.test("SDK v2: a ~1 MB query page passes v2's CRC32 check, uncompressed", async () => {
  await using f = await startDynamo();
  const db = v2(f.port);
  await createPkSk(db, "v2large");
  const T = "v2large";
  const doc = new AWS.DynamoDB.DocumentClient({ service: db });
  const blob = (i: number) => String.fromCharCode(97 + i).repeat(100_000);
  for (let i = 0; i < 12; i++) {
    await doc.put({ TableName: T, Item: { pk: "big", sk: i, data: blob(i), "é": "ü✓" } }).promise();
  }
  const checks: Array<{ crc: string | undefined; body: number; valid: boolean; enc: unknown }> = [];
  const all: number[] = [];
  let start: AWS.DynamoDB.DocumentClient.Key | undefined;
  do {
    const request = doc.query({
      TableName: T,
      KeyConditionExpression: "pk = :p",
      ExpressionAttributeValues: { ":p": "big" },
      ExclusiveStartKey: start,
    });
    request.on("complete", (resp) => {
      const http = resp.httpResponse;
      checks.push({
        crc: http.headers["x-amz-crc32"],
        body: (http.body as Buffer).length,
        valid: Number(http.headers["x-amz-crc32"]) ===
          v2Crc32(http.body as Buffer),
        enc: http.headers["content-encoding"],
      });
    });
    const page = await request.promise();
    for (const item of page.Items!) {
      assert.equal(item.data, blob(item.sk));
      assert.equal(item["é"], "ü✓");
      all.push(item.sk);
    }
    start = page.LastEvaluatedKey;
  } while (start);
  assert.deepEqual(all, Array.from({ length: 12 }, (_, i) => i));
  // 1.2 MB of items take two pages: the first stops at DynamoDB's 1 MB.
  assert.equal(checks.length, 2);
  assert.ok(checks[0].body > 900_000, `first page is ${checks[0].body} bytes`);
  for (const c of checks) {
    assert.match(String(c.crc), /^\d+$/);
    assert.equal(c.valid, true);
    // v2 on Node asks for no content coding, so nothing comes back compressed.
    assert.equal(c.enc, undefined);
  }
});

Deno.test("SDK v2: listTables eachPage, session tokens and consumed capacity", async () => {
  await using f = await startDynamo();
  // Temporary credentials add a signed x-amz-security-token header.
  const db = v2(f.port, {
    credentials: { accessKeyId: "ASIATEMP", secretAccessKey: "s", sessionToken: "token/+=" },
  });
  for (const name of ["v2c", "v2a", "v2b"]) await createPkSk(db, name);
  const pages: string[][] = [];
  await new Promise<void>((resolve, reject) => {
    db.listTables({ Limit: 2 }).eachPage((err, data) => {
      if (err) reject(err);
      else if (data === null) resolve();
      else pages.push(data.TableNames!);
      return true;
    });
  });
  assert.deepEqual(pages, [["v2a", "v2b"], ["v2c"]]);

  const doc = new AWS.DynamoDB.DocumentClient({ service: db });
  const put = await doc.put({
    TableName: "v2a",
    Item: { pk: "k", sk: 1, s: "x".repeat(1500) },
    ReturnConsumedCapacity: "TOTAL",
  }).promise();
  assert.deepEqual(put.ConsumedCapacity, { TableName: "v2a", CapacityUnits: 2 });
  const got = await doc.get({
    TableName: "v2a",
    Key: { pk: "k", sk: 1 },
    ReturnConsumedCapacity: "TOTAL",
  }).promise();
  assert.deepEqual(got.ConsumedCapacity, { TableName: "v2a", CapacityUnits: 0.5 });
  const strong = await doc.get({
    TableName: "v2a",
    Key: { pk: "k", sk: 1 },
    ConsistentRead: true,
    ReturnConsumedCapacity: "INDEXES",
  }).promise();
  assert.deepEqual(strong.ConsumedCapacity, {
    TableName: "v2a",
    CapacityUnits: 1,
    Table: { CapacityUnits: 1 },
  });
});

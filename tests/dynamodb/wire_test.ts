/**
 * The DynamoDB HTTP layer: health check, routing errors, malformed and oversized bodies,
 * CRC32 and request-id headers, and SigV4 checking when a password is set.
 * @module
 */
import assert from "node:assert/strict";
import { ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { crc32 } from "../../protocols/dynamodb/crc32.ts";
import { createTable, DUMMY_SIGNATURE, rejection, sdkClient, startDynamo } from "./client.ts";

const JSON_HEADERS = { "content-type": "application/x-amz-json-1.0", ...DUMMY_SIGNATURE };

Deno.test("GET / answers DynamoDB's health check", async () => {
  await using f = await startDynamo();
  const res = await fetch(`http://127.0.0.1:${f.port}/`);
  assert.equal(res.status, 200);
  assert.equal(await res.text(), "healthy: dynamodb.us-east-1.amazonaws.com ");
});

Deno.test("unknown or missing X-Amz-Target gives UnknownOperationException", async () => {
  await using f = await startDynamo();
  const r = await f.raw("NoSuchOperation", {});
  assert.equal(r.status, 400);
  assert.deepEqual(r.body, { __type: "com.amazon.coral.service#UnknownOperationException" });
  for (const name of ["constructor", "__proto__", "toString", "hasOwnProperty"]) {
    const r = await f.raw(name, {});
    assert.deepEqual(r.body, { __type: "com.amazon.coral.service#UnknownOperationException" });
  }
  const res = await fetch(`http://127.0.0.1:${f.port}/`, {
    method: "POST",
    headers: { "content-type": "application/x-amz-json-1.0" },
    body: "{}",
  });
  assert.equal(res.status, 400, "the target is checked before the signature");
  assert.equal((await res.json()).__type, "com.amazon.coral.service#UnknownOperationException");
});

Deno.test("malformed JSON and non-object bodies give SerializationException", async () => {
  await using f = await startDynamo();
  for (const body of ["{bad", "null", "[1]", "42", ""]) {
    const r = await f.raw("ListTables", body);
    assert.equal(r.status, 400, body);
    assert.equal(r.body.__type, "com.amazon.coral.service#SerializationException", body);
  }
  const wrongType = await f.raw("DescribeTable", { TableName: 5 });
  assert.equal(wrongType.body.__type, "com.amazon.coral.service#SerializationException");
  assert.equal(wrongType.body.message, "NUMBER_VALUE cannot be converted to String");
  await f.raw("CreateTable", {
    TableName: "ser",
    KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
    AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
    BillingMode: "PAY_PER_REQUEST",
  });
  const badValue = await f.raw("PutItem", { TableName: "ser", Item: { pk: { S: 5 } } });
  assert.equal(badValue.body.__type, "com.amazon.coral.service#SerializationException");
  assert.equal(badValue.body.message, "VALUE_NUMBER_INT can not be converted to a String");
});

Deno.test("a body over 16 MiB is refused cleanly and the server keeps serving", async () => {
  await using f = await startDynamo();
  const big = new Uint8Array(16 * 1024 * 1024 + 10).fill(0x20);
  const res = await fetch(`http://127.0.0.1:${f.port}/`, {
    method: "POST",
    headers: { "x-amz-target": "DynamoDB_20120810.ListTables" },
    body: big,
  });
  assert.equal(res.status, 413);
  assert.equal((await res.json()).message, "Request size exceeded 16777216 bytes");
  assert.deepEqual((await f.raw("ListTables", {})).body, { TableNames: [] });
});

Deno.test("gzip-compressed request bodies are accepted; broken gzip is a SerializationException", async () => {
  await using f = await startDynamo();
  const gz = await new Response(
    new Blob(['{"Limit": 5}']).stream().pipeThrough(new CompressionStream("gzip")),
  ).arrayBuffer();
  const headers = {
    ...JSON_HEADERS,
    "x-amz-target": "DynamoDB_20120810.ListTables",
    "content-encoding": "gzip",
  };
  const ok = await fetch(`http://127.0.0.1:${f.port}/`, { method: "POST", headers, body: gz });
  assert.deepEqual(await ok.json(), { TableNames: [] });
  const bad = await fetch(`http://127.0.0.1:${f.port}/`, { method: "POST", headers, body: "nope" });
  assert.equal(bad.status, 400);
  assert.equal((await bad.json()).__type, "com.amazon.coral.service#SerializationException");
});

Deno.test("replies carry x-amz-crc32 of the body and a 52-character request id", async () => {
  await using f = await startDynamo();
  const res = await fetch(`http://127.0.0.1:${f.port}/`, {
    method: "POST",
    headers: {
      ...JSON_HEADERS,
      "x-amz-target": "DynamoDB_20120810.ListTables",
      "accept-encoding": "identity",
    },
    body: "{}",
  });
  const bytes = new Uint8Array(await res.arrayBuffer());
  assert.equal(res.headers.get("x-amz-crc32"), String(crc32(bytes)));
  assert.match(res.headers.get("x-amzn-requestid") ?? "", /^[A-Z0-9]{52}$/);
  assert.equal(res.headers.get("content-type"), "application/x-amz-json-1.0");
  // Replies spliced from stored items: a GetItem, and a Query read then answered from its kept
  // reply (whose checksum is kept with it) and read again after the partition changed.
  await createTable(f, "crc", { pk: "S", sk: "S" });
  const put = (sk: string) =>
    f.raw("PutItem", { TableName: "crc", Item: { pk: { S: "p" }, sk: { S: sk } } });
  const checked = async (op: string, body: unknown): Promise<string> => {
    const res = await fetch(`http://127.0.0.1:${f.port}/`, {
      method: "POST",
      headers: { ...JSON_HEADERS, "x-amz-target": `DynamoDB_20120810.${op}` },
      body: JSON.stringify(body),
    });
    const bytes = new Uint8Array(await res.arrayBuffer());
    assert.equal(res.status, 200, op);
    assert.equal(res.headers.get("x-amz-crc32"), String(crc32(bytes)), op);
    return new TextDecoder().decode(bytes);
  };
  await put("a");
  await checked("GetItem", { TableName: "crc", Key: { pk: { S: "p" }, sk: { S: "a" } } });
  const query = {
    TableName: "crc",
    KeyConditionExpression: "pk = :p",
    ExpressionAttributeValues: { ":p": { S: "p" } },
  };
  const first = await checked("Query", query);
  assert.equal(await checked("Query", query), first);
  await put("b");
  assert.match(await checked("Query", query), /"Count":2/);
  assert.match(await checked("Query", query), /"Count":2/);
});

Deno.test("with --password, SigV4 must be signed with it", async () => {
  await using f = await startDynamo({ password: "s3cret" });
  const good = sdkClient(f.port, "s3cret");
  const bad = sdkClient(f.port, "wrong");
  try {
    assert.deepEqual((await good.send(new ListTablesCommand({}))).TableNames, []);
    const e = await rejection(bad.send(new ListTablesCommand({})));
    assert.equal(e.name, "InvalidSignatureException");
    assert.match(e.message, /^The request signature we calculated does not match/);
    const unsigned = await f.raw("ListTables", {}, { authorization: "" });
    assert.equal(unsigned.status, 400);
    assert.equal(
      unsigned.body.__type,
      "com.amazon.coral.service#MissingAuthenticationTokenException",
    );
    assert.equal(unsigned.body.message, "Request is missing Authentication Token");
    const garbage = await f.raw("ListTables", {}, { authorization: "Bearer x" });
    assert.equal(
      garbage.body.__type,
      "com.amazon.coral.service#MissingAuthenticationTokenException",
    );
  } finally {
    good.destroy();
    bad.destroy();
  }
});

Deno.test("without a password any signature is accepted", async () => {
  await using f = await startDynamo();
  const other = sdkClient(f.port, "anything-at-all");
  try {
    assert.deepEqual((await other.send(new ListTablesCommand({}))).TableNames, []);
  } finally {
    other.destroy();
  }
});

Deno.test("the credential scope's region names the table's ARN, however the header is spaced", async () => {
  await using f = await startDynamo();
  const scoped = (region: string, spacing: string) => ({
    authorization: `AWS4-HMAC-SHA256${spacing}Credential=AKIDTEST/20260101/${region}/dynamodb/` +
      `aws4_request,${spacing}SignedHeaders=host;x-amz-date,${spacing}Signature=${"0".repeat(64)}`,
  });
  const table = {
    KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
    AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
    BillingMode: "PAY_PER_REQUEST",
  };
  // One space: the SDKs' form; two: the slower path that checks each parameter.
  for (const [region, spacing] of [["eu-west-1", " "], ["ap-south-2", "  "]]) {
    const r = await f.raw(
      "CreateTable",
      { TableName: `t-${region}`, ...table },
      scoped(region, spacing),
    );
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(
      (r.body.TableDescription as { TableArn: string }).TableArn,
      `arn:aws:dynamodb:${region}:000000000000:table/t-${region}`,
    );
  }
});

Deno.test("--rate-limit throttles a client over its rate with ThrottlingException", async () => {
  await using f = await startDynamo({ rateLimit: 5 });
  const statuses: number[] = [];
  let throttled: Record<string, unknown> | null = null;
  for (let i = 0; i < 20; i++) {
    const r = await f.raw("ListTables", {});
    statuses.push(r.status);
    if (r.status !== 200) throttled = r.body;
  }
  assert.ok(statuses.includes(200), "the first requests pass");
  assert.ok(throttled, "a burst of 20 at 5/s is throttled");
  assert.equal(throttled.__type, "com.amazon.coral.service#ThrottlingException");
});

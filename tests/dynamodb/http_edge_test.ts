/**
 * DynamoDB's HTTP edge: unsigned and malformed signatures, other methods and content types,
 * CORS for browser apps, compressed requests and replies.
 * @module
 */
import assert from "node:assert/strict";
import { ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { crc32 } from "../../protocols/dynamodb/crc32.ts";
import { createTable, DUMMY_SIGNATURE, rejection, startDynamo } from "./client.ts";

const CORAL = "com.amazon.coral.service#";
const DATE = DUMMY_SIGNATURE["x-amz-date"];

/** A header set that signs with `authorization` (and the dummy date). */
function signed(authorization: string): Record<string, string> {
  return { authorization, "x-amz-date": DATE };
}

Deno.test("a request without a signature gets MissingAuthenticationTokenException", async () => {
  await using f = await startDynamo();
  f.client.middlewareStack.add((next) => (args) => {
    const request = args.request as { headers: Record<string, string> };
    delete request.headers.authorization;
    return next(args);
  }, { step: "deserialize", name: "dropSignature" });
  const e = await rejection(f.client.send(new ListTablesCommand({})));
  assert.equal(e.name, "MissingAuthenticationTokenException");
  assert.equal(e.message, "Request is missing Authentication Token");
  const raw = await f.raw("ListTables", {}, { authorization: "" });
  assert.deepEqual(raw.body, {
    __type: `${CORAL}MissingAuthenticationTokenException`,
    message: "Request is missing Authentication Token",
  });
  // A query-string signature (a presigned URL) counts as one.
  const res = await fetch(
    `http://127.0.0.1:${f.port}/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=a%2Fb` +
      "&X-Amz-Signature=00",
    {
      method: "POST",
      headers: {
        "content-type": "application/x-amz-json-1.0",
        "x-amz-target": "DynamoDB_20120810.ListTables",
      },
      body: "{}",
    },
  );
  assert.deepEqual(await res.json(), { TableNames: [] });
});

Deno.test("malformed signatures get IncompleteSignature/InvalidSignature with AWS's texts", async () => {
  await using f = await startDynamo();
  const noSignature =
    "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/dynamodb/aws4_request, " +
    "SignedHeaders=host";
  let r = await f.raw("ListTables", {}, signed(noSignature));
  assert.deepEqual(r.body, {
    __type: `${CORAL}IncompleteSignatureException`,
    message: `Authorization header requires 'Signature' parameter. Authorization=${noSignature}`,
  });
  r = await f.raw("ListTables", {}, { authorization: "AWS4-HMAC-SHA256 x", "x-amz-date": "" });
  assert.equal(
    r.body.message,
    "Authorization header requires 'Credential' parameter. " +
      "Authorization header requires 'Signature' parameter. " +
      "Authorization header requires 'SignedHeaders' parameter. " +
      "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. " +
      "Authorization=AWS4-HMAC-SHA256 x",
  );
  const base = (algorithm: string, credential: string) =>
    `${algorithm} Credential=${credential}, SignedHeaders=host, Signature=00`;
  r = await f.raw("ListTables", {}, { ...signed(base("AWS4-HMAC-SHA256", "a/b/c/d")) });
  assert.deepEqual(r.body, {
    __type: `${CORAL}IncompleteSignatureException`,
    message: "Credential must have exactly 5 slash-delimited elements, e.g. " +
      "keyid/date/region/service/term, got 'a/b/c/d'",
  });
  r = await f.raw("ListTables", {}, signed(base("AWS4-HMAC-SHA25", "a/b/c/dynamodb/aws4_request")));
  assert.equal(
    r.body.message,
    "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA25' (only AWS4-HMAC-SHA256 for now). ",
  );
  r = await f.raw("ListTables", {}, {
    ...signed(base("AWS4-HMAC-SHA256", "a/b/c/dynamodb/aws4_request")),
    "x-amz-date": "201",
  });
  assert.deepEqual(r.body, {
    __type: `${CORAL}IncompleteSignatureException`,
    message: "Date must be in ISO-8601 'basic format'. Got '201'. " +
      "See http://en.wikipedia.org/wiki/ISO_8601",
  });
  r = await f.raw("ListTables", {}, signed(base("AWS4-HMAC-SHA256", "a/b/c/s3/x")));
  assert.deepEqual(r.body, {
    __type: `${CORAL}InvalidSignatureException`,
    message: "Credential should be scoped to correct service: 'dynamodb'. " +
      "Credential should be scoped with a valid terminator: 'aws4_request', not 'x'.",
  });
  // Through the SDK, the same replies are its exception classes.
  f.client.middlewareStack.add((next) => (args) => {
    const request = args.request as { headers: Record<string, string> };
    request.headers.authorization = noSignature;
    return next(args);
  }, { step: "deserialize", name: "breakSignature" });
  const e = await rejection(f.client.send(new ListTablesCommand({})));
  assert.equal(e.name, "IncompleteSignatureException");
});

Deno.test("wrong JSON member types are SerializationException before any validation", async () => {
  await using f = await startDynamo();
  const list = await f.raw("PutItem", { TableName: "no such table!", Item: [] });
  assert.equal(list.body.__type, `${CORAL}SerializationException`);
  const num = await f.raw("GetItem", { TableName: 1, Key: {} });
  assert.deepEqual(num.body, {
    __type: `${CORAL}SerializationException`,
    message: "NUMBER_VALUE cannot be converted to String",
  });
});

Deno.test("other methods and non-JSON content types get DynamoDB's 404", async () => {
  await using f = await startDynamo();
  const url = `http://127.0.0.1:${f.port}/`;
  for (
    const init of [
      { method: "PUT", body: "{}" },
      { method: "DELETE" },
      { method: "POST", headers: { "content-type": "text/plain" }, body: "{}" },
    ] as RequestInit[]
  ) {
    const res = await fetch(url, init);
    assert.equal(res.status, 404, init.method);
    const bytes = new Uint8Array(await res.arrayBuffer());
    assert.equal(new TextDecoder().decode(bytes), "<UnknownOperationException/>\n");
    assert.equal(res.headers.get("x-amz-crc32"), String(crc32(bytes)));
  }
  // application/json (with a charset) is accepted and answered in kind.
  const res = await fetch(url, {
    method: "POST",
    headers: {
      ...DUMMY_SIGNATURE,
      "content-type": "application/json; charset=utf-8",
      "x-amz-target": "DynamoDB_20120810.ListTables",
    },
    body: "{}",
  });
  assert.equal(res.headers.get("content-type"), "application/json");
  assert.deepEqual(await res.json(), { TableNames: [] });
  const amz = await f.raw("ListTables", {}, {
    "content-type": "application/x-amz-json-1.0; charset=UTF-8",
  });
  assert.deepEqual(amz.body, { TableNames: [] });
});

Deno.test("CORS: preflight OPTIONS and Access-Control headers on replies", async () => {
  await using f = await startDynamo();
  const pre = await fetch(`http://127.0.0.1:${f.port}/`, {
    method: "OPTIONS",
    headers: {
      origin: "http://localhost:8001",
      "access-control-request-method": "POST",
      "access-control-request-headers": "authorization,content-type,x-amz-date,x-amz-target",
    },
  });
  await pre.body?.cancel();
  assert.equal(pre.status, 200);
  assert.equal(pre.headers.get("access-control-allow-origin"), "*");
  assert.equal(pre.headers.get("access-control-allow-methods"), "POST");
  assert.equal(
    pre.headers.get("access-control-allow-headers"),
    "authorization,content-type,x-amz-date,x-amz-target",
  );
  assert.equal(pre.headers.get("access-control-max-age"), "172800");
  const r = await f.raw("ListTables", {}, { origin: "http://localhost:8001" });
  assert.equal(r.headers.get("access-control-allow-origin"), "*");
  assert.match(r.headers.get("access-control-expose-headers") ?? "", /x-amz-crc32/);
});

/** One HTTP/1.1 exchange over a plain socket, so the reply's bytes are seen as sent. */
async function rawHttp(port: number, head: string, body: Uint8Array) {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const enc = new TextEncoder();
  await conn.write(
    enc.encode(head + `content-length: ${body.length}\r\nconnection: close\r\n\r\n`),
  );
  await conn.write(body);
  const all = new Uint8Array(await new Response(conn.readable).arrayBuffer());
  const split = all.findIndex((_, i) =>
    all[i] === 13 && all[i + 1] === 10 && all[i + 2] === 13 && all[i + 3] === 10
  );
  const headers = new Headers();
  for (const line of new TextDecoder().decode(all.subarray(0, split)).split("\r\n").slice(1)) {
    const at = line.indexOf(":");
    headers.append(line.slice(0, at), line.slice(at + 1).trim());
  }
  return { headers, body: all.subarray(split + 4) };
}

Deno.test("gzip and deflate requests are read; replies of 4 KiB or more are compressed on Accept-Encoding", async () => {
  await using f = await startDynamo();
  await createTable(f, "big", { pk: "S" });
  const big = "x".repeat(5000);
  await f.raw("PutItem", { TableName: "big", Item: { pk: { S: "k" }, big: { S: big } } });
  const head = (target: string, extra: string) =>
    "POST / HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/x-amz-json-1.0\r\n" +
    `x-amz-target: DynamoDB_20120810.${target}\r\n` +
    Object.entries(DUMMY_SIGNATURE).map(([k, v]) => `${k}: ${v}\r\n`).join("") + extra;
  const compress = async (text: string, coding: CompressionFormat) =>
    new Uint8Array(
      await new Response(new Blob([text]).stream().pipeThrough(new CompressionStream(coding)))
        .arrayBuffer(),
    );
  const getItem = '{"TableName": "big", "Key": {"pk": {"S": "k"}}}';
  for (const coding of ["gzip", "deflate"] as const) {
    const encodings = `content-encoding: ${coding}\r\naccept-encoding: ${coding}\r\n`;
    // A reply under DynamoDB's 4 KiB threshold goes as it is, whatever the client accepts.
    const small = await rawHttp(
      f.port,
      head("ListTables", encodings),
      await compress('{"Limit": 5}', coding),
    );
    assert.equal(small.headers.get("content-encoding"), null);
    assert.equal(new TextDecoder().decode(small.body), '{"TableNames":["big"]}');
    const r = await rawHttp(f.port, head("GetItem", encodings), await compress(getItem, coding));
    assert.equal(r.headers.get("content-encoding"), coding);
    assert.equal(r.headers.get("x-amz-crc32"), String(crc32(r.body)), "crc32 of the bytes sent");
    const plain = await new Response(
      new Blob([r.body]).stream().pipeThrough(new DecompressionStream(coding)),
    ).text();
    assert.deepEqual(JSON.parse(plain), { Item: { pk: { S: "k" }, big: { S: big } } });
  }
  const identity = await rawHttp(
    f.port,
    head("GetItem", ""),
    new TextEncoder().encode(getItem),
  );
  assert.equal(identity.headers.get("content-encoding"), null);
  assert.equal(JSON.parse(new TextDecoder().decode(identity.body)).Item.big.S, big);
});

/**
 * DynamoDB's opt-in connection cap (`--dynamodb-max-connections`, served through node:http):
 * connections over the cap are closed, a freed slot is taken again, the AWS SDK works under it,
 * and headers that trickle in (or never come) are cut after `--request-timeout`.
 * @module
 */
import assert from "node:assert/strict";
import http from "node:http";
import https from "node:https";
import {
  DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
  QueryCommand,
} from "@aws-sdk/client-dynamodb";
import { createTable } from "../dynamodb/client.ts";
import { makeTestCa } from "../helpers/certs.ts";
import { RawClient } from "../helpers/net.ts";
import { startTestServer, testConfig, type TestServer } from "../helpers/server.ts";
import { ConfigError, parseConfig } from "../../src/config.ts";
import { SERVICES } from "../../protocols/mod.ts";

/** A DynamoDB-only server capped at `max` connections. */
function capped(max: number, requestTimeoutMs = 60_000): Promise<TestServer> {
  const { serviceFlags } = testConfig();
  return startTestServer({
    protocols: ["dynamodb"],
    requestTimeoutMs,
    serviceFlags: { ...serviceFlags, "dynamodb-max-connections": max },
  });
}

/** One keep-alive GET of the health route on `c`; the status line. */
async function get(c: RawClient): Promise<string> {
  await c.send("GET / HTTP/1.1\r\nhost: a\r\n\r\n");
  const head = await c.readText("\r\n\r\n", 10_000);
  const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
  if (length > 0) await c.readBytes(length, 10_000);
  return head.split("\r\n")[0];
}

/** A new connection that gets an answer, retried while the server is still freeing a slot. */
async function getOnNewConnection(port: number): Promise<string> {
  for (let attempt = 0; attempt < 50; attempt++) {
    using c = await RawClient.connect(port);
    const status = await get(c).catch(() => null);
    if (status !== null) return status;
    await new Promise((r) => setTimeout(r, 100));
  }
  return "no answer";
}

Deno.test("dynamodb cap: over --dynamodb-max-connections a connection is closed; a freed slot is taken", async () => {
  await using s = await capped(3);
  const port = s.ports.http;
  const held = [await RawClient.connect(port), await RawClient.connect(port)];
  held.push(await RawClient.connect(port));
  try {
    for (const c of held) assert.equal(await get(c), "HTTP/1.1 200 OK");
    using over = await RawClient.connect(port);
    assert.equal(await over.closedWithin(10_000), true, "a 4th connection is closed");
    // The three are still served: the 4th was refused for the cap, not because they closed.
    for (const c of held) assert.equal(await get(c), "HTTP/1.1 200 OK");
    held.shift()!.close();
    assert.equal(await getOnNewConnection(port), "HTTP/1.1 200 OK");
  } finally {
    for (const c of held) c.close();
  }
});

Deno.test("dynamodb cap: the AWS SDK works under the cap (PutItem, GetItem, Query)", async () => {
  await using s = await capped(3);
  const endpoint = `http://127.0.0.1:${s.ports.http}`;
  const credentials = { accessKeyId: "AKIDTEST", secretAccessKey: "fake" };
  // At most as many sockets as the cap allows, so no request meets a closed connection.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 3 });
  const client = new DynamoDBClient({
    endpoint,
    region: "us-east-1",
    credentials,
    requestHandler: { httpAgent: agent },
  });
  try {
    await createTable({ client }, "tbl", { pk: "S", sk: "N" });
    // More requests at once than connections: the agent queues them on its three sockets.
    await Promise.all(Array.from({ length: 20 }, (_, i) =>
      client.send(
        new PutItemCommand({
          TableName: "tbl",
          Item: { pk: { S: "p" }, sk: { N: String(i) }, v: { S: `v${i}` } },
        }),
      )));
    const got = await client.send(
      new GetItemCommand({ TableName: "tbl", Key: { pk: { S: "p" }, sk: { N: "7" } } }),
    );
    assert.deepEqual(got.Item?.v, { S: "v7" });
    const query = await client.send(
      new QueryCommand({
        TableName: "tbl",
        KeyConditionExpression: "pk = :p AND sk >= :lo",
        ExpressionAttributeValues: { ":p": { S: "p" }, ":lo": { N: "15" } },
      }),
    );
    assert.deepEqual(query.Items?.map((item) => item.sk.N), ["15", "16", "17", "18", "19"]);
  } finally {
    client.destroy();
    agent.destroy();
  }
});

Deno.test("dynamodb cap: headers trickling in, or never sent, are cut after --request-timeout", async () => {
  await using s = await capped(1, 2000);
  const port = s.ports.http;
  const request = "GET / HTTP/1.1\r\nhost: a\r\nx-slow: " + "x".repeat(60) + "\r\n\r\n";
  using slow = await RawClient.connect(port);
  let reply = "";
  // One byte a second; the header block would take over a minute to finish.
  for (let i = 0; i < request.length && !reply; i++) {
    const sent = await slow.send(request[i]).then(() => true, () => false);
    if (!sent) break;
    reply = new TextDecoder().decode(
      await slow.readUntil((b) => b.length, 1000).catch(() => new Uint8Array()),
    );
  }
  assert.match(reply, /^HTTP\/1.1 408 /);
  assert.equal(await slow.closedWithin(10_000), true);
  // Its slot is free again; a connection that sends nothing is cut too.
  using silent = await RawClient.connect(port);
  assert.equal(await silent.closedWithin(30_000), true);
  assert.equal(await getOnNewConnection(port), "HTTP/1.1 200 OK");
});

Deno.test("dynamodb cap: a header block over 64 KiB answers 431 and closes; 60 KiB is served", async () => {
  await using s = await capped(3);
  using big = await RawClient.connect(s.ports.http);
  await big.send(`POST / HTTP/1.1\r\nhost: a\r\nx-big: ${"x".repeat(65 * 1024)}\r\n\r\n`);
  assert.match(await big.readText("\r\n"), /^HTTP\/1.1 431 /);
  assert.equal(await big.closedWithin(10_000), true);
  using fits = await RawClient.connect(s.ports.http);
  await fits.send(`GET / HTTP/1.1\r\nhost: a\r\nx-big: ${"x".repeat(60 * 1024)}\r\n\r\n`);
  assert.match(await fits.readText("\r\n"), /^HTTP\/1.1 200 /);
});

Deno.test("dynamodb cap: with --tls-cert the cap holds over https and the AWS SDK works", async () => {
  const ca = await makeTestCa();
  const { serviceFlags } = testConfig();
  await using s = await startTestServer({
    protocols: ["dynamodb"],
    tls: { certFile: ca.certFile, keyFile: ca.keyFile },
    serviceFlags: { ...serviceFlags, "dynamodb-max-connections": 2 },
  });
  const port = s.ports.http;
  const agent = new https.Agent({ ca: ca.ca, keepAlive: true, maxSockets: 2 });
  const client = new DynamoDBClient({
    endpoint: `https://127.0.0.1:${port}`,
    region: "us-east-1",
    credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "fake" },
    requestHandler: { httpsAgent: agent },
  });
  const connect = () => Deno.connectTls({ hostname: "127.0.0.1", port, caCerts: [ca.ca] });
  /** A keep-alive GET of the health route; the status line, or null once the server closes. */
  const get = async (conn: Deno.TlsConn) => {
    await conn.write(new TextEncoder().encode("GET / HTTP/1.1\r\nhost: a\r\n\r\n"));
    const buf = new Uint8Array(4096);
    const n = await conn.read(buf).catch(() => null);
    return n === null ? null : new TextDecoder().decode(buf.subarray(0, n)).split("\r\n")[0];
  };
  /** A new connection that is served, retried while the SDK's sockets are still closing. */
  const served = async () => {
    for (let attempt = 0; attempt < 50; attempt++) {
      const conn = await connect().catch(() => null);
      if (conn && await get(conn).catch(() => null) === "HTTP/1.1 200 OK") return conn;
      conn?.close();
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error("no slot came free");
  };
  const held: Deno.TlsConn[] = [];
  try {
    await Promise.all(Array.from({ length: 6 }, () => client.send(new ListTablesCommand({}))));
    agent.destroy();
    held.push(await served(), await served());
    const over = await connect().catch(() => null);
    assert.equal(over ? await get(over).catch(() => null) : null, null, "a 3rd is closed");
    for (const conn of held) assert.equal(await get(conn), "HTTP/1.1 200 OK");
    over?.close();
  } finally {
    for (const conn of held) conn.close();
    client.destroy();
    await Deno.remove(ca.dir, { recursive: true });
  }
});

Deno.test("dynamodb cap: the flag and BASEKV_DYNAMODB_MAX_CONNECTIONS; a negative cap is refused", () => {
  const parse = (argv: string[], env: Record<string, string> = {}) => {
    const result = parseConfig(["--memory", ...argv], SERVICES, (name) => env[name]);
    if (result.kind !== "run") throw new Error("unreachable");
    return result.config.serviceFlags["dynamodb-max-connections"];
  };
  assert.equal(parse([]), 0);
  assert.equal(parse(["--dynamodb-max-connections=5"]), 5);
  assert.equal(parse([], { BASEKV_DYNAMODB_MAX_CONNECTIONS: "7" }), 7);
  assert.throws(
    () => parse([], { BASEKV_DYNAMODB_MAX_CONNECTIONS: "-1" }),
    (error: Error) =>
      error instanceof ConfigError && /BASEKV_DYNAMODB_MAX_CONNECTIONS/.test(error.message),
  );
});

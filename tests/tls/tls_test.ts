/**
 * TLS on all three listeners: real clients over TLS with a CA made at test time, plain
 * connections refused by the handshake, and certificates reloaded without dropping connections.
 * @module
 */
import { DUMMY_SIGNATURE } from "../dynamodb/client.ts";
import assert from "node:assert/strict";
import https from "node:https";
import { Redis } from "ioredis";
import { createClient } from "redis";
import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { makeTestCa, type TestCa } from "../helpers/certs.ts";
import { runMain, startChild, startTestServer } from "../helpers/server.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

function tlsOf(ca: TestCa) {
  return { tls: { certFile: ca.certFile, keyFile: ca.keyFile } };
}

/** Write `text` over TLS trusting `ca` and read until `until` matches; returns what came. */
async function exchange(port: number, ca: string, text: string, until: RegExp): Promise<string> {
  const conn = await Deno.connectTls({ hostname: "127.0.0.1", port, caCerts: [ca] });
  try {
    await conn.write(enc.encode(text));
    let got = "";
    const buf = new Uint8Array(4096);
    while (!until.test(got)) {
      const n = await conn.read(buf);
      if (n === null) break;
      got += dec.decode(buf.subarray(0, n));
    }
    return got;
  } finally {
    conn.close();
  }
}

/** What a plain TCP client gets back from a TLS port after sending a command. */
async function plainReply(port: number, text: string): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(enc.encode(text));
    const buf = new Uint8Array(4096);
    const n = await conn.read(buf).catch(() => null);
    return n === null ? "" : dec.decode(buf.subarray(0, n));
  } finally {
    conn.close();
  }
}

Deno.test("TLS: ioredis, node-redis and redis-cli talk to the RESP port over TLS", async () => {
  const ca = await makeTestCa();
  await using s = await startTestServer(tlsOf(ca));
  const port = s.ports.redis;

  const io = new Redis({ host: "127.0.0.1", port, tls: { ca: ca.ca }, lazyConnect: true });
  await io.connect();
  assert.deepEqual(await io.set("tls:io", "v1"), "OK");
  assert.deepEqual(await io.get("tls:io"), "v1");
  io.disconnect();

  const nr = createClient({ socket: { host: "127.0.0.1", port, tls: true, ca: ca.ca } });
  await nr.connect();
  assert.deepEqual(await nr.get("tls:io"), "v1");
  assert.deepEqual(await nr.incr("tls:n"), 1);
  await nr.quit();

  const cli = await new Deno.Command("redis-cli", {
    args: ["--tls", "--cacert", ca.caFile, "-h", "127.0.0.1", "-p", String(port), "GET", "tls:io"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.deepEqual(dec.decode(cli.stdout).trim(), "v1", dec.decode(cli.stderr));

  // Without trusting the CA the client refuses the server.
  const untrusted = await new Deno.Command("redis-cli", {
    args: ["--tls", "-h", "127.0.0.1", "-p", String(port), "PING"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(!dec.decode(untrusted.stdout).includes("PONG"));
  await Deno.remove(ca.dir, { recursive: true });
});

Deno.test("TLS: memcached text protocol over TLS", async () => {
  const ca = await makeTestCa();
  await using s = await startTestServer(tlsOf(ca));
  const got = await exchange(
    s.ports.memcached,
    ca.ca,
    "set tls 5 0 3\r\nabc\r\nget tls\r\n",
    /END\r\n/,
  );
  assert.deepEqual(got, "STORED\r\nVALUE tls 5 3\r\nabc\r\nEND\r\n");
  await Deno.remove(ca.dir, { recursive: true });
});

Deno.test("TLS: the AWS SDK over https trusting the test CA", async () => {
  const ca = await makeTestCa();
  await using s = await startTestServer(tlsOf(ca));
  const client = new DynamoDBClient({
    endpoint: `https://127.0.0.1:${s.ports.http}`,
    region: "us-east-1",
    credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "fake" },
    maxAttempts: 1,
    // The SDK in Deno speaks through node:https; its agent takes the CA.
    requestHandler: { httpsAgent: new https.Agent({ ca: ca.ca }) },
  });
  await client.send(
    new CreateTableCommand({
      TableName: "tls",
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
      BillingMode: "PAY_PER_REQUEST",
    }),
  );
  assert.deepEqual((await client.send(new ListTablesCommand({}))).TableNames, ["tls"]);
  client.destroy();

  // fetch with Deno's own client and the CA works too.
  const http = Deno.createHttpClient({ caCerts: [ca.ca] });
  const res = await fetch(`https://127.0.0.1:${s.ports.http}/`, {
    client: http,
    method: "POST",
    headers: {
      "content-type": "application/x-amz-json-1.0",
      "x-amz-target": "DynamoDB_20120810.ListTables",
      ...DUMMY_SIGNATURE,
    },
    body: "{}",
  });
  assert.deepEqual(await res.json(), { TableNames: ["tls"] });
  http.close();
  await Deno.remove(ca.dir, { recursive: true });
});

Deno.test("TLS: plain connections to TLS ports fail the handshake", async () => {
  const ca = await makeTestCa();
  await using s = await startTestServer(tlsOf(ca));
  // The server reads a TLS record and finds none: it answers no command (at most an alert).
  assert.ok(!(await plainReply(s.ports.redis, "PING\r\n")).includes("PONG"));
  assert.ok(!(await plainReply(s.ports.memcached, "version\r\n")).includes("VERSION"));
  await assert.rejects(() => fetch(`http://127.0.0.1:${s.ports.http}/`).then((r) => r.text()));
  // The listeners live on.
  assert.deepEqual(await exchange(s.ports.redis, ca.ca, "PING\r\n", /\r\n/), "+PONG\r\n");
  await Deno.remove(ca.dir, { recursive: true });
});

Deno.test("TLS: a reload serves the new certificate to new connections, old ones stay", async () => {
  const first = await makeTestCa("first CA");
  const second = await makeTestCa("second CA");
  // The server reads its files from one place; the reload swaps their contents.
  await using s = await startTestServer(tlsOf(first));
  const before = await Deno.connectTls({
    hostname: "127.0.0.1",
    port: s.ports.redis,
    caCerts: [first.ca],
  });
  await before.write(enc.encode("SET k old\r\n"));
  const buf = new Uint8Array(64);
  assert.deepEqual(dec.decode(buf.subarray(0, (await before.read(buf))!)), "+OK\r\n");
  const httpFirst = Deno.createHttpClient({ caCerts: [first.ca] });
  const list = (client: Deno.HttpClient) =>
    fetch(`https://127.0.0.1:${s.ports.http}/`, {
      client,
      method: "POST",
      headers: {
        "content-type": "application/x-amz-json-1.0",
        "x-amz-target": "DynamoDB_20120810.ListTables",
        ...DUMMY_SIGNATURE,
      },
      body: "{}",
    }).then((r) => r.json());
  assert.deepEqual(await list(httpFirst), { TableNames: [] });

  await Deno.copyFile(second.certFile, first.certFile);
  await Deno.copyFile(second.keyFile, first.keyFile);
  await s.server.reloadTls();

  // The connection made before the reload still works.
  await before.write(enc.encode("GET k\r\n"));
  assert.deepEqual(dec.decode(buf.subarray(0, (await before.read(buf))!)), "$3\r\nold\r\n");
  before.close();
  // New connections get the new certificate: trusted by the second CA, not the first.
  for (const port of [s.ports.redis, s.ports.memcached]) {
    await assert.rejects(() => exchange(port, first.ca, "PING\r\n", /\r\n/));
  }
  assert.deepEqual(await exchange(s.ports.redis, second.ca, "PING\r\n", /\r\n/), "+PONG\r\n");
  assert.match(await exchange(s.ports.memcached, second.ca, "version\r\n", /\r\n/), /^VERSION /);
  httpFirst.close();
  const httpFresh = Deno.createHttpClient({ caCerts: [first.ca] });
  await assert.rejects(() => list(httpFresh));
  httpFresh.close();
  const httpSecond = Deno.createHttpClient({ caCerts: [second.ca] });
  assert.deepEqual(await list(httpSecond), { TableNames: [] });
  httpSecond.close();

  // A broken file keeps the old pair serving.
  await Deno.writeTextFile(first.certFile, "not a certificate");
  await assert.rejects(() => s.server.reloadTls());
  assert.deepEqual(await exchange(s.ports.redis, second.ca, "PING\r\n", /\r\n/), "+PONG\r\n");
  await Deno.remove(first.dir, { recursive: true });
  await Deno.remove(second.dir, { recursive: true });
});

Deno.test("TLS: SIGHUP reloads the certificate of a running basekv", async () => {
  const first = await makeTestCa("first CA");
  const second = await makeTestCa("second CA");
  await using child = await startChild([
    "--memory",
    "--redis-port=0",
    "--memcached-port=0",
    "--http-port=0",
    `--tls-cert=${first.certFile}`,
    `--tls-key=${first.keyFile}`,
  ]);
  assert.match(child.readyLine, /dynamodb https:\/\//);
  const port = child.ports.redis;
  const held = await Deno.connectTls({ hostname: "127.0.0.1", port, caCerts: [first.ca] });
  // Clients finish the handshake on connect; Deno's client does it lazily unless asked.
  await held.handshake();
  await Deno.copyFile(second.certFile, first.certFile);
  await Deno.copyFile(second.keyFile, first.keyFile);
  child.signal("SIGHUP");
  // The reload happens in the background: poll for the new certificate.
  let ok = false;
  for (let i = 0; i < 100 && !ok; i++) {
    ok = await exchange(port, second.ca, "PING\r\n", /\r\n/).then((r) => r === "+PONG\r\n")
      .catch(() => false);
    if (!ok) await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(ok, "the new certificate is served after SIGHUP");
  await held.write(enc.encode("PING\r\n"));
  const buf = new Uint8Array(16);
  assert.deepEqual(dec.decode(buf.subarray(0, (await held.read(buf))!)), "+PONG\r\n");
  held.close();
  await Deno.remove(first.dir, { recursive: true });
  await Deno.remove(second.dir, { recursive: true });
});

Deno.test("TLS: flag errors name what is missing", async () => {
  const onlyCert = await runMain(["--memory", "--tls-cert=/nonexistent.pem"]);
  assert.deepEqual(onlyCert.code, 2);
  assert.match(onlyCert.stderr, /--tls-cert needs --tls-key too/);
  const caAlone = await runMain(["--memory", "--tls-ca=/x.pem"]);
  assert.deepEqual(caAlone.code, 2);
  assert.match(caAlone.stderr, /--tls-ca needs --tls-cert and --tls-key too/);
  const mode = await runMain(["--memory", "--tls-auth-clients=maybe"]);
  assert.deepEqual(mode.code, 2);
  assert.match(mode.stderr, /--tls-auth-clients must be yes, optional or no, not 'maybe'/);
  const pair = await makeTestCa();
  const noCa = await runMain([
    "--memory",
    `--tls-cert=${pair.certFile}`,
    `--tls-key=${pair.keyFile}`,
    "--tls-ca=/nonexistent-ca.pem",
  ]);
  assert.deepEqual(noCa.code, 1);
  assert.match(noCa.stderr, /Cannot read CA \/nonexistent-ca.pem/);
  await Deno.remove(pair.dir, { recursive: true });
  const missing = await runMain([
    "--memory",
    "--tls-cert=/nonexistent.pem",
    "--tls-key=/nonexistent.key",
  ]);
  assert.deepEqual(missing.code, 1);
  assert.match(missing.stderr, /Cannot read certificate \/nonexistent.pem/);
});

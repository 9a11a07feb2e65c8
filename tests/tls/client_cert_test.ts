/**
 * Client certificates (`--tls-ca`, Redis's `tls-auth-clients`): real clients with a certificate
 * the CA signed get in on all three listeners; without one, or with one from another CA, the
 * handshake fails. `optional` lets a client without a certificate in; SIGHUP re-reads the CA.
 * @module
 */
import assert from "node:assert/strict";
import https from "node:https";
import { Redis } from "ioredis";
import { createClient } from "redis";
import { DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { type ClientCert, makeClientCert, makeTestCa, type TestCa } from "../helpers/certs.ts";
import { startChild, startTestServer } from "../helpers/server.ts";
import type { Config } from "../../src/config.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Two CAs: the one the server trusts (with a client certificate) and a stranger's. */
async function twoCas(): Promise<
  { ca: TestCa; client: ClientCert; other: TestCa; intruder: ClientCert }
> {
  const ca = await makeTestCa("trusted CA");
  const other = await makeTestCa("other CA");
  return {
    ca,
    client: await makeClientCert(ca, "client"),
    other,
    intruder: await makeClientCert(other, "intruder"),
  };
}

function mtls(ca: TestCa, requireClientCert = true): Partial<Config> {
  return {
    tls: { certFile: ca.certFile, keyFile: ca.keyFile, caFile: ca.caFile, requireClientCert },
  };
}

/** Resolves what `attempt` resolves, or false once it fails or takes longer than 10 s. */
async function within<T>(attempt: () => Promise<T>): Promise<T | false> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      attempt(),
      new Promise<false>((r) => timer = setTimeout(() => r(false), 10_000)),
    ]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** PING through ioredis with `tls` options; the reply, or false when refused. */
function ioredisPing(port: number, tls: Record<string, string>) {
  const io = new Redis({
    host: "127.0.0.1",
    port,
    tls,
    lazyConnect: true,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
  });
  io.on("error", () => {});
  return within(async () => {
    await io.connect();
    return await io.ping();
  }).finally(() => io.disconnect());
}

/** PING through node-redis with `tls` socket options; the reply, or false when refused. */
function nodeRedisPing(port: number, tls: Record<string, string>) {
  const client = createClient({
    socket: { host: "127.0.0.1", port, tls: true, ...tls, reconnectStrategy: false },
  });
  client.on("error", () => {});
  return within(async () => {
    await client.connect();
    return await client.ping();
  }).finally(() => client.isOpen && client.destroy());
}

/** PING through redis-cli with extra flags; its output. */
async function cliPing(port: number, flags: string[]): Promise<string> {
  const out = await new Deno.Command("redis-cli", {
    args: ["--tls", ...flags, "-h", "127.0.0.1", "-p", String(port), "PING"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  return dec.decode(out.stdout).trim();
}

/** memcached `version` over TLS with an optional client certificate; the reply or false. */
function memcachedVersion(port: number, ca: string, cert?: ClientCert) {
  return within(async () => {
    const conn = await Deno.connectTls({
      hostname: "127.0.0.1",
      port,
      caCerts: [ca],
      ...(cert ? { cert: cert.cert, key: cert.key } : {}),
    });
    try {
      await conn.write(enc.encode("version\r\n"));
      const buf = new Uint8Array(256);
      const n = await conn.read(buf);
      return n === null ? false : dec.decode(buf.subarray(0, n));
    } finally {
      conn.close();
    }
  });
}

/** ListTables through the AWS SDK over https with an agent of `tls` options. */
function sdkList(port: number, tls: Record<string, string>) {
  const client = new DynamoDBClient({
    endpoint: `https://127.0.0.1:${port}`,
    region: "us-east-1",
    credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "fake" },
    maxAttempts: 1,
    requestHandler: { httpsAgent: new https.Agent(tls) },
  });
  return within(async () => (await client.send(new ListTablesCommand({}))).TableNames)
    .finally(() => client.destroy());
}

Deno.test("client certs: Redis clients get in with one, not without or from another CA", async () => {
  const { ca, client, other, intruder } = await twoCas();
  await using s = await startTestServer(mtls(ca));
  const port = s.ports.redis;
  const good = { ca: ca.ca, cert: client.cert, key: client.key };
  const stranger = { ca: ca.ca, cert: intruder.cert, key: intruder.key };

  assert.equal(await ioredisPing(port, good), "PONG");
  assert.equal(await ioredisPing(port, { ca: ca.ca }), false);
  assert.equal(await ioredisPing(port, stranger), false);

  assert.equal(await nodeRedisPing(port, good), "PONG");
  assert.equal(await nodeRedisPing(port, { ca: ca.ca }), false);
  assert.equal(await nodeRedisPing(port, stranger), false);

  const withCert = ["--cacert", ca.caFile, "--cert", client.certFile, "--key", client.keyFile];
  assert.equal(await cliPing(port, withCert), "PONG");
  assert.notEqual(await cliPing(port, ["--cacert", ca.caFile]), "PONG");
  assert.notEqual(
    await cliPing(port, [
      "--cacert",
      ca.caFile,
      "--cert",
      intruder.certFile,
      "--key",
      intruder.keyFile,
    ]),
    "PONG",
  );
  // Refused handshakes leave the listener serving.
  assert.equal(await ioredisPing(port, good), "PONG");
  await Deno.remove(ca.dir, { recursive: true });
  await Deno.remove(other.dir, { recursive: true });
});

Deno.test("client certs: memcached and DynamoDB (AWS SDK) require one too", async () => {
  const { ca, client, other, intruder } = await twoCas();
  await using s = await startTestServer(mtls(ca));
  assert.match(String(await memcachedVersion(s.ports.memcached, ca.ca, client)), /^VERSION /);
  assert.equal(await memcachedVersion(s.ports.memcached, ca.ca), false);
  assert.equal(await memcachedVersion(s.ports.memcached, ca.ca, intruder), false);

  const http = s.ports.http;
  assert.deepEqual(await sdkList(http, { ca: ca.ca, cert: client.cert, key: client.key }), []);
  assert.equal(await sdkList(http, { ca: ca.ca }), false);
  assert.equal(await sdkList(http, { ca: ca.ca, cert: intruder.cert, key: intruder.key }), false);
  await Deno.remove(ca.dir, { recursive: true });
  await Deno.remove(other.dir, { recursive: true });
});

Deno.test("client certs: optional lets a client without one in, not one with a bad one", async () => {
  const { ca, client, other, intruder } = await twoCas();
  await using s = await startTestServer(mtls(ca, false));
  const port = s.ports.redis;
  assert.equal(await ioredisPing(port, { ca: ca.ca }), "PONG");
  assert.equal(await ioredisPing(port, { ca: ca.ca, cert: client.cert, key: client.key }), "PONG");
  assert.equal(
    await ioredisPing(port, { ca: ca.ca, cert: intruder.cert, key: intruder.key }),
    false,
  );
  assert.deepEqual(await sdkList(s.ports.http, { ca: ca.ca }), []);
  await Deno.remove(ca.dir, { recursive: true });
  await Deno.remove(other.dir, { recursive: true });
});

Deno.test("client certs: SIGHUP re-reads the CA; connections made before stay", async () => {
  const { ca, client, other, intruder } = await twoCas();
  await using child = await startChild([
    "--memory",
    "--redis-port=0",
    "--memcached-port=0",
    "--http-port=0",
    `--tls-cert=${ca.certFile}`,
    `--tls-key=${ca.keyFile}`,
    `--tls-ca=${ca.caFile}`,
  ]);
  const port = child.ports.redis;
  const held = new Redis({
    host: "127.0.0.1",
    port,
    tls: { ca: ca.ca, cert: client.cert, key: client.key },
    lazyConnect: true,
  });
  await held.connect();
  assert.equal(await held.ping(), "PONG");
  // From now on only the other CA's clients are trusted.
  await Deno.copyFile(other.caFile, ca.caFile);
  child.signal("SIGHUP");
  const intruderTls = { ca: ca.ca, cert: intruder.cert, key: intruder.key };
  let ok = false;
  for (let i = 0; i < 100 && !ok; i++) {
    ok = await ioredisPing(port, intruderTls) === "PONG";
    if (!ok) await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(ok, "a client of the new CA gets in after SIGHUP");
  assert.equal(await ioredisPing(port, { ca: ca.ca, cert: client.cert, key: client.key }), false);
  assert.equal(await held.ping(), "PONG");
  held.disconnect();
  await Deno.remove(ca.dir, { recursive: true });
  await Deno.remove(other.dir, { recursive: true });
});

/** A raw TLS connection with a client certificate: send text, read until a suffix. */
async function rawTls(port: number, ca: TestCa, cert: ClientCert) {
  const conn = await Deno.connectTls({
    hostname: "127.0.0.1",
    port,
    caCerts: [ca.ca],
    cert: cert.cert,
    key: cert.key,
  });
  let got = "";
  const buf = new Uint8Array(65536);
  return {
    conn,
    async send(text: string): Promise<void> {
      const bytes = enc.encode(text);
      for (let off = 0; off < bytes.length;) off += await conn.write(bytes.subarray(off));
    },
    /** Text up to and including `suffix`; null if the connection ends first. */
    async until(suffix: string): Promise<string | null> {
      while (!got.includes(suffix)) {
        const n = await conn.read(buf).catch(() => null);
        if (n === null) return null;
        got += dec.decode(buf.subarray(0, n));
      }
      const end = got.indexOf(suffix) + suffix.length;
      const out = got.slice(0, end);
      got = got.slice(end);
      return out;
    },
    close: () => conn.close(),
  };
}

Deno.test("client certs: maxclients and the request timeout (and handshake) hold", async () => {
  const { ca, client, other } = await twoCas();
  await using s = await startTestServer({ ...mtls(ca), requestTimeoutMs: 1000 });
  const port = s.ports.redis;
  const admin = await rawTls(port, ca, client);
  await admin.send("CONFIG SET maxclients 2\r\n");
  assert.equal(await admin.until("\r\n"), "+OK\r\n");

  // A client that sends half a request and stops is closed after the request timeout.
  const slow = await rawTls(port, ca, client);
  await slow.send("*2\r\n$3\r\nGET\r\n$1");
  assert.equal(await within(() => slow.until("never")), null, "the trickling client is closed");
  slow.close();

  // So is one that never starts its TLS handshake, on the RESP and the DynamoDB port.
  for (const silentPort of [port, s.ports.http]) {
    const silent = await Deno.connect({ hostname: "127.0.0.1", port: silentPort });
    const read = await within(() => silent.read(new Uint8Array(16)).catch(() => null));
    assert.equal(read, null, `a silent client of port ${silentPort} is closed`);
    silent.close();
  }
  // On DynamoDB (node:https), headers that stop half-way get 408 and the connection closes.
  const half = await rawTls(s.ports.http, ca, client);
  await half.send("POST / HTTP/1.1\r\nhost: a\r\nx-amz-tar");
  assert.match(String(await within(() => half.until("\r\n"))), /^HTTP\/1.1 408 /);
  assert.equal(await within(() => half.until("never")), null);
  half.close();

  const second = await rawTls(port, ca, client);
  await second.send("PING\r\n");
  assert.equal(await second.until("\r\n"), "+PONG\r\n");
  const third = await rawTls(port, ca, client);
  assert.equal(await third.until("\r\n"), "-ERR max number of clients reached\r\n");
  assert.equal(await within(() => third.until("never")), null);
  third.close();
  second.close();
  admin.close();
  await Deno.remove(ca.dir, { recursive: true });
  await Deno.remove(other.dir, { recursive: true });
});

Deno.test("client certs: a client that does not read holds the server's writes back", async () => {
  const { ca, client, other } = await twoCas();
  await using s = await startTestServer(mtls(ca));
  const admin = await rawTls(s.ports.redis, ca, client);
  // A client that pipelines 4096 GETs of 64 KiB (256 MiB of replies) without reading: the
  // server's writes wait on it, so it stops reading the pipeline and the GETs stop running.
  const value = 64 * 1024;
  await admin.send(`*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$${value}\r\n${"x".repeat(value)}\r\n`);
  assert.equal(await admin.until("\r\n"), "+OK\r\n");
  admin.send("GET big\r\n".repeat(4096)).catch(() => {});
  const observer = await rawTls(s.ports.redis, ca, client);
  const gets = async () => {
    await observer.send("INFO commandstats\r\n");
    const info = await observer.until("\r\n\r\n") ?? "";
    return Number(/cmdstat_get:calls=(\d+)/.exec(info)?.[1] ?? 0);
  };
  // Wait until the count settles (the server is stuck on the write), then look.
  let last = -1;
  let now = await gets();
  for (let i = 0; i < 40 && now !== last; i++) {
    await new Promise((r) => setTimeout(r, 500));
    [last, now] = [now, await gets()];
  }
  assert.ok(now > 0 && now < 4096, `${now} of 4096 GETs ran for a client that does not read`);
  observer.close();
  // Its replies come once it reads.
  for (let i = 0; i < 16; i++) {
    assert.equal(
      await admin.until(`${"x".repeat(value)}\r\n`),
      `$${value}\r\n${"x".repeat(value)}\r\n`,
    );
  }
  admin.close();
  await Deno.remove(ca.dir, { recursive: true });
  await Deno.remove(other.dir, { recursive: true });
});

/**
 * The whole path end to end through main.ts: each protocol's simplest request, restart
 * persistence, the data-file lock and the CLI's one-line errors.
 * @module
 */
import assert from "node:assert/strict";
import { RawClient } from "./helpers/net.ts";
import { runMain, startChild } from "./helpers/server.ts";
import { DUMMY_SIGNATURE } from "./dynamodb/client.ts";

const EPHEMERAL = ["--redis-port=0", "--memcached-port=0", "--http-port=0"];

async function dynamo(port: number, op: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`http://127.0.0.1:${port}/`, {
    method: "POST",
    headers: {
      "content-type": "application/x-amz-json-1.0",
      "x-amz-target": `DynamoDB_20120810.${op}`,
      ...DUMMY_SIGNATURE,
    },
    body: JSON.stringify(body),
  });
  return await res.json();
}

Deno.test("main.ts serves PING, version and ListTables, then exits 0 on SIGTERM", async () => {
  const child = await startChild(["--memory", ...EPHEMERAL]);
  assert.match(
    child.readyLine,
    /^basekv ready in \d+ ms: redis 127\.0\.0\.1:\d+, memcached .*dynamodb http/,
  );
  using redis = await RawClient.connect(child.ports.redis);
  await redis.send("*1\r\n$4\r\nPING\r\n");
  assert.equal(await redis.readText("\r\n"), "+PONG\r\n");
  using mc = await RawClient.connect(child.ports.memcached);
  await mc.send("version\r\n");
  assert.match(await mc.readText("\r\n"), /^VERSION \S+\r\n$/);
  assert.deepEqual(await dynamo(child.ports.http, "ListTables", {}), { TableNames: [] });
  assert.equal(await child.stop(), 0);
  await child.stderr();
});

Deno.test("GET /health answers 200 with the enabled protocols and the store kind", async () => {
  const dir = await Deno.makeTempDir();
  await using child = await startChild([
    `--data=${dir}/db.sqlite`,
    "--protocols=redis,dynamodb",
    "--redis-port=0",
    "--http-port=0",
  ]);
  const res = await fetch(`http://127.0.0.1:${child.ports.http}/health`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "application/json");
  const body = await res.json();
  assert.equal(body.status, "ok");
  assert.equal(body.store, "file");
  assert.deepEqual(body.protocols, {
    redis: `127.0.0.1:${child.ports.redis}`,
    dynamodb: `http://127.0.0.1:${child.ports.http}`,
  });
  assert.equal(typeof body.readyMs, "number");
  // DynamoDB's own health line stays on GET /.
  const root = await fetch(`http://127.0.0.1:${child.ports.http}/`);
  assert.equal(await root.text(), "healthy: dynamodb.us-east-1.amazonaws.com ");
  assert.equal(await child.stop(), 0);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("--ready-file holds the readiness report once ready and is removed at exit", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/ready.json`;
  const child = await startChild(["--memory", ...EPHEMERAL, `--ready-file=${file}`]);
  const report = JSON.parse(await Deno.readTextFile(file));
  assert.equal(report.status, "ok");
  assert.equal(report.store, "memory");
  assert.deepEqual(Object.keys(report.protocols), ["redis", "memcached", "dynamodb"]);
  assert.equal(report.protocols.redis, `127.0.0.1:${child.ports.redis}`);
  assert.match(child.readyLine, new RegExp(`^basekv ready in ${report.readyMs} ms: `));
  assert.equal(await child.stop(), 0);
  await child.stderr();
  assert.deepEqual(await Array.fromAsync(Deno.readDir(dir)), []);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("main.ts refuses a second process on the same data file", async () => {
  const dir = await Deno.makeTempDir();
  const data = `${dir}/sub/db.sqlite`;
  await using first = await startChild([`--data=${data}`, ...EPHEMERAL]);
  const second = await runMain([`--data=${data}`, ...EPHEMERAL]);
  assert.equal(second.code, 1);
  assert.match(second.stderr, /another basekv process is using .*db\.sqlite/);
  assert.equal(second.stderr.trim().split("\n").length, 1);
  assert.equal(await first.stop(), 0);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("main.ts names the protocol and port when the port is taken", async () => {
  using taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (taken.addr as Deno.NetAddr).port;
  const res = await runMain(["--memory", ...EPHEMERAL, `--memcached-port=${port}`]);
  assert.equal(res.code, 1);
  assert.equal(
    res.stderr.trim(),
    `basekv: Cannot listen for memcached on 127.0.0.1:${port}: address already in use`,
  );
});

Deno.test("a start that fails on a taken port leaves no data file, lock or directory", async () => {
  const dir = await Deno.makeTempDir();
  using taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (taken.addr as Deno.NetAddr).port;
  const res = await runMain([`--data=${dir}/new/db.sqlite`, ...EPHEMERAL, `--http-port=${port}`]);
  assert.equal(res.code, 1);
  assert.match(res.stderr, /Cannot listen for dynamodb/);
  assert.deepEqual(await Array.fromAsync(Deno.readDir(dir)), []);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("--memory with --data (or BASEKV_DATA) is an error naming both", async () => {
  const flags = await runMain(["--memory", "--data=/tmp/never/db.sqlite", ...EPHEMERAL]);
  assert.equal(flags.code, 2);
  assert.match(flags.stderr, /^basekv: --memory and --data exclude each other/);
  const env = await runMain(["--memory", ...EPHEMERAL], { BASEKV_DATA: "/tmp/never/db.sqlite" });
  assert.equal(env.code, 2);
  assert.match(env.stderr, /^basekv: --memory and BASEKV_DATA exclude each other/);
});

Deno.test("main.ts rejects bad flags with one line and exit code 2", async () => {
  for (
    const [args, pattern] of [
      [["--nope"], /Unknown option '--nope'/],
      [["--redis-port=70000"], /Invalid --redis-port: "70000" is not a port/],
      [["--protocols=redis,smtp"], /unknown protocol "smtp"/],
      [["--log-level=loud"], /Invalid --log-level/],
    ] as const
  ) {
    const res = await runMain([...args]);
    assert.equal(res.code, 2, args.join(" "));
    assert.match(res.stderr, pattern);
    assert.equal(res.stderr.trim().split("\n").length, 1);
  }
  const env = await runMain([], { BASEKV_HTTP_PORT: "x" });
  assert.equal(env.code, 2);
  assert.match(env.stderr, /^basekv: Invalid BASEKV_HTTP_PORT: "x" is not a port/);
});

Deno.test("main.ts reports an unwritable data path in one line", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/file`, "");
  const res = await runMain([`--data=${dir}/file/db.sqlite`, ...EPHEMERAL]);
  assert.equal(res.code, 1);
  assert.match(res.stderr, /^basekv: Cannot open data file .*file\/db\.sqlite: /);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("main.ts prints --help and --version", async () => {
  const help = await runMain(["--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--redis-port <value>/);
  const version = await runMain(["--version"]);
  assert.match(version.stdout, /^basekv \d+\.\d+\.\d+/);
});

Deno.test("data written through each protocol survives a restart on the same --data", async () => {
  const dir = await Deno.makeTempDir();
  const args = [`--data=${dir}/db.sqlite`, ...EPHEMERAL];
  {
    await using first = await startChild(args);
    using redis = await RawClient.connect(first.ports.redis);
    await redis.send("*3\r\n$3\r\nSET\r\n$4\r\nuser\r\n$5\r\nredis\r\n");
    assert.equal(await redis.readText("\r\n"), "+OK\r\n");
    using mc = await RawClient.connect(first.ports.memcached);
    await mc.send("set user 5 0 9\r\nmemcached\r\n");
    assert.equal(await mc.readText("\r\n"), "STORED\r\n");
    await dynamo(first.ports.http, "CreateTable", {
      TableName: "users",
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
      BillingMode: "PAY_PER_REQUEST",
    });
    await dynamo(first.ports.http, "PutItem", {
      TableName: "users",
      Item: { pk: { S: "user" }, v: { S: "dynamodb" } },
    });
    assert.equal(await first.stop(), 0);
  }
  await using second = await startChild(args);
  using redis = await RawClient.connect(second.ports.redis);
  await redis.send("*2\r\n$3\r\nGET\r\n$4\r\nuser\r\n");
  assert.equal(await redis.readText("redis\r\n"), "$5\r\nredis\r\n");
  using mc = await RawClient.connect(second.ports.memcached);
  await mc.send("get user\r\n");
  assert.equal(await mc.readText("END\r\n"), "VALUE user 5 9\r\nmemcached\r\nEND\r\n");
  const got = await dynamo(second.ports.http, "GetItem", {
    TableName: "users",
    Key: { pk: { S: "user" } },
  });
  assert.deepEqual(got, { Item: { pk: { S: "user" }, v: { S: "dynamodb" } } });
  assert.equal(await second.stop(), 0);
  await Deno.remove(dir, { recursive: true });
});

/**
 * The store's remote path (KV Connect) against a fake denokv server: conformance cases, two
 * front-ends on one database, and two basekv processes started with `--kv-url`.
 * @module
 */
import assert from "node:assert/strict";
import { type OpenedStore, openStore } from "../../src/store/mod.ts";
import {
  type KvConnectServer,
  startKvConnectServer,
  TEST_KV_TOKEN,
} from "../helpers/kv_connect_server.ts";
import { RawClient } from "../helpers/net.ts";
import { runMain, startChild } from "../helpers/server.ts";
import { storeCases } from "./store_cases.ts";
import { countCases } from "./count_cases.ts";

// Deno's KV Connect client reads the token from the environment of the process that opens it.
Deno.env.set("DENO_KV_ACCESS_TOKEN", TEST_KV_TOKEN);

const enc = new TextEncoder();
const EMPTY = new Uint8Array(0);
const dec = new TextDecoder();

/**
 * Open a remote store and make one read: Deno's client pays ≈45 ms for its first data-path
 * request (connection set-up), which would eat the 50 ms deadlines of the timing cases.
 */
async function openRemote(url: string): Promise<OpenedStore> {
  const store = await openStore({ url, sweepIntervalMs: 20 });
  await store.get(["warm-up"]);
  return store;
}

/** A remote store on its own fake denokv server, both closed together. */
async function remoteBacking(): Promise<OpenedStore> {
  const server = await startKvConnectServer();
  const store = await openRemote(server.url);
  return Object.assign(store, {
    async [Symbol.asyncDispose]() {
      await store.close();
      await server.close();
    },
  });
}

storeCases("remote store (KV Connect)", remoteBacking);
countCases("remote store (KV Connect)", remoteBacking);

Deno.test("openStore() on a KV Connect URL reports a remote, non-exclusive store", async () => {
  await using server = await startKvConnectServer();
  await using store = await openStore({ url: server.url });
  assert.deepEqual(store.info, { kind: "remote", exclusive: false, location: server.url });
  await store.set(["k", new Uint8Array([0, 1, 0])], { data: enc.encode("v") });
  assert.deepEqual((await server.keys()).filter((k) => k[0] === "k"), [
    ["k", new Uint8Array([0, 1, 0])],
  ]);
});

Deno.test("the fake KV Connect server refuses a wrong token", async () => {
  await using server = await startKvConnectServer();
  const res = await fetch(server.url, {
    method: "POST",
    headers: { authorization: "Bearer wrong" },
    body: JSON.stringify({ supportedVersions: [1, 2, 3] }),
  });
  assert.equal(res.status, 401);
  assert.equal(await res.text(), "Invalid access token");
});

Deno.test("the fake KV Connect server refuses more than 10 checks per atomic, as denokv", async () => {
  await using server = await startKvConnectServer();
  using kv = await Deno.openKv(server.url);
  const op = kv.atomic();
  for (let i = 0; i < 11; i++) op.check({ key: ["c", i], versionstamp: null });
  await assert.rejects(() => op.set(["x"], 1).commit(), /status=400.*Too many checks/s);
  const ten = kv.atomic();
  for (let i = 0; i < 10; i++) ten.check({ key: ["c", i], versionstamp: null });
  assert.equal((await ten.set(["x"], 1).commit()).ok, true);
});

Deno.test("a shared store commits a unit's fresh keys ahead, and removes them when its last atomic conflicts", async () => {
  await using server = await startKvConnectServer();
  await using a = await openStore({ url: server.url });
  await using b = await openStore({ url: server.url });
  const n = 2500;
  await a.set(["c"], { data: enc.encode("0") });
  let attempt = 0;
  await a.write(async (tx) => {
    const run = ++attempt;
    const seen = await tx.get(["c"]);
    // The first run's read goes stale before its commit: that commit must fail and re-run.
    if (run === 1) await b.set(["c"], { data: enc.encode("1") });
    for (let i = 0; i < n; i++) tx.setFresh(["g", run, i], { data: enc.encode("x") });
    tx.set(["published"], { data: enc.encode(`${run}:${dec.decode(seen!.data)}`) });
  });
  assert.equal(attempt, 2);
  assert.equal(dec.decode((await b.get(["published"]))!.data), "2:1");
  const keys = await server.keys();
  assert.equal(keys.filter((k) => k[0] === "g" && k[1] === 2).length, n);
  assert.equal(keys.filter((k) => k[0] === "g" && k[1] === 1).length, 0, "first run's keys left");
  assert.ok(server.stats.checkFailures > 0);
  // Without fresh keys, the same size is still refused rather than published half-way.
  await assert.rejects(
    () =>
      a.write((tx) => {
        for (let i = 0; i < n; i++) tx.set(["h", i], { data: EMPTY });
      }),
    /Transaction too large/,
  );
});

async function bump(store: Awaited<ReturnType<typeof openStore>>): Promise<void> {
  await store.write(async (tx) => {
    const cur = await tx.get(["n"]);
    tx.set(["n"], { data: enc.encode(String((cur ? Number(dec.decode(cur.data)) : 0) + 1)) });
  });
}

Deno.test("two stores on one KV Connect server never lose an increment", async () => {
  await using server = await startKvConnectServer();
  await using a = await openStore({ url: server.url });
  await using b = await openStore({ url: server.url });
  const n = 100;
  // One-at-a-time loops interleave commits between the two front-ends; bursts make each
  // store's batch conflict as a whole, so every unit is retried alone against the other.
  const loop = async (s: typeof a) => {
    for (let i = 0; i < n; i++) await bump(s);
  };
  const burst = (s: typeof a) => Promise.all(Array.from({ length: n }, () => bump(s)));
  await Promise.all([loop(a), loop(b), loop(a), loop(b), burst(a), burst(b)]);
  assert.equal(dec.decode((await a.get(["n"]))!.data), String(6 * n));
  assert.equal(dec.decode((await b.get(["n"]))!.data), String(6 * n));
  assert.ok(server.stats.checkFailures > 0, "expected write conflicts between the two stores");
  assert.ok(server.stats.maxChecks <= 10);
});

Deno.test("two stores on one KV Connect server: wide units and small ones never lose an update", async () => {
  await using server = await startKvConnectServer();
  await using a = await openStore({ url: server.url });
  await using b = await openStore({ url: server.url });
  const counters = 15;
  // Each wide unit reads and bumps every counter: more keys than one atomic may check.
  const bumpAll = (s: typeof a) =>
    s.write(async (tx) => {
      const cur = await tx.getMany(Array.from({ length: counters }, (_, i) => ["c", i]));
      cur.forEach((e, i) => {
        const n = e ? Number(dec.decode(e.data)) : 0;
        tx.set(["c", i], { data: enc.encode(String(n + 1)) });
      });
    });
  const bumpOne = (s: typeof a) =>
    s.write(async (tx) => {
      const cur = await tx.get(["c", 0]);
      tx.set(["c", 0], { data: enc.encode(String((cur ? Number(dec.decode(cur.data)) : 0) + 1)) });
    });
  const wide = 20, small = 40;
  const loop = async (s: typeof a, n: number, fn: typeof bumpOne) => {
    for (let i = 0; i < n; i++) await fn(s);
  };
  await Promise.all([
    loop(a, wide, bumpAll),
    loop(b, wide, bumpAll),
    loop(a, small, bumpOne),
    loop(b, small, bumpOne),
  ]);
  const got = await a.getMany(Array.from({ length: counters }, (_, i) => ["c", i]));
  const values = got.map((e) => Number(dec.decode(e!.data)));
  assert.deepEqual(values, [2 * wide + 2 * small, ...Array(counters - 1).fill(2 * wide)]);
  assert.ok(server.stats.maxChecks <= 10);
});

async function startRemoteChild(server: KvConnectServer) {
  return await startChild(
    [
      `--kv-url=${server.url}`,
      "--redis-port=0",
      "--memcached-port=0",
      "--http-port=0",
      "--log-level=error",
    ],
    undefined,
    { DENO_KV_ACCESS_TOKEN: server.token },
  );
}

Deno.test("two basekv processes on one --kv-url share data: SET on one, GET on the other", async () => {
  await using server = await startKvConnectServer();
  await using first = await startRemoteChild(server);
  await using second = await startRemoteChild(server);
  using a = await RawClient.connect(first.ports.redis);
  using b = await RawClient.connect(second.ports.redis);
  await a.send("*3\r\n$3\r\nSET\r\n$5\r\nshare\r\n$5\r\nhello\r\n");
  assert.equal(await a.readText("\r\n"), "+OK\r\n");
  await b.send("*2\r\n$3\r\nGET\r\n$5\r\nshare\r\n");
  assert.equal(await b.readText("hello\r\n"), "$5\r\nhello\r\n");
  await b.send("*3\r\n$3\r\nSET\r\n$5\r\nshare\r\n$3\r\nbye\r\n");
  assert.equal(await b.readText("\r\n"), "+OK\r\n");
  await a.send("*2\r\n$3\r\nGET\r\n$5\r\nshare\r\n");
  assert.equal(await a.readText("bye\r\n"), "$3\r\nbye\r\n");
});

/** Shared (non-exclusive) backings: the check limit applies to both. */
const SHARED_BACKINGS: [string, () => Promise<OpenedStore & AsyncDisposable>][] = [
  ["remote store", async () => {
    const server = await startKvConnectServer();
    const store = await openRemote(server.url);
    return Object.assign(store, {
      async [Symbol.asyncDispose]() {
        await store.close();
        await server.close();
      },
    });
  }],
  ["shared file store", async () => {
    const dir = await Deno.makeTempDir();
    const store = await openStore({ path: `${dir}/db.sqlite`, shared: true, sweepIntervalMs: 20 });
    return Object.assign(store, {
      async [Symbol.asyncDispose]() {
        await store.close();
        await Deno.remove(dir, { recursive: true });
      },
    });
  }],
];

for (const [name, open] of SHARED_BACKINGS) {
  Deno.test(`${name}: a unit touching more keys than one atomic may check commits`, async () => {
    await using store = await open();
    await store.write((tx) => {
      for (let i = 0; i < 40; i++) tx.set(["m", i], { data: enc.encode("x") });
    });
    const read = await store.write(async (tx) => {
      const all = await tx.list({ prefix: ["m"] });
      for (const e of all) tx.set(e.key, { data: enc.encode("y") });
      return all.length;
    });
    assert.equal(read, 40);
    const page = await store.listPage({ prefix: ["m"] });
    assert.deepEqual(page.entries.map((e) => dec.decode(e.data)), Array(40).fill("y"));
  });

  Deno.test(`${name}: deletePrefix() removes more keys than one atomic may check`, async () => {
    await using store = await open();
    const scoped = store.scope(["ns"]);
    await Promise.all(
      Array.from({ length: 35 }, (_, i) => scoped.set(["h", i], { data: enc.encode("v") })),
    );
    await scoped.set(["keep"], { data: enc.encode("v") });
    assert.equal(await scoped.deletePrefix(["h"]), 35);
    assert.deepEqual((await scoped.listPage({ prefix: [] })).entries.map((e) => e.key), [["keep"]]);
  });

  Deno.test(`${name}: the sweeper expires more keys than one atomic may check`, async () => {
    await using store = await open();
    const expired: unknown[] = [];
    const off = store.onCommit((changes) => {
      for (const c of changes) if (c.cause === "expire") expired.push(c.key);
    });
    // Far enough ahead that every write below lands before the deadline.
    const expiresAt = Date.now() + 300;
    await store.write((tx) => {
      for (let i = 0; i < 10; i++) tx.set(["e", i], { data: enc.encode("v"), expiresAt });
    });
    await store.write((tx) => {
      for (let i = 10; i < 25; i += 2) tx.set(["e", i], { data: enc.encode("v"), expiresAt });
    });
    await Promise.all(
      Array.from(
        { length: 10 },
        (_, i) => store.set(["f", i], { data: enc.encode("v"), expiresAt }),
      ),
    );
    assert.equal((await store.listPage({ prefix: ["e"] })).entries.length, 18);
    // Hooks fire at commit; the count is updated once the sweep finishes: wait for both.
    for (let i = 0; i < 200 && (expired.length < 28 || store.stats().expired < 28); i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    off();
    assert.equal(expired.length, 28);
    assert.equal(store.stats().expired, 28);
  });
}

Deno.test("basekv --kv-url exits with the server's reason on a wrong token or no server", async () => {
  await using server = await startKvConnectServer();
  const ports = ["--redis-port=0", "--memcached-port=0", "--http-port=0"];
  const wrong = await runMain([`--kv-url=${server.url}`, ...ports], {
    DENO_KV_ACCESS_TOKEN: "wrong",
  });
  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr, /^basekv: .*401 Unauthorized: Invalid access token\n$/);
  const closed = await runMain(["--kv-url=http://127.0.0.1:1", ...ports]);
  assert.equal(closed.code, 1);
  assert.match(closed.stderr, /^basekv: .*Connection refused/);
});

Deno.test("keys from Deno's KV Connect client decode to the keys written, every part type", async () => {
  await using server = await startKvConnectServer();
  using kv = await Deno.openKv(server.url);
  const key = [new Uint8Array([0, 255]), "s\u0000", -1.5, 0, 7n, -(2n ** 70n), false, true];
  await kv.set(key, new Uint8Array([1]));
  await kv.set(["n"], new Deno.KvU64(5n));
  await kv.atomic().sum(["n"], 2n).commit();
  assert.deepEqual(await server.keys(), [key, ["n"]]);
  assert.equal((await kv.get<Deno.KvU64>(["n"])).value?.value, 7n);
});

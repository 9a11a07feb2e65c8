/** Runs the Store conformance cases against every local backing, plus file-only behaviour. */
import assert from "node:assert/strict";
import { openStore } from "../../src/store/mod.ts";
import { storeCases, type StoreFactory } from "./store_cases.ts";
import { countCases } from "./count_cases.ts";

const backings: [string, StoreFactory][] = [
  ["memory store", () => openStore({ memory: true, sweepIntervalMs: 20 })],
  ["file store", async () => {
    const dir = await Deno.makeTempDir();
    const store = await openStore({ path: `${dir}/db.sqlite`, sweepIntervalMs: 20 });
    return Object.assign(store, {
      async [Symbol.asyncDispose]() {
        await store.close();
        await Deno.remove(dir, { recursive: true });
      },
    });
  }],
  ["shared file store (remote path: checks on, cache off)", async () => {
    const dir = await Deno.makeTempDir();
    return await openStore({ path: `${dir}/db.sqlite`, shared: true, sweepIntervalMs: 20 });
  }],
];

for (const [name, open] of backings) {
  storeCases(name, open);
  countCases(name, open);
}

Deno.test("openStore() refuses a second exclusive open of one file", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/db.sqlite`;
  const first = await openStore({ path });
  await assert.rejects(() => openStore({ path }), /another basekv process is using/);
  await first.close();
  const again = await openStore({ path });
  await again.close();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("two shared writers on one file never lose an increment", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/db.sqlite`;
  const a = await openStore({ path, shared: true });
  const b = await openStore({ path, shared: true });
  const enc = new TextEncoder(), dec = new TextDecoder();
  const bump = (s: typeof a) =>
    s.write(async (tx) => {
      const cur = await tx.get(["n"]);
      tx.set(["n"], { data: enc.encode(String((cur ? Number(dec.decode(cur.data)) : 0) + 1)) });
    });
  await Promise.all(Array.from({ length: 200 }, (_, i) => bump(i % 2 ? a : b)));
  assert.equal(dec.decode((await a.get(["n"]))!.data), "200");
  await a.close();
  await b.close();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("data written before a restart is there after it", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/db.sqlite`;
  const first = await openStore({ path });
  await first.set(["keep"], { data: new Uint8Array(200_000).fill(9) });
  await first.close();
  const second = await openStore({ path });
  assert.equal((await second.get(["keep"]))?.data.length, 200_000);
  await second.close();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("the sweeper works through a backlog of expired keys in one tick", async () => {
  await using store = await openStore({ memory: true, sweepIntervalMs: 50 });
  const expiresAt = Date.now() + 30;
  await store.write((tx) => {
    for (let i = 0; i < 900; i++) tx.set(["e", i], { data: new Uint8Array([1]), expiresAt });
  });
  for (let i = 0; i < 100 && store.stats().expired < 900; i++) {
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.equal(store.stats().expired, 900);
});

Deno.test("a value that is a view into a larger buffer stores only its own bytes", async () => {
  await using store = await openStore({ memory: true });
  const big = new Uint8Array(1024 * 1024).fill(7);
  await store.set(["view"], { data: big.subarray(10, 20) });
  assert.deepEqual((await store.get(["view"]))?.data, new Uint8Array(10).fill(7));
});

/**
 * Coalesced point reads: misses waiting together leave in shared getMany calls, each key still
 * gets its own answer (a bad key fails alone), and a read that waited in the queue while its key
 * was written neither fills the cache with the old state nor hides the write from the next read.
 * Run on a file store (cache and existence index), a shared file and a remote store (neither).
 * @module
 */
import assert from "node:assert/strict";
import { type OpenedStore, openStore } from "../../src/store/mod.ts";
import { startKvConnectServer, TEST_KV_TOKEN } from "../helpers/kv_connect_server.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const KEYS = 60;

type Backing = { name: string; open: (dir: string) => Promise<OpenedStore> };

const backings: Backing[] = [
  { name: "file store", open: (dir) => openStore({ path: `${dir}/db.sqlite` }) },
  {
    name: "shared file store",
    open: (dir) => openStore({ path: `${dir}/db.sqlite`, shared: true }),
  },
  {
    name: "remote store",
    open: async () => {
      Deno.env.set("DENO_KV_ACCESS_TOKEN", TEST_KV_TOKEN);
      const server = await startKvConnectServer();
      const store = await openStore({ url: server.url });
      const close = store.close.bind(store);
      return Object.assign(store, {
        async close() {
          await close();
          await server.close();
        },
      });
    },
  },
];

/** A store holding KEYS keys, reopened so none of them is cached. */
async function coldStore(backing: Backing, dir: string): Promise<OpenedStore> {
  const first = await backing.open(dir);
  if (first.info.kind === "remote") {
    // Nothing to reopen (no cache): write and use the same handle.
    for (let i = 0; i < KEYS; i++) await first.set(["k", i], { data: enc.encode(`v${i}`) });
    return first;
  }
  await first.write((tx) => {
    for (let i = 0; i < KEYS; i++) tx.set(["k", i], { data: enc.encode(`v${i}`) });
  });
  await first.close();
  return await backing.open(dir);
}

for (const backing of backings) {
  Deno.test(`${backing.name}: concurrent misses share getMany calls, each gets its own value`, async () => {
    const dir = await Deno.makeTempDir();
    const store = await coldStore(backing, dir);
    try {
      const before = store.stats();
      const got = await Promise.all(
        Array.from({ length: KEYS }, (_, i) => store.get(["k", i])),
      );
      got.forEach((e, i) => assert.equal(dec.decode(e!.data), `v${i}`));
      const after = store.stats();
      const reads = after.storeReads - before.storeReads;
      const calls = after.storeReadCalls - before.storeReadCalls;
      assert.equal(reads, KEYS, "every key read once");
      assert.ok(calls <= Math.ceil(KEYS / 10) + 2, `${calls} calls for ${reads} keys`);
      // getMany through the view and absent keys ride the same calls.
      const many = await store.getMany([["k", 1], ["nope", 1], ["k", KEYS - 1]]);
      assert.deepEqual(many.map((e) => e && dec.decode(e.data)), ["v1", null, `v${KEYS - 1}`]);
    } finally {
      await store.close();
      await Deno.remove(dir, { recursive: true });
    }
  });

  Deno.test(`${backing.name}: a bad key fails alone, not the keys it travelled with`, async () => {
    const dir = await Deno.makeTempDir();
    const store = await coldStore(backing, dir);
    try {
      // Over Deno KV's 2048-byte key limit: getMany refuses the whole call.
      const huge = new Uint8Array(4096);
      const reads = Array.from({ length: 9 }, (_, i) => store.get(["k", i]));
      const bad = store.get(["k", huge]);
      const results = await Promise.allSettled([...reads, bad]);
      for (let i = 0; i < 9; i++) {
        const r = results[i];
        assert.equal(r.status, "fulfilled", `key ${i}: ${(r as PromiseRejectedResult).reason}`);
        assert.equal(
          dec.decode((r as PromiseFulfilledResult<{ data: Uint8Array }>).value.data),
          `v${i}`,
        );
      }
      // The sole writer's existence index rules the key out without a read; others must ask.
      const last = results[9];
      if (store.info.exclusive && last.status === "fulfilled") assert.equal(last.value, null);
      else assert.equal(last.status, "rejected");
    } finally {
      await store.close();
      await Deno.remove(dir, { recursive: true });
    }
  });

  Deno.test(`${backing.name}: a write landing while reads wait is never hidden by them`, async () => {
    const dir = await Deno.makeTempDir();
    const store = await coldStore(backing, dir);
    try {
      for (let round = 0; round < 5; round++) {
        const target = ["k", round * 7];
        // A queue of misses (the target among them), then a write of the target before the
        // queue drains; whatever the queued read saw, the next read sees the write.
        const flood = Array.from({ length: KEYS }, (_, i) => store.get(["k", i]));
        const written = store.set(target, { data: enc.encode(`new${round}`) });
        await Promise.all([...flood, written]);
        assert.equal(dec.decode((await store.get(target))!.data), `new${round}`);
        // Reads after the write, alongside more misses, see it too.
        const again = await Promise.all([
          store.get(target),
          ...Array.from({ length: 20 }, (_, i) => store.get(["k", (i * 3) % KEYS])),
        ]);
        assert.equal(dec.decode(again[0]!.data), `new${round}`);
      }
    } finally {
      await store.close();
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("shared file stores: a key one writer just wrote is read fresh by the other amid a queue", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/db.sqlite`;
  const a = await openStore({ path, shared: true });
  const b = await openStore({ path, shared: true });
  try {
    for (let i = 0; i < KEYS; i++) await a.set(["k", i], { data: enc.encode(`v${i}`) });
    for (let round = 0; round < 5; round++) {
      const flood = Array.from({ length: KEYS }, (_, i) => b.get(["k", i]));
      await a.set(["k", round], { data: enc.encode(`a${round}`) });
      const fresh = b.get(["k", round]);
      await Promise.all(flood);
      assert.equal(dec.decode((await fresh)!.data), `a${round}`);
    }
  } finally {
    await a.close();
    await b.close();
    await Deno.remove(dir, { recursive: true });
  }
});

/**
 * The Store conformance cases: every backing (file, memory, shared file) runs them all.
 * @module
 */
import assert from "node:assert/strict";
import type { OpenedStore, Store } from "../../src/store/mod.ts";

/** Opens a fresh store for one case. */
export type StoreFactory = () => Promise<OpenedStore>;

const enc = new TextEncoder();
const dec = new TextDecoder();

function pattern(size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (i * 31 + seed * 7 + (i >> 8)) & 0xff;
  return out;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function increment(store: Store, key: Deno.KvKey): Promise<number> {
  return await store.write(async (tx) => {
    const cur = await tx.get(key);
    const next = (cur ? Number(dec.decode(cur.data)) : 0) + 1;
    tx.set(key, { data: enc.encode(String(next)), expiresAt: cur?.expiresAt });
    return next;
  });
}

/** Register every conformance case under `name`. */
export function storeCases(name: string, open: StoreFactory): void {
  function test(title: string, fn: (store: OpenedStore) => Promise<void>) {
    Deno.test(`${name}: ${title}`, async () => {
      await using store = await open();
      await fn(store);
    });
  }

  test("set() and get() round-trip data, meta and deadline", async (store) => {
    const expiresAt = Date.now() + 60_000;
    await store.set(["a"], { data: enc.encode("hello"), meta: { flags: 7 }, expiresAt });
    const got = await store.get<{ flags: number }>(["a"]);
    assert.ok(got);
    assert.equal(dec.decode(got.data), "hello");
    assert.deepEqual(got.meta, { flags: 7 });
    assert.equal(got.expiresAt, expiresAt);
    assert.deepEqual(got.key, ["a"]);
    assert.equal(await store.get(["missing"]), null);
  });

  for (const size of [0, 1, 65535, 65536, 65537, 5 * 1024 * 1024]) {
    test(`a ${size}-byte value round-trips byte-exact`, async (store) => {
      const data = pattern(size, size % 251);
      await store.set(["big", size], { data });
      const got = await store.get(["big", size]);
      assert.ok(got);
      assert.equal(got.data.length, size);
      assert.ok(got.data.every((b, i) => b === data[i]), "bytes differ");
      const [many] = await store.getMany([["big", size]]);
      assert.equal(many?.data.length, size);
    });
  }

  test("a reader racing 5 MiB overwrites never sees a torn value", async (store) => {
    const size = 5 * 1024 * 1024;
    const versions = [1, 2, 3, 4].map((seed) => pattern(size, seed));
    await store.set(["race"], { data: versions[0], meta: 0 });
    let done = false;
    const writer = (async () => {
      for (let i = 1; i < versions.length; i++) {
        await store.set(["race"], { data: versions[i], meta: i });
      }
      done = true;
    })();
    let reads = 0;
    while (!done || reads < 3) {
      const got = await store.get<number>(["race"]);
      assert.ok(got);
      const expected = versions[got.meta!];
      assert.equal(got.data.length, size);
      assert.ok(got.data.every((b, i) => b === expected[i]), `torn value at read ${reads}`);
      reads++;
    }
    await writer;
  });

  test("overwriting and deleting chunked values reclaims their chunks", async (store) => {
    await store.set(["c"], { data: pattern(300_000, 1) });
    await store.set(["c"], { data: pattern(200_000, 2) });
    await store.delete(["c"]);
    assert.equal(await store.get(["c"]), null);
    await store.set(["c"], { data: pattern(100, 3) });
    assert.equal((await store.get(["c"]))?.data.length, 100);
  });

  test("1000 concurrent increments on one key end at exactly 1000", async (store) => {
    await Promise.all(Array.from({ length: 1000 }, () => increment(store, ["n"])));
    assert.equal(dec.decode((await store.get(["n"]))!.data), "1000");
  });

  test("a key with a 50 ms deadline is gone at 60 ms through every read path", async (store) => {
    const t0 = Date.now();
    await store.set(["ttl", "x"], { data: enc.encode("v"), expiresAt: t0 + 50 });
    await store.set(["ttl", "y"], { data: enc.encode("w") });
    const early = await store.get(["ttl", "x"]);
    // A read that completed before the deadline must have seen the key (a loaded machine may be late).
    if (Date.now() < t0 + 50) assert.ok(early);
    await sleep(60 - (Date.now() - t0));
    assert.equal(await store.get(["ttl", "x"]), null);
    assert.deepEqual(await store.getMany([["ttl", "x"]]), [null]);
    const listed = [];
    for await (const e of store.list({ prefix: ["ttl"] })) listed.push(e.key);
    assert.deepEqual(listed, [["ttl", "y"]]);
    const page = await store.listPage({ prefix: ["ttl"] });
    assert.deepEqual(page.entries.map((e) => e.key), [["ttl", "y"]]);
    const added = await store.write(async (tx) => {
      if (await tx.get(["ttl", "x"])) return false;
      tx.set(["ttl", "x"], { data: enc.encode("new") });
      return true;
    });
    assert.equal(added, true, "an add over an expired key must succeed");
  });

  test("the sweeper deletes expired entries and reports them to hooks", async (store) => {
    const expired: unknown[] = [];
    const off = store.onCommit((changes) => {
      for (const c of changes) if (c.cause === "expire") expired.push(c.key);
    });
    await store.set(["s"], { data: enc.encode("v"), expiresAt: Date.now() + 20 });
    for (let i = 0; i < 500 && expired.length === 0; i++) await sleep(20);
    off();
    assert.deepEqual(expired, [["s"]]);
  });

  test("a set with a past deadline deletes the key", async (store) => {
    await store.set(["p"], { data: enc.encode("v") });
    await store.set(["p"], { data: enc.encode("v"), expiresAt: Date.now() - 1 });
    assert.equal(await store.get(["p"]), null);
  });

  test("one failing unit in a batch does not fail its neighbours", async (store) => {
    await store.set(["taken"], { data: enc.encode("x") });
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        store.write(async (tx) => {
          const key = i === 7 ? ["taken"] : ["free", i];
          if (await tx.get(key)) throw new Error("exists");
          tx.set(key, { data: enc.encode(String(i)) });
          return i;
        })),
    );
    assert.equal(results.filter((r) => r.status === "rejected").length, 1);
    assert.equal(results[7].status, "rejected");
    for (let i = 0; i < 20; i++) {
      if (i !== 7) assert.equal(dec.decode((await store.get(["free", i]))!.data), String(i));
    }
    assert.equal(dec.decode((await store.get(["taken"]))!.data), "x");
  });

  test("an oversized key is refused without failing the batch", async (store) => {
    const big = new Uint8Array(3000);
    const [bad, good] = await Promise.allSettled([
      store.set([big], { data: enc.encode("x") }),
      store.set(["ok"], { data: enc.encode("y") }),
    ]);
    assert.equal(bad.status, "rejected");
    assert.match(String((bad as PromiseRejectedResult).reason), /Key too large/);
    assert.equal(good.status, "fulfilled");
  });

  test("units read their batch's earlier staged writes, lists included", async (store) => {
    const [, listed] = await Promise.all([
      store.set(["l", "b"], { data: enc.encode("2") }),
      store.write((tx) => tx.list({ prefix: ["l"] })),
      store.set(["l", "a"], { data: enc.encode("1") }),
    ]);
    assert.deepEqual(listed.map((e) => e.key), [["l", "b"]]);
    const after = await store.write((tx) => tx.list({ prefix: ["l"] }));
    assert.deepEqual(after.map((e) => e.key), [["l", "a"], ["l", "b"]]);
  });

  test("scopes isolate namespaces and hooks see only their own", async (store) => {
    const redis = store.scope(["redis"]);
    const mc = store.scope(["memcached"]);
    const seen: unknown[] = [];
    const off = mc.onCommit((changes) => seen.push(...changes.map((c) => c.key)));
    await redis.set(["user"], { data: enc.encode("r") });
    await mc.set(["user"], { data: enc.encode("m") });
    off();
    assert.equal(dec.decode((await redis.get(["user"]))!.data), "r");
    assert.equal(dec.decode((await mc.get(["user"]))!.data), "m");
    assert.deepEqual(seen, [["user"]]);
    assert.equal(await redis.deletePrefix([]), 1);
    assert.equal(await redis.get(["user"]), null);
    assert.ok(await mc.get(["user"]));
  });

  test("a hook's changes carry each entry as committed, keyed relative to its view", async (store) => {
    const view = store.scope(["ns", "sub"]);
    const seen: { key: unknown; data: string | null; meta: unknown; vs: string; cause: string }[] =
      [];
    const off = view.onCommit((changes) => {
      for (const c of changes) {
        seen.push({
          key: c.key,
          data: c.entry ? dec.decode(c.entry.data) : null,
          meta: c.entry?.meta,
          vs: c.entry?.versionstamp ?? "",
          cause: c.cause,
        });
        // The entry's key is the change's, relative to the view, however often it is read.
        if (c.entry) assert.deepEqual(c.entry.key, c.key);
      }
    });
    const deadline = Date.now() + 60_000;
    await view.write((tx) => {
      tx.set(["a"], { data: enc.encode("one"), meta: { t: 1 } });
      tx.set(["b", 2], { data: enc.encode("two"), expiresAt: deadline });
    });
    await view.delete(["a"]);
    off();
    const stored = await view.get(["b", 2]);
    assert.equal(stored?.expiresAt, deadline);
    assert.deepEqual(seen.map(({ vs: _, ...c }) => c), [
      { key: ["a"], data: "one", meta: { t: 1 }, cause: "write" },
      { key: ["b", 2], data: "two", meta: undefined, cause: "write" },
      { key: ["a"], data: null, meta: undefined, cause: "write" },
    ]);
    assert.equal(seen[0].vs, seen[1].vs);
    assert.equal(seen[1].vs, stored?.versionstamp);
    assert.equal(seen[2].vs, "");
  });

  test("listPage() pages with a cursor and in reverse", async (store) => {
    for (let i = 0; i < 25; i++) await store.set(["k", i], { data: enc.encode(String(i)) });
    const seen: number[] = [];
    let cursor = "";
    do {
      const page = await store.listPage<unknown>({ prefix: ["k"] }, { limit: 10, cursor });
      seen.push(...page.entries.map((e) => e.key[1] as number));
      cursor = page.cursor;
    } while (cursor);
    assert.deepEqual(seen, Array.from({ length: 25 }, (_, i) => i));
    const rev = await store.listPage({ prefix: ["k"] }, { limit: 3, reverse: true });
    assert.deepEqual(rev.entries.map((e) => e.key[1]), [24, 23, 22]);
  });

  test("a unit larger than one atomic commits whole, and readers never see half of it", async (store) => {
    const n = 3000;
    if (!store.info.exclusive) {
      // Other front-ends could see half of it: a shared store refuses such units.
      await assert.rejects(
        () =>
          store.write((tx) => {
            for (let i = 0; i < n; i++) tx.set(["u", i], { data: enc.encode("x") });
          }),
        /Transaction too large/,
      );
      return;
    }
    await store.write((tx) => {
      for (let i = 0; i < n; i++) tx.set(["u", i], { data: enc.encode("old") });
    });
    let reading = true;
    const reader = (async () => {
      let checks = 0;
      while (reading || checks < 3) {
        const [first, last] = await store.getMany([["u", 0], ["u", n - 1]]);
        assert.equal(dec.decode(first!.data), dec.decode(last!.data), "saw half a unit");
        checks++;
        await sleep(0);
      }
    })();
    await store.write((tx) => {
      for (let i = 0; i < n; i++) tx.set(["u", i], { data: enc.encode("new") });
    });
    reading = false;
    await reader;
    let count = 0;
    for await (const e of store.list({ prefix: ["u"] })) {
      assert.equal(dec.decode(e.data), "new");
      count++;
    }
    assert.equal(count, n);
  });
}

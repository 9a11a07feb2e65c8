/**
 * Counted prefixes, write hints and group-commit isolation, run on every backing (memory,
 * file, shared file, KV Connect) through the Store API.
 * @module
 */
import assert from "node:assert/strict";
import type { Key, OpenedStore, Store } from "../../src/store/mod.ts";
import type { StoreFactory } from "./store_cases.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** What a listing finds under a group: the figure every counter must equal. */
async function listed(store: Store, group: Key): Promise<{ keys: number; bytes: number }> {
  let keys = 0, bytes = 0;
  for await (const e of store.list({ prefix: group })) {
    keys++;
    bytes += e.data.length;
  }
  return { keys, bytes };
}

/** Assert a group's counters equal a listing of it (no entry of it may be past its deadline). */
export async function assertCountMatches(store: Store, group: Key): Promise<number> {
  const want = await listed(store, group);
  const got = await store.count(group);
  assert.equal(got.keys, want.keys, `keys under ${JSON.stringify(group)}`);
  assert.equal(got.dataBytes, want.bytes, `data bytes under ${JSON.stringify(group)}`);
  return got.keys;
}

/** Register every case under `name`. */
export function countCases(name: string, open: StoreFactory): void {
  function test(title: string, fn: (store: OpenedStore) => Promise<void>) {
    Deno.test(`${name}: ${title}`, async () => {
      await using store = await open();
      await fn(store);
    });
  }

  test("counts stay exact across set, overwrite, delete, expiry and deletePrefix", async (store) => {
    await store.countKeys(["c"], 1);
    assert.deepEqual(await store.count(["c", "a"]), {
      keys: 0,
      expiring: 0,
      meanExpiresAt: null,
      dataBytes: 0,
      keyBytes: 0,
    });
    await Promise.all(
      Array.from(
        { length: 120 },
        (_, i) =>
          store.set(["c", i % 2 ? "a" : "b", enc.encode(`k${i}`)], {
            data: enc.encode("x".repeat(i)),
          }),
      ),
    );
    assert.equal(await assertCountMatches(store, ["c", "a"]), 60);
    assert.equal(await assertCountMatches(store, ["c", "b"]), 60);
    // Overwrites (blind and read-modify-write) change bytes, not keys.
    await store.set(["c", "a", enc.encode("k1")], { data: enc.encode("yy") });
    await store.write(async (tx) => {
      const e = await tx.get(["c", "a", enc.encode("k3")]);
      tx.set(["c", "a", enc.encode("k3")], { data: enc.encode(dec.decode(e!.data) + "z") });
    });
    await assertCountMatches(store, ["c", "a"]);
    // Deletes, including of absent keys and twice in one unit.
    await store.write((tx) => {
      tx.delete(["c", "a", enc.encode("k5")]);
      tx.delete(["c", "a", enc.encode("k5")]);
      tx.delete(["c", "a", enc.encode("absent")]);
    });
    assert.equal(await assertCountMatches(store, ["c", "a"]), 59);
    // Deadlines: counted as expiring, then removed by the sweeper.
    const deadline = Date.now() + 150;
    await store.set(["c", "a", enc.encode("t1")], { data: enc.encode("t"), expiresAt: deadline });
    await store.set(["c", "a", enc.encode("t2")], { data: enc.encode("t"), expiresAt: deadline });
    const withTtl = await store.count(["c", "a"]);
    assert.equal(withTtl.keys, 61);
    assert.equal(withTtl.expiring, 2);
    assert.ok(Math.abs(withTtl.meanExpiresAt! - deadline) <= 1000);
    for (let i = 0; i < 200 && (await store.count(["c", "a"])).keys !== 59; i++) await sleep(20);
    const after = await store.count(["c", "a"]);
    assert.equal(after.keys, 59, "the sweeper's deletions are counted");
    assert.equal(after.expiring, 0);
    await assertCountMatches(store, ["c", "a"]);
    // A past deadline deletes; a persist (set without deadline) clears the expiring count.
    await store.set(["c", "b", enc.encode("k0")], {
      data: enc.encode("p"),
      expiresAt: Date.now() + 60_000,
    });
    assert.equal((await store.count(["c", "b"])).expiring, 1);
    await store.set(["c", "b", enc.encode("k0")], { data: enc.encode("p") });
    assert.equal((await store.count(["c", "b"])).expiring, 0);
    await store.set(["c", "b", enc.encode("k2")], {
      data: enc.encode("p"),
      expiresAt: Date.now() - 1,
    });
    assert.equal(await assertCountMatches(store, ["c", "b"]), 59);
    // Flush: every entry of the group leaves through deletePrefix.
    await store.deletePrefix(["c", "b"]);
    assert.equal((await store.count(["c", "b"])).keys, 0);
    assert.equal(await assertCountMatches(store, ["c", "a"]), 59);
  });

  test("a scoped view counts and reads its own groups, and keyBytes add up", async (store) => {
    const redis = store.scope(["ns"]);
    await redis.countKeys(["k"], 1);
    await redis.set(["k", 0, enc.encode("abc")], { data: enc.encode("1") });
    await redis.set(["k", 0, enc.encode("de")], { data: enc.encode("1") });
    await redis.set(["k", 3, enc.encode("f")], { data: enc.encode("1") });
    await store.set(["other", 0, enc.encode("x")], { data: enc.encode("1") });
    assert.equal((await redis.count(["k", 0])).keys, 2);
    assert.equal((await redis.count(["k", 0])).keyBytes, 5);
    assert.equal((await redis.count(["k", 3])).keys, 1);
    assert.equal((await redis.count(["k", 9])).keys, 0);
    await assert.rejects(() => redis.count(["other"]), /no countKeys/);
  });

  test("a 1000-unit group commit in which one unit fails leaves its 999 neighbours committed", async (store) => {
    await store.countKeys(["g"], 0);
    // The bad unit passes every check the loop makes and fails only inside the atomic.
    const tooBig = "x".repeat(70_000);
    const results = await Promise.allSettled(
      Array.from({ length: 1000 }, (_, i) =>
        store.write(
          (tx) => {
            tx.set(["g", i], { data: enc.encode(String(i)), meta: i === 500 ? tooBig : undefined });
            return i;
          },
          { keys: [["g", i]] },
        )),
    );
    const failed = results.flatMap((r, i) => r.status === "rejected" ? [i] : []);
    assert.deepEqual(failed, [500]);
    const [first, last] = await store.getMany([["g", 0], ["g", 999]]);
    assert.equal(dec.decode(first!.data), "0");
    assert.equal(dec.decode(last!.data), "999");
    assert.equal(await store.get(["g", 500]), null);
    assert.equal(await assertCountMatches(store, ["g"]), 999);
  });

  test("a read never serves a stale miss for a key another path just wrote", async (store) => {
    const a = store.scope(["s"]);
    for (let i = 0; i < 50; i++) {
      const key = ["fresh", i];
      // A miss in flight while the key is written: the next read must see the write.
      const early = store.get(["s", ...key]);
      await a.write((tx) => tx.set(key, { data: enc.encode(`v${i}`) }), { keys: [key] });
      await early;
      assert.equal(dec.decode((await store.get(["s", ...key]))!.data), `v${i}`);
      const [many] = await store.getMany([["s", ...key]]);
      assert.equal(dec.decode(many!.data), `v${i}`);
      const inUnit = await store.write((tx) => tx.get(["s", ...key]));
      assert.equal(dec.decode(inUnit!.data), `v${i}`);
      await a.delete(key);
      assert.equal(await store.get(["s", ...key]), null);
    }
  });

  test("a unit larger than one atomic keeps its counts exact", async (store) => {
    if (!store.info.exclusive) return; // A shared store refuses such units (store_cases).
    await store.countKeys(["u"], 0);
    await store.write((tx) => {
      for (let i = 0; i < 2500; i++) tx.set(["u", i], { data: enc.encode("x") });
    });
    assert.equal(await assertCountMatches(store, ["u"]), 2500);
    await store.write((tx) => {
      for (let i = 0; i < 2500; i += 2) tx.delete(["u", i]);
      for (let i = 2500; i < 3000; i++) tx.set(["u", i], { data: enc.encode("yy") });
    });
    assert.equal(await assertCountMatches(store, ["u"]), 1750);
  });

  test("write hints are only hints: undeclared keys still read and write", async (store) => {
    await store.set(["h", 1], { data: enc.encode("one") });
    const got = await store.write(async (tx) => {
      const one = await tx.get(["h", 1]);
      tx.set(["h", 2], { data: one!.data });
      return dec.decode(one!.data);
    }, { keys: [["h", 3]] });
    assert.equal(got, "one");
    assert.equal(dec.decode((await store.get(["h", 2]))!.data), "one");
  });
}

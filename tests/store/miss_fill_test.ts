/**
 * Reads that miss the cache: a client's read fills a full cache only on the key's second miss
 * (a cache with room, or misses that recur, take the first), the write loop's reads fill it at
 * once, a write landing while an admitted read waits is never hidden, and the read queue lets go
 * of the reads it has sent while it never drains.
 * @module
 */
import assert from "node:assert/strict";
import { type OpenedStore, openStore } from "../../src/store/mod.ts";
import { SecondTouch } from "../../src/store/admission.ts";
import { Lane, type Waiter } from "../../src/store/read_batcher.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const KEYS = 40;

/** A 1 MiB cache's worth of filler keys: each value ~1 KiB, so a few thousand overfill it. */
const FILLERS = 2000;

/** A cache with room (false), or filled with keys only written, or written and read by clients. */
type Full = false | "written" | "read";

/**
 * A file store holding KEYS keys, reopened so none of them is cached; `full`: its cache then
 * filled to its budget with other keys (written, so cached by their commits; "read": then read).
 */
async function coldStore(dir: string, full: Full = false): Promise<OpenedStore> {
  const path = `${dir}/db.sqlite`;
  const first = await openStore({ path });
  await first.write((tx) => {
    for (let i = 0; i < KEYS; i++) tx.set(["k", i], { data: enc.encode(`v${i}`) });
  });
  await first.close();
  if (!full) return await openStore({ path });
  const store = await openStore({ path, cacheMb: 1 });
  const filler = new Uint8Array(1000);
  await store.write((tx) => {
    for (let i = 0; i < FILLERS; i++) tx.set(["filler", i], { data: filler });
  });
  // Read by a client: keys no client read leave room a client's miss takes at once (cache.ts).
  for (let round = 0; full === "read" && round < 2; round++) {
    for (let i = 0; i < FILLERS; i++) await store.get(["filler", i]);
  }
  return store;
}

/** Run `fn` on a cold store in a fresh directory, then close and remove both. */
async function withColdStore(
  fn: (store: OpenedStore) => Promise<void>,
  full: Full = false,
): Promise<void> {
  const dir = await Deno.makeTempDir();
  const store = await coldStore(dir, full);
  try {
    await fn(store);
  } finally {
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
}

/** Store reads a call costs (keys read from Deno KV, not from memory). */
async function readsOf(store: OpenedStore, fn: () => Promise<unknown>): Promise<number> {
  const before = store.stats().storeReads;
  await fn();
  return store.stats().storeReads - before;
}

Deno.test("a client's miss fills a full cache on the key's second miss, not its first", async () => {
  await withColdStore(async (store) => {
    for (const i of [0, 1, 2]) {
      const get = () => store.get(["k", i]);
      assert.equal(await readsOf(store, get), 1, `key ${i}: first read`);
      assert.equal(await readsOf(store, get), 1, `key ${i}: second read (not cached by the first)`);
      assert.equal(await readsOf(store, get), 0, `key ${i}: third read (cached by the second)`);
      assert.equal(dec.decode((await get())!.data), `v${i}`);
    }
    // getMany takes the same path.
    const many = () => store.getMany([["k", 10], ["k", 11]]);
    assert.equal(await readsOf(store, many), 2);
    assert.equal(await readsOf(store, many), 2);
    assert.equal(await readsOf(store, many), 0);
  }, "read");
});

/** A client's first miss of key `i` fills the cache: its second read costs no store read. */
function firstMissFills(i: number, full: Full): Promise<void> {
  return withColdStore(async (store) => {
    const get = () => store.get(["k", i]);
    assert.equal(await readsOf(store, get), 1);
    assert.equal(await readsOf(store, get), 0);
    assert.equal(dec.decode((await get())!.data), `v${i}`);
  }, full);
}

Deno.test("a cache with room takes a client's first miss", () => firstMissFills(7, false));

Deno.test(
  "a cache full of keys no client read takes a client's first miss",
  () => firstMissFills(3, "written"),
);

Deno.test("a key a write unit read is cached at once", async () => {
  await withColdStore(async (store) => {
    const seen = await store.write(async (tx) => (await tx.get(["k", 5]))?.data);
    assert.equal(dec.decode(seen!), "v5");
    assert.equal(await readsOf(store, () => store.get(["k", 5])), 0);
  });
});

Deno.test("a write landing while an admitted miss waits is never hidden by it", async () => {
  const dir = await Deno.makeTempDir();
  let store = await coldStore(dir);
  try {
    for (let round = 0; round < 5; round++) {
      const target = ["k", round];
      // The first miss of every key is remembered, so the reads below are admitted ones that
      // fill the cache: a queue of them, the target's among them, and its write before it drains.
      await Promise.all(Array.from({ length: KEYS }, (_, i) => store.get(["k", i])));
      const flood = Array.from({ length: KEYS }, (_, i) => store.get(["k", i]));
      const written = store.set(target, { data: enc.encode(`new${round}`) });
      await Promise.all([...flood, written]);
      assert.equal(dec.decode((await store.get(target))!.data), `new${round}`);
      // Reopen: nothing cached or remembered, so the next round's reads miss again.
      await store.close();
      store = await openStore({ path: `${dir}/db.sqlite` });
    }
  } finally {
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the doorkeeper admits a key on its second miss and forgets it once admitted", () => {
  const door = new SecondTouch(1 << 20);
  assert.equal(door.admit("a"), false);
  assert.equal(door.admit("b"), false);
  assert.equal(door.admit("a"), true);
  assert.equal(door.admit("b"), true);
  assert.equal(door.admit("a"), false, "an admitted key starts over");
  // Bounded: a flood of one-off misses pushes old ones out rather than growing a table.
  for (let i = 0; i < 100_000; i++) door.admit(`flood${i}`);
  let remembered = 0;
  for (let i = 0; i < 100_000; i++) if (door.admit(`flood${i}`)) remembered++;
  assert.ok(remembered < 10_000, `${remembered} of 100000 one-off misses remembered`);
  assert.equal(door.open, false);
});

Deno.test("misses that recur open the doorkeeper to first misses, one-off misses shut it", () => {
  // 1024 slots; 600 keys read round and round recur within them about half of the time.
  const door = new SecondTouch(1 << 20, { bytes: 1 << 20 });
  for (let i = 0; i < 20_000; i++) door.admit(`hot${i % 600}`);
  assert.equal(door.open, true);
  assert.equal(door.admit("new-key"), true, "a first miss fills");
  // A keyspace far larger than the table: misses do not recur, and it shuts within a window.
  for (let i = 0; i < 10_000; i++) door.admit(`scan${i}`);
  assert.equal(door.open, false);
  assert.equal(door.admit("other-key"), false);
});

Deno.test("a read queue that never drains lets go of the reads it sent", () => {
  const lane = new Lane();
  const waiter = (): Waiter => ({ key: ["k"], resolve: () => {}, reject: () => {} });
  for (let i = 0; i < 100; i++) lane.items.push(waiter());
  for (let turn = 0; turn < 10_000; turn++) {
    const group: Waiter[] = [];
    lane.take(group, 10);
    assert.equal(group.length, 10);
    for (let i = 0; i < 10; i++) lane.items.push(waiter());
  }
  assert.equal(lane.size, 100);
  // Held: the 100 waiting plus at most the taken ones not yet dropped (a few hundred).
  assert.ok(lane.items.length < 1000, `${lane.items.length} waiters held for 100 waiting`);
});

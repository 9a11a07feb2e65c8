/** The read cache: byte budget, second-chance eviction, and no stale fill after a commit. */
import assert from "node:assert/strict";
import { ReadCache } from "../../src/store/cache.ts";
import { keyId } from "../../src/store/keys.ts";
import { exposeGc } from "../../src/memory_reducer.ts";

/** A cached state as the store makes one: the envelope's payload is the resolved data. */
const raw = (n: number) => {
  const d = new Uint8Array(n);
  return { env: { d }, data: d, versionstamp: "v" };
};

Deno.test("the cache stays within its byte budget", () => {
  const cache = new ReadCache(10_000);
  for (let i = 0; i < 1000; i++) cache.commit(`k${i}`, raw(100));
  assert.ok(cache.bytes <= 10_000, `${cache.bytes} bytes held`);
  assert.ok(cache.size > 0);
  assert.ok(cache.get("k999"), "the newest entry is held");
});

Deno.test("a key hit since the hand last passed survives an eviction round", () => {
  const probe = new ReadCache(1 << 20);
  probe.commit("k0", raw(100));
  // Room for ten entries; each round adds three, so the hand passes k0 once per round.
  const cache = new ReadCache(10 * probe.bytes);
  for (let i = 0; i < 10; i++) cache.commit(`k${i}`, raw(100));
  for (let round = 0; round < 5; round++) {
    assert.ok(cache.get("k0"), `k0 evicted in round ${round}`);
    for (let i = 0; i < 3; i++) cache.commit(`n${round}-${i}`, raw(100));
  }
});

Deno.test("a read that raced a commit of its key does not fill the cache", () => {
  const cache = new ReadCache(1 << 20);
  const ticket = cache.begin("a");
  cache.commit("a", { env: null, data: null, versionstamp: "2" });
  cache.invalidatePrefix("a");
  cache.fill("a", raw(1), ticket);
  assert.equal(cache.get("a"), undefined, "a stale read was cached");
  const fresh = cache.begin("a");
  cache.fill("a", raw(1), fresh);
  assert.ok(cache.get("a"));
});

Deno.test("replacing a key in place keeps the byte count exact", () => {
  const cache = new ReadCache(1 << 20);
  cache.commit("a", raw(3000));
  const before = cache.bytes;
  cache.commit("a", raw(2000));
  assert.equal(before - cache.bytes, 1000);
  cache.commit("b", raw(300));
  const packed = cache.bytes;
  cache.commit("b", raw(200));
  // A packed payload counts twice its bytes (room for the chunks' garbage until compaction).
  assert.equal(packed - cache.bytes, 200);
});

Deno.test("packed payloads keep their bytes through eviction and compaction", () => {
  const bytesOf = (i: number) => {
    const d = new Uint8Array(1 + (i % 300));
    for (let j = 0; j < d.length; j++) d[j] = (i * 31 + j) & 0xff;
    return d;
  };
  const cache = new ReadCache(2 << 20);
  const n = 50_000;
  for (let i = 0; i < n; i++) {
    const d = bytesOf(i);
    cache.commit(`k${i}`, { env: { d, m: i }, data: d, versionstamp: String(i) });
    // Hot keys spread over old chunks survive eviction and pin them: compaction must move them.
    const hot = 25 * (i % 1000);
    if (hot <= i) cache.get(`k${hot}`);
    if (i % 3 === 0 && i > 10) {
      const j = i - 7;
      const e = bytesOf(j);
      cache.commit(`k${j}`, { env: { d: e, m: j }, data: e, versionstamp: String(j) });
    }
  }
  assert.ok(cache.bytes <= 2 << 20, `${cache.bytes} bytes held`);
  let held = 0;
  for (let i = 0; i < n; i++) {
    const got = cache.get(`k${i}`);
    if (!got) continue;
    held++;
    assert.deepEqual(got.data, bytesOf(i), `k${i}`);
    assert.equal(got.env?.d, got.data, `k${i}: envelope and data differ`);
    assert.equal(got.env?.m, i);
  }
  assert.ok(held > 1000, `only ${held} held`);
});

Deno.test("the byte count covers what cached entries really hold", () => {
  // V8's memory-reducing collection, so heap figures are live bytes only.
  const gc = exposeGc();
  assert.ok(gc, "no gc()");
  const collect = () => gc({ type: "major", execution: "sync", flavor: "last-resort" });
  const held = () => {
    collect();
    const m = Deno.memoryUsage();
    return m.heapUsed + m.external;
  };
  const n = 20_000;
  const enc = new TextEncoder();
  const ids = Array.from({ length: n }, (_, i) => keyId(["redis", 0, enc.encode(`key:${i}`)]));
  const before = held();
  const cache = new ReadCache(1 << 30);
  for (let i = 0; i < n; i++) {
    const d = new Uint8Array(100);
    // A distinct versionstamp per entry, as reads from the store bring.
    const versionstamp = (1e19 + i * 7919).toString(16).padStart(20, "0");
    cache.fill(ids[i], { env: { d }, data: d, versionstamp }, cache.begin(ids[i]));
  }
  const measured = (held() - before) / n;
  const accounted = cache.bytes / n;
  assert.equal(cache.size, n);
  // Heap and external bytes are only part of the cost (native records are not in them): the
  // count must not be below them, nor far above the whole (≈ 1.5× the heap part, measured).
  assert.ok(accounted >= measured, `accounted ${accounted} < measured ${measured} per entry`);
  assert.ok(accounted <= 2 * measured, `accounted ${accounted} > 2 × measured ${measured}`);
});

/** The read cache: byte budget, second-chance eviction, and no stale fill after a commit. */
import assert from "node:assert/strict";
import { ReadCache } from "../../src/store/cache.ts";
import { hashCodes, hashId, keyId, keyIdCodes } from "../../src/store/keys.ts";
import { exposeGc } from "../../src/memory_reducer.ts";
import { EMPTY, type Envelope } from "../../src/store/envelope.ts";
import type { Entry } from "../../src/store/types.ts";

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

Deno.test("a key a client read survives writes of many times the budget", () => {
  const probe = new ReadCache(1 << 20);
  probe.commit("k0", raw(100));
  const cache = new ReadCache(10 * probe.bytes);
  cache.commit("read", raw(100));
  assert.ok(cache.get("read", true));
  for (let i = 0; i < 1000; i++) {
    cache.commit(`w${i}`, raw(100));
    // What a write just wrote is there for the write that reads it next.
    if (i > 0) assert.ok(cache.has(`w${i - 1}`), `w${i - 1} evicted at once`);
  }
  assert.ok(cache.get("read"), "the key a client read was evicted by writes");
  assert.ok(cache.bytes <= 10 * probe.bytes);
});

Deno.test("keys clients read keep at most their share of the budget", () => {
  const probe = new ReadCache(1 << 20);
  probe.commit("k0", raw(100));
  const budget = 40 * probe.bytes;
  const cache = new ReadCache(budget);
  // More keys read by clients than the whole budget holds: each is protected as it fills.
  for (let i = 0; i < 100; i++) cache.fill(`r${i}`, raw(100), cache.begin(`r${i}`), true);
  assert.ok(cache.bytes <= budget);
  for (let i = 0; i < 200; i++) {
    cache.commit(`w${i}`, raw(100));
    if (i > 0) assert.ok(cache.has(`w${i - 1}`), `w${i - 1} evicted at once`);
  }
  // The writes took back the unprotected quarter (and a key read once more is protected anew).
  assert.ok(cache.protectedBytes <= 0.75 * budget, `${cache.protectedBytes} of ${budget}`);
  assert.ok(cache.bytes <= budget);
  let held = 0;
  for (let i = 0; i < 200; i++) if (cache.has(`w${i}`)) held++;
  assert.ok(held >= 8, `only ${held} written keys held`);
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
    // Every other entry has a meta object, as Redis keys do (each read brings its own).
    const env = i % 2 ? { d, m: { t: "string" } } : { d };
    cache.fill(ids[i], { env, data: d, versionstamp }, cache.begin(ids[i]));
  }
  const measured = (held() - before) / n;
  const accounted = cache.bytes / n;
  assert.equal(cache.size, n);
  // Heap and external bytes are only part of the cost (native records are not in them): the
  // count must not be below them, nor far above the whole (≈ 1.5× the heap part, measured).
  assert.ok(accounted >= measured, `accounted ${accounted} < measured ${measured} per entry`);
  assert.ok(accounted <= 2 * measured, `accounted ${accounted} > 2 × measured ${measured}`);
});

Deno.test("entry() builds the live entry a raw would give", () => {
  const cache = new ReadCache(1 << 20);
  const d = new Uint8Array([1, 2, 3]);
  cache.commit("plain", { env: { d, m: { t: "string" } }, data: d, versionstamp: "v1" });
  cache.commit("ttl", { env: { d, e: 5000, t: "x" }, data: d, versionstamp: "v2" });
  cache.commit("gone", { env: null, data: EMPTY, versionstamp: "v3" });
  const chunked = { env: { c: { g: "g", n: 40, s: 2 << 20 } }, data: null, versionstamp: "v4" };
  cache.commit("big", chunked);
  assert.deepEqual(cache.entry("plain", ["p"], 0), {
    key: ["p"],
    data: d,
    meta: { t: "string" },
    expiresAt: null,
    versionstamp: "v1",
  });
  assert.equal((cache.entry("ttl", ["t"], 4999) as Entry).expiresAt, 5000);
  assert.equal(cache.entry("ttl", ["t"], 5000), null, "expired at its deadline");
  assert.equal(cache.entry("gone", ["g"], 0), null);
  assert.equal(cache.entry("big", ["b"], 0), false, "held without its payload");
  assert.equal(cache.entry("never", ["n"], 0), undefined);
  // The raw form keeps every envelope field.
  assert.deepEqual(cache.get("ttl"), { env: { d, e: 5000, t: "x" }, data: d, versionstamp: "v2" });
  assert.equal(cache.get("big"), chunked);
});

Deno.test("under a tiny budget every held key answers its last state, and bytes add up", () => {
  let seed = 7;
  const random = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const sizes = [0, 1, 50, 512, 513, 4000];
  const cache = new ReadCache(64 * 1024);
  const model = new Map<string, { env: Envelope | null; data: Uint8Array | null; vs: string }>();
  for (let op = 0; op < 20_000; op++) {
    const id = `k${random(300)}`;
    const kind = random(8);
    let env: Envelope | null;
    let data: Uint8Array | null;
    if (kind === 0) {
      env = null;
      data = EMPTY;
    } else if (kind === 1) {
      env = { c: { g: `g${op}`, n: 1, s: 70_000 }, m: op };
      data = random(2) ? new Uint8Array(70_000).fill(op & 255) : null;
    } else {
      data = new Uint8Array(sizes[random(sizes.length)]);
      for (let i = 0; i < data.length; i++) data[i] = (op + i) & 255;
      env = data.length > 0 ? { d: data.slice() } : {};
      if (random(2)) env.m = { t: "string", op };
      if (random(3) === 0) Object.assign(env, { e: 1e12 + op, t: `t${op}` });
    }
    const vs = String(op);
    if (random(2)) cache.commit(id, { env, data, versionstamp: vs });
    else if (cache.has(id)) continue; // A fill never replaces a held (newer) state.
    else cache.fill(id, { env, data, versionstamp: vs }, cache.begin(id));
    model.set(id, { env, data, vs });
    assert.ok(cache.bytes <= 64 * 1024, `${cache.bytes} bytes held`);
    if (op % 97 === 0) {
      for (const [key, want] of model) {
        const got = cache.get(key);
        if (got === undefined) continue;
        assert.equal(got.versionstamp, want.vs, key);
        assert.deepEqual(got.env?.m, want.env?.m, key);
        assert.equal(got.env?.e, want.env?.e, key);
        assert.equal(got.env?.t, want.env?.t, key);
        assert.deepEqual(got.env?.c, want.env?.c, key);
        if (want.env === null) assert.equal(got.env, null, key);
        else if (want.data !== null && want.data.length <= 1 << 20) {
          assert.deepEqual(got.data, want.data, key);
        }
        if (got.env?.d) assert.deepEqual(got.env.d, got.data, key);
      }
    }
  }
  cache.invalidatePrefix("");
  assert.equal(cache.size, 0);
  assert.equal(cache.bytes, 0, "bytes left after every key left");
  // Most keys leave at once: the ring is compacted, and the keys left keep their states.
  const big = new ReadCache(4 << 20);
  const state = (i: number) => {
    const d = new Uint8Array(1 + i % 200).fill(i & 255);
    return { env: { d, m: i }, data: d, versionstamp: `v${i}` };
  };
  for (let i = 0; i < 3000; i++) big.commit(`${i % 30 === 0 ? "y" : "z"}${i}`, state(i));
  big.invalidatePrefix("z");
  big.commit("y-new", state(7));
  for (let i = 0; i < 3000; i += 30) assert.deepEqual(big.get(`y${i}`), state(i), `y${i}`);
  assert.equal(big.size, 101);
  big.invalidatePrefix("");
  assert.equal(big.bytes, 0);
});

Deno.test("the index finds every held key by id and by codes through growth, deletes and compaction", () => {
  const enc = new TextEncoder();
  const keyOf = (i: number) => ["redis", "k", i % 3, enc.encode(`key:${i}`)];
  // Room for a few thousand small keys: eviction, hash chains' deletes and compactions all run.
  const cache = new ReadCache(1 << 20);
  const last = new Map<string, number>();
  let seed = 7;
  const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  let hits = 0;
  for (let op = 0; op < 60_000; op++) {
    const i = Math.floor(random() * 20_000);
    const key = keyOf(i);
    const id = keyId(key);
    const r = random();
    if (r < 0.5) {
      cache.commit(id, {
        env: { d: enc.encode(String(op)) },
        data: enc.encode(String(op)),
        versionstamp: "v",
      });
      last.set(id, op);
    } else if (r < 0.9995) {
      const n = keyIdCodes(key);
      assert.equal(hashCodes(n), hashId(id));
      const byCodes = cache.entryByCodes<unknown>(n, key, 0);
      const byId = cache.entry<unknown>(id, key, 0);
      assert.deepEqual(byCodes, byId);
      if (byId) {
        hits++;
        assert.equal(new TextDecoder().decode(byId.data), String(last.get(id)), `key ${i}`);
      }
    } else cache.invalidatePrefix(keyId(["redis", "k", i % 3]));
  }
  assert.ok(hits > 1000, `${hits} hits`);
  assert.ok(cache.bytes <= 1 << 20);
});

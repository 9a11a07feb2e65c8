/** The read cache: byte budget, second-chance eviction, and no stale fill after a commit. */
import assert from "node:assert/strict";
import { ReadCache } from "../../src/store/cache.ts";

const raw = (n: number) => ({
  env: { d: new Uint8Array(n) },
  data: new Uint8Array(n),
  versionstamp: "v",
});

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
  cache.commit("a", raw(1000));
  const before = cache.bytes;
  cache.commit("a", raw(10));
  assert.equal(before - cache.bytes, 990);
});

/**
 * The read cache under a tiny budget, through real connections: every GET and MGET answers the
 * last acknowledged write, across overwrites of every size class (empty, packed, kept whole,
 * chunked), deletes, expiries, appends and counters, while eviction and compaction churn.
 */
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { startTestServer } from "../helpers/server.ts";
import { concatBytes } from "../../src/bytes.ts";
import { command, replyInteger, replyItems, RespClient } from "./resp_client.ts";
import type { Reply } from "../../protocols/resp/reply.ts";

const KEYS = 400;
const OPS = 1500;
/** Around the packing limit (512), one kept whole, one chunked (over 60 KiB). */
const SIZES = [0, 1, 7, 100, 511, 512, 513, 2000, 70_000];

const dec = new TextDecoder();
const concat = (parts: Uint8Array[]) => concatBytes(parts, parts.reduce((n, p) => n + p.length, 0));

/** A value no other key or write has: a wrong slot or offset shows as a mismatch. */
function valueFor(key: number, version: number, size: number): string {
  const stamp = `<${key}:${version}>`;
  if (size <= stamp.length) return stamp.slice(0, size);
  return stamp + String.fromCharCode(97 + (key + version) % 26).repeat(size - stamp.length);
}

function text(r: Reply): string | null {
  if (r.type === "null") return null;
  if (r.type === "simple") return r.value;
  if (r.type === "bulk") return typeof r.value === "string" ? r.value : dec.decode(r.value);
  throw new Error(`unexpected reply ${JSON.stringify(r)}`);
}

Deno.test("a tiny read cache never serves a stale or wrong value", async () => {
  await using srv = await startTestServer({ cacheMb: 1 });
  using writer = await RespClient.connect(srv.ports.redis);
  using reader = await RespClient.connect(srv.ports.redis);
  const model = new Map<number, string | null>();
  let seed = 42;
  const random = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const check = async (key: number) => {
    const got = text(await reader.call("GET", `k${key}`));
    assertEquals(got, model.get(key) ?? null, `GET k${key}`);
  };
  const expiring: number[] = [];
  for (let op = 0; op < OPS; op++) {
    const key = random(KEYS);
    const kind = random(10);
    if (kind < 5) {
      const size = SIZES[random(SIZES.length)];
      const value = valueFor(key, op, size);
      assertEquals(text(await writer.call("SET", `k${key}`, value)), "OK");
      model.set(key, value);
    } else if (kind === 5) {
      await writer.call("DEL", `k${key}`);
      model.set(key, null);
    } else if (kind === 6 && model.get(key)) {
      // Grows across the packing limit and back into a kept state.
      const tail = valueFor(key, op, 300);
      await writer.call("APPEND", `k${key}`, tail);
      model.set(key, model.get(key) + tail);
    } else if (kind === 7) {
      // A deadline in the past deletes; a long one keeps the value.
      if (random(2) === 0) {
        await writer.call("SET", `k${key}`, valueFor(key, op, 50), "PX", "30");
        expiring.push(key);
        model.set(key, null);
      } else {
        const value = valueFor(key, op, 60);
        await writer.call("SET", `k${key}`, value, "EX", "1000");
        model.set(key, value);
      }
    } else if (kind === 8 && !expiring.includes(key)) {
      // A write that answers the state it replaces, read through the cache.
      const value = valueFor(key, op, SIZES[random(SIZES.length)]);
      const old = text(await writer.call("GETSET", `k${key}`, value));
      assertEquals(old, model.get(key) ?? null, `GETSET k${key}`);
      model.set(key, value);
    }
    // The other connection reads right after the acknowledgement: it must see the write
    // (expiring keys are checked once their deadline has surely passed).
    if (!expiring.includes(key)) await check(key);
    if (op % 300 === 299) {
      await new Promise((r) => setTimeout(r, 60));
      expiring.length = 0;
      for (let k = 0; k < KEYS; k += 20) {
        const keys = Array.from({ length: 20 }, (_, i) => `k${k + i}`);
        assertEquals(
          replyItems(await reader.call("MGET", ...keys)).map(text),
          keys.map((_, i) => model.get(k + i) ?? null),
          `MGET from k${k}`,
        );
      }
    }
  }
  await new Promise((r) => setTimeout(r, 60));
  for (let k = 0; k < KEYS; k++) await check(k);
  // Pipelined overwrites of packed values: chunks fill with garbage and are compacted.
  for (let round = 0; round < 12; round++) {
    const batch: Uint8Array[] = [];
    for (let i = 0; i < 200; i++) {
      const key = random(100);
      const value = valueFor(key, 10_000 + round * 1000 + i, 380 + random(130));
      batch.push(command("SET", `k${key}`, value));
      model.set(key, value);
    }
    await writer.send(concat(batch));
    for (let i = 0; i < batch.length; i++) assertEquals(text(await writer.reply()), "OK");
    const keys = Array.from({ length: 100 }, (_, i) => `k${i}`);
    const got = replyItems(await reader.call("MGET", ...keys)).map(text);
    assertEquals(got, keys.map((_, i) => model.get(i) ?? null), `MGET after round ${round}`);
  }
  // More small keys than the budget holds: eviction never stops, slots are reused by new keys,
  // and evicted keys come back from the store.
  const many = new Map<string, string>();
  for (let round = 0; round < 3; round++) {
    for (let from = 0; from < 3000; from += 250) {
      const batch: Uint8Array[] = [];
      for (let i = from; i < from + 250; i++) {
        if (round > 0 && random(2)) continue;
        const value = valueFor(i, 20_000 + round, 100 + random(400));
        batch.push(command("SET", `m${i}`, value));
        many.set(`m${i}`, value);
      }
      await writer.send(concat(batch));
      for (let i = 0; i < batch.length; i++) assertEquals(text(await writer.reply()), "OK");
    }
    const names = [...many.keys()];
    for (let i = 0; i < names.length; i += 100) {
      const keys = names.slice(i, i + 100);
      const got = replyItems(await reader.call("MGET", ...keys)).map(text);
      assertEquals(got, keys.map((k) => many.get(k)!), `MGET in round ${round}`);
      for (let j = 0; j < 5; j++) {
        const k = keys[random(keys.length)];
        assertEquals(text(await reader.call("GET", k)), many.get(k), `GET ${k}`);
      }
    }
  }
  // Reads of evicted keys race writes of the same keys: once a write is acknowledged, no read
  // that left before it may have filled the cache with the old value.
  for (let round = 0; round < 20; round++) {
    const keys = Array.from({ length: 50 }, () => `m${random(3000)}`);
    const sets = keys.map((k, i) => {
      const value = valueFor(round, 30_000 + i, 100 + random(400));
      many.set(k, value);
      return command("SET", k, value);
    });
    await Promise.all([
      writer.send(concat(sets)),
      reader.send(concat(keys.map((k) => command("GET", k)))),
    ]);
    for (let i = 0; i < keys.length; i++) await reader.reply();
    for (let i = 0; i < keys.length; i++) assertEquals(text(await writer.reply()), "OK");
    const got = replyItems(await reader.call("MGET", ...keys)).map(text);
    assertEquals(got, keys.map((k) => many.get(k)!), `MGET after racing round ${round}`);
  }
  // Counters: INCR reads its own previous write through the cache every time.
  const counts = [0, 0, 0, 0, 0, 0, 0];
  for (let i = 0; i < 200; i++) {
    const n = ++counts[i % 7];
    assertEquals(replyInteger(await writer.call("INCR", `c${i % 7}`)), n);
    assertEquals(text(await reader.call("GET", `c${i % 7}`)), String(n));
  }
});

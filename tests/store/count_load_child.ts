/**
 * A child process for the crash test: counts a prefix and writes to it without pause (sets,
 * overwrites, deletes, deadlines) until it is killed. Prints "ready", then a line per 200 writes.
 * @module
 */
import { openStore } from "../../src/store/mod.ts";

const store = await openStore({ path: Deno.args[0], sweepIntervalMs: 20 });
await store.countKeys(["c"], 1);
console.log("ready");
const enc = new TextEncoder();
let n = 0;
await Promise.all(Array.from({ length: 32 }, async (_, w) => {
  for (let i = 0;; i++) {
    const group = ["a", "b", "c"][(i + w) % 3];
    const key = ["c", group, (i * 7919 + w * 104729) % 3000];
    const roll = (i * 31 + w) % 10;
    if (roll < 2) await store.delete(key);
    else {
      const expiresAt = roll === 9 ? Date.now() + 120_000 : undefined;
      await store.set(key, { data: enc.encode("v".repeat(roll * 10)), expiresAt });
    }
    if (++n % 200 === 0) console.log(n);
  }
}));

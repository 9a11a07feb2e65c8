/** compareKeys orders string parts as Deno KV does (by UTF-8 bytes), surrogates included. */
import assert from "node:assert/strict";
import { compareKeys } from "../../src/store/keys.ts";

const encoder = new TextEncoder();
const SAMPLES = ["", "a", "ab", "b", "é", "z", "\u00ff", "\u0800", "\ud7ff", "\ue000", "\uffff"]
  .concat(["😀", "😀a", "a😀", "\ud83d", "𝄞", "\u{10ffff}", "ab\ue000", "ab😀"]);

function byBytes(a: string, b: string): number {
  const x = encoder.encode(a), y = encoder.encode(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

Deno.test("string key parts order by their UTF-8 bytes, BMP, astral and mixed", () => {
  for (const a of SAMPLES) {
    for (const b of SAMPLES) {
      assert.equal(
        Math.sign(compareKeys(["k", a], ["k", b])),
        Math.sign(byBytes(a, b)),
        `${JSON.stringify(a)} vs ${JSON.stringify(b)}`,
      );
    }
  }
});

Deno.test("the order matches what Deno KV lists", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const valid = SAMPLES.filter((s) => s !== "\ud83d");
    for (const s of valid) await kv.set(["k", s], 1);
    const listed: string[] = [];
    for await (const e of kv.list({ prefix: ["k"] })) listed.push(e.key[1] as string);
    const sorted = [...valid].sort((a, b) => compareKeys(["k", a], ["k", b]));
    assert.deepEqual(sorted, listed);
  } finally {
    kv.close();
  }
});

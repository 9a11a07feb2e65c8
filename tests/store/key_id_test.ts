/** keyId: one exact, unambiguous string per key, whichever way it is built. */
import assert from "node:assert/strict";
import { keyId } from "../../src/store/keys.ts";
import type { Key } from "../../src/store/types.ts";

const enc = new TextEncoder();

Deno.test("keyId spells every part type, short and long alike", () => {
  const long = new Uint8Array(5000).fill(0xe9);
  const key: Key = ["redis", 3, -1.5, 12n, true, false, enc.encode("k:é"), "ü€", long];
  const expected = "s5:redisn3;n-1.5;i12;TFb4:k:\u00c3\u00a9s2:ü€b5000:" + "\u00e9".repeat(5000);
  assert.equal(keyId(key), expected);
  assert.equal(keyId(key.slice(0, 8)), expected.slice(0, expected.indexOf("b5000:")));
});

Deno.test("a key's id is its prefix's id followed by the rest's", () => {
  const prefix: Key = ["redis", "k", 0];
  const rest: Key = [enc.encode("key:000000012345"), "field"];
  assert.equal(keyId(rest, keyId(prefix)), keyId([...prefix, ...rest]));
  assert.equal(keyId([], keyId(prefix)), keyId(prefix));
});

Deno.test("keys that differ only in how their bytes split into parts get different ids", () => {
  const ids = new Set([
    keyId([enc.encode("ab"), enc.encode("c")]),
    keyId([enc.encode("a"), enc.encode("bc")]),
    keyId([enc.encode("abc")]),
    keyId(["abc"]),
    keyId([enc.encode("a:b")]),
  ]);
  assert.equal(ids.size, 5);
});

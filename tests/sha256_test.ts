/** The inline SHA-256 and HMAC against node:crypto, and lenient base64 against Node's Buffer. */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { createHash, createHmac } from "node:crypto";
import { hmacSha256, sha256, toHex } from "../src/sha256.ts";
import { binaryBytes } from "../protocols/dynamodb/expressions/values.ts";

Deno.test("sha256 and hmacSha256 match node:crypto at every block boundary", () => {
  for (const n of [0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 1000, 70_000]) {
    const data = crypto.getRandomValues(new Uint8Array(Math.min(n, 65536)));
    const bytes = n > 65536 ? new Uint8Array(n).map((_, i) => i * 7) : data;
    assert.equal(toHex(sha256(bytes)), createHash("sha256").update(bytes).digest("hex"), `${n}`);
    for (const key of ["k", "x".repeat(64), "y".repeat(100)]) {
      assert.equal(
        toHex(hmacSha256(key, bytes)),
        createHmac("sha256", key).update(bytes).digest("hex"),
        `${n} ${key.length}`,
      );
    }
  }
  assert.equal(toHex(sha256("héllo")), createHash("sha256").update("héllo").digest("hex"));
});

Deno.test("binaryBytes decodes base64 as leniently as Buffer", () => {
  for (
    const text of [
      "",
      "aGVsbG8=",
      "aGVsbG8",
      "aGVs bG8=\n",
      "a",
      "ab",
      "abc",
      "a-_b",
      "ab=cd",
      "*!?",
    ]
  ) {
    assert.deepEqual(
      [...binaryBytes(text)],
      [...Buffer.from(text, "base64")],
      JSON.stringify(text),
    );
  }
});

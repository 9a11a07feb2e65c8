/**
 * Integer arguments as string2ll reads them: the digit-by-digit path for short integers agrees
 * with the strict rule (regex and BigInt) on every edge, and short argument text is Latin-1.
 * @module
 */
import assert from "node:assert/strict";
import { parseInt64, parseInteger } from "../../protocols/resp/numbers.ts";
import { latin1Text } from "../../src/bytes.ts";

const enc = new TextEncoder();

/** string2ll's rule, as the long path applies it. */
function reference(text: string): number | null {
  if (text.length === 0 || text.length > 21 || !/^(0|-?[1-9][0-9]*)$/.test(text)) return null;
  const value = BigInt(text);
  return value < -(2n ** 63n) || value > 2n ** 63n - 1n ? null : Number(value);
}

Deno.test("parseInteger() of bytes agrees with string2ll's rule on short and long integers", () => {
  const cases = [
    "0",
    "-0",
    "00",
    "01",
    "-01",
    "7",
    "-7",
    "10",
    "+1",
    " 1",
    "1 ",
    "-",
    "",
    "1a",
    "a1",
    "1.0",
    "999999999999999",
    "-999999999999999",
    "1000000000000000",
    "9007199254740993",
    "9223372036854775807",
    "-9223372036854775808",
    "9223372036854775808",
    "/",
    ":",
  ];
  for (const text of cases) {
    assert.equal(parseInteger(enc.encode(text)), reference(text), JSON.stringify(text));
    assert.equal(parseInteger(text), reference(text), JSON.stringify(text));
  }
  for (let i = 0; i < 2000; i++) {
    const text = String(Math.floor((Math.random() - 0.5) * 10 ** (1 + (i % 16))));
    assert.equal(parseInteger(enc.encode(text)), Number(parseInt64(text)), text);
  }
});

Deno.test("latin1Text() gives one char per byte, short and long", () => {
  for (const n of [0, 1, 13, 64, 65, 300]) {
    const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + 200) & 0xff);
    const text = latin1Text(bytes);
    assert.equal(text.length, n);
    // Every byte comes back: 0x80-0x9f included (WHATWG's "latin1" decoder is windows-1252).
    assert.deepEqual(Uint8Array.from(text, (c) => c.charCodeAt(0)), bytes);
  }
});

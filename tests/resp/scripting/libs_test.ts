/**
 * The libraries Redis bundles for scripts — cjson, cmsgpack, bit, struct — produce the bytes
 * redis-server 7.0.15 produced for the same calls, and round-trip their own output.
 * @module
 */
import assert from "node:assert/strict";
import { ScriptEngine } from "../../../protocols/resp/scripting/mod.ts";
import { FakeBridge, type Plain, plain } from "./fake_bridge.ts";

const enc = new TextEncoder();

async function run(script: string): Promise<{ bytes: Uint8Array | null; plain: Plain }> {
  const reply = await new ScriptEngine().run(
    { body: enc.encode(script) },
    [],
    [],
    new FakeBridge(),
  );
  const bytes = reply.type === "bulk" && typeof reply.value !== "string" ? reply.value : null;
  return { bytes, plain: plain(reply) };
}

/** Bytes from redis-cli's `--no-raw` quoting ("\xca?\x00" …). */
function quoted(s: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== "\\") {
      out.push(s.charCodeAt(i));
      continue;
    }
    const e = s[++i];
    if (e === "x") {
      out.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else out.push(({ a: 7, n: 10, r: 13, t: 9, '"': 34, "\\": 92 } as Record<string, number>)[e]);
  }
  return Uint8Array.from(out);
}

const SAME_BYTES: [string, string][] = [
  [
    "return cmsgpack.pack(1.5, -1, 300, 'abc', 2^40, -200, true, {1,2}, 0.1)",
    "\\xca?\\xc0\\x00\\x00\\xff\\xcd\\x01,\\xa3abc\\xcf\\x00\\x00\\x01\\x00\\x00\\x00\\x00\\x00\\xd1\\xff8\\xc3\\x92\\x01\\x02\\xcb?\\xb9\\x99\\x99\\x99\\x99\\x99\\x9a",
  ],
  ["return cmsgpack.pack({a=1})", "\\x81\\xa1a\\x01"],
  ["return cmsgpack.pack(string.rep('x', 40))", "\\xd9(" + "x".repeat(40)],
  ["return struct.pack('>i', -2)", "\\xff\\xff\\xff\\xfe"],
  [
    "return struct.pack('<hHbBl', -2, 65535, -1, 255, 7)",
    "\\xfe\\xff\\xff\\xff\\xff\\xff\\a\\x00\\x00\\x00\\x00\\x00\\x00\\x00",
  ],
  ["return struct.pack('>d', 1.5)", "?\\xf8\\x00\\x00\\x00\\x00\\x00\\x00"],
  ["return struct.pack('s', 'ab')", "ab\\x00"],
  [
    "return cjson.encode({1.5, 1e20, 100, 'a\"b\\\\c\\n', true, false})",
    '[1.5,1e+20,100,\\"a\\\\\\"b\\\\\\\\c\\\\n\\",true,false]',
  ],
  ["return cjson.encode({0.1, -0.5, 123456789012345})", "[0.1,-0.5,1.2345678901234e+14]"],
  ["return cjson.encode({})", "{}"],
  ["return cjson.encode({1,2,nil,4})", "[1,2,null,4]"],
  ["return cjson.encode('a/b')", '\\"a\\\\/b\\"'],
  ["return cjson.encode({a=cjson.null})", '{\\"a\\":null}'],
  ["return bit.tohex(bit.lshift(1, 31))", "80000000"],
  ["return bit.tohex(255, -4)", "00FF"],
];

Deno.test("library output is byte-identical to redis-server's", async () => {
  for (const [script, expected] of SAME_BYTES) {
    const { bytes } = await run(script);
    assert.deepEqual(bytes, quoted(expected), script);
  }
});

Deno.test("library values and errors match redis-server's", async () => {
  const cases: [string, Plain][] = [
    ["return struct.size('<iihd')", 18],
    ["return {struct.unpack('>I2B', struct.pack('>I2B', 513, 7))}", [513, 7, 4]],
    [
      "return {bit.rshift(-1, 28), bit.arshift(-256, 4), bit.bxor(5, 3, 1), bit.bnot(0), bit.tobit(2^32 + 5), bit.band(-1, 255)}",
      [15, -16, 7, -1, 5, 255],
    ],
    ["return cjson.decode('{\"a\":[1,2]}').a[2]", 2],
    ["return cjson.decode('[1,2,{\"x\":null}]')[3].x == cjson.null", 1],
    ["return cjson.decode('\"\\\\u00e9\\\\ud83d\\\\ude00\"')", "é😀"],
  ];
  for (const [script, expected] of cases) {
    assert.deepEqual((await run(script)).plain, expected, script);
  }
  const c107 = await run("return cjson.decode('[1,2')");
  assert.match(
    (c107.plain as { err: string }).err,
    /^ERR user_script:1: Expected comma or array end but found T_END at character 5 script: /,
  );
  const sparse = await run("return cjson.encode({[20]=1})");
  assert.match(
    (sparse.plain as { err: string }).err,
    /^ERR user_script:1: Cannot serialise table: excessively sparse array script: /,
  );
});

Deno.test("cjson and cmsgpack round-trip nested data", async () => {
  const roundTrip = `
    local v = {name = 'job', data = {1, 2.5, 'x', {deep = true}}, n = -42, big = 1733400000000}
    local function same(a, b)
      if type(a) ~= type(b) then return false end
      if type(a) ~= 'table' then return a == b end
      for k, x in pairs(a) do if not same(x, b[k]) then return false end end
      for k in pairs(b) do if a[k] == nil then return false end end
      return true
    end
    return {
      same(v, cjson.decode(cjson.encode(v))) and 1 or 0,
      same(v, cmsgpack.unpack(cmsgpack.pack(v))) and 1 or 0,
      select('#', cmsgpack.unpack(cmsgpack.pack(1, 'two', {3}))),
    }`;
  assert.deepEqual((await run(roundTrip)).plain, [1, 1, 3]);
  const binary = await run("return cmsgpack.unpack(cmsgpack.pack(string.char(0, 255, 10)))");
  assert.deepEqual(binary.bytes, Uint8Array.from([0, 255, 10]));
  const one = await run("local s = cmsgpack.pack(1, 2) return {cmsgpack.unpack_one(s)}");
  assert.deepEqual(one.plain, [1, 1]);
  const last = await run("local s = cmsgpack.pack(1, 2) return {cmsgpack.unpack_one(s, 1)}");
  assert.deepEqual(last.plain, [-1, 2]);
  const limit = await run("local s = cmsgpack.pack(1, 2, 3) return {cmsgpack.unpack_limit(s, 2)}");
  assert.deepEqual(limit.plain, [2, 1, 2]);
});

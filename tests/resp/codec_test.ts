/**
 * The RESP codec as pure functions: every reply type round-trips through the encoder and the
 * decoder, RESP2 renderings, requests and replies split at every offset, protocol errors.
 * @module
 */
import assert from "node:assert/strict";
import {
  encodeReplyBytes,
  formatDouble,
  parseRequests,
  splitArgs,
} from "../../protocols/resp/codec/mod.ts";
import { decodeReplies, decodeReply } from "./reply_decoder.ts";
import { PROTOCOL_ERRORS } from "../../protocols/resp/errors.ts";
import type { Reply } from "../../protocols/resp/reply.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const text = (r: Reply, p: 2 | 3) => dec.decode(encodeReplyBytes(r, p));
const b = (s: string): Reply => ({ type: "bulk", value: enc.encode(s) });

/** One reply of every RESP3 type, nested where a type can hold others. */
const EVERY_TYPE: Reply[] = [
  { type: "simple", value: "OK" },
  { type: "error", value: "ERR something bad" },
  { type: "integer", value: -42 },
  { type: "integer", value: 9007199254740993n },
  b("hello"),
  { type: "bulk", value: Uint8Array.from({ length: 256 }, (_, i) => i) },
  b(""),
  { type: "null" },
  { type: "array", value: [b("a"), { type: "integer", value: 1 }, { type: "array", value: [] }] },
  { type: "map", value: [[b("k"), b("v")], [b("n"), { type: "double", value: 1.5 }]] },
  { type: "set", value: [b("x"), b("y")] },
  { type: "double", value: 3.25 },
  { type: "double", value: Infinity },
  { type: "double", value: -Infinity },
  { type: "boolean", value: true },
  { type: "boolean", value: false },
  { type: "bignum", value: 3492890328409238509324850943850943825024385n },
  { type: "bulkError", value: "SYNTAX invalid\r\nsyntax" },
  { type: "verbatim", format: "txt", value: "Some string\r\nwith lines" },
  { type: "push", value: [b("message"), b("chan"), b("payload")] },
  {
    type: "attribute",
    value: [[b("key-popularity"), {
      type: "map",
      value: [[b("a"), { type: "double", value: 0.1923 }]],
    }]],
    reply: { type: "array", value: [{ type: "integer", value: 2039123 }] },
  },
];

/** Decoded integers come back as numbers when safe. */
function normalise(r: Reply): Reply {
  if (
    r.type === "integer" && typeof r.value === "bigint" && Number.isSafeInteger(Number(r.value))
  ) {
    return { type: "integer", value: Number(r.value) };
  }
  return r;
}

Deno.test("encodeReply() and decodeReply() round-trip every RESP3 type", () => {
  for (const reply of EVERY_TYPE) {
    const bytes = encodeReplyBytes(reply, 3);
    const decoded = decodeReply(bytes);
    assert.ok(decoded, `incomplete: ${dec.decode(bytes)}`);
    assert.equal(decoded.used, bytes.length);
    assert.deepEqual(decoded.reply, normalise(reply));
  }
});

Deno.test("decodeReply() returns null for every proper prefix of every type", () => {
  const all = new Uint8Array(EVERY_TYPE.flatMap((r) => [...encodeReplyBytes(r, 3)]));
  for (const reply of EVERY_TYPE) {
    const bytes = encodeReplyBytes(reply, 3);
    for (let cut = 0; cut < bytes.length; cut++) {
      assert.equal(decodeReply(bytes.subarray(0, cut)), null, `cut at ${cut}`);
    }
  }
  const { replies, used } = decodeReplies(all);
  assert.equal(used, all.length);
  assert.equal(replies.length, EVERY_TYPE.length);
});

Deno.test("encodeReply() renders RESP3 types in their RESP2 forms", () => {
  assert.equal(text({ type: "null" }, 2), "$-1\r\n");
  assert.equal(text({ type: "nullArray" }, 2), "*-1\r\n");
  assert.equal(text({ type: "null" }, 3), "_\r\n");
  assert.equal(text({ type: "nullArray" }, 3), "_\r\n");
  assert.equal(text({ type: "map", value: [[b("a"), b("1")]] }, 2), "*2\r\n$1\r\na\r\n$1\r\n1\r\n");
  assert.equal(text({ type: "map", value: [[b("a"), b("1")]] }, 3), "%1\r\n$1\r\na\r\n$1\r\n1\r\n");
  assert.equal(text({ type: "set", value: [b("a")] }, 2), "*1\r\n$1\r\na\r\n");
  assert.equal(text({ type: "double", value: 1.5 }, 2), "$3\r\n1.5\r\n");
  assert.equal(text({ type: "double", value: -Infinity }, 2), "$4\r\n-inf\r\n");
  assert.equal(text({ type: "double", value: NaN }, 3), ",nan\r\n");
  assert.equal(text({ type: "boolean", value: true }, 2), ":1\r\n");
  assert.equal(text({ type: "bignum", value: 12n }, 2), "$2\r\n12\r\n");
  assert.equal(text({ type: "verbatim", format: "txt", value: "hi" }, 2), "$2\r\nhi\r\n");
  assert.equal(text({ type: "verbatim", format: "txt", value: "hi" }, 3), "=6\r\ntxt:hi\r\n");
  assert.equal(text({ type: "push", value: [b("a")] }, 2), "*1\r\n$1\r\na\r\n");
  assert.equal(
    text({ type: "attribute", value: [[b("a"), b("b")]], reply: b("c") }, 2),
    "$1\r\nc\r\n",
  );
  assert.equal(text({ type: "error", value: "ERR a\r\nb" }, 2), "-ERR a  b\r\n");
  assert.equal(text({ type: "none" }, 2), "");
});

Deno.test("formatDouble() prints doubles as Redis 7.2's fpconv does", () => {
  const cases: [number, string][] = [
    [0, "0"],
    [-0, "-0"],
    [1.5, "1.5"],
    [-2.25, "-2.25"],
    [10000000, "10000000"],
    [100000000, "1e+8"],
    [1.5e10, "1.5e+10"],
    [0.000001, "0.000001"],
    [1e-7, "1e-7"],
    [0.1, "0.1"],
    [3.14159, "3.14159"],
    [123456789012, "123456789012"],
    [1e21, "1e+21"],
    [1.7976931348623157e308, "1.7976931348623157e+308"],
  ];
  for (const [n, s] of cases) assert.equal(formatDouble(n), s, `${n}`);
});

Deno.test("decodeReply() reads streamed strings and aggregates", () => {
  const streamed = enc.encode("$?\r\n;4\r\nHell\r\n;5\r\no wor\r\n;1\r\nd\r\n;0\r\n");
  assert.deepEqual(decodeReply(streamed), { reply: b("Hello word"), used: streamed.length });
  const arr = enc.encode("*?\r\n:1\r\n:2\r\n.\r\n");
  assert.deepEqual(decodeReply(arr)?.reply, {
    type: "array",
    value: [{ type: "integer", value: 1 }, { type: "integer", value: 2 }],
  });
  const m = enc.encode("%?\r\n+a\r\n:1\r\n.\r\n");
  assert.deepEqual(decodeReply(m)?.reply, {
    type: "map",
    value: [[{ type: "simple", value: "a" }, { type: "integer", value: 1 }]],
  });
  const set = enc.encode("~?\r\n+x\r\n.\r\n");
  assert.deepEqual(decodeReply(set)?.reply, {
    type: "set",
    value: [{ type: "simple", value: "x" }],
  });
  for (const whole of [streamed, arr, m, set]) {
    for (let cut = 0; cut < whole.length; cut++) {
      assert.equal(decodeReply(whole.subarray(0, cut)), null);
    }
  }
  assert.deepEqual(decodeReply(enc.encode("*-1\r\n"))?.reply, { type: "nullArray" });
  assert.deepEqual(decodeReply(enc.encode("$-1\r\n"))?.reply, { type: "null" });
  assert.throws(() => decodeReply(enc.encode("@1\r\n")), SyntaxError);
});

/** A pipeline mixing multibulk, inline, binary and empty arguments. */
const PIPELINE = [
  "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nva\r\nl\r\n",
  "PING\r\n",
  'set "a b" \'c d\' "\\x41\\n"\n',
  "*2\r\n$4\r\nECHO\r\n$0\r\n\r\n",
  "\r\n",
  "*0\r\n",
  "*1\r\n$4\r\nPING\r\n",
].join("");

const EXPECTED = [
  ["SET", "key", "va\r\nl"],
  ["PING"],
  ["set", "a b", "c d", "A\n"],
  ["ECHO", ""],
  ["PING"],
];

function argvText(commands: Uint8Array[][]): string[][] {
  return commands.map((argv) => argv.map((a) => dec.decode(a)));
}

Deno.test("parseRequests() parses multibulk and inline commands in one buffer", () => {
  const bytes = enc.encode(PIPELINE);
  const r = parseRequests(bytes);
  assert.equal(r.error, null);
  assert.equal(r.used, bytes.length);
  assert.deepEqual(argvText(r.commands), EXPECTED);
});

Deno.test("parseRequests() gives the same commands when split at every offset", () => {
  const bytes = enc.encode(PIPELINE);
  for (let cut = 0; cut <= bytes.length; cut++) {
    const first = parseRequests(bytes.subarray(0, cut));
    assert.equal(first.error, null);
    const rest = new Uint8Array([...bytes.subarray(first.used)]);
    const second = parseRequests(rest);
    assert.equal(first.used + second.used, bytes.length, `cut at ${cut}`);
    assert.deepEqual(argvText([...first.commands, ...second.commands]), EXPECTED, `cut at ${cut}`);
    if (first.used < cut) assert.ok(first.need > first.used, "need-more hint");
  }
});

Deno.test("parseRequests() reports Redis's protocol errors after the good commands", () => {
  const cases: [string, string][] = [
    ["*x\r\n", PROTOCOL_ERRORS.multibulkLength],
    ["*3000000000\r\n", PROTOCOL_ERRORS.multibulkLength],
    ["*1\r\nx\r\n", PROTOCOL_ERRORS.expectedDollar("x")],
    ["*1\r\n$x\r\n", PROTOCOL_ERRORS.bulkLength],
    ["*1\r\n$-1\r\n", PROTOCOL_ERRORS.bulkLength],
    ["*1\r\n$536870913\r\n", PROTOCOL_ERRORS.bulkLength],
    ['set "a\r\n', PROTOCOL_ERRORS.unbalancedQuotes],
    ["set 'a'b\r\n", PROTOCOL_ERRORS.unbalancedQuotes],
    ["x".repeat(70 * 1024), PROTOCOL_ERRORS.inlineTooBig],
    ["*1" + "1".repeat(70 * 1024), PROTOCOL_ERRORS.mbulkTooBig],
  ];
  for (const [input, error] of cases) {
    const r = parseRequests(enc.encode("PING\r\n" + input));
    assert.equal(r.error, error, input.slice(0, 20));
    assert.deepEqual(argvText(r.commands), [["PING"]]);
    assert.equal(r.used, 6);
  }
});

Deno.test("parseRequests() waits for a 5 MiB argument without copying it", () => {
  const value = new Uint8Array(5 * 1024 * 1024).fill(7);
  const head = enc.encode(`*2\r\n$4\r\nECHO\r\n$${value.length}\r\n`);
  const bytes = new Uint8Array(head.length + value.length + 2);
  bytes.set(head);
  bytes.set(value, head.length);
  bytes.set(enc.encode("\r\n"), head.length + value.length);
  const partial = parseRequests(bytes.subarray(0, head.length + 100));
  assert.equal(partial.commands.length, 0);
  assert.equal(partial.need, bytes.length);
  const whole = parseRequests(bytes);
  assert.equal(whole.commands[0][1].length, value.length);
});

Deno.test("splitArgs() follows sdssplitargs quoting rules", () => {
  const split = (s: string) => splitArgs(enc.encode(s))?.map((a) => dec.decode(a)) ?? null;
  assert.deepEqual(split("  a   b  "), ["a", "b"]);
  assert.deepEqual(split("\"a\\tb\" 'it\\'s'"), ["a\tb", "it's"]);
  assert.deepEqual(split('""'), [""]);
  assert.deepEqual(split('"\\x4"'), ["x4"]);
  assert.equal(split('"abc'), null);
  assert.equal(split("'abc"), null);
  assert.equal(split('"a"b'), null);
  assert.deepEqual(split(""), []);
});

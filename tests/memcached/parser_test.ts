/** The pure framing functions: text/meta lines with data blocks, and binary packets. */
import assert from "node:assert/strict";
import { encodeBinary, OP, parseBinary } from "../../protocols/memcached/codec/binary.ts";
import { TEXT } from "../../protocols/memcached/errors.ts";
import { parseText, type TextCommand, tokenize } from "../../protocols/memcached/codec/text.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const fits = { fits: (k: number, v: number, f: number) => 59 + k + v + (f ? 4 : 0) <= 1048576 };

/** Parse everything in `bytes`, returning the commands and what is left over. */
function parseAll(bytes: Uint8Array): { commands: TextCommand[]; rest: number } {
  const commands: TextCommand[] = [];
  let start = 0;
  while (start < bytes.length) {
    const p = parseText(bytes, start, fits);
    if (!p) break;
    commands.push(p.command);
    start += p.consumed;
  }
  return { commands, rest: bytes.length - start };
}

function describe(c: TextCommand): string {
  switch (c.kind) {
    case "storage":
      return `${c.name} ${dec.decode(c.key)} ${c.flags} ${c.exptime} ${dec.decode(c.data)}`;
    case "ms":
      return `ms ${dec.decode(c.data)}`;
    case "line":
      return c.tokens.map((t) => dec.decode(t)).join("|");
    case "reply":
      return `reply ${c.reply} skip ${c.skip} close ${c.close}`;
  }
}

Deno.test("parseText() frames data blocks by length, CRLF inside included", () => {
  const input = enc.encode("set k 1 2 7\r\na\r\nEND\r\r\nget k\r\nms m 2 T0\r\n\r\n\r\n");
  const { commands, rest } = parseAll(input);
  assert.equal(rest, 0);
  assert.deepEqual(commands.map(describe), ["set k 1 2 a\r\nEND\r", "get|k", "ms \r\n"]);
});

Deno.test("parseText() waits for more at every split point and gives the same commands", () => {
  const input = enc.encode("set k 0 0 5\r\nab\ncd\r\nincr n 1\nmn\r\n");
  const whole = parseAll(input).commands.map(describe);
  for (let cut = 0; cut < input.length; cut++) {
    const first = parseAll(input.subarray(0, cut));
    const consumed = cut - first.rest;
    const second = parseAll(input.subarray(consumed));
    assert.equal(second.rest, 0);
    assert.deepEqual([...first.commands, ...second.commands].map(describe), whole, `cut ${cut}`);
  }
});

Deno.test("parseText() answers framing errors without swallowing a rejected line's data", () => {
  const bad = parseAll(enc.encode("set k abc 0 1\r\nx\r\n")).commands.map(describe);
  assert.deepEqual(bad, [`reply ${TEXT.BAD_FORMAT} skip 0 close false`, "x"]);
  const chunk = parseAll(enc.encode("set k 0 0 3\r\nabcde\r\n")).commands.map(describe);
  assert.deepEqual(chunk, [`reply ${TEXT.BAD_CHUNK} skip 0 close false`, "de"]);
  const quiet = parseAll(enc.encode("set k 0 0 3 noreply\r\nabcde\r\n")).commands.map(describe);
  assert.deepEqual(quiet, ["reply null skip 0 close false", "de"]);
});

Deno.test("parseText() skips the data of a too-large item", () => {
  const p = parseText(enc.encode("set k 0 0 2000000\r\n"), 0, fits);
  assert.ok(p && p.command.kind === "reply");
  assert.equal(p.command.reply, TEXT.TOO_LARGE);
  assert.equal(p.command.skip, 2000002);
  assert.equal(p.consumed, 19);
});

Deno.test("parseText() closes on a long line without newline, except get", () => {
  const long = enc.encode("x".repeat(3000));
  assert.deepEqual(parseAll(long).commands.map(describe), ["reply null skip 0 close true"]);
  assert.equal(parseText(enc.encode("get " + "k ".repeat(2000)), 0, fits), null);
});

Deno.test("tokenize() splits on spaces and ignores repeats", () => {
  assert.deepEqual(tokenize(enc.encode("  get  a b ")).map((t) => dec.decode(t)), [
    "get",
    "a",
    "b",
  ]);
});

Deno.test("parseBinary() needs the whole packet and reads key, extras and value", () => {
  const packet = encodeBinary({
    opcode: OP.SET,
    opaque: 7,
    cas: 9n,
    extras: new Uint8Array(8),
    key: enc.encode("key"),
    value: enc.encode("value"),
  });
  packet[0] = 0x80;
  for (let cut = 0; cut < packet.length; cut++) {
    assert.equal(parseBinary(packet.subarray(0, cut), 0), null);
  }
  const p = parseBinary(packet, 0);
  assert.ok(p && "request" in p);
  assert.equal(p.consumed, packet.length);
  assert.equal(dec.decode(p.request.key), "key");
  assert.equal(dec.decode(p.request.value), "value");
  assert.equal(p.request.extras.length, 8);
  assert.equal(p.request.opaque, 7);
  assert.equal(p.request.cas, 9n);
});

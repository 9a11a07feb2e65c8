/**
 * Fuzzing the memcached framing (text, meta and binary) and the memcached port: random and
 * mutated inputs, split at random offsets, never throw out of the parsers, frame the same
 * however they are split, and never take the server down or hang it.
 * @module
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { parseBinary, REQUEST_MAGIC } from "../../protocols/memcached/codec/binary.ts";
import { type ParseOptions, parseText } from "../../protocols/memcached/codec/text.ts";
import { RawClient } from "../helpers/net.ts";
import { concat, mutated, noise, PARAMS, sendAndDrain, split } from "./fuzz_lib.ts";
import { startMemcached } from "../memcached/wire.ts";

const OPTIONS: ParseOptions = { fits: (k, v) => k + v <= 1024 * 1024 };
const enc = new TextEncoder();

const key = fc.stringMatching(/^[a-z0-9_]{1,12}$/);
const value = fc.uint8Array({ maxLength: 60 });
const textCommand: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.tuple(fc.constantFrom("set", "add", "append", "cas"), key, value).map(([op, k, v]) =>
    concat([
      enc.encode(`${op} ${k} 0 0 ${v.length}${op === "cas" ? " 1" : ""}\r\n`),
      v,
      enc.encode("\r\n"),
    ])
  ),
  fc.tuple(key, value).map(([k, v]) =>
    concat([enc.encode(`ms ${k} ${v.length} T0 F5\r\n`), v, enc.encode("\r\n")])
  ),
  fc.tuple(fc.constantFrom("get", "gets", "delete", "incr", "mg", "md", "ma", "touch"), key).map((
    [op, k],
  ) => enc.encode(`${op} ${k}${op === "incr" || op === "touch" ? " 1" : ""}\r\n`)),
  fc.constantFrom("version\r\n", "stats\r\n", "mn\r\n").map((s) => enc.encode(s)),
);
const textStream = fc.array(textCommand, { minLength: 1, maxLength: 6 }).map(concat);

const binaryRequest: fc.Arbitrary<Uint8Array> = fc.tuple(
  fc.constantFrom(0x00, 0x01, 0x04, 0x05, 0x0a, 0x0b, 0x1c, 0x20),
  fc.uint8Array({ maxLength: 8 }),
  fc.uint8Array({ minLength: 0, maxLength: 12 }),
  fc.uint8Array({ maxLength: 30 }),
).map(([opcode, extras, k, v]) => {
  const header = new Uint8Array(24);
  const view = new DataView(header.buffer);
  header[0] = REQUEST_MAGIC;
  header[1] = opcode;
  view.setUint16(2, k.length);
  header[4] = extras.length;
  view.setUint32(8, extras.length + k.length + v.length);
  return concat([header, extras, k, v]);
});
const binaryStream = fc.array(binaryRequest, { minLength: 1, maxLength: 5 }).map(concat);

type Framed = { kind: string; consumed: number };

/** Frame `chunks` as the connection loop does: text or binary by the first byte. */
function frameIncrementally(chunks: Uint8Array[]): Framed[] {
  const out: Framed[] = [];
  let pending: Uint8Array = new Uint8Array(0);
  for (const chunk of chunks) {
    pending = concat([pending, chunk]);
    let start = 0;
    while (start < pending.length) {
      if (pending[start] === REQUEST_MAGIC) {
        const parsed = parseBinary(pending, start);
        if (parsed === null) break;
        if ("error" in parsed) return [...out, { kind: `binary ${parsed.error}`, consumed: 0 }];
        out.push({ kind: `binary ${parsed.request.opcode}`, consumed: parsed.consumed });
        start += parsed.consumed;
      } else {
        const parsed = parseText(pending, start, OPTIONS);
        if (parsed === null) break;
        assert.ok(parsed.consumed > 0 && start + parsed.consumed <= pending.length);
        out.push({ kind: parsed.command.kind, consumed: parsed.consumed });
        if (parsed.command.kind === "reply" && parsed.command.close) return out;
        start += parsed.consumed;
      }
    }
    pending = pending.slice(start);
  }
  return out;
}

Deno.test("memcached framing: any bytes, split anywhere, frame without throwing", () => {
  fc.assert(
    fc.property(
      fc.oneof(noise, mutated(textStream), mutated(binaryStream)),
      fc.array(fc.nat()),
      (bytes, cuts) => {
        assert.ok(Array.isArray(frameIncrementally(split(bytes, cuts))));
      },
    ),
    PARAMS,
  );
});

Deno.test("memcached framing: valid streams frame the same whole or split at random offsets", () => {
  fc.assert(
    fc.property(
      fc.oneof(textStream, binaryStream),
      fc.array(fc.nat(), { maxLength: 8 }),
      (bytes, cuts) => {
        assert.deepEqual(frameIncrementally(split(bytes, cuts)), frameIncrementally([bytes]));
      },
    ),
    PARAMS,
  );
});

Deno.test("memcached port: hostile input never takes the server down", async () => {
  await using server = await startMemcached();
  const port = server.ports.memcached;
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(noise, mutated(textStream), mutated(binaryStream)),
      fc.array(fc.nat(), { maxLength: 4 }),
      async (bytes, cuts) => {
        await sendAndDrain(port, split(bytes, cuts));
      },
    ),
    { ...PARAMS, numRuns: Math.max(20, Math.floor(PARAMS.numRuns / 5)) },
  );
  using client = await RawClient.connect(port);
  await client.send("version\r\n");
  const reply = new TextDecoder().decode(await client.readBytes(8));
  assert.equal(reply, "VERSION ");
});

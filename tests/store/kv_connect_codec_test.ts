/**
 * The fake KV Connect server's codecs: Deno KV's key encoding (denokv `proto/codec.rs`
 * examples) and the hand-written protobuf messages.
 * @module
 */
import assert from "node:assert/strict";
import { decodeKey, encodeKey } from "../helpers/kv_key_codec.ts";
import {
  decodeAtomicWrite,
  decodeFields,
  decodeSnapshotRead,
  encodeAtomicWriteOutput,
  encodeSnapshotReadOutput,
} from "../helpers/protobuf.ts";

const bytes = (...b: number[]) => new Uint8Array(b);

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

Deno.test("encodeKey() matches denokv's encoding examples", () => {
  assert.deepEqual(encodeKey(["hello"]), bytes(0x02, 0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x00));
  assert.deepEqual(
    encodeKey([bytes(1, 2, 0, 7, 8)]),
    bytes(0x01, 0x01, 0x02, 0x00, 0xff, 0x07, 0x08, 0x00),
  );
  assert.deepEqual(encodeKey([0n]), bytes(0x14));
  assert.deepEqual(encodeKey([true, false]), bytes(0x27, 0x26));
});

Deno.test("decodeKey() inverts encodeKey() for every part type", () => {
  const key = [
    bytes(0, 255, 0),
    "ключ\u0000",
    -1e300,
    -0,
    0,
    42.5,
    Infinity,
    -10000n,
    1n,
    2n ** 70n,
    -(2n ** 70n),
    false,
    true,
  ];
  assert.deepEqual(decodeKey(encodeKey(key)), key);
  assert.ok(Object.is(decodeKey(encodeKey([-0]))[0], -0));
  assert.throws(() => decodeKey(bytes(0x02, 0x61)), /unterminated/);
  assert.throws(() => decodeKey(bytes(0x99)), /invalid tag/);
});

Deno.test("encoded keys sort like Deno KV orders them", () => {
  const ordered: Deno.KvKey[] = [
    [bytes()],
    [bytes(0)],
    [bytes(0, 0)],
    [bytes(1)],
    [""],
    ["a"],
    [-(2n ** 70n)],
    [-100n],
    [0n],
    [100n],
    [2n ** 70n],
    [-Infinity],
    [-1],
    [0],
    [1],
    [Infinity],
    [false],
    [true],
  ];
  for (let i = 1; i < ordered.length; i++) {
    assert.ok(
      compareBytes(encodeKey(ordered[i - 1]), encodeKey(ordered[i])) < 0,
      `${Deno.inspect(ordered[i - 1])} < ${Deno.inspect(ordered[i])}`,
    );
  }
});

Deno.test("protobuf codecs round-trip the data-path messages", () => {
  // SnapshotRead { ranges: [{ start: [1], end: [2], limit: 5, reverse: true }] }
  const range = bytes(0x0a, 1, 1, 0x12, 1, 2, 0x18, 5, 0x20, 1);
  assert.deepEqual(decodeSnapshotRead(bytes(0x0a, range.length, ...range)), [
    { start: bytes(1), end: bytes(2), limit: 5, reverse: true },
  ]);
  // AtomicWrite { checks: [{ key: [7] }], mutations: [{ key: [8], value: {data: [9], encoding: 3},
  // mutation_type: SET, expire_at_ms: -1 }] }
  const check = bytes(0x0a, 1, 7);
  const value = bytes(0x0a, 1, 9, 0x10, 3);
  const minusOne = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
  const mutation = bytes(0x0a, 1, 8, 0x12, value.length, ...value, 0x18, 1, 0x20, ...minusOne);
  const write = decodeAtomicWrite(
    bytes(0x0a, check.length, ...check, 0x12, mutation.length, ...mutation),
  );
  assert.deepEqual(write, {
    checks: [{ key: bytes(7), versionstamp: bytes() }],
    mutations: [{ key: bytes(8), type: 1, data: bytes(9), encoding: 3, expireAtMs: -1 }],
    enqueues: 0,
  });
  const out = decodeFields(encodeAtomicWriteOutput(1, bytes(0, 0, 0, 0, 0, 0, 0, 1, 0, 0)));
  assert.deepEqual(out, [{ no: 1, value: 1n }, {
    no: 2,
    value: bytes(0, 0, 0, 0, 0, 0, 0, 1, 0, 0),
  }]);
  const read = decodeFields(encodeSnapshotReadOutput([[]]));
  assert.deepEqual(read, [{ no: 1, value: bytes() }, { no: 4, value: 1n }, { no: 8, value: 1n }]);
  assert.throws(() => decodeFields(bytes(0x0a, 5, 1)), /truncated/);
});

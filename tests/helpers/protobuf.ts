/**
 * Hand-written protobuf codecs for the KV Connect data-path messages the fake server needs
 * (denokv `proto/schema/datapath.proto`): pure functions over Uint8Array, no I/O.
 * @module
 */

/** Protobuf wire types used by datapath.proto. */
const VARINT = 0;
const I64 = 1;
const LEN = 2;
const I32 = 5;

/** One decoded field: varints as bigint, length-delimited fields as bytes. */
export interface Field {
  no: number;
  value: bigint | Uint8Array;
}

/** Split a message into its fields (unknown fields included; groups are not supported). */
export function decodeFields(buf: Uint8Array): Field[] {
  const fields: Field[] = [];
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    while (true) {
      if (pos >= buf.length) throw new RangeError("protobuf: truncated varint");
      const b = buf[pos++];
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
      if (shift > 63n) throw new RangeError("protobuf: varint too long");
    }
  };
  while (pos < buf.length) {
    const tag = Number(varint());
    const no = tag >>> 3;
    switch (tag & 7) {
      case VARINT:
        fields.push({ no, value: varint() });
        break;
      case LEN: {
        const len = Number(varint());
        if (pos + len > buf.length) throw new RangeError("protobuf: truncated field");
        fields.push({ no, value: buf.subarray(pos, pos + len) });
        pos += len;
        break;
      }
      case I64:
        pos += 8;
        break;
      case I32:
        pos += 4;
        break;
      default:
        throw new RangeError(`protobuf: unsupported wire type ${tag & 7}`);
    }
  }
  if (pos !== buf.length) throw new RangeError("protobuf: truncated message");
  return fields;
}

function bytesOf(fields: Field[], no: number): Uint8Array {
  const f = fields.findLast((f) => f.no === no);
  return f?.value instanceof Uint8Array ? f.value : new Uint8Array(0);
}

function varintOf(fields: Field[], no: number): bigint {
  const f = fields.findLast((f) => f.no === no);
  return typeof f?.value === "bigint" ? f.value : 0n;
}

function repeated(fields: Field[], no: number): Uint8Array[] {
  return fields.filter((f) => f.no === no && f.value instanceof Uint8Array)
    .map((f) => f.value as Uint8Array);
}

/** Builds a message field by field. */
class Writer {
  #parts: number[] = [];

  #varint(v: bigint): void {
    let x = BigInt.asUintN(64, v);
    while (x >= 0x80n) {
      this.#parts.push(Number(x & 0x7fn) | 0x80);
      x >>= 7n;
    }
    this.#parts.push(Number(x));
  }

  /** A varint field; proto3 omits zero values. */
  varint(no: number, v: bigint | number | boolean): this {
    const x = typeof v === "bigint" ? v : BigInt(Number(v));
    if (x === 0n) return this;
    this.#varint(BigInt((no << 3) | VARINT));
    this.#varint(x);
    return this;
  }

  /** A length-delimited field (bytes or an embedded message); written even when empty. */
  bytes(no: number, b: Uint8Array): this {
    this.#varint(BigInt((no << 3) | LEN));
    this.#varint(BigInt(b.length));
    for (const x of b) this.#parts.push(x);
    return this;
  }

  finish(): Uint8Array<ArrayBuffer> {
    return new Uint8Array(this.#parts);
  }
}

/** `ValueEncoding`: how a value's bytes are to be read. */
export const VE_V8 = 1;
export const VE_LE64 = 2;
export const VE_BYTES = 3;

/** `MutationType`. */
export const M_SET = 1;
export const M_DELETE = 2;
export const M_SUM = 3;
export const M_MAX = 4;
export const M_MIN = 5;

/** `AtomicWriteStatus`. */
export const AW_SUCCESS = 1;
export const AW_CHECK_FAILURE = 2;

/** `SnapshotReadStatus`. */
export const SR_SUCCESS = 1;

/** `ReadRange`: keys from `start` (inclusive) to `end` (exclusive), encoded. */
export interface ReadRange {
  start: Uint8Array;
  end: Uint8Array;
  limit: number;
  reverse: boolean;
}

/** `KvEntry`, as returned by a read. */
export interface KvEntry {
  key: Uint8Array;
  value: Uint8Array;
  encoding: number;
  versionstamp: Uint8Array;
}

/** `Check`: an empty versionstamp means "the key must not exist". */
export interface Check {
  key: Uint8Array;
  versionstamp: Uint8Array;
}

/** `Mutation` with its `KvValue` flattened. */
export interface Mutation {
  key: Uint8Array;
  type: number;
  data: Uint8Array;
  encoding: number;
  /** 0 = never expires. */
  expireAtMs: number;
}

/** `AtomicWrite`. */
export interface AtomicWrite {
  checks: Check[];
  mutations: Mutation[];
  enqueues: number;
}

/** Decode a `SnapshotRead` request. */
export function decodeSnapshotRead(buf: Uint8Array): ReadRange[] {
  return repeated(decodeFields(buf), 1).map((r) => {
    const f = decodeFields(r);
    return {
      start: bytesOf(f, 1),
      end: bytesOf(f, 2),
      limit: Number(BigInt.asIntN(32, varintOf(f, 3))),
      reverse: varintOf(f, 4) !== 0n,
    };
  });
}

function encodeEntry(e: KvEntry): Uint8Array {
  return new Writer().bytes(1, e.key).bytes(2, e.value).varint(3, e.encoding)
    .bytes(4, e.versionstamp).finish();
}

/** Encode a successful, strongly consistent `SnapshotReadOutput`. */
export function encodeSnapshotReadOutput(ranges: KvEntry[][]): Uint8Array<ArrayBuffer> {
  const w = new Writer();
  for (const entries of ranges) {
    const r = new Writer();
    for (const e of entries) r.bytes(1, encodeEntry(e));
    w.bytes(1, r.finish());
  }
  return w.varint(4, true).varint(8, SR_SUCCESS).finish();
}

/** Decode an `AtomicWrite` request. */
export function decodeAtomicWrite(buf: Uint8Array): AtomicWrite {
  const fields = decodeFields(buf);
  return {
    checks: repeated(fields, 1).map((c) => {
      const f = decodeFields(c);
      return { key: bytesOf(f, 1), versionstamp: bytesOf(f, 2) };
    }),
    mutations: repeated(fields, 2).map((m) => {
      const f = decodeFields(m);
      const value = decodeFields(bytesOf(f, 2));
      return {
        key: bytesOf(f, 1),
        type: Number(varintOf(f, 3)),
        data: bytesOf(value, 1),
        encoding: Number(varintOf(value, 2)),
        expireAtMs: Number(BigInt.asIntN(64, varintOf(f, 4))),
      };
    }),
    enqueues: repeated(fields, 3).length,
  };
}

/** Encode an `AtomicWriteOutput`. */
export function encodeAtomicWriteOutput(
  status: number,
  versionstamp?: Uint8Array,
): Uint8Array<ArrayBuffer> {
  const w = new Writer().varint(1, status);
  if (versionstamp) w.bytes(2, versionstamp);
  return w.finish();
}

/**
 * DUMP/RESTORE payloads: an RDB object (type byte, then the type's body) followed by Redis's
 * trailer (2-byte RDB version, 8-byte CRC64 of everything before it). Strings and plain hashes
 * use RDB's own encodings (so redis-server can RESTORE them); each type is one entry of
 * {@link CODECS}, so another type adds its case there.
 * @module
 */
import type { WriteTx } from "../../../src/store/mod.ts";
import { type Access, type KeyEntry, putKey, setOwner } from "./db.ts";
import { type HashLimits, listFields, openHash, setField } from "./hash.ts";
import { fieldName } from "./hash.ts";
import type { KeyMeta } from "./layout.ts";

/** The RDB version Redis 7.2 writes (RDB_VERSION); newer payloads are refused, as Redis does. */
const RDB_VERSION = 11;
const RDB_TYPE_STRING = 0;
const RDB_TYPE_HASH = 4;
/** basekv only: a hash whose fields carry deadlines (8-byte ms, 0 = none) after each value. */
const BASEKV_TYPE_HASH_TTL = 0xf4;
const latin1 = new TextDecoder("latin1");

/** Bytes of a payload, appended piece by piece. */
class PayloadWriter {
  #parts: Uint8Array[] = [];
  #length = 0;

  bytes(b: Uint8Array): void {
    this.#parts.push(b);
    this.#length += b.length;
  }

  byte(n: number): void {
    this.bytes(Uint8Array.of(n));
  }

  /** rdbSaveLen: 6-bit, 14-bit, 32-bit or 64-bit big-endian lengths. */
  length(n: number): void {
    if (n < 64) return this.byte(n);
    if (n < 16384) return this.bytes(Uint8Array.of(0x40 | (n >> 8), n & 0xff));
    const big = n > 0xffffffff;
    const out = new Uint8Array(big ? 9 : 5);
    out[0] = big ? 0x81 : 0x80;
    const view = new DataView(out.buffer);
    if (big) view.setBigUint64(1, BigInt(n));
    else view.setUint32(1, n);
    this.bytes(out);
  }

  /** rdbSaveRawString without compression: length, then the bytes. */
  string(s: Uint8Array): void {
    this.length(s.length);
    this.bytes(s);
  }

  u64(n: number): void {
    const out = new Uint8Array(8);
    new DataView(out.buffer).setBigUint64(0, BigInt(n), true);
    this.bytes(out);
  }

  /** The payload with Redis's trailer. */
  finish(): Uint8Array {
    const out = new Uint8Array(this.#length + 10);
    let at = 0;
    for (const part of this.#parts) {
      out.set(part, at);
      at += part.length;
    }
    out[at] = RDB_VERSION & 0xff;
    out[at + 1] = RDB_VERSION >> 8;
    const crc = crc64(out.subarray(0, at + 2));
    new DataView(out.buffer).setBigUint64(at + 2, crc, true);
    return out;
  }
}

/** A malformed payload body ("Bad data format"). */
export class BadPayload extends Error {}

/** Reads an RDB object body. */
class PayloadReader {
  #at = 0;
  constructor(readonly body: Uint8Array) {}

  get done(): boolean {
    return this.#at === this.body.length;
  }

  byte(): number {
    if (this.#at >= this.body.length) throw new BadPayload();
    return this.body[this.#at++];
  }

  take(n: number): Uint8Array {
    if (this.#at + n > this.body.length) throw new BadPayload();
    const out = this.body.slice(this.#at, this.#at + n);
    this.#at += n;
    return out;
  }

  /** rdbLoadLen; `encoded` is set for the special string encodings (0xC0 prefix). */
  length(): { n: number; encoded: boolean } {
    const first = this.byte();
    const kind = first >> 6;
    if (kind === 0) return { n: first & 0x3f, encoded: false };
    if (kind === 1) return { n: ((first & 0x3f) << 8) | this.byte(), encoded: false };
    if (kind === 3) return { n: first & 0x3f, encoded: true };
    const view = new DataView(this.take(first === 0x80 ? 4 : 8).buffer);
    if (first === 0x80) return { n: view.getUint32(0), encoded: false };
    if (first !== 0x81) throw new BadPayload();
    return { n: Number(view.getBigUint64(0)), encoded: false };
  }

  /** rdbGenericLoadStringObject: plain, integer-encoded or LZF-compressed. */
  string(): Uint8Array {
    const { n, encoded } = this.length();
    if (!encoded) return this.take(n);
    const enc = new TextEncoder();
    if (n === 0) return enc.encode(String(new Int8Array(this.take(1).buffer)[0]));
    if (n === 1) return enc.encode(String(new DataView(this.take(2).buffer).getInt16(0, true)));
    if (n === 2) return enc.encode(String(new DataView(this.take(4).buffer).getInt32(0, true)));
    if (n !== 3) throw new BadPayload();
    const compressed = this.length().n;
    const plain = this.length().n;
    return lzfDecompress(this.take(compressed), plain);
  }

  u64(): number {
    return Number(new DataView(this.take(8).buffer).getBigUint64(0, true));
  }
}

/** lzf_decompress, for string payloads redis-server compressed. */
function lzfDecompress(input: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let ip = 0;
  let op = 0;
  while (ip < input.length) {
    let ctrl = input[ip++];
    if (ctrl < 32) {
      ctrl++;
      if (op + ctrl > length || ip + ctrl > input.length) throw new BadPayload();
      out.set(input.subarray(ip, ip + ctrl), op);
      ip += ctrl;
      op += ctrl;
    } else {
      let len = ctrl >> 5;
      let ref = op - ((ctrl & 0x1f) << 8) - 1;
      if (len === 7) len += input[ip++];
      ref -= input[ip++];
      len += 2;
      if (op + len > length || ref < 0) throw new BadPayload();
      for (let i = 0; i < len; i++) out[op++] = out[ref++];
    }
  }
  if (op !== length) throw new BadPayload();
  return out;
}

/** Where a restored value goes. */
export interface RestoreTarget {
  tx: WriteTx;
  slot: number;
  key: Uint8Array;
  /** The entry being replaced (RESTORE … REPLACE), or null. */
  old: KeyEntry | null;
  expiresAt: number | null;
  hashLimits: HashLimits;
}

/** How one type is dumped and restored. */
interface TypeCodec {
  /** The RDB type bytes this codec reads. */
  types: number[];
  dump(r: Access, entry: KeyEntry, w: PayloadWriter): Promise<void>;
  restore(type: number, body: PayloadReader, to: RestoreTarget): Promise<void> | void;
}

/** Per-type serializers, by the type name TYPE reports. */
const CODECS: Partial<Record<KeyMeta["t"], TypeCodec>> = {
  string: {
    types: [RDB_TYPE_STRING],
    dump(_r, entry, w) {
      w.byte(RDB_TYPE_STRING);
      w.string(entry.data);
      return Promise.resolve();
    },
    restore(_type, body, { tx, slot, key, old, expiresAt }) {
      const data = body.string();
      putKey(tx, { slot, key, record: { meta: { t: "string" }, data, expiresAt }, old });
    },
  },
  hash: {
    types: [RDB_TYPE_HASH, BASEKV_TYPE_HASH_TTL],
    async dump(r, entry, w) {
      const fields = await listFields(r, entry.meta!);
      const live = fields.filter((f) => f.expiresAt === null || f.expiresAt > r.now);
      const withTtl = live.some((f) => f.expiresAt !== null);
      w.byte(withTtl ? BASEKV_TYPE_HASH_TTL : RDB_TYPE_HASH);
      w.length(live.length);
      for (const field of live) {
        w.string(fieldName(field));
        w.string(field.data);
        if (withTtl) w.u64(field.expiresAt ?? 0);
      }
    },
    async restore(type, body, { tx, slot, key, old, expiresAt, hashLimits }) {
      const h = openHash(slot, key, null, hashLimits);
      const count = body.length().n;
      if (count === 0) throw new BadPayload();
      const seen = new Set<string>();
      for (let i = 0; i < count; i++) {
        const field = body.string();
        // Redis refuses a payload naming a field twice.
        const name = latin1.decode(field);
        if (seen.has(name)) throw new BadPayload();
        seen.add(name);
        const value = body.string();
        const deadline = type === BASEKV_TYPE_HASH_TTL ? body.u64() || null : null;
        if (deadline !== null && !h.meta.fx) {
          h.meta.fx = true;
          setOwner(tx, h.meta.g!, slot, key);
        }
        await setField(tx, h, { field, value, expiresAt: deadline, known: null });
      }
      putKey(tx, { slot, key, record: { meta: h.meta, expiresAt }, old });
    },
  },
};

/** DUMP's payload for a key's entry. */
export async function dumpPayload(r: Access, entry: KeyEntry): Promise<Uint8Array> {
  const codec = CODECS[entry.meta!.t];
  if (!codec) throw new Error(`DUMP of type ${entry.meta!.t} is not supported yet`);
  const w = new PayloadWriter();
  await codec.dump(r, entry, w);
  return w.finish();
}

/** verifyDumpPayload: at least a trailer, a version this server reads, a matching CRC64. */
export function verifyPayload(payload: Uint8Array): boolean {
  if (payload.length < 10) return false;
  const footer = payload.length - 10;
  const version = payload[footer] | (payload[footer + 1] << 8);
  if (version > RDB_VERSION) return false;
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  return view.getBigUint64(footer + 2, true) === crc64(payload.subarray(0, footer + 2));
}

/** Decode a verified payload into `to`; throws {@link BadPayload} for a body it cannot read. */
export async function restorePayload(payload: Uint8Array, to: RestoreTarget): Promise<void> {
  const body = new PayloadReader(payload.subarray(0, payload.length - 10));
  const type = body.byte();
  const codec = Object.values(CODECS).find((c) => c.types.includes(type));
  if (!codec) throw new BadPayload();
  await codec.restore(type, body, to);
  if (!body.done) throw new BadPayload();
}

/** RDB_OPCODE_FUNCTION2: one library's code in a FUNCTION DUMP payload. */
const RDB_OPCODE_FUNCTION2 = 245;

/** FUNCTION DUMP's payload: each library's code after its opcode, then Redis's trailer. */
export function functionsPayload(codes: readonly Uint8Array[]): Uint8Array {
  const w = new PayloadWriter();
  for (const code of codes) {
    w.byte(RDB_OPCODE_FUNCTION2);
    w.string(code);
  }
  return w.finish();
}

/**
 * The library codes of a verified FUNCTION RESTORE payload; throws {@link BadPayload} with
 * Redis's text when an entry is not a function.
 */
export function readFunctionsPayload(payload: Uint8Array): Uint8Array[] {
  const body = new PayloadReader(payload.subarray(0, payload.length - 10));
  const codes: Uint8Array[] = [];
  while (!body.done) {
    if (body.byte() !== RDB_OPCODE_FUNCTION2) throw new BadPayload("given type is not a function");
    codes.push(body.string());
  }
  return codes;
}

/** CRC-64/Jones (reflected, poly 0xad93d23594c935a9) as Redis's crc64(0, …), on 32-bit halves. */
const CRC_LO = new Uint32Array(256);
const CRC_HI = new Uint32Array(256);
{
  const poly = 0x95ac9329ac4bc9b5n; // 0xad93d23594c935a9 bit-reversed
  for (let i = 0; i < 256; i++) {
    let crc = BigInt(i);
    for (let k = 0; k < 8; k++) crc = crc & 1n ? (crc >> 1n) ^ poly : crc >> 1n;
    CRC_LO[i] = Number(crc & 0xffffffffn);
    CRC_HI[i] = Number(crc >> 32n);
  }
}

export function crc64(data: Uint8Array): bigint {
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < data.length; i++) {
    const idx = (lo ^ data[i]) & 0xff;
    lo = (CRC_LO[idx] ^ ((lo >>> 8) | (hi << 24))) >>> 0;
    hi = (CRC_HI[idx] ^ (hi >>> 8)) >>> 0;
  }
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/**
 * The byte level of DUMP/RESTORE payloads: RDB lengths and strings (integer-encoded and LZF as
 * rdbSaveRawString writes them), doubles, Redis's trailer (RDB version and CRC64).
 * @module
 */
import { latin1Text } from "../../../src/bytes.ts";
import { lzfCompress, lzfDecompress } from "./lzf.ts";

/** The RDB version Redis 7.2 writes (RDB_VERSION); newer payloads are refused, as Redis does. */
export const RDB_VERSION = 11;
/** Strings at most this long are tried as integers (rdbSaveRawString). */
const INT_ENCODING_MAX = 11;
/** Strings longer than this are tried with LZF (rdbcompression yes). */
const LZF_MIN = 20;
const INTEGER = /^(0|-?[1-9][0-9]*)$/;
const encoder = new TextEncoder();

/** A malformed payload body ("Bad data format"). */
export class BadPayload extends Error {}

/** rdbEncodeInteger: a string that reads back as a 8/16/32-bit integer, else null. */
function integerEncoding(s: Uint8Array): Uint8Array | null {
  if (s.length === 0 || s.length > INT_ENCODING_MAX) return null;
  const text = latin1Text(s);
  if (!INTEGER.test(text)) return null;
  const v = Number(text);
  if (v >= -128 && v <= 127) return Uint8Array.of(0xc0, v & 0xff);
  if (v >= -32768 && v <= 32767) return Uint8Array.of(0xc1, v & 0xff, (v >> 8) & 0xff);
  if (v < -2147483648 || v > 2147483647) return null;
  const out = new Uint8Array(5);
  out[0] = 0xc2;
  new DataView(out.buffer).setInt32(1, v, true);
  return out;
}

/** Bytes of a payload, appended piece by piece. */
export class PayloadWriter {
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
  length(n: number | bigint): void {
    if (n < 64) return this.byte(Number(n));
    if (n < 16384) return this.bytes(Uint8Array.of(0x40 | (Number(n) >> 8), Number(n) & 0xff));
    const big = n > 0xffffffff;
    const out = new Uint8Array(big ? 9 : 5);
    out[0] = big ? 0x81 : 0x80;
    const view = new DataView(out.buffer);
    if (big) view.setBigUint64(1, BigInt(n));
    else view.setUint32(1, Number(n));
    this.bytes(out);
  }

  /** rdbSaveRawString: as a small integer, LZF-compressed when that saves 4 bytes, or plain. */
  string(s: Uint8Array): void {
    const int = integerEncoding(s);
    if (int) return this.bytes(int);
    if (s.length > LZF_MIN) {
      const packed = lzfCompress(s, s.length - 4);
      if (packed) {
        this.byte(0xc3);
        this.length(packed.length);
        this.length(s.length);
        return this.bytes(packed);
      }
    }
    this.length(s.length);
    this.bytes(s);
  }

  /** An 8-byte little-endian unsigned integer (rdbSaveMillisecondTime and friends). */
  u64(n: number | bigint): void {
    const out = new Uint8Array(8);
    new DataView(out.buffer).setBigUint64(0, BigInt(n), true);
    this.bytes(out);
  }

  /** rdbSaveBinaryDoubleValue: the IEEE 754 bytes, little-endian. */
  double(d: number): void {
    const out = new Uint8Array(8);
    new DataView(out.buffer).setFloat64(0, d, true);
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

/** Reads an RDB object body. */
export class PayloadReader {
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

  /** A plain length (not a string encoding). */
  count(): number {
    const { n, encoded } = this.length();
    if (encoded) throw new BadPayload();
    return n;
  }

  /** A length read as a 64-bit integer (stream ids and counters). */
  bigCount(): bigint {
    const first = this.body[this.#at];
    if (first === 0x81) {
      this.#at++;
      return new DataView(this.take(8).buffer).getBigUint64(0);
    }
    return BigInt(this.count());
  }

  /** rdbGenericLoadStringObject: plain, integer-encoded or LZF-compressed. */
  string(): Uint8Array {
    const { n, encoded } = this.length();
    if (!encoded) return this.take(n);
    if (n === 0) return encoder.encode(String(new Int8Array(this.take(1).buffer)[0]));
    if (n === 1) return encoder.encode(String(new DataView(this.take(2).buffer).getInt16(0, true)));
    if (n === 2) return encoder.encode(String(new DataView(this.take(4).buffer).getInt32(0, true)));
    if (n !== 3) throw new BadPayload();
    const compressed = this.length().n;
    const plain = this.length().n;
    const out = lzfDecompress(this.take(compressed), plain);
    if (!out) throw new BadPayload();
    return out;
  }

  u64(): number {
    return Number(this.bigU64());
  }

  bigU64(): bigint {
    return new DataView(this.take(8).buffer).getBigUint64(0, true);
  }

  /** rdbLoadBinaryDoubleValue. */
  double(): number {
    return new DataView(this.take(8).buffer).getFloat64(0, true);
  }
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

/**
 * Deno KV's key encoding (FoundationDB tuple layer, as denokv `proto/codec.rs`): the bytes keys
 * travel as over KV Connect. Pure functions; order of encoded bytes = order of keys.
 * @module
 */

const BYTES = 0x01;
const STRING = 0x02;
const NEGINTSTART = 0x0b;
const INTZERO = 0x14;
const POSINTEND = 0x1d;
const DOUBLE = 0x21;
const FALSE = 0x26;
const TRUE = 0x27;
const ESCAPE = 0xff;
/** Integers up to this many bytes carry their length in the tag. */
const MAX_INT_TAG_BYTES = 8;

const utf8 = new TextEncoder();
const utf8Strict = new TextDecoder("utf-8", { fatal: true });

function escaped(out: number[], bytes: Uint8Array): void {
  for (const b of bytes) {
    out.push(b);
    if (b === 0) out.push(ESCAPE);
  }
  out.push(0);
}

function bigintBytes(n: bigint): number[] {
  const out: number[] = [];
  for (let x = n; x > 0n; x >>= 8n) out.unshift(Number(x & 0xffn));
  return out;
}

function encodeBigint(out: number[], n: bigint): void {
  if (n === 0n) {
    out.push(INTZERO);
    return;
  }
  const bytes = bigintBytes(n < 0n ? -n : n);
  if (bytes.length > 255) throw new RangeError("bigint key part too large");
  if (n > 0n) {
    if (bytes.length <= MAX_INT_TAG_BYTES) out.push(INTZERO + bytes.length);
    else out.push(POSINTEND, bytes.length);
    out.push(...bytes);
  } else {
    if (bytes.length <= MAX_INT_TAG_BYTES) out.push(INTZERO - bytes.length);
    else out.push(NEGINTSTART, bytes.length ^ 0xff);
    out.push(...bytes.map((b) => b ^ 0xff));
  }
}

function encodeDouble(out: number[], x: number): void {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Number.isNaN(x) ? NaN : x);
  let u = view.getBigUint64(0);
  u = (u & (1n << 63n)) !== 0n ? u ^ 0xffff_ffff_ffff_ffffn : u ^ (1n << 63n);
  view.setBigUint64(0, u);
  out.push(DOUBLE, ...new Uint8Array(view.buffer));
}

/** Encode a key as Deno KV does. */
export function encodeKey(key: Deno.KvKey): Uint8Array {
  const out: number[] = [];
  for (const part of key) {
    if (part instanceof Uint8Array) {
      out.push(BYTES);
      escaped(out, part);
    } else if (typeof part === "string") {
      out.push(STRING);
      escaped(out, utf8.encode(part));
    } else if (typeof part === "bigint") encodeBigint(out, part);
    else if (typeof part === "number") encodeDouble(out, part);
    else if (typeof part === "boolean") out.push(part ? TRUE : FALSE);
    else throw new TypeError(`unsupported key part: ${typeof part}`);
  }
  return new Uint8Array(out);
}

/** Decode encoded key bytes; throws a RangeError on malformed input. */
export function decodeKey(bytes: Uint8Array): Deno.KvKeyPart[] {
  const key: Deno.KvKeyPart[] = [];
  let pos = 0;
  const take = (n: number): Uint8Array => {
    if (pos + n > bytes.length) throw new RangeError("key: unexpected end");
    return bytes.subarray(pos, pos += n);
  };
  const slice = (): Uint8Array => {
    const out: number[] = [];
    while (pos < bytes.length) {
      const b = bytes[pos++];
      if (b !== 0) out.push(b);
      else if (bytes[pos] === ESCAPE) {
        out.push(0);
        pos++;
      } else return new Uint8Array(out);
    }
    throw new RangeError("key: unterminated byte string");
  };
  const unsigned = (b: Uint8Array): bigint => b.reduce((acc, x) => (acc << 8n) | BigInt(x), 0n);
  while (pos < bytes.length) {
    const tag = bytes[pos++];
    if (tag === BYTES) key.push(slice());
    else if (tag === STRING) key.push(utf8Strict.decode(slice()));
    else if (tag === FALSE || tag === TRUE) key.push(tag === TRUE);
    else if (tag === DOUBLE) {
      const view = new DataView(take(8).slice().buffer);
      let u = view.getBigUint64(0);
      u = (u & (1n << 63n)) === 0n ? u ^ 0xffff_ffff_ffff_ffffn : u ^ (1n << 63n);
      view.setBigUint64(0, u);
      key.push(view.getFloat64(0));
    } else if (tag >= INTZERO && tag <= INTZERO + MAX_INT_TAG_BYTES) {
      key.push(unsigned(take(tag - INTZERO)));
    } else if (tag >= INTZERO - MAX_INT_TAG_BYTES && tag < INTZERO) {
      key.push(-unsigned(take(INTZERO - tag).map((b) => b ^ 0xff)));
    } else if (tag === POSINTEND) key.push(unsigned(take(take(1)[0])));
    else if (tag === NEGINTSTART) key.push(-unsigned(take(take(1)[0] ^ 0xff).map((b) => b ^ 0xff)));
    else throw new RangeError(`key: invalid tag 0x${tag.toString(16)}`);
  }
  return key;
}

/**
 * Redis's compact blobs as DUMP carries them: listpacks (lists, small sets, sorted sets and
 * stream nodes) and intsets, encoded byte for byte as Redis builds them and decoded strictly.
 * @module
 */
import { latin1Text } from "../../../src/bytes.ts";
import { BadPayload } from "./rdb_payload.ts";

const LISTPACK_HEADER = 6;
const LISTPACK_END = 0xff;
/** A listpack's element count field saturates here (the count is then unknown). */
const NUMELE_UNKNOWN = 65535;
const INTEGER = /^(0|-?[1-9][0-9]*)$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const encoder = new TextEncoder();

/** lpStringToInt64: the integer a listpack stores `s` as, or null to store it as a string. */
export function listpackInteger(s: Uint8Array): bigint | null {
  if (s.length === 0 || s.length > 20) return null;
  const text = latin1Text(s);
  if (!INTEGER.test(text)) return null;
  const v = BigInt(text);
  return v < INT64_MIN || v > INT64_MAX ? null : v;
}

/** The bytes of one element's header and data (lpEncodeString / lpEncodeIntegerGetType). */
function encodeElement(s: Uint8Array): Uint8Array {
  const v = listpackInteger(s);
  if (v !== null) {
    const n = Number(v);
    if (v >= 0n && v <= 127n) return Uint8Array.of(n);
    if (v >= -4096n && v <= 4095n) {
      const u = n < 0 ? (1 << 13) + n : n;
      return Uint8Array.of(0xc0 | (u >> 8), u & 0xff);
    }
    const width = v >= -32768n && v <= 32767n
      ? 2
      : v >= -8388608n && v <= 8388607n
      ? 3
      : v >= -2147483648n && v <= 2147483647n
      ? 4
      : 8;
    const tag = { 2: 0xf1, 3: 0xf2, 4: 0xf3, 8: 0xf4 }[width]!;
    const out = new Uint8Array(1 + width);
    out[0] = tag;
    let u = BigInt.asUintN(width * 8, v);
    for (let i = 1; i <= width; i++, u >>= 8n) out[i] = Number(u & 0xffn);
    return out;
  }
  const len = s.length;
  let head: Uint8Array;
  if (len < 64) head = Uint8Array.of(0x80 | len);
  else if (len < 4096) head = Uint8Array.of(0xe0 | (len >> 8), len & 0xff);
  else head = Uint8Array.of(0xf0, len & 0xff, (len >> 8) & 0xff, (len >> 16) & 0xff, len >>> 24);
  const out = new Uint8Array(head.length + len);
  out.set(head);
  out.set(s, head.length);
  return out;
}

/** lpEncodeBacklen: an element's length, 7 bits a byte, written to be read right to left. */
function backlen(l: number): Uint8Array {
  if (l <= 127) return Uint8Array.of(l);
  if (l < 16383) return Uint8Array.of(l >> 7, (l & 127) | 128);
  if (l < 2097151) return Uint8Array.of(l >> 14, ((l >> 7) & 127) | 128, (l & 127) | 128);
  if (l < 268435455) {
    return Uint8Array.of(l >> 21, ((l >> 14) & 127) | 128, ((l >> 7) & 127) | 128, (l & 127) | 128);
  }
  return Uint8Array.of(
    l >>> 28,
    ((l >> 21) & 127) | 128,
    ((l >> 14) & 127) | 128,
    ((l >> 7) & 127) | 128,
    (l & 127) | 128,
  );
}

/** Bytes one element takes in a listpack (header, data and back-length). */
export function listpackEntrySize(s: Uint8Array): number {
  const body = encodeElement(s).length;
  return body + backlen(body).length;
}

/** A listpack holding `items` in order (numbers are written as Redis prints them). */
export function encodeListpack(items: readonly (Uint8Array | number | bigint)[]): Uint8Array {
  const parts: Uint8Array[] = [];
  let size = LISTPACK_HEADER + 1;
  for (const item of items) {
    const s = item instanceof Uint8Array ? item : encoder.encode(String(item));
    const body = encodeElement(s);
    const back = backlen(body.length);
    parts.push(body, back);
    size += body.length + back.length;
  }
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setUint32(0, size, true);
  view.setUint16(4, Math.min(items.length, NUMELE_UNKNOWN), true);
  let at = LISTPACK_HEADER;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  out[at] = LISTPACK_END;
  return out;
}

/** Every element of a listpack, as strings (integers in decimal); BadPayload when malformed. */
export function decodeListpack(lp: Uint8Array): Uint8Array[] {
  if (lp.length < LISTPACK_HEADER + 1) throw new BadPayload();
  const view = new DataView(lp.buffer, lp.byteOffset, lp.byteLength);
  if (view.getUint32(0, true) !== lp.length || lp[lp.length - 1] !== LISTPACK_END) {
    throw new BadPayload();
  }
  const declared = view.getUint16(4, true);
  const out: Uint8Array[] = [];
  let at = LISTPACK_HEADER;
  const end = lp.length - 1;
  const need = (n: number) => {
    if (at + n > end) throw new BadPayload();
  };
  while (at < end) {
    const start = at;
    const b = lp[at];
    let value: Uint8Array;
    if (b < 0x80) {
      value = encoder.encode(String(b));
      at += 1;
    } else if ((b & 0xc0) === 0x80) {
      const len = b & 0x3f;
      need(1 + len);
      value = lp.slice(at + 1, at + 1 + len);
      at += 1 + len;
    } else if ((b & 0xe0) === 0xc0) {
      need(2);
      let u = ((b & 0x1f) << 8) | lp[at + 1];
      if (u >= 1 << 12) u -= 1 << 13;
      value = encoder.encode(String(u));
      at += 2;
    } else if ((b & 0xf0) === 0xe0) {
      need(2);
      const len = ((b & 0x0f) << 8) | lp[at + 1];
      need(2 + len);
      value = lp.slice(at + 2, at + 2 + len);
      at += 2 + len;
    } else if (b === 0xf0) {
      need(5);
      const len = view.getUint32(at + 1, true);
      need(5 + len);
      value = lp.slice(at + 5, at + 5 + len);
      at += 5 + len;
    } else {
      const width = { 0xf1: 2, 0xf2: 3, 0xf3: 4, 0xf4: 8 }[b];
      if (!width) throw new BadPayload();
      need(1 + width);
      let u = 0n;
      for (let i = width; i >= 1; i--) u = (u << 8n) | BigInt(lp[at + i]);
      value = encoder.encode(String(BigInt.asIntN(width * 8, u)));
      at += 1 + width;
    }
    const back = backlen(at - start);
    need(back.length);
    for (let i = 0; i < back.length; i++) if (lp[at + i] !== back[i]) throw new BadPayload();
    at += back.length;
    out.push(value);
  }
  if (declared !== NUMELE_UNKNOWN && declared !== out.length) throw new BadPayload();
  return out;
}

/** An intset of `values` (sorted, distinct), in the narrowest encoding that holds them all. */
export function encodeIntset(values: readonly bigint[]): Uint8Array {
  let width = 2;
  for (const v of values) {
    if (v < -2147483648n || v > 2147483647n) width = 8;
    else if ((v < -32768n || v > 32767n) && width < 4) width = 4;
  }
  const out = new Uint8Array(8 + width * values.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, width, true);
  view.setUint32(4, values.length, true);
  values.forEach((v, i) => {
    const at = 8 + i * width;
    if (width === 2) view.setInt16(at, Number(v), true);
    else if (width === 4) view.setInt32(at, Number(v), true);
    else view.setBigInt64(at, v, true);
  });
  return out;
}

/** The members of an intset blob (intsetValidateIntegrity: sorted, distinct, sized right). */
export function decodeIntset(blob: Uint8Array): bigint[] {
  if (blob.length < 8) throw new BadPayload();
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const width = view.getUint32(0, true);
  const count = view.getUint32(4, true);
  if ((width !== 2 && width !== 4 && width !== 8) || blob.length !== 8 + width * count) {
    throw new BadPayload();
  }
  const out: bigint[] = [];
  for (let i = 0; i < count; i++) {
    const at = 8 + i * width;
    const v = width === 2
      ? BigInt(view.getInt16(at, true))
      : width === 4
      ? BigInt(view.getInt32(at, true))
      : view.getBigInt64(at, true);
    if (i > 0 && v <= out[i - 1]) throw new BadPayload();
    out.push(v);
  }
  return out;
}

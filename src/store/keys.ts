/**
 * Key helpers: a string identity for maps, the encoded size Deno KV will charge, and the
 * byte order Deno KV lists in (so staged writes merge into range reads in the right place).
 * @module
 */
import { latin1Text, sameBytes } from "../bytes.ts";
import { KeyTooLargeError } from "./errors.ts";
import type { Key } from "./types.ts";

/** Deno KV's write limit on an encoded key. */
export const MAX_KEY_BYTES = 2048;

const encoder = new TextEncoder();

/**
 * Char codes of the id being built, reused: an id is made as one string, where joining its
 * pieces would allocate a string per piece (≈ 700 bytes of garbage for a short key). Never
 * shortened: truncating it made V8 trim its backing store and grow it again on every call.
 */
export const idCodes: number[] = [];
/** Ids longer than this are joined piece by piece, so no call gets more arguments than this. */
const ONE_CALL_MAX = 4096;

/**
 * A string that identifies a key exactly, for use as a Map key (hot: one per read). Each part's
 * piece says its type and length, so pieces concatenate unambiguously: the id of a key that
 * extends a prefix is the prefix's id followed by the rest's, which `prefixId` saves redoing.
 */
export function keyId(key: Key, prefixId = ""): string {
  const n = keyIdCodes(key, prefixId);
  return n < 0 ? joinedId(key, prefixId) : codesId(n);
}

/**
 * {@link keyId}'s char codes, left in {@link idCodes}`[0, n)` without making the string: a
 * lookup that hashes and compares them (see {@link hashCodes}) needs none. The count, or -1
 * for a long key (then only {@link keyId} makes its id). Valid until the next call.
 */
export function keyIdCodes(key: Key, prefixId = ""): number {
  const codes = idCodes;
  let n = 0;
  for (let i = 0; i < prefixId.length; i++) codes[n++] = prefixId.charCodeAt(i);
  for (let i = 0; i < key.length; i++) {
    const part = key[i];
    if (part instanceof Uint8Array) {
      if (part.length > ONE_CALL_MAX) return -1;
      codes[n++] = 98; // "b"
      n = decimal(codes, n, part.length);
      codes[n++] = 58; // ":"
      for (let j = 0; j < part.length; j++) codes[n++] = part[j];
    } else if (typeof part === "string") {
      if (part.length > ONE_CALL_MAX) return -1;
      codes[n++] = 115; // "s"
      n = decimal(codes, n, part.length);
      codes[n++] = 58;
      for (let j = 0; j < part.length; j++) codes[n++] = part.charCodeAt(j);
    } else if (typeof part === "number" && part >= 0 && part <= 0x3fffffff && part % 1 === 0) {
      // A small integer (slots, indexes) written as String(part) would be, with no string.
      codes[n++] = 110; // "n"
      n = decimal(codes, n, part);
      codes[n++] = 59; // ";"
    } else if (typeof part === "number" || typeof part === "bigint") {
      const text = String(part);
      codes[n++] = typeof part === "number" ? 110 : 105; // "n" or "i"
      for (let j = 0; j < text.length; j++) codes[n++] = text.charCodeAt(j);
      codes[n++] = 59; // ";"
    } else codes[n++] = part ? 84 : 70; // "T" or "F"
    if (n > ONE_CALL_MAX) return -1;
  }
  return n;
}

/** The id whose codes {@link keyIdCodes} just left in {@link idCodes}. */
export function codesId(n: number): string {
  const codes = idCodes;
  return String.fromCharCode.apply(null, n === codes.length ? codes : codes.slice(0, n));
}

/**
 * A key id's hash, computed in JS (FNV-1a over its char codes, kept to a small integer): equal
 * for an id string ({@link hashId}) and for its codes ({@link hashCodes}), so a lookup by codes
 * needs no string, and a Map keyed by it hashes a small integer, not a fresh string (V8 hashes
 * a new string in C++, a runtime call per lookup).
 */
export function hashId(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return mixed(h);
}

/** FNV's low bits depend only on the inputs' low bits: mix the high ones in (open addressing). */
function mixed(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x45d9f3b);
  return (h ^ (h >>> 16)) & 0x3fffffff;
}

/** {@link hashId} of the id in {@link idCodes}`[0, n)`. */
export function hashCodes(n: number): number {
  const codes = idCodes;
  let h = 0x811c9dc5;
  for (let i = 0; i < n; i++) h = Math.imul(h ^ codes[i], 0x01000193);
  return mixed(h);
}

/** Whether `id` is the id in {@link idCodes}`[0, n)`. */
export function isCodesId(id: string, n: number): boolean {
  if (id.length !== n) return false;
  const codes = idCodes;
  for (let i = n - 1; i >= 0; i--) if (id.charCodeAt(i) !== codes[i]) return false;
  return true;
}

/** Write the decimal digits of `value` (a non-negative integer) at `n`; the new length. */
function decimal(out: number[], n: number, value: number): number {
  let end = n + 1;
  for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) end++;
  for (let at = end - 1; at >= n; at--) {
    out[at] = 48 + value % 10;
    value = Math.floor(value / 10);
  }
  return end;
}

/** {@link keyId} for long keys: the same pieces, joined as strings. */
function joinedId(key: Key, prefixId: string): string {
  let id = prefixId;
  for (let i = 0; i < key.length; i++) {
    const part = key[i];
    if (part instanceof Uint8Array) id += "b" + part.length + ":" + latin1Text(part);
    else if (typeof part === "string") id += "s" + part.length + ":" + part;
    else if (typeof part === "number") id += "n" + part + ";";
    else if (typeof part === "bigint") id += "i" + part + ";";
    else id += part ? "T" : "F";
  }
  return id;
}

function zeros(bytes: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0) n++;
  return n;
}

/**
 * A string part's UTF-8 length plus its NUL count, as the tuple encoding charges it. Key strings
 * are nearly always short ASCII (namespaces, tags): counted in place, with no encoder call.
 */
function stringPartSize(part: string): number {
  let size = part.length;
  for (let i = 0; i < part.length; i++) {
    const c = part.charCodeAt(i);
    if (c === 0) size++;
    else if (c >= 0x80) {
      const bytes = encoder.encode(part);
      return bytes.length + zeros(bytes);
    }
  }
  return size;
}

/** The size of a key in Deno KV's tuple encoding (what its 2048-byte limit counts). */
export function encodedKeySize(key: Key): number {
  let size = 0;
  for (let i = 0; i < key.length; i++) {
    const part = key[i];
    if (part instanceof Uint8Array) size += 2 + part.length + zeros(part);
    else if (typeof part === "string") size += 2 + stringPartSize(part);
    else if (typeof part === "number") size += 9;
    else if (typeof part === "bigint") size += 10 + Math.ceil(part.toString(16).length / 2);
    else size += 1;
  }
  return size;
}

/** Throw a {@link KeyTooLargeError} when a key is too large for Deno KV. */
export function assertKeySize(key: Key): void {
  const size = encodedKeySize(key);
  if (size > MAX_KEY_BYTES) {
    throw new KeyTooLargeError(size, MAX_KEY_BYTES);
  }
}

function rank(part: Deno.KvKeyPart): number {
  if (part instanceof Uint8Array) return 0;
  if (typeof part === "string") return 1;
  if (typeof part === "bigint") return 2;
  if (typeof part === "number") return 3;
  return 4;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/**
 * Strings in Deno KV's order (their UTF-8 bytes) without encoding them: UTF-16 code units order
 * as UTF-8 bytes do, except where a surrogate is involved (those fall back to encoding).
 */
function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i), y = b.charCodeAt(i);
    if (x === y) continue;
    if ((x >= 0xd800 && x <= 0xdfff) || (y >= 0xd800 && y <= 0xdfff)) {
      return compareBytes(encoder.encode(a), encoder.encode(b));
    }
    return x - y;
  }
  return a.length - b.length;
}

function comparePart(a: Deno.KvKeyPart, b: Deno.KvKeyPart): number {
  const ra = rank(a), rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (a instanceof Uint8Array) return compareBytes(a, b as Uint8Array);
  if (typeof a === "string") return compareStrings(a, b as string);
  if (typeof a === "boolean") return Number(a) - Number(b as boolean);
  const x = a as number | bigint, y = b as number | bigint;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Compare two keys in Deno KV's list order. */
export function compareKeys(a: Key, b: Key): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = comparePart(a[i], b[i]);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

/** True when two key parts are equal (a missing part equals nothing). */
export function samePart(a: Deno.KvKeyPart | undefined, b: Deno.KvKeyPart): boolean {
  if (a === undefined) return false;
  if (typeof a === "string" || typeof a === "number") return a === b;
  if (a instanceof Uint8Array) return b instanceof Uint8Array && sameBytes(a, b);
  return comparePart(a, b) === 0;
}

/** True when two keys have the same parts. */
export function sameKey(a: Key, b: Key): boolean {
  return a.length === b.length && hasPrefix(a, b);
}

/** True when `key` starts with every part of `prefix` (hot: runs per write per counted prefix). */
export function hasPrefix(key: Key, prefix: Key): boolean {
  if (key.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (!samePart(key[i], prefix[i])) return false;
  return true;
}

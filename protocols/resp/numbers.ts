/**
 * Number parsing and formatting exactly as Redis's util.c: string2ll (strict 64-bit integers),
 * and string2ld (floats as strtold reads them into a long double, for INCRBYFLOAT).
 * @module
 */
import { type LongDouble, parseLongDouble } from "./long_double.ts";

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
/** string2ll refuses anything longer (sign + 20 digits). */
const MAX_INT_CHARS = 21;
/** string2ld's buffer (MAX_LONG_DOUBLE_CHARS). */
const MAX_FLOAT_CHARS = 5 * 1024;
const INTEGER = /^(0|-?[1-9][0-9]*)$/;
export const FLOAT =
  /^[+-]?(([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?|0[xX]([0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)([pP][+-]?[0-9]+)?)$/;
export const INFINITY = /^[+-]?inf(inity)?$/i;
const decoder = new TextDecoder("latin1");

/** Bytes as a Latin-1 string (one char per byte), for parsing ASCII numbers. */
export function ascii(bytes: Uint8Array | string): string {
  return typeof bytes === "string" ? bytes : decoder.decode(bytes);
}

/** A signed 64-bit integer as string2ll accepts it, or null. */
export function parseInt64(bytes: Uint8Array | string): bigint | null {
  if (bytes.length === 0 || bytes.length > MAX_INT_CHARS) return null;
  const text = ascii(bytes);
  if (!INTEGER.test(text)) return null;
  const value = BigInt(text);
  return value < INT64_MIN || value > INT64_MAX ? null : value;
}

/** An integer argument that fits a JS number safely (counts, offsets), or null. */
export function parseInteger(bytes: Uint8Array | string): number | null {
  const value = parseInt64(bytes);
  return value === null ? null : Number(value);
}

/** True when `value` is inside the signed 64-bit range. */
export function fitsInt64(value: bigint): boolean {
  return value >= INT64_MIN && value <= INT64_MAX;
}

/**
 * A float as string2ld reads it into a long double (no spaces, no NaN; "inf" for infinities;
 * null for text it refuses or values that overflow).
 */
export function parseLongDoubleArg(bytes: Uint8Array | string): LongDouble | "inf" | null {
  if (bytes.length === 0 || bytes.length >= MAX_FLOAT_CHARS) return null;
  const text = ascii(bytes);
  if (INFINITY.test(text)) return "inf";
  if (!FLOAT.test(text)) return null;
  return parseLongDouble(text);
}

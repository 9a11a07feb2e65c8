/**
 * Number parsing and formatting exactly as Redis's util.c: string2ll (strict 64-bit integers),
 * and string2ld (floats as strtold reads them into a long double, for INCRBYFLOAT).
 * @module
 */
import { type LongDouble, parseLongDouble } from "./long_double.ts";
import { latin1Text } from "../../src/bytes.ts";

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
/** Digits a JS number holds exactly: shorter integers are parsed without a BigInt. */
const SAFE_DIGITS = 15;

/** Bytes as a Latin-1 string (one char per byte), for parsing ASCII numbers. */
export function ascii(bytes: Uint8Array | string): string {
  return typeof bytes === "string" ? bytes : latin1Text(bytes);
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
  if (typeof bytes !== "string") {
    const value = shortInteger(bytes);
    if (value !== undefined) return value;
  }
  const value = parseInt64(bytes);
  return value === null ? null : Number(value);
}

/**
 * What {@link parseInt64} answers for a short integer (the common LIMIT, COUNT, index), read
 * digit by digit under the same rule (`0`, or an optional `-` and no leading zero); undefined
 * when it has more digits than a JS number holds exactly.
 */
function shortInteger(bytes: Uint8Array): number | null | undefined {
  const neg = bytes[0] === 0x2d ? 1 : 0;
  const digits = bytes.length - neg;
  if (digits > SAFE_DIGITS) return undefined;
  if (digits === 0) return null;
  const first = bytes[neg] - 0x30;
  if (first === 0) return digits === 1 && neg === 0 ? 0 : null;
  if (first < 0 || first > 9) return null;
  let value = first;
  for (let i = neg + 1; i < bytes.length; i++) {
    const d = bytes[i] - 0x30;
    if (d < 0 || d > 9) return null;
    value = value * 10 + d;
  }
  return neg ? -value : value;
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

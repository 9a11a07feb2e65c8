/**
 * Number parsing and formatting exactly as Redis's util.c: string2ll (strict 64-bit integers),
 * string2ld (floats as strtold reads them) and ld2string's human format for INCRBYFLOAT.
 * @module
 */

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
/** string2ll refuses anything longer (sign + 20 digits). */
const MAX_INT_CHARS = 21;
/** string2ld's buffer (MAX_LONG_DOUBLE_CHARS). */
const MAX_FLOAT_CHARS = 5 * 1024;
const INTEGER = /^(0|-?[1-9][0-9]*)$/;
const FLOAT = /^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/;
const INFINITY = /^[+-]?inf(inity)?$/i;
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

/** A float as string2ld accepts it (no spaces, no NaN), or null. */
export function parseFloatArg(bytes: Uint8Array | string): number | null {
  if (bytes.length === 0 || bytes.length >= MAX_FLOAT_CHARS) return null;
  const text = ascii(bytes);
  if (INFINITY.test(text)) return text.startsWith("-") ? -Infinity : Infinity;
  if (!FLOAT.test(text)) return null;
  const value = Number(text);
  // strtold reports ERANGE for overflow to HUGE_VAL, which string2ld rejects.
  return Number.isFinite(value) ? value : null;
}

/** ld2string(LD_STR_HUMAN): fixed notation, no exponent, trailing zeros trimmed. */
export function formatHumanFloat(value: number): string {
  if (Object.is(value, -0) || value === 0) return "0";
  if (Number.isInteger(value)) return BigInt(value).toString();
  const shortest = String(value);
  if (!shortest.includes("e")) return shortest;
  // Tiny magnitudes: %.17Lf keeps 17 decimals, then trailing zeros go.
  const fixed = value.toFixed(17).replace(/0+$/, "").replace(/\.$/, "");
  return fixed === "-0" ? "0" : fixed;
}

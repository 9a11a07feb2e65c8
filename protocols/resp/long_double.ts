/**
 * x87 80-bit long double arithmetic over BigInt, for INCRBYFLOAT and HINCRBYFLOAT: Redis adds
 * in long double and prints with "%.17Lf", so 0.1 + 0.2 is "0.3" and 1e308 + 1e308 is finite.
 * Values are m × 2^e with a 64-bit significand, rounded to nearest, ties to even.
 * @module
 */

/** A finite long double: (-1)^neg × m × 2^e, m < 2^64 (m = 0 for zero). */
export interface LongDouble {
  neg: boolean;
  m: bigint;
  e: number;
}

/** Bits in the significand. */
const SIGNIFICAND_BITS = 64;
/** Values at or above 2^MAX_BINARY_EXPONENT overflow to infinity (LDBL_MAX_EXP). */
const MAX_BINARY_EXPONENT = 16384;
/** Decimal places "%.17Lf" prints. */
const PRINT_DECIMALS = 17n;
const DECIMAL = /^([+-]?)([0-9]*)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?$/;
/** strtold's hexadecimal form: 0x1.8p3. */
const HEX = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?[0-9]+))?$/;
/** Largest decimal or binary exponent worth computing exactly (beyond it: overflow or zero). */
const MAX_EXPONENT_DIGITS = 100_000;

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/** n / d (both > 0) rounded to nearest, ties to even. */
function divRound(n: bigint, d: bigint): bigint {
  const q = n / d;
  const twice = (n % d) * 2n;
  if (twice > d || (twice === d && (q & 1n) === 1n)) return q + 1n;
  return q;
}

/** The long double nearest to num/den (num ≥ 0, den > 0), or null on overflow. */
function fromRatio(neg: boolean, num: bigint, den: bigint): LongDouble | null {
  if (num === 0n) return { neg, m: 0n, e: 0 };
  let e = bitLength(num) - bitLength(den) - SIGNIFICAND_BITS;
  const scaled = (exp: number) =>
    exp >= 0 ? divRound(num, den << BigInt(exp)) : divRound(num << BigInt(-exp), den);
  let m = scaled(e);
  while (m >= 1n << BigInt(SIGNIFICAND_BITS)) m = scaled(++e);
  while (m < 1n << BigInt(SIGNIFICAND_BITS - 1)) {
    const next = scaled(e - 1);
    if (next >= 1n << BigInt(SIGNIFICAND_BITS)) break;
    m = next;
    e--;
  }
  if (e + SIGNIFICAND_BITS > MAX_BINARY_EXPONENT) return null;
  return { neg, m, e };
}

/**
 * Parse decimal text as strtold does (already validated by the caller's float grammar);
 * null for infinities, overflow or text it does not accept.
 */
export function parseLongDouble(text: string): LongDouble | null {
  const hex = HEX.exec(text);
  if (hex) {
    const [, sign, whole, fraction = "", exponent = "0"] = hex;
    if (whole === "" && fraction === "") return null;
    const digits = BigInt(`0x${whole + fraction || "0"}`);
    const power = Number(exponent) - 4 * fraction.length;
    if (!Number.isSafeInteger(power) || Math.abs(power) > MAX_EXPONENT_DIGITS) return null;
    return power >= 0
      ? fromRatio(sign === "-", digits << BigInt(power), 1n)
      : fromRatio(sign === "-", digits, 1n << BigInt(-power));
  }
  const match = DECIMAL.exec(text);
  if (!match) return null;
  const [, sign, whole, fraction = "", exponent = "0"] = match;
  if (whole === "" && fraction === "") return null;
  const digits = BigInt((whole + fraction) || "0");
  const power = Number(exponent) - fraction.length;
  if (!Number.isSafeInteger(power) || Math.abs(power) > MAX_EXPONENT_DIGITS) return null;
  const neg = sign === "-";
  return power >= 0
    ? fromRatio(neg, digits * 10n ** BigInt(power), 1n)
    : fromRatio(neg, digits, 10n ** BigInt(-power));
}

/** a + b rounded to a long double; null when the sum overflows. */
export function addLongDouble(a: LongDouble, b: LongDouble): LongDouble | null {
  const e = Math.min(a.e, b.e);
  const signed = (x: LongDouble) => (x.neg ? -x.m : x.m) << BigInt(x.e - e);
  const sum = signed(a) + signed(b);
  const neg = sum < 0n || (sum === 0n && a.neg && b.neg);
  const magnitude = sum < 0n ? -sum : sum;
  return e >= 0
    ? fromRatio(neg, magnitude << BigInt(e), 1n)
    : fromRatio(neg, magnitude, 1n << BigInt(-e));
}

/** ld2string(LD_STR_HUMAN): "%.17Lf", trailing zeros and a bare "." removed, "-0" as "0". */
export function formatLongDouble(x: LongDouble): string {
  const scale = 10n ** PRINT_DECIMALS;
  const scaled = x.e >= 0
    ? (x.m << BigInt(x.e)) * scale
    : divRound(x.m * scale, 1n << BigInt(-x.e));
  const whole = (scaled / scale).toString();
  const fraction = (scaled % scale).toString().padStart(Number(PRINT_DECIMALS), "0")
    .replace(/0+$/, "");
  const text = fraction ? `${whole}.${fraction}` : whole;
  return x.neg && text !== "0" ? `-${text}` : text;
}

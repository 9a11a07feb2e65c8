/**
 * C's `%.<p>g` for doubles, which Redis uses to turn Lua numbers into command arguments
 * (`%.17g`) and cjson into JSON (`%.14g`).
 * @module
 */

/** `printf("%.<precision>g", n)` with C's inf/nan spellings. */
export function formatG(n: number, precision: number): string {
  // x86-64 NaNs from arithmetic carry the sign bit, so glibc (and Redis) print "-nan".
  if (Number.isNaN(n)) return "-nan";
  if (n === Infinity) return "inf";
  if (n === -Infinity) return "-inf";
  if (n === 0) return Object.is(n, -0) ? "-0" : "0";
  // An integer with at most `precision` digits prints as itself: the common redis.call argument
  // (a count, a TTL) skips the exponent formatting and rounding below.
  if (Number.isSafeInteger(n) && Math.abs(n) < 10 ** precision) return String(n);
  const [mantissa, expText] = halfEven(n, precision).toExponential(precision - 1).split("e");
  const exp = Number(expText);
  if (exp < -4 || exp >= precision) {
    const m = stripZeros(mantissa);
    return `${m}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  }
  return stripZeros(n.toFixed(Math.max(0, precision - 1 - exp)));
}

/**
 * JS rounds an exact decimal tie away from zero, glibc to even: when `n` sits exactly halfway
 * at `precision` digits and the kept digit is even, returns the truncated value instead.
 */
function halfEven(n: number, precision: number): number {
  // Cheap filter: a tie shows a 5 as the digit after the kept ones.
  if (!/5e/.test(n.toExponential(precision))) return n;
  const [m, e] = Math.abs(n).toPrecision(100).split("e");
  const digits = m.replace(".", "").replace(/^0+/, "");
  if (digits[precision] !== "5" || !/^0*$/.test(digits.slice(precision + 1))) return n;
  if (Number(digits[precision - 1]) % 2 !== 0) return n;
  const lead = m.indexOf(".") < 0 ? m.length : m.indexOf(".");
  const exp = (e ? Number(e) : 0) +
    (m.startsWith("0") ? -(m.slice(2).search(/[1-9]/) + 1) : lead - 1);
  const truncated = Number(`${digits.slice(0, precision)}e${exp - precision + 1}`);
  return n < 0 ? -truncated : truncated;
}

function stripZeros(s: string): string {
  if (!s.includes(".")) return s;
  return s.replace(/\.?0+$/, "");
}

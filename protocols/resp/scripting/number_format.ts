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
  const [mantissa, expText] = n.toExponential(precision - 1).split("e");
  const exp = Number(expText);
  if (exp < -4 || exp >= precision) {
    const m = stripZeros(mantissa);
    return `${m}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  }
  return stripZeros(n.toFixed(Math.max(0, precision - 1 - exp)));
}

function stripZeros(s: string): string {
  if (!s.includes(".")) return s;
  return s.replace(/\.?0+$/, "");
}

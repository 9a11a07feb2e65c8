/**
 * Makes Lua 5.3 count like Redis's Lua 5.1: every integer literal in a script becomes a float
 * literal before compiling, so arithmetic is double arithmetic (fengari's integers are 32-bit
 * and would wrap) and `7/2`, `2^53`, `0xffffffff` mean what they mean in Redis.
 * @module
 */

const enum C {
  Quote = 0x22,
  Apos = 0x27,
  Backslash = 0x5c,
  Dash = 0x2d,
  LBracket = 0x5b,
  RBracket = 0x5d,
  Equals = 0x3d,
  Dot = 0x2e,
  Newline = 0x0a,
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isIdentStart(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
}

/** Index just past a long bracket `[==[ ... ]==]` opened at `i`, or -1 if `i` opens none. */
function longBracketEnd(src: Uint8Array, i: number): number {
  let j = i + 1;
  let level = 0;
  while (src[j] === C.Equals) {
    level++;
    j++;
  }
  if (src[j] !== C.LBracket) return -1;
  for (j++; j < src.length; j++) {
    if (src[j] !== C.RBracket) continue;
    let k = j + 1;
    let l = 0;
    while (src[k] === C.Equals) {
      l++;
      k++;
    }
    if (l === level && src[k] === C.RBracket) return k + 1;
  }
  return src.length;
}

/**
 * Rewrites decimal integer literals `12` to `12.0` and hex integers `0xff` to `0xffp0`,
 * leaving strings, comments and identifiers alone. Line numbers are unchanged.
 */
export function floatLiterals(src: Uint8Array): Uint8Array {
  const out: number[] = [];
  let copied = 0;
  const n = src.length;
  let i = 0;
  const insert: [number, string][] = [];
  while (i < n) {
    const c = src[i];
    if (c === C.Quote || c === C.Apos) {
      i++;
      while (i < n && src[i] !== c && src[i] !== C.Newline) i += src[i] === C.Backslash ? 2 : 1;
      i++;
    } else if (c === C.Dash && src[i + 1] === C.Dash) {
      const end = src[i + 2] === C.LBracket ? longBracketEnd(src, i + 2) : -1;
      if (end >= 0) i = end;
      else while (i < n && src[i] !== C.Newline) i++;
    } else if (c === C.LBracket && (src[i + 1] === C.LBracket || src[i + 1] === C.Equals)) {
      const end = longBracketEnd(src, i);
      i = end >= 0 ? end : i + 1;
    } else if (isIdentStart(c)) {
      while (i < n && (isIdentStart(src[i]) || isDigit(src[i]))) i++;
    } else if (isDigit(c) || (c === C.Dot && isDigit(src[i + 1]) && src[i - 1] !== C.Dot)) {
      const start = i;
      const hex = c === 0x30 && (src[i + 1] === 0x78 || src[i + 1] === 0x58);
      if (hex) i += 2;
      let float = false;
      while (i < n) {
        const d = src[i];
        const exp = hex ? (d === 0x70 || d === 0x50) : (d === 0x65 || d === 0x45);
        if (exp) {
          float = true;
          i++;
          if (src[i] === 0x2b || src[i] === C.Dash) i++;
        } else if (d === C.Dot) {
          if (src[i + 1] === C.Dot) break; // `1..x` is concatenation, let Lua report it
          float = true;
          i++;
        } else if (isDigit(d) || isIdentStart(d)) i++;
        else break;
      }
      if (!float && i > start) insert.push([i, hex ? "p0" : ".0"]);
    } else i++;
  }
  if (insert.length === 0) return src;
  for (const [at, suffix] of insert) {
    for (let k = copied; k < at; k++) out.push(src[k]);
    for (let k = 0; k < suffix.length; k++) out.push(suffix.charCodeAt(k));
    copied = at;
  }
  for (let k = copied; k < n; k++) out.push(src[k]);
  return Uint8Array.from(out);
}

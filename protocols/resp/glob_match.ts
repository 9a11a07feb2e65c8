/**
 * Redis's glob matcher (util.c stringmatchlen) over bytes: `*`, `?`, `[abc]`, `[^a]`, `[a-z]`,
 * `\x` escapes, optional case folding. Used by CONFIG GET and any pattern argument.
 * @module
 */

function lower(c: number, nocase: boolean): number {
  return nocase && c >= 65 && c <= 90 ? c + 32 : c;
}

/** True when `str` matches the Redis glob `pattern`. */
export function globMatch(pattern: Uint8Array, str: Uint8Array, nocase = false): boolean {
  return matchFrom(pattern, 0, str, 0, nocase);
}

function matchFrom(p: Uint8Array, pi: number, s: Uint8Array, si: number, nocase: boolean): boolean {
  while (pi < p.length && si < s.length) {
    const c = p[pi];
    if (c === 42) { // '*'
      while (pi + 1 < p.length && p[pi + 1] === 42) pi++;
      if (pi + 1 === p.length) return true;
      for (let k = si; k < s.length; k++) {
        if (matchFrom(p, pi + 1, s, k, nocase)) return true;
      }
      return false;
    } else if (c === 63) { // '?'
      si++;
    } else if (c === 91) { // '['
      pi++;
      const not = p[pi] === 94;
      if (not) pi++;
      let match = false;
      while (true) {
        if (pi < p.length && p[pi] === 92 && pi + 1 < p.length) {
          pi++;
          if (p[pi] === s[si]) match = true;
        } else if (pi >= p.length || p[pi] === 93) {
          if (pi >= p.length) pi--; // Redis treats a missing ']' as the end of the class.
          break;
        } else if (pi + 2 < p.length && p[pi + 1] === 45) { // range a-z
          let start = lower(p[pi], nocase);
          let end = lower(p[pi + 2], nocase);
          if (start > end) [start, end] = [end, start];
          const ch = lower(s[si], nocase);
          pi += 2;
          if (ch >= start && ch <= end) match = true;
        } else if (lower(p[pi], nocase) === lower(s[si], nocase)) {
          match = true;
        }
        pi++;
      }
      if (not ? match : !match) return false;
      si++;
    } else {
      if (c === 92 && pi + 1 < p.length) pi++; // '\' escapes the next byte
      if (lower(p[pi], nocase) !== lower(s[si], nocase)) return false;
      si++;
    }
    pi++;
  }
  while (pi < p.length && p[pi] === 42) pi++;
  return pi === p.length && si === s.length;
}

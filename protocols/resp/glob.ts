/**
 * Redis's glob matcher (util.c stringmatchlen), byte for byte: `*`, `?`, `[...]` with ranges,
 * `^` negation and `\` escapes. Used by KEYS, SCAN MATCH and HSCAN MATCH.
 * @module
 */

const STAR = 0x2a;
const QUESTION = 0x3f;
const OPEN = 0x5b;
const CLOSE = 0x5d;
const CARET = 0x5e;
const BACKSLASH = 0x5c;
const DASH = 0x2d;
/** Redis bounds the recursion the same way (stringmatchlen_impl's nesting limit). */
const MAX_NESTING = 1000;

function lower(b: number): number {
  return b >= 0x41 && b <= 0x5a ? b + 32 : b;
}

function match(
  p: Uint8Array,
  pi: number,
  s: Uint8Array,
  si: number,
  nocase: boolean,
  skipLongerMatches: { value: boolean },
  nesting: number,
): boolean {
  if (nesting > MAX_NESTING) return false;
  while (pi < p.length && si < s.length) {
    switch (p[pi]) {
      case STAR: {
        while (pi + 1 < p.length && p[pi + 1] === STAR) pi++;
        if (pi + 1 === p.length) return true;
        for (let k = si; k < s.length; k++) {
          if (match(p, pi + 1, s, k, nocase, skipLongerMatches, nesting + 1)) return true;
          if (skipLongerMatches.value) return false;
        }
        skipLongerMatches.value = true;
        return false;
      }
      case QUESTION:
        si++;
        break;
      case OPEN: {
        pi++;
        const not = p[pi] === CARET;
        if (not) pi++;
        let matched = false;
        while (true) {
          if (pi < p.length && p[pi] === BACKSLASH && pi + 1 < p.length) {
            pi++;
            if (p[pi] === s[si]) matched = true;
          } else if (pi >= p.length || p[pi] === CLOSE) {
            break;
          } else if (pi + 2 < p.length && p[pi + 1] === DASH) {
            let start = p[pi];
            let end = p[pi + 2];
            let c = s[si];
            if (start > end) [start, end] = [end, start];
            if (nocase) {
              start = lower(start);
              end = lower(end);
              c = lower(c);
            }
            pi += 2;
            if (c >= start && c <= end) matched = true;
          } else if (nocase ? lower(p[pi]) === lower(s[si]) : p[pi] === s[si]) {
            matched = true;
          }
          pi++;
        }
        if (pi >= p.length) pi = p.length - 1; // unterminated class: Redis treats the end as ']'
        if (not) matched = !matched;
        if (!matched) return false;
        si++;
        break;
      }
      case BACKSLASH:
        if (pi + 1 < p.length) pi++;
      /* falls through */
      default:
        if (nocase ? lower(p[pi]) !== lower(s[si]) : p[pi] !== s[si]) return false;
        si++;
        break;
    }
    pi++;
    if (si === s.length) {
      while (pi < p.length && p[pi] === STAR) pi++;
      break;
    }
  }
  return pi === p.length && si === s.length;
}

/** True when `subject` matches the glob `pattern`. */
export function globMatch(pattern: Uint8Array, subject: Uint8Array, nocase = false): boolean {
  return match(pattern, 0, subject, 0, nocase, { value: false }, 0);
}

/** True when the pattern matches everything (Redis skips matching for "*"). */
export function matchesAll(pattern: Uint8Array): boolean {
  return pattern.length === 1 && pattern[0] === STAR;
}

/**
 * incr/decr: unsigned 64-bit, incr wraps at 2^64, decr floors at 0, flags and TTL kept.
 * @module
 */
import { TEXT } from "../errors.ts";
import { KEY_MAX } from "../codec/limits.ts";
import { hasNoreply, text } from "../codec/text.ts";
import { line, type LineHandler, type Reply, type Session } from "./context.ts";

const U64_MAX = (1n << 64n) - 1n;

/** Parse a delta as memcached's safe_strtoull: optional +, digits, below 2^64. */
export function parseDelta(token: Uint8Array): bigint | null {
  const m = /^\+?(\d+)$/.exec(text(token));
  if (!m) return null;
  const n = BigInt(m[1]);
  return n > U64_MAX ? null : n;
}

/** incr/decr `<key> <delta> [noreply]`. */
export function arithCommand(s: Session, tokens: Uint8Array[], incr: boolean): Reply {
  if (tokens.length !== 3 && tokens.length !== 4) return line(TEXT.ERROR);
  const noreply = hasNoreply(tokens);
  if (tokens[1].length > KEY_MAX) return noreply ? [] : line(TEXT.BAD_FORMAT);
  const delta = parseDelta(tokens[2]);
  if (delta === null) return noreply ? [] : line(TEXT.BAD_DELTA);
  const { items, counters } = s.shared;
  return s.seq.write(() => items.arith({ key: tokens[1], incr, delta })).then((r) => {
    if (r.status === "ok") incr ? counters.incrHits++ : counters.decrHits++;
    else if (r.status === "not_found") incr ? counters.incrMisses++ : counters.decrMisses++;
    if (noreply) return [];
    if (r.status === "ok") return line(r.value.toString());
    return line(r.status === "not_found" ? TEXT.NOT_FOUND : TEXT.NON_NUMERIC);
  });
}

/** incr and decr by name. */
export const ARITHMETIC_COMMANDS: Readonly<Record<string, LineHandler>> = {
  incr: (s, t) => arithCommand(s, t, true),
  decr: (s, t) => arithCommand(s, t, false),
};

/**
 * Pure parser for client requests: RESP multibulk (`*<n>\r\n$<len>\r\n<bytes>\r\n…`) and inline
 * (telnet) lines, with Redis 7.2's limits and protocol errors (networking.c processMultibulkBuffer
 * and processInlineBuffer). No I/O: bytes in, every complete command and the bytes used out.
 * @module
 */

import { latin1Text } from "../../../src/bytes.ts";
import { PROTOCOL_ERRORS } from "../errors.ts";

/** Longest inline request or `*`/`$` header line without a newline (Redis PROTO_INLINE_MAX_SIZE). */
export const MAX_INLINE_BYTES = 64 * 1024;
/** Largest bulk argument (Redis proto-max-bulk-len, 512 MiB). */
export const MAX_BULK_BYTES = 512 * 1024 * 1024;
/** Largest multibulk count (Redis: INT_MAX). */
export const MAX_MULTIBULK_COUNT = 2 ** 31 - 1;

/** The lengths a request may declare (Redis checks them as the headers arrive). */
export interface RequestLimits {
  /** Largest bulk argument (proto-max-bulk-len). */
  maxBulk: number;
  /** The client must still AUTH: Redis allows it only small requests. */
  unauthenticated: boolean;
}

/** An authenticated client's limits with Redis's defaults. */
export const DEFAULT_REQUEST_LIMITS: RequestLimits = {
  maxBulk: MAX_BULK_BYTES,
  unauthenticated: false,
};

/** What a client that must still AUTH may send (networking.c: 10 arguments of 16 KiB each). */
const UNAUTHENTICATED_COUNT = 10;
const UNAUTHENTICATED_BULK = 16384;

/** What one parse pass found. */
export interface ParseResult {
  /** Complete commands, each argv (argument 0 is the command name), in order. */
  commands: Uint8Array[][];
  /** Bytes consumed by those commands (and skipped empty lines). */
  used: number;
  /** Set when the bytes after `used` are not valid RESP: the text after "Protocol error: ". */
  error: string | null;
  /** When more input is needed: the least total buffered length worth parsing again. */
  need: number;
}

const CR = 13;
const LF = 10;
const STAR = 42;
const DOLLAR = 36;

/** Parse every complete command in `buf`. Arguments are views into `buf` (copy before reuse). */
export function parseRequests(
  buf: Uint8Array,
  limits: RequestLimits = DEFAULT_REQUEST_LIMITS,
): ParseResult {
  const commands: Uint8Array[][] = [];
  let pos = 0;
  while (pos < buf.length) {
    const step = buf[pos] === STAR ? parseMultibulk(buf, pos, limits) : parseInline(buf, pos);
    if (step.kind === "error") return { commands, used: pos, error: step.error, need: 0 };
    if (step.kind === "more") return { commands, used: pos, error: null, need: step.need };
    if (step.argv.length > 0) commands.push(step.argv);
    pos = step.end;
  }
  return { commands, used: pos, error: null, need: pos + 1 };
}

type Step =
  | { kind: "command"; argv: Uint8Array[]; end: number }
  | { kind: "more"; need: number }
  | { kind: "error"; error: string };

/** Redis looks for the first '\r' and assumes the '\n' after it; -1 until both are buffered. */
function findCrlf(buf: Uint8Array, from: number): number {
  const i = buf.indexOf(CR, from);
  return i >= 0 && i + 1 < buf.length ? i : -1;
}

/** Redis string2ll: optional '-', digits, no leading zeros/plus/space; null when invalid. */
function parseInteger(buf: Uint8Array, start: number, end: number): number | null {
  if (start >= end || end - start > 20) return null;
  let i = start;
  const negative = buf[i] === 45;
  if (negative) i++;
  if (i >= end) return null;
  if (buf[i] === 48 && end - i > 1) return null;
  let n = 0;
  for (; i < end; i++) {
    const d = buf[i] - 48;
    if (d < 0 || d > 9) return null;
    n = n * 10 + d;
  }
  return negative ? -n : n;
}

function parseMultibulk(buf: Uint8Array, start: number, limits: RequestLimits): Step {
  const eol = findCrlf(buf, start);
  if (eol < 0) {
    if (buf.length - start > MAX_INLINE_BYTES) {
      return { kind: "error", error: PROTOCOL_ERRORS.mbulkTooBig };
    }
    return { kind: "more", need: buf.length + 1 };
  }
  const count = parseInteger(buf, start + 1, eol);
  if (count === null || count > MAX_MULTIBULK_COUNT) {
    return { kind: "error", error: PROTOCOL_ERRORS.multibulkLength };
  }
  if (limits.unauthenticated && count > UNAUTHENTICATED_COUNT) {
    return { kind: "error", error: PROTOCOL_ERRORS.unauthenticatedMultibulk };
  }
  let pos = eol + 2;
  if (count <= 0) return { kind: "command", argv: [], end: pos };
  const argv: Uint8Array[] = [];
  for (let n = 0; n < count; n++) {
    if (pos >= buf.length) return { kind: "more", need: pos + 1 };
    const lineEnd = findCrlf(buf, pos);
    if (lineEnd < 0) {
      if (buf.length - pos > MAX_INLINE_BYTES) {
        return { kind: "error", error: PROTOCOL_ERRORS.bulkTooBig };
      }
      return { kind: "more", need: buf.length + 1 };
    }
    if (buf[pos] !== DOLLAR) {
      const got = latin1Text(buf.subarray(pos, pos + 1));
      return { kind: "error", error: PROTOCOL_ERRORS.expectedDollar(got) };
    }
    const len = parseInteger(buf, pos + 1, lineEnd);
    if (len === null || len < 0 || len > limits.maxBulk) {
      return { kind: "error", error: PROTOCOL_ERRORS.bulkLength };
    }
    if (limits.unauthenticated && len > UNAUTHENTICATED_BULK) {
      return { kind: "error", error: PROTOCOL_ERRORS.unauthenticatedBulk };
    }
    const dataStart = lineEnd + 2;
    const dataEnd = dataStart + len;
    if (dataEnd + 2 > buf.length) return { kind: "more", need: dataEnd + 2 };
    argv.push(buf.subarray(dataStart, dataEnd));
    pos = dataEnd + 2;
  }
  return { kind: "command", argv, end: pos };
}

function parseInline(buf: Uint8Array, start: number): Step {
  const nl = buf.indexOf(LF, start);
  if (nl < 0) {
    if (buf.length - start > MAX_INLINE_BYTES) {
      return { kind: "error", error: PROTOCOL_ERRORS.inlineTooBig };
    }
    return { kind: "more", need: buf.length + 1 };
  }
  const lineEnd = nl > start && buf[nl - 1] === CR ? nl - 1 : nl;
  const argv = splitArgs(buf.subarray(start, lineEnd));
  if (argv === null) return { kind: "error", error: PROTOCOL_ERRORS.unbalancedQuotes };
  return { kind: "command", argv, end: nl + 1 };
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 11 || c === 12;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

const ESCAPES: Record<number, number> = { 110: 10, 114: 13, 116: 9, 98: 8, 97: 7 };

/**
 * Redis sdssplitargs: whitespace-separated words; "double quotes" with \n \r \t \b \a \xHH
 * escapes, 'single quotes' with \' only; a closing quote must be followed by space or the end.
 * Returns null on unbalanced quotes.
 */
export function splitArgs(line: Uint8Array): Uint8Array[] | null {
  const args: Uint8Array[] = [];
  let p = 0;
  while (true) {
    while (p < line.length && isSpace(line[p])) p++;
    if (p >= line.length) return args;
    const out: number[] = [];
    let inq = false;
    let insq = false;
    let done = false;
    while (!done) {
      const c = line[p];
      if (inq) {
        if (p >= line.length) return null;
        if (
          c === 92 && p + 3 < line.length && line[p + 1] === 120 &&
          hexValue(line[p + 2]) >= 0 && hexValue(line[p + 3]) >= 0
        ) {
          out.push(hexValue(line[p + 2]) * 16 + hexValue(line[p + 3]));
          p += 3;
        } else if (c === 92 && p + 1 < line.length) {
          p++;
          out.push(ESCAPES[line[p]] ?? line[p]);
        } else if (c === 34) {
          if (p + 1 < line.length && !isSpace(line[p + 1])) return null;
          done = true;
        } else {
          out.push(c);
        }
      } else if (insq) {
        if (p >= line.length) return null;
        if (c === 92 && p + 1 < line.length && line[p + 1] === 39) {
          p++;
          out.push(39);
        } else if (c === 39) {
          if (p + 1 < line.length && !isSpace(line[p + 1])) return null;
          done = true;
        } else {
          out.push(c);
        }
      } else if (p >= line.length || isSpace(c)) {
        done = true;
      } else if (c === 34) {
        inq = true;
      } else if (c === 39) {
        insq = true;
      } else {
        out.push(c);
      }
      if (p < line.length) p++;
    }
    args.push(Uint8Array.from(out));
  }
}

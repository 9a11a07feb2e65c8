/**
 * Pure encoder of {@link Reply} values to RESP2 or RESP3 bytes, with Redis's renderings: RESP2
 * forms of RESP3 types (map → flat array, double → bulk, …) and doubles as Redis 7.2 prints them.
 * @module
 */
import type { Reply } from "../reply.ts";

const utf8 = new TextEncoder();
/** Text up to this long is copied by hand when ASCII (see ReplyWriter.text). */
const SHORT_TEXT = 64;
/** A header's bytes at most: type, 16 digits (lengths stay below 2^53), CRLF. */
const HEADER_MAX = 19;
const CR = 13;
const LF = 10;
const BULK = 36; // '$'

/** A growable byte buffer that replies are appended to; one `bytes()` per batch. */
export class ReplyWriter {
  #buf: Uint8Array;
  #len = 0;

  constructor(initial = 4096) {
    this.#buf = new Uint8Array(initial);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.#len;
  }

  #reserve(n: number): void {
    if (this.#len + n <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.#len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.#buf.subarray(0, this.#len));
    this.#buf = next;
  }

  /** Append raw bytes. */
  bytes(data: Uint8Array): void {
    this.#reserve(data.length);
    this.#buf.set(data, this.#len);
    this.#len += data.length;
  }

  /** Append text as UTF-8. */
  text(s: string): void {
    if (s.length <= SHORT_TEXT && this.#ascii(s)) return;
    // Longer text: write it without an intermediate array.
    this.#reserve(s.length * 3);
    const { written } = utf8.encodeInto(s, this.#buf.subarray(this.#len));
    this.#len += written;
  }

  /**
   * Append `s` byte by byte if it is all ASCII (false, writing nothing, if not): for the short
   * lines of every reply, cheaper than a call into the encoder.
   */
  #ascii(s: string): boolean {
    this.#reserve(s.length);
    const buf = this.#buf;
    let at = this.#len;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c > 0x7f) return false;
      buf[at++] = c;
    }
    this.#len = at;
    return true;
  }

  /** Append a type byte, a non-negative count or length in decimal, and CRLF (`$5\r\n`). */
  header(type: number, n: number): void {
    this.#reserve(HEADER_MAX);
    const buf = this.#buf;
    let at = this.#len;
    buf[at++] = type;
    for (let rest = n; rest >= 10; rest = Math.floor(rest / 10)) at++;
    let digit = at++;
    do {
      buf[digit--] = 48 + n % 10;
      n = Math.floor(n / 10);
    } while (n > 0);
    buf[at++] = CR;
    buf[at++] = LF;
    this.#len = at;
  }

  /** Append CRLF. */
  crlf(): void {
    this.#reserve(2);
    this.#buf[this.#len++] = CR;
    this.#buf[this.#len++] = LF;
  }

  /** The bytes written (a view; valid until the next append). */
  view(): Uint8Array {
    return this.#buf.subarray(0, this.#len);
  }

  /** Forget what was written, keeping the allocation. */
  reset(): void {
    this.#len = 0;
  }
}

/**
 * Format a double as Redis 7.2 does (fpconv_dtoa): shortest round-trip digits, plain notation
 * for moderate exponents, otherwise `d.ddde+X`; `inf`, `-inf`, `nan`.
 */
export function formatDouble(d: number): string {
  if (Number.isNaN(d)) return "nan";
  if (d === Infinity) return "inf";
  if (d === -Infinity) return "-inf";
  if (d === 0) return Object.is(d, -0) ? "-0" : "0";
  const neg = d < 0;
  const [mantissa, expText] = Math.abs(d).toExponential().split("e");
  const digits = mantissa.replace(".", "");
  const ndigits = digits.length;
  const K = Number(expText) - (ndigits - 1);
  const exp = Math.abs(K + ndigits - 1);
  let out: string;
  if (K >= 0 && exp < ndigits + 7) {
    out = digits + "0".repeat(K);
  } else if (K < 0 && (K > -7 || exp < 4)) {
    const offset = ndigits + K;
    out = offset <= 0
      ? "0." + "0".repeat(-offset) + digits
      : digits.slice(0, offset) + "." + digits.slice(offset);
  } else {
    const sign = K + ndigits - 1 < 0 ? "-" : "+";
    out = digits[0] + (ndigits > 1 ? "." + digits.slice(1) : "") + "e" + sign + exp;
  }
  return neg ? "-" + out : out;
}

/** Redis turns newlines in error texts into spaces so the reply stays one line. */
function errorLine(text: string): string {
  return text.replace(/[\r\n]/g, " ");
}

function bulkBytes(w: ReplyWriter, data: Uint8Array | string): void {
  const bytes = typeof data === "string" ? utf8.encode(data) : data;
  w.header(BULK, bytes.length);
  w.bytes(bytes);
  w.crlf();
}

function aggregate(w: ReplyWriter, prefix: string, items: Reply[], protocol: 2 | 3): void {
  w.header(prefix.charCodeAt(0), items.length);
  for (const item of items) encodeReply(w, item, protocol);
}

function pairs(w: ReplyWriter, prefix: string, items: [Reply, Reply][], protocol: 2 | 3): void {
  w.header(prefix.charCodeAt(0), protocol === 2 ? items.length * 2 : items.length);
  for (const [k, v] of items) {
    encodeReply(w, k, protocol);
    encodeReply(w, v, protocol);
  }
}

/** Append `reply` rendered for `protocol` to `w`. */
export function encodeReply(w: ReplyWriter, reply: Reply, protocol: 2 | 3): void {
  const v3 = protocol === 3;
  switch (reply.type) {
    case "simple":
      w.text(`+${reply.value}\r\n`);
      return;
    case "error":
      w.text(`-${errorLine(reply.value)}\r\n`);
      return;
    case "integer":
      w.text(`:${reply.value}\r\n`);
      return;
    case "bulk":
      bulkBytes(w, reply.value);
      return;
    case "null":
      w.text(v3 ? "_\r\n" : "$-1\r\n");
      return;
    case "nullArray":
      w.text(v3 ? "_\r\n" : "*-1\r\n");
      return;
    case "array":
      aggregate(w, "*", reply.value, protocol);
      return;
    case "set":
      aggregate(w, v3 ? "~" : "*", reply.value, protocol);
      return;
    case "push":
      aggregate(w, v3 ? ">" : "*", reply.value, protocol);
      return;
    case "map":
      pairs(w, v3 ? "%" : "*", reply.value, protocol);
      return;
    case "attribute":
      if (v3) pairs(w, "|", reply.value, protocol);
      encodeReply(w, reply.reply, protocol);
      return;
    case "double":
      if (v3) w.text(`,${reply.text ?? formatDouble(reply.value)}\r\n`);
      else bulkBytes(w, reply.text ?? formatDouble(reply.value));
      return;
    case "boolean":
      w.text(v3 ? (reply.value ? "#t\r\n" : "#f\r\n") : (reply.value ? ":1\r\n" : ":0\r\n"));
      return;
    case "bignum":
      if (v3) w.text(`(${reply.value}\r\n`);
      else bulkBytes(w, String(reply.value));
      return;
    case "verbatim": {
      if (!v3) return bulkBytes(w, reply.value);
      const body = utf8.encode(`${reply.format}:${reply.value}`);
      w.text(`=${body.length}\r\n`);
      w.bytes(body);
      w.text("\r\n");
      return;
    }
    case "bulkError": {
      if (!v3) return w.text(`-${errorLine(reply.value)}\r\n`);
      const body = utf8.encode(reply.value);
      w.text(`!${body.length}\r\n`);
      w.bytes(body);
      w.text("\r\n");
      return;
    }
    case "none":
      return;
    case "frames":
      for (const frame of reply.value) encodeReply(w, frame, protocol);
      return;
  }
}

/** Encode one reply to a fresh byte array (tests, one-off writes). */
export function encodeReplyBytes(reply: Reply, protocol: 2 | 3): Uint8Array {
  const w = new ReplyWriter(64);
  encodeReply(w, reply, protocol);
  return w.view().slice();
}

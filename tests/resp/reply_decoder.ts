/**
 * Pure decoder of server replies, RESP2 and every RESP3 type: attributes (`|`), push, streamed
 * strings (`$?` with `;<len>` chunks ending `;0`) and streamed aggregates (`*?`, `~?`, `%?` ending
 * `.`). Used by the tests; the server never decodes replies.
 * @module
 */
import type { Reply } from "../../protocols/resp/reply.ts";

/** One decoded reply and the bytes it took. */
export interface Decoded {
  reply: Reply;
  used: number;
}

const NEED_MORE = Symbol("need more");
const latin1 = new TextDecoder("latin1");
const utf8 = new TextDecoder();

class Cursor {
  pos: number;
  constructor(readonly buf: Uint8Array, pos: number) {
    this.pos = pos;
  }

  /** The text of the line at `pos` (without CRLF), moving past it. */
  line(): string {
    const cr = this.buf.indexOf(13, this.pos);
    if (cr < 0 || cr + 1 >= this.buf.length) throw NEED_MORE;
    if (this.buf[cr + 1] !== 10) {
      throw new SyntaxError(`Cannot decode reply: CR without LF at ${cr}`);
    }
    const text = latin1.decode(this.buf.subarray(this.pos, cr));
    this.pos = cr + 2;
    return text;
  }

  /** `n` bytes then CRLF. */
  blob(n: number): Uint8Array {
    if (this.pos + n + 2 > this.buf.length) throw NEED_MORE;
    const out = this.buf.slice(this.pos, this.pos + n);
    if (this.buf[this.pos + n] !== 13 || this.buf[this.pos + n + 1] !== 10) {
      throw new SyntaxError(`Cannot decode reply: blob of ${n} bytes not followed by CRLF`);
    }
    this.pos += n + 2;
    return out;
  }
}

function count(text: string, what: string): number {
  if (!/^-?\d+$/.test(text)) throw new SyntaxError(`Cannot decode reply: bad ${what} "${text}"`);
  return Number(text);
}

function parseDouble(text: string): number {
  if (text === "inf" || text === "+inf") return Infinity;
  if (text === "-inf") return -Infinity;
  if (text === "nan" || text === "-nan") return NaN;
  const n = Number(text);
  if (text === "" || Number.isNaN(n)) {
    throw new SyntaxError(`Cannot decode reply: bad double "${text}"`);
  }
  return n;
}

function isEnd(c: Cursor): boolean {
  if (c.pos >= c.buf.length) throw NEED_MORE;
  if (c.buf[c.pos] !== 46) return false;
  c.line();
  return true;
}

function items(c: Cursor, header: string): Reply[] {
  const out: Reply[] = [];
  if (header === "?") {
    while (!isEnd(c)) out.push(value(c));
    return out;
  }
  const n = count(header, "aggregate length");
  for (let i = 0; i < n; i++) out.push(value(c));
  return out;
}

function pairList(c: Cursor, header: string): [Reply, Reply][] {
  const out: [Reply, Reply][] = [];
  if (header === "?") {
    while (!isEnd(c)) out.push([value(c), value(c)]);
    return out;
  }
  const n = count(header, "map length");
  for (let i = 0; i < n; i++) out.push([value(c), value(c)]);
  return out;
}

function streamedString(c: Cursor): Uint8Array {
  const parts: Uint8Array[] = [];
  while (true) {
    const header = c.line();
    if (header[0] !== ";") {
      throw new SyntaxError(`Cannot decode reply: expected ';' chunk, got "${header}"`);
    }
    const n = count(header.slice(1), "chunk length");
    if (n === 0) break;
    parts.push(c.blob(n));
  }
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

function value(c: Cursor): Reply {
  const line = c.line();
  const kind = line[0];
  const rest = line.slice(1);
  switch (kind) {
    case "+":
      return {
        type: "simple",
        value: utf8.decode(c.buf.subarray(c.pos - line.length - 1, c.pos - 2)),
      };
    case "-":
      return {
        type: "error",
        value: utf8.decode(c.buf.subarray(c.pos - line.length - 1, c.pos - 2)),
      };
    case ":": {
      const n = count(rest, "integer");
      return { type: "integer", value: Number.isSafeInteger(n) ? n : BigInt(rest) };
    }
    case "$": {
      if (rest === "?") return { type: "bulk", value: streamedString(c) };
      const n = count(rest, "bulk length");
      return n < 0 ? { type: "null" } : { type: "bulk", value: c.blob(n) };
    }
    case "*": {
      if (rest !== "?" && count(rest, "array length") < 0) return { type: "nullArray" };
      return { type: "array", value: items(c, rest) };
    }
    case "~":
      return { type: "set", value: items(c, rest) };
    case ">":
      return { type: "push", value: items(c, rest) };
    case "%":
      return { type: "map", value: pairList(c, rest) };
    case "|": {
      const attrs = pairList(c, rest);
      return { type: "attribute", value: attrs, reply: value(c) };
    }
    case "_":
      return { type: "null" };
    case "#":
      if (rest !== "t" && rest !== "f") {
        throw new SyntaxError(`Cannot decode reply: bad boolean "${rest}"`);
      }
      return { type: "boolean", value: rest === "t" };
    case ",":
      return { type: "double", value: parseDouble(rest) };
    case "(":
      if (!/^-?\d+$/.test(rest)) {
        throw new SyntaxError(`Cannot decode reply: bad big number "${rest}"`);
      }
      return { type: "bignum", value: BigInt(rest) };
    case "!":
      return { type: "bulkError", value: utf8.decode(c.blob(count(rest, "error length"))) };
    case "=": {
      const text = utf8.decode(c.blob(count(rest, "verbatim length")));
      return { type: "verbatim", format: text.slice(0, 3), value: text.slice(4) };
    }
    default:
      throw new SyntaxError(`Cannot decode reply: unknown type byte ${JSON.stringify(kind)}`);
  }
}

/** Decode the first reply in `buf` from `offset`; null when it is not complete yet. */
export function decodeReply(buf: Uint8Array, offset = 0): Decoded | null {
  const c = new Cursor(buf, offset);
  try {
    const reply = value(c);
    return { reply, used: c.pos - offset };
  } catch (error) {
    if (error === NEED_MORE) return null;
    throw error;
  }
}

/** Decode every complete reply in `buf`; returns them and the bytes used. */
export function decodeReplies(buf: Uint8Array): { replies: Reply[]; used: number } {
  const replies: Reply[] = [];
  let used = 0;
  while (used < buf.length) {
    const d = decodeReply(buf, used);
    if (!d) break;
    replies.push(d.reply);
    used += d.used;
  }
  return { replies, used };
}

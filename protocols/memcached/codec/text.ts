/**
 * Pure text and meta protocol framing: bytes in, one command (or "need more") out. Storage
 * lines (set/add/…/cas, ms) are validated here because their data block's framing depends on it.
 * @module
 */
import { latin1Text } from "../../../src/bytes.ts";
import { TEXT } from "../errors.ts";
import { KEY_MAX } from "./limits.ts";

/** A command line longer than this without a newline closes the connection (not for gets). */
export const LINE_MAX = 2048;
/** Even a `get` line may not grow beyond this. */
export const GET_LINE_MAX = 8 * 1024 * 1024;
/** memcached's `<bytes>` must stay below INT_MAX once the CRLF is added. */
const BYTES_MAX = 2 ** 31 - 3;

/** Classic storage command names. */
export type StorageName = "set" | "add" | "replace" | "append" | "prepend" | "cas";

/** A parsed classic storage command with its data block. */
export interface StorageCommand {
  kind: "storage";
  name: StorageName;
  key: Uint8Array;
  flags: number;
  exptime: number;
  cas: number;
  noreply: boolean;
  data: Uint8Array;
}

/** A parsed `ms` line with its data block; flags are left to the meta handler. */
export interface MetaSetCommand {
  kind: "ms";
  tokens: Uint8Array[];
  data: Uint8Array;
}

/** Any other command line, split into tokens. */
export interface LineCommand {
  kind: "line";
  tokens: Uint8Array[];
}

/**
 * The line was answered by the framing layer: `reply` (null = nothing, as with noreply), then
 * `skip` bytes of data to discard (too large) and whether to close.
 */
export interface FramingReply {
  kind: "reply";
  reply: string | null;
  skip: number;
  close: boolean;
  /** The storage command named a key (set too large removes the old item). */
  tooLarge?: { name: string; key: Uint8Array; noreply: boolean };
}

export type TextCommand = StorageCommand | MetaSetCommand | LineCommand | FramingReply;

/** A parse result: the command and the bytes it used, or null for "need more bytes". */
export interface Parsed {
  command: TextCommand;
  consumed: number;
}

/** Options the framing needs. */
export interface ParseOptions {
  /** Does an item of these sizes fit the item size limit? */
  fits(keyLength: number, valueLength: number, flags: number): boolean;
}

const STORAGE = new Set(["set", "add", "replace", "append", "prepend", "cas"]);
const SPACE = 0x20;

/**
 * Split a line on spaces (repeats ignored). Every token but the first is a copy (handlers may
 * keep keys past the next read into the buffer); the first, the command name, is a view: it is
 * only read while the line is framed.
 */
export function tokenize(line: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let start = -1;
  for (let i = 0; i < line.length; i++) {
    if (line[i] === SPACE) {
      if (start >= 0) out.push(out.length === 0 ? line.subarray(start, i) : line.slice(start, i));
      start = -1;
    } else if (start < 0) start = i;
  }
  if (start >= 0) out.push(out.length === 0 ? line.subarray(start) : line.slice(start));
  return out;
}

/** Most token bounds a storage line needs kept (`cas` has 6 tokens, plus noreply). */
const STORAGE_TOKENS_MAX = 7;
/** Token bounds of the storage line being framed: start, end, start, end… (reused). */
const bounds = new Int32Array(2 * STORAGE_TOKENS_MAX);

/**
 * Record the bounds of `buf[from, to)`'s tokens in {@link bounds} (the first
 * STORAGE_TOKENS_MAX); returns how many tokens the line has. Splits as {@link tokenize} does,
 * without copying a token.
 */
function tokenBounds(buf: Uint8Array, from: number, to: number): number {
  let count = 0;
  let start = -1;
  for (let i = from; i <= to; i++) {
    if (i === to || buf[i] === SPACE) {
      if (start >= 0) {
        if (count < STORAGE_TOKENS_MAX) {
          bounds[2 * count] = start;
          bounds[2 * count + 1] = i;
        }
        count++;
      }
      start = -1;
    } else if (start < 0) start = i;
  }
  return count;
}

/** Token `i` of the line {@link tokenBounds} last split, as a view. */
function token(buf: Uint8Array, i: number): Uint8Array {
  return buf.subarray(bounds[2 * i], bounds[2 * i + 1]);
}

/** True when the last token is `noreply`. */
export function hasNoreply(tokens: Uint8Array[]): boolean {
  return tokens.length > 1 && text(tokens[tokens.length - 1]) === "noreply";
}

/** A token as text, one char per byte (true Latin-1: a key echoed back keeps its bytes). */
export function text(token: Uint8Array): string {
  return latin1Text(token);
}

/**
 * The value of a token of 1 to `maxDigits` ASCII digits, else -1: what the parsers below
 * answer without a regex or a BigInt for the numbers clients send nearly always.
 */
function plainDigits(token: Uint8Array, maxDigits: number): number {
  const n = token.length;
  if (n === 0 || n > maxDigits) return -1;
  let v = 0;
  for (let i = 0; i < n; i++) {
    const d = token[i] - 0x30;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/** strtol-like parsing as memcached's safe_strto* do: optional sign, digits only. */
export function parseInteger(token: Uint8Array | undefined): number | null {
  if (!token || token.length === 0 || token.length > 24) return null;
  // Up to 15 digits the sum above is exact, as Number() of the text is.
  const plain = plainDigits(token, 15);
  if (plain >= 0) return plain;
  const s = text(token);
  if (!/^[+-]?\d+$/.test(s)) return null;
  return Number(s);
}

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const U64_LIMIT = 1n << 64n;

/**
 * An exptime as memcached reads it: a signed 64-bit integer (else null) kept to its low 32 bits,
 * so a far-future absolute time wraps like it does in memcached.
 */
export function parseExptime(token: Uint8Array | undefined): number | null {
  // Nine digits stay below 2^31: the low 32 bits are the number itself.
  const plain = token ? plainDigits(token, 9) : -1;
  if (plain >= 0) return plain;
  if (!token || !/^[+-]?\d{1,20}$/.test(text(token))) return null;
  const n = BigInt(text(token));
  if (n < INT64_MIN || n > INT64_MAX) return null;
  return Number(BigInt.asIntN(32, n));
}

/** Client flags as memcached reads them: unsigned 64-bit (else null), low 32 bits kept. */
export function parseFlags(token: Uint8Array | undefined): number | null {
  const plain = token ? plainDigits(token, 9) : -1;
  if (plain >= 0) return plain;
  if (!token || !/^\+?\d{1,20}$/.test(text(token))) return null;
  const n = BigInt(text(token));
  return n >= U64_LIMIT ? null : Number(BigInt.asUintN(32, n));
}

/** Find the next command in `buf` from `start`. */
export function parseText(buf: Uint8Array, start: number, opts: ParseOptions): Parsed | null {
  const nl = buf.indexOf(0x0a, start);
  if (nl < 0) {
    const pending = buf.length - start;
    if (pending > LINE_MAX) {
      const head = text(buf.subarray(start, start + 5));
      const isGet = head.startsWith("get ") || head.startsWith("gets ");
      if (!isGet || pending > GET_LINE_MAX) {
        return { command: { kind: "reply", reply: null, skip: 0, close: true }, consumed: pending };
      }
    }
    return null;
  }
  const end = nl > start && buf[nl - 1] === 0x0d ? nl - 1 : nl;
  const lineLength = nl + 1 - start;
  // Storage lines, the commonest with data, are framed from token bounds: of their tokens
  // only the key is copied.
  const count = tokenBounds(buf, start, end);
  const name = count > 0 ? text(token(buf, 0)) : "";
  if (STORAGE.has(name)) {
    return parseStorage(buf, nl + 1, lineLength, name as StorageName, count, opts);
  }
  const tokens = tokenize(buf.subarray(start, end));
  if (name === "ms") return parseMetaSet(buf, start + lineLength, lineLength, tokens, opts);
  return { command: { kind: "line", tokens }, consumed: lineLength };
}

function reply(text: string | null, consumed: number, skip = 0): Parsed {
  return { command: { kind: "reply", reply: text, skip, close: false }, consumed };
}

/** Read `bytes` of data plus CRLF after the line; null when not all here yet. */
function dataBlock(
  buf: Uint8Array,
  dataStart: number,
  bytes: number,
): { data: Uint8Array; ok: boolean } | null {
  if (buf.length - dataStart < bytes + 2) return null;
  // A copy: the connection reuses its buffer while the store may keep the value.
  const data = buf.slice(dataStart, dataStart + bytes);
  return { data, ok: blockEnds(buf, dataStart, bytes) };
}

/** True when the `bytes` of data at `dataStart` are followed by CRLF. */
function blockEnds(buf: Uint8Array, dataStart: number, bytes: number): boolean {
  return buf[dataStart + bytes] === 0x0d && buf[dataStart + bytes + 1] === 0x0a;
}

/** A storage line of `count` tokens, which {@link tokenBounds} just split. */
function parseStorage(
  buf: Uint8Array,
  dataStart: number,
  lineLength: number,
  name: StorageName,
  count: number,
  opts: ParseOptions,
): Parsed | null {
  const isCas = name === "cas";
  const base = isCas ? 6 : 5;
  if (count !== base && count !== base + 1) return reply(TEXT.ERROR, lineLength);
  const noreply = count === base + 1 && text(token(buf, base)) === "noreply";
  const quiet = (t: string) => noreply ? null : t;
  const keyLength = bounds[3] - bounds[2];
  const flags = parseFlags(token(buf, 2));
  const exptime = parseExptime(token(buf, 3));
  const bytes = parseInteger(token(buf, 4));
  const cas = isCas ? parseCas(token(buf, 5)) : 0;
  if (
    keyLength > KEY_MAX || flags === null || exptime === null || bytes === null ||
    bytes < 0 || bytes > BYTES_MAX || cas === null
  ) {
    return reply(quiet(TEXT.BAD_FORMAT), lineLength);
  }
  // Copies: the connection reuses its buffer while the store may keep them.
  if (!opts.fits(keyLength, bytes, flags)) {
    return {
      command: {
        kind: "reply",
        reply: quiet(TEXT.TOO_LARGE),
        skip: bytes + 2,
        close: false,
        tooLarge: { name, key: token(buf, 1).slice(), noreply },
      },
      consumed: lineLength,
    };
  }
  if (buf.length - dataStart < bytes + 2) return null;
  // A bad block swallows the declared bytes; what follows is read as the next command.
  if (!blockEnds(buf, dataStart, bytes)) return reply(quiet(TEXT.BAD_CHUNK), lineLength + bytes);
  return {
    command: {
      kind: "storage",
      name,
      key: token(buf, 1).slice(),
      flags,
      exptime,
      cas,
      noreply,
      data: buf.slice(dataStart, dataStart + bytes),
    },
    consumed: lineLength + bytes + 2,
  };
}

function parseCas(token: Uint8Array): number | null {
  const s = text(token);
  if (!/^\d{1,20}$/.test(s)) return null;
  const n = BigInt(s);
  return n >= 1n << 64n ? null : Number(n);
}

function parseMetaSet(
  buf: Uint8Array,
  dataStart: number,
  lineLength: number,
  tokens: Uint8Array[],
  opts: ParseOptions,
): Parsed | null {
  if (tokens.length < 2) return reply(TEXT.ERROR, lineLength);
  const bytes = parseInteger(tokens[2]);
  if (tokens[1].length > KEY_MAX || bytes === null || bytes < 0 || bytes > BYTES_MAX) {
    return reply(TEXT.BAD_FORMAT, lineLength);
  }
  if (!opts.fits(tokens[1].length, bytes, metaSetFlags(tokens))) {
    const quiet = tokens.slice(3).some((t) => t.length === 1 && t[0] === 0x71 /* q */);
    return reply(quiet ? null : TEXT.TOO_LARGE, lineLength, bytes + 2);
  }
  const block = dataBlock(buf, dataStart, bytes);
  if (!block) return null;
  if (!block.ok) return reply(TEXT.BAD_CHUNK, lineLength + bytes);
  return { command: { kind: "ms", tokens, data: block.data }, consumed: lineLength + bytes + 2 };
}

/** The client flags an `ms` line sets (its F token), for the size check before the data. */
function metaSetFlags(tokens: Uint8Array[]): number {
  const f = tokens.slice(3).find((t) => t[0] === 0x46 /* F */);
  return f ? (parseInteger(f.subarray(1)) ?? 0) : 0;
}

/**
 * The meta protocol: mg, ms, md, ma, mn, me, with memcached 1.6.18's flags, return codes and
 * quiet-mode rules (q hides EN for mg, success for ms/md/ma).
 * @module
 */
import { latin1Text } from "../../../src/bytes.ts";
import { decodeBase64 } from "../base64.ts";
import { TEXT } from "../errors.ts";
import { KEY_MAX } from "../codec/limits.ts";
import { type Item, itemSize, type StoreMode } from "../storage/items.ts";
import type { Access } from "../storage/access.ts";
import { parseExptime, parseFlags, text } from "../codec/text.ts";
import { parseDelta } from "./arithmetic.ts";
import { type Chunk, line, type LineHandler, type Reply, type Session } from "./context.ts";

/** Every flag letter memcached 1.6.18's meta parser knows; others are "invalid flag". */
const KNOWN_FLAGS = new Set("bcfhklOqstuvNRTICFMJD".split(""));
/** Opaque (O) tokens must be shorter than this. */
const OPAQUE_MAX = 32;

type Flags = Map<string, string>;

interface Parsed {
  key: Uint8Array;
  /** The key as it appeared on the line (base64 with the b flag). */
  keyToken: string;
  flags: Flags;
  /** Flag letters in request order (for echoing). */
  order: string[];
}

/** Parse `<key> <flags>*` (tokens after the command and, for ms, the length). */
function parseMeta(
  keyToken: Uint8Array,
  flagTokens: Uint8Array[],
  invalidFlag: string = TEXT.INVALID_FLAG,
  duplicateFlag: string = TEXT.DUPLICATE_FLAG,
): Parsed | string {
  const flags: Flags = new Map();
  const order: string[] = [];
  for (const t of flagTokens) {
    const s = text(t);
    const letter = s[0];
    if (!KNOWN_FLAGS.has(letter)) return invalidFlag;
    if (flags.has(letter)) return duplicateFlag;
    if (letter === "M" && s.length !== 2) {
      return invalidFlag === TEXT.INVALID_FLAG ? TEXT.BAD_MODE_LENGTH : invalidFlag;
    }
    flags.set(letter, s.slice(1));
    order.push(letter);
  }
  if (keyToken.length > KEY_MAX) return TEXT.BAD_FORMAT;
  let key = keyToken;
  if (flags.has("b")) {
    const decoded = decodeBase64(keyToken);
    if (!decoded || decoded.length === 0 || decoded.length > KEY_MAX) {
      return TEXT.BAD_KEY_ENCODING;
    }
    key = decoded;
  }
  const opaque = flags.get("O");
  if (opaque !== undefined && opaque.length >= OPAQUE_MAX) return TEXT.OPAQUE_TOO_LONG;
  return { key, keyToken: latin1Text(keyToken), flags, order };
}

/** Seconds left before an item expires, as `t` reports it (-1 = never). */
function ttl(item: Item, now: number): number {
  // An item whose new TTL already ran out (T-1) reports -1, as memcached does.
  if (item.expiresAt === null || item.expiresAt <= now) return -1;
  return Math.ceil((item.expiresAt - now) / 1000);
}

/** The `k` return flag: the key as sent (base64 and a `b` flag when the request used b). */
function keyFlag(p: Parsed): string {
  return p.flags.has("b") ? ` k${p.keyToken} b` : " k" + latin1Text(p.key);
}

/** Echo the return flags `allowed` in request order. */
function returnFlags(
  p: Parsed,
  allowed: string,
  item: Item | null,
  now: number,
  before?: Access,
): string {
  let out = "";
  for (const letter of p.order) {
    if (!allowed.includes(letter)) continue;
    const token = p.flags.get(letter) ?? "";
    switch (letter) {
      case "O":
        out += " O" + token;
        break;
      case "k":
        out += keyFlag(p);
        break;
      case "c":
        if (item) out += " c" + item.cas;
        break;
      case "f":
        if (item) out += " f" + item.flags;
        break;
      case "s":
        if (item) out += " s" + item.value.length;
        break;
      case "t":
        if (item) out += " t" + ttl(item, now);
        break;
      case "h":
        if (item) out += " h" + (before?.fetched ? 1 : 0);
        break;
      case "l":
        if (item) out += " l" + Math.max(0, Math.floor((now - (before?.at ?? now)) / 1000));
        break;
    }
  }
  return out;
}

/** Miss replies echo only O and k. */
function missFlags(p: Parsed): string {
  return returnFlags(p, "Ok", null, 0);
}

/** Parse an exptime token (T/N); null when malformed. */
function exptimeOf(flags: Flags, letter: string): number | null | undefined {
  const t = flags.get(letter);
  if (t === undefined) return undefined;
  return parseExptime(new TextEncoder().encode(t));
}

/** The C token: undefined when absent, null when malformed. */
function casOf(flags: Flags): number | null | undefined {
  const t = flags.get("C");
  if (t === undefined) return undefined;
  if (!/^\d{1,20}$/.test(t)) return null;
  return Number(t);
}

function valueReply(head: string, value: Uint8Array): Chunk[] {
  return [head + "\r\n", value, "\r\n"];
}

/** mg `<key> <flags>*`. */
export function metaGet(s: Session, tokens: Uint8Array[]): Reply {
  if (tokens.length < 2) return line(TEXT.ERROR);
  const p = parseMeta(tokens[1], tokens.slice(2));
  if (typeof p === "string") return line(p);
  const exptime = exptimeOf(p.flags, "T");
  const vivify = exptimeOf(p.flags, "N");
  if (exptime === null || vivify === null) return line(TEXT.BAD_TOKEN);
  const { items, counters } = s.shared;
  const quiet = p.flags.has("q");
  const render = (item: Item | null, won: boolean): Chunk[] => {
    counters.cmdGet++;
    if (!item) {
      counters.getMisses++;
      return quiet ? [] : line("EN" + missFlags(p));
    }
    counters.getHits++;
    const now = Date.now();
    // u: look without counting as a fetch.
    const before = p.flags.has("u")
      ? items.access.peek(item.cas, item.updatedAt ?? now)
      : items.fetched(item, now);
    let flags = returnFlags(p, "Ocfhklst", item, now, before);
    if (item.won) flags += " Z";
    if (item.stale) flags += " X";
    if (won) flags += " W";
    if (p.flags.has("v")) return valueReply(`VA ${item.value.length}${flags}`, item.value);
    return line("HD" + flags);
  };
  if (exptime !== undefined || vivify !== undefined) {
    return s.seq.write(() => items.fetchForUpdate(p.key, { exptime, vivify })).then((r) =>
      render(r.item, r.won)
    );
  }
  return s.seq.read(async () => {
    const [item] = await items.getMany([p.key]);
    if (!item || !item.stale || item.won) return { item, won: false };
    // The first fetch of a stale item claims the win token. Done inside the read, so this
    // connection's later writes wait for it.
    return await items.fetchForUpdate(p.key, {});
  }).then((r) => render(r.item, r.won));
}

const MS_MODES: Readonly<Record<string, StoreMode>> = {
  E: "add",
  A: "append",
  P: "prepend",
  R: "replace",
  S: "set",
};

/** ms `<key> <datalen> <flags>*` with its data block. */
export function metaSet(s: Session, tokens: Uint8Array[], data: Uint8Array): Reply {
  const p = parseMeta(tokens[1], tokens.slice(3));
  if (typeof p === "string") return line(p);
  const modeToken = p.flags.get("M");
  let mode: StoreMode = "set";
  if (modeToken !== undefined) {
    if (modeToken.length !== 1) return line(TEXT.BAD_MODE_LENGTH);
    const m = Object.hasOwn(MS_MODES, modeToken) ? MS_MODES[modeToken] : undefined;
    if (!m) return line(TEXT.BAD_MS_MODE);
    mode = m;
  }
  const flagsToken = p.flags.get("F");
  const clientFlags = flagsToken === undefined
    ? 0
    : parseFlags(new TextEncoder().encode(flagsToken));
  if (clientFlags === null) return line(TEXT.BAD_FORMAT);
  const exptime = exptimeOf(p.flags, "T");
  const cas = casOf(p.flags);
  if (exptime === null || cas === null) return line(TEXT.BAD_TOKEN);
  const { items, counters } = s.shared;
  counters.cmdSet++;
  const quiet = p.flags.has("q");
  return s.seq.write(() =>
    items.store({
      mode,
      key: p.key,
      value: data,
      flags: clientFlags,
      exptime: exptime ?? 0,
      cas,
      invalidate: p.flags.has("I"),
    })
  ).then((r) => {
    switch (r.status) {
      case "ok": {
        counters.totalItems++;
        if (quiet) return [];
        return line("HD" + setFlags(p, r.cas));
      }
      case "exists":
        return line("EX" + missFlags(p));
      case "not_found":
        return line("NF" + missFlags(p));
      case "too_large":
        return line(TEXT.OUT_OF_MEMORY);
      default:
        return line("NS" + missFlags(p));
    }
  });
}

/** Return flags of a successful ms in request order (c carries the new CAS). */
function setFlags(p: Parsed, cas: number): string {
  let out = "";
  for (const letter of p.order) {
    if (letter === "c") out += " c" + cas;
    else if (letter === "O") out += " O" + (p.flags.get("O") ?? "");
    else if (letter === "k") out += keyFlag(p);
  }
  return out;
}

/** md `<key> <flags>*`. */
export function metaDelete(s: Session, tokens: Uint8Array[]): Reply {
  if (tokens.length < 2) return line(TEXT.ERROR);
  // md and ma answer every flag problem with one message.
  const p = parseMeta(tokens[1], tokens.slice(2), TEXT.FLAG_ERROR, TEXT.FLAG_ERROR);
  if (typeof p === "string") return line(p);
  const cas = casOf(p.flags);
  const exptime = exptimeOf(p.flags, "T");
  if (cas === null || exptime === null) return line(TEXT.FLAG_ERROR);
  const { items, counters } = s.shared;
  return s.seq.write(() => items.delete(p.key, { cas, invalidate: p.flags.has("I"), exptime }))
    .then((r) => {
      if (r.status === "ok") {
        counters.deleteHits++;
        return p.flags.has("q") ? [] : line("HD" + missFlags(p));
      }
      if (r.status === "exists") return line("EX" + missFlags(p));
      counters.deleteMisses++;
      return line("NF" + missFlags(p));
    });
}

const MA_MODES: Readonly<Record<string, boolean>> = { I: true, "+": true, D: false, "-": false };

/** ma `<key> <flags>*`. */
export function metaArithmetic(s: Session, tokens: Uint8Array[]): Reply {
  if (tokens.length < 2) return line(TEXT.ERROR);
  const p = parseMeta(tokens[1], tokens.slice(2), TEXT.FLAG_ERROR, TEXT.FLAG_ERROR);
  if (typeof p === "string") return line(p);
  const enc = new TextEncoder();
  const modeToken = p.flags.get("M");
  let incr = true;
  if (modeToken !== undefined) {
    if (modeToken.length !== 1) return line(TEXT.FLAG_ERROR);
    const m = Object.hasOwn(MA_MODES, modeToken) ? MA_MODES[modeToken] : undefined;
    if (m === undefined) return line(TEXT.BAD_MA_MODE);
    incr = m;
  }
  const deltaToken = p.flags.get("D");
  const delta = deltaToken === undefined ? 1n : parseDelta(enc.encode(deltaToken));
  const initialToken = p.flags.get("J");
  const initial = initialToken === undefined ? 0n : parseDelta(enc.encode(initialToken));
  const vivify = exptimeOf(p.flags, "N");
  const exptime = exptimeOf(p.flags, "T");
  const cas = casOf(p.flags);
  if (delta === null || initial === null || vivify === null || exptime === null || cas === null) {
    return line(TEXT.FLAG_ERROR);
  }
  const { items, counters } = s.shared;
  const create = vivify === undefined ? undefined : { initial, exptime: vivify };
  return s.seq.write(() => items.arith({ key: p.key, incr, delta, create, cas, exptime })).then(
    (r): Chunk[] => {
      if (r.status === "ok" && r.item) {
        incr ? counters.incrHits++ : counters.decrHits++;
        if (p.flags.has("q")) return [];
        const flags = returnFlags(p, "Octk", r.item, Date.now());
        if (p.flags.has("v")) {
          const value = enc.encode(r.value.toString());
          return valueReply(`VA ${value.length}${flags}`, value);
        }
        return line("HD" + flags);
      }
      if (r.status === "not_found") {
        incr ? counters.incrMisses++ : counters.decrMisses++;
        return line("NF" + missFlags(p));
      }
      if (r.status === "exists") return line("EX" + missFlags(p));
      return line(TEXT.NON_NUMERIC);
    },
  );
}

const B_FLAG = new TextEncoder().encode("b");

/** mn: the end of a quiet pipeline. */
export function metaNoop(): Reply {
  return line("MN");
}

/** me `<key>`: debug view of one item. */
export function metaDebug(s: Session, tokens: Uint8Array[]): Reply {
  if (tokens.length < 2) return line(TEXT.BAD_FORMAT);
  // me reads only the b flag; anything else on the line is ignored.
  const base64 = tokens.slice(2).some((t) => t.length === 1 && t[0] === B_FLAG[0]);
  const p = parseMeta(tokens[1], base64 ? [B_FLAG] : []);
  if (typeof p === "string") return line(TEXT.BAD_FORMAT);
  return s.seq.read(() => s.shared.items.getMany([p.key])).then(([item]) => {
    if (!item) return line("EN");
    const now = Date.now();
    const exp = item.expiresAt === null ? -1 : ttl(item, now);
    const seen = s.shared.items.access.peek(item.cas, item.updatedAt ?? now);
    const la = Math.max(0, Math.floor((now - seen.at) / 1000));
    return line(
      `ME ${latin1Text(p.key)} exp=${exp} la=${la} cas=${item.cas} fetch=${
        seen.fetched ? "yes" : "no"
      } cls=1 size=${itemSize(item.key.length, item.value.length, item.flags)}`,
    );
  });
}

/** The meta commands that are one line (ms carries data: the codec frames it apart). */
export const META_COMMANDS: Readonly<Record<string, LineHandler>> = {
  mg: metaGet,
  md: metaDelete,
  ma: metaArithmetic,
  mn: () => metaNoop(),
  me: metaDebug,
};

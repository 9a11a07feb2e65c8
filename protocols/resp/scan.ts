/**
 * Cursor-based iteration for the SCAN family (SCAN, HSCAN, SSCAN, ZSCAN). A cursor stands for a
 * position in key order (the last name returned), so a name present for the whole iteration is
 * returned at least once whatever is written meanwhile. Clients need decimal integer cursors and
 * a position is a byte string of any length, so each position gets a token persisted in the
 * store: its id is a digest of the position (the same position always gets the same cursor),
 * and the token entry holds the position. Any front-end on the store, before or after a
 * restart, resumes from it; tokens expire after a day, and an unknown cursor restarts the scan
 * (names may repeat, never vanish).
 * @module
 */
import { sha256 } from "../../src/sha256.ts";
import type { Entry, Key } from "../../src/store/mod.ts";
import type { CommandContext } from "./command.ts";
import type { Access } from "./storage/db.ts";

/** A position in key order: the key parts after the scanned parent (a key or member name). */
export type Position = Deno.KvKeyPart[];

/** Entries read per probe when a page comes back short (expired entries are skipped). */
const PROBE_LIMIT = 1000;
/** The smallest key part: a key extended by it sorts right after the key, before any other. */
const MIN_PART = new Uint8Array(0);
/** How long a cursor token lives; it is renewed when half of this is gone and it is reused. */
const CURSOR_TTL_MS = 24 * 60 * 60 * 1000;
/** Cursor ids are below 2^52, so every client (node-redis 4 parses them as numbers) keeps them exact. */
const CURSOR_BITS = 52n;
/** Ids tried after a digest collision with another position. */
const CURSOR_PROBES = 8;

/** A cursor token: the position it resumes after. */
interface CursorToken {
  p: Position;
}

function tokenKey(id: bigint): Key {
  return ["sc", Number(id)];
}

/** Bytes that identify a position (each part tagged and length-prefixed), in pieces. */
function positionBytes(position: Position): Uint8Array[] {
  const parts: Uint8Array[] = [];
  const encoder = new TextEncoder();
  for (const part of position) {
    const bytes = part instanceof Uint8Array
      ? part
      : encoder.encode(`${typeof part}:${String(part)}`);
    const head = new Uint8Array(5);
    head[0] = part instanceof Uint8Array ? 1 : 2;
    new DataView(head.buffer).setUint32(1, bytes.length);
    parts.push(head, bytes);
  }
  return parts;
}

function samePosition(a: Position, b: Position): boolean {
  const [x, y] = [positionBytes(a), positionBytes(b)];
  return x.length === y.length &&
    x.every((p, i) => p.length === y[i].length && p.every((v, j) => v === y[i][j]));
}

/** The first id tried for a position: 52 bits of its digest, never 0 (0 ends a scan). */
function baseId(position: Position): bigint {
  const digest = sha256(positionBytes(position));
  let v = 0n;
  for (let i = 0; i < 7; i++) v = (v << 8n) | BigInt(digest[i]);
  return (v >> (56n - CURSOR_BITS)) + 1n;
}

function nextId(id: bigint): bigint {
  return id >= 1n << CURSOR_BITS ? 1n : id + 1n;
}

/** A copy of a position that owns its bytes (key parts may be views on larger buffers). */
function ownPosition(position: Position): Position {
  return position.map((p) => p instanceof Uint8Array ? p.slice() : p);
}

/**
 * The cursor for `position`, persisted before it is returned. A fresh token for the same
 * position is reused without a write.
 */
export async function saveCursor(ctx: CommandContext, position: Position): Promise<string> {
  const first = baseId(position);
  const known = await ctx.read((r) => r.get<CursorToken>(tokenKey(first)));
  if (
    known?.meta && samePosition(known.meta.p, position) &&
    known.expiresAt !== null && known.expiresAt - Date.now() > CURSOR_TTL_MS / 2
  ) return String(first);
  const p = ownPosition(position);
  const id = await ctx.write(async (tx) => {
    let id = first;
    for (let i = 0; i < CURSOR_PROBES; i++, id = nextId(id)) {
      const token = await tx.get<CursorToken>(tokenKey(id));
      if (!token?.meta || samePosition(token.meta.p, p)) break;
    }
    // After CURSOR_PROBES collisions (never seen in practice) the last id is taken over.
    tx.set<CursorToken>(tokenKey(id), { meta: { p }, expiresAt: tx.now + CURSOR_TTL_MS });
    return id;
  });
  return String(id);
}

/** The position a cursor stands for: null = the start (cursor 0, or a token no longer kept). */
export async function loadCursor(r: Access, cursor: bigint): Promise<Position | null> {
  if (cursor === 0n || cursor > 1n << CURSOR_BITS) return null;
  const token = await r.get<CursorToken>(tokenKey(cursor));
  return token?.meta?.p ?? null;
}

/** The bytes every match of a glob must start with (up to its first special character). */
export function literalPrefix(pattern: Uint8Array): Uint8Array {
  let end = 0;
  while (end < pattern.length && ![0x2a, 0x3f, 0x5b, 0x5c].includes(pattern[end])) end++;
  return pattern.subarray(0, end);
}

/** The first byte string after every string starting with `prefix`, or null if none. */
function prefixEnd(prefix: Uint8Array): Uint8Array | null {
  let n = prefix.length;
  while (n > 0 && prefix[n - 1] === 0xff) n--;
  if (n === 0) return null;
  const end = prefix.slice(0, n);
  end[n - 1]++;
  return end;
}

/** One page of a scan: the entries, and the position to resume after (null = done). */
export interface ScanPage<M> {
  entries: Entry<M>[];
  next: Position | null;
}

/** Which entries a scan page reads. */
export interface ScanRange {
  /** The key the scanned entries live under. */
  parent: Key;
  /** Resume after this position; null = from the start. */
  after: Position | null;
  /** Live entries wanted. */
  count: number;
  /** Only names starting with these bytes (a glob's literal prefix). */
  prefix?: Uint8Array;
  /** Skip payloads (default true). */
  keysOnly?: boolean;
}

/** Read up to `count` live entries of a range, in key order, after its position. */
export async function scanPage<M>(r: Access, range: ScanRange): Promise<ScanPage<M>> {
  const { parent, after, count, prefix = MIN_PART, keysOnly = true } = range;
  const end = prefixEnd(prefix);
  const position = (entry: Entry<M>): Position => entry.key.slice(parent.length);
  const startAfter = (p: Position): Key => [...parent, ...p, MIN_PART];
  let start: Key = after && compareBytes(after[0] as Uint8Array, prefix) >= 0
    ? startAfter(after)
    : [...parent, prefix];
  const list = (from: Key, limit: number) =>
    r.list<M>(
      end ? { start: from, end: [...parent, end] } : { prefix: parent, start: from },
      { limit, keysOnly },
    );
  const entries: Entry<M>[] = [];
  while (entries.length < count) {
    const want = count - entries.length;
    let page = await list(start, want);
    if (page.length < want) {
      // A short page may only mean expired entries were skipped: probe further before ending.
      const from = page.length > 0 ? startAfter(position(page[page.length - 1])) : start;
      const rest = await list(from, PROBE_LIMIT);
      page = [...page, ...rest].slice(0, want);
      if (rest.length === 0) {
        entries.push(...page);
        return { entries, next: null };
      }
    }
    entries.push(...page);
    start = startAfter(position(page[page.length - 1]));
  }
  return { entries, next: position(entries[entries.length - 1]) };
}

/** Byte-wise order, as the store orders Uint8Array key parts. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/**
 * Cursor-based iteration for SCAN and HSCAN. A cursor stands for a position in key order (the
 * last key returned), so a key present for the whole iteration is returned at least once
 * whatever is written meanwhile. Clients need integer cursors, so positions sit in a bounded
 * table of small integers.
 * @module
 */
import type { Entry, Key } from "../../src/store/mod.ts";
import type { Access } from "./storage/db.ts";

/** A position in key order: the key parts after the scanned parent (a key or field name). */
export type Position = Deno.KvKeyPart[];

/** Positions remembered; older cursors restart their scan (keys may repeat, never vanish). */
const MAX_CURSORS = 100_000;
/** Entries read per probe when a page comes back short (expired entries are skipped). */
const PROBE_LIMIT = 1000;
/** The smallest key part: a key extended by it sorts right after the key, before any other. */
const MIN_PART = new Uint8Array(0);

const positions = new Map<number, Position>();
let nextCursor = 1;

/** Remember `position` and return the cursor for it. */
export function saveCursor(position: Position): string {
  const id = nextCursor++;
  if (nextCursor > Number.MAX_SAFE_INTEGER) nextCursor = 1;
  positions.set(id, position);
  if (positions.size > MAX_CURSORS) positions.delete(positions.keys().next().value!);
  return String(id);
}

/** The position a cursor stands for: null = the start (cursor 0 or one no longer known). */
export function loadCursor(cursor: bigint): Position | null {
  if (cursor === 0n || cursor > BigInt(Number.MAX_SAFE_INTEGER)) return null;
  return positions.get(Number(cursor)) ?? null;
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

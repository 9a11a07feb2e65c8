/**
 * Cursor-based iteration for SCAN and HSCAN. A cursor stands for a position in key order (the
 * last key returned), so a key present for the whole iteration is returned at least once
 * whatever is written meanwhile. Clients need integer cursors, so positions sit in a bounded
 * table of small integers.
 * @module
 */
import type { Entry, Key } from "../../src/store/mod.ts";
import type { Access } from "./storage/db.ts";
import { successor } from "./storage/layout.ts";

/** Positions remembered; older cursors restart their scan (keys may repeat, never vanish). */
const MAX_CURSORS = 100_000;
/** Entries read per probe when a page comes back short (expired entries are skipped). */
const PROBE_LIMIT = 1000;

const positions = new Map<number, Uint8Array>();
let nextCursor = 1;

/** Remember `position` and return the cursor for it. */
export function saveCursor(position: Uint8Array): string {
  const id = nextCursor++;
  if (nextCursor > Number.MAX_SAFE_INTEGER) nextCursor = 1;
  positions.set(id, position);
  if (positions.size > MAX_CURSORS) positions.delete(positions.keys().next().value!);
  return String(id);
}

/** The position a cursor stands for: null = the start (cursor 0 or one no longer known). */
export function loadCursor(cursor: bigint): Uint8Array | null {
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

/** One page of a scan: the entries, and the position to resume from (null = done). */
export interface ScanPage<M> {
  entries: Entry<M>[];
  next: Uint8Array | null;
}

/**
 * Read up to `count` live entries under `parent` whose last key part starts with `prefix`,
 * after `after`. Keys are `[...parent, Uint8Array]`.
 */
export async function scanPage<M>(
  r: Access,
  parent: Key,
  after: Uint8Array | null,
  count: number,
  prefix: Uint8Array = new Uint8Array(0),
  keysOnly = true,
): Promise<ScanPage<M>> {
  let from: Uint8Array = prefix;
  if (after && compareBytes(after, prefix) >= 0) from = successor(after);
  const end = prefixEnd(prefix);
  const list = (start: Uint8Array, limit: number) =>
    r.list<M>(
      end
        ? { start: [...parent, start], end: [...parent, end] }
        : { prefix: parent, start: [...parent, start] },
      { limit, keysOnly },
    );
  const entries: Entry<M>[] = [];
  while (entries.length < count) {
    const want = count - entries.length;
    let page = await list(from, want);
    if (page.length < want) {
      // A short page may only mean expired entries were skipped: probe further before ending.
      const rest = await list(
        page.length > 0 ? successor(lastPart(page[page.length - 1])) : from,
        PROBE_LIMIT,
      );
      if (rest.length === 0 && page.length === 0) return { entries, next: null };
      page = [...page, ...rest].slice(0, want);
      if (rest.length === 0) {
        entries.push(...page);
        return { entries, next: null };
      }
    }
    entries.push(...page);
    from = successor(lastPart(page[page.length - 1]));
  }
  return { entries, next: lastPart(entries[entries.length - 1]) };
}

function lastPart(entry: Entry<unknown>): Uint8Array {
  return entry.key[entry.key.length - 1] as Uint8Array;
}

/** Byte-wise order, as the store orders Uint8Array key parts. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

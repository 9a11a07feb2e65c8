/**
 * List storage: a meta entry (type, generation, length n, head position h) plus one entry per
 * element at ["f", g, h + index], so pushes and pops at either end touch O(1) entries and an
 * index is one direct read; middle edits shift the shorter side, as a deque would.
 * @module
 */
import type { Entry, Key, WriteTx } from "../../../src/store/mod.ts";
import { parseInt64 } from "../numbers.ts";
import { type Access, type KeyEntry, saveCollection } from "./db.ts";
import { type KeyMeta, newGeneration } from "./layout.ts";

/** Elements read per range read when a command walks a list (LPOS, LREM, LINSERT). */
export const SCAN_PAGE = 512;
/** Bytes one Redis listpack node may hold before the list becomes a quicklist (-2 = 8 KiB). */
const LISTPACK_MAX_BYTES = 8192;
/** A listpack's header and end byte. */
const LISTPACK_OVERHEAD = 7;

export type Side = "left" | "right";

/** A list being changed inside one write unit. */
export interface ListHandle {
  slot: number;
  key: Uint8Array;
  /** The entry as read (null when the list is being created). */
  entry: KeyEntry | null;
  meta: KeyMeta;
}

/** Open a list for writing; a missing one is created by `saveList` once it has elements. */
export function openList(slot: number, key: Uint8Array, entry: KeyEntry | null): ListHandle {
  const meta: KeyMeta = entry?.meta
    ? { ...entry.meta }
    : { t: "list", g: newGeneration(), n: 0, h: 0, lb: LISTPACK_OVERHEAD };
  return { slot, key, entry, meta };
}

/** The entry of the element at storage position `pos`. */
export function elementKey(gen: string, pos: number): Key {
  return ["f", gen, pos];
}

/** A list's length (one read of its meta). */
export function listLength(meta: KeyMeta): number {
  return meta.n ?? 0;
}

/** Redis's index (negative counts from the tail) as an index from the head, or null if out. */
export function resolveIndex(meta: KeyMeta, index: number): number | null {
  const n = listLength(meta);
  const i = index < 0 ? n + index : index;
  return i < 0 || i >= n ? null : i;
}

/** The element at head index `i` (0 <= i < n). */
export function elementAt(r: Access, meta: KeyMeta, i: number): Promise<Entry | null> {
  return r.get(elementKey(meta.g!, (meta.h ?? 0) + i));
}

/** Elements at head indexes [from, to) (clamped by the caller), head first or tail first. */
export function elementsIn(
  r: Access,
  meta: KeyMeta,
  from: number,
  to: number,
  reverse = false,
): Promise<Entry[]> {
  if (to <= from) return Promise.resolve([]);
  const h = meta.h ?? 0;
  return r.list({ start: elementKey(meta.g!, h + from), end: elementKey(meta.g!, h + to) }, {
    reverse,
  });
}

/** The head index an element entry sits at. */
export function indexOf(meta: KeyMeta, entry: Entry): number {
  return (entry.key[2] as number) - (meta.h ?? 0);
}

/**
 * Walk the list a page at a time from the head (or the tail), calling `visit` with each
 * element and its head index until it returns false or `limit` elements were seen.
 */
export async function walk(
  r: Access,
  meta: KeyMeta,
  fromTail: boolean,
  limit: number,
  visit: (data: Uint8Array, index: number) => boolean,
): Promise<void> {
  const n = listLength(meta);
  let seen = 0;
  let lo = 0;
  let hi = n;
  while (lo < hi && seen < limit) {
    const take = Math.min(SCAN_PAGE, hi - lo, limit - seen);
    const page = fromTail
      ? await elementsIn(r, meta, hi - take, hi, true)
      : await elementsIn(r, meta, lo, lo + take);
    for (const e of page) {
      seen++;
      if (!visit(e.data, indexOf(meta, e))) return;
    }
    if (fromTail) hi -= take;
    else lo += take;
  }
}

/** Bytes Redis's listpack spends on one element (integers packed, plus the back-length). */
function listpackEntryBytes(value: Uint8Array): number {
  let body: number;
  const int = value.length <= 20 ? parseInt64(value) : null;
  if (int !== null) {
    if (int >= 0n && int <= 127n) body = 1;
    else if (int >= -4096n && int <= 4095n) body = 2;
    else if (int >= -32768n && int <= 32767n) body = 3;
    else if (int >= -8388608n && int <= 8388607n) body = 4;
    else if (int >= -2147483648n && int <= 2147483647n) body = 5;
    else body = 9;
  } else if (value.length <= 63) body = 1 + value.length;
  else if (value.length <= 4095) body = 2 + value.length;
  else body = 5 + value.length;
  const back = body <= 127 ? 1 : body < 16383 ? 2 : body < 2097151 ? 3 : body < 268435455 ? 4 : 5;
  return body + back;
}

/** Track the listpack size estimate; Redis converts at 8 KiB and back at half that. */
function account(meta: KeyMeta, values: readonly Uint8Array[], sign: 1 | -1): void {
  let bytes = meta.lb ?? LISTPACK_OVERHEAD;
  for (const v of values) bytes += sign * listpackEntryBytes(v);
  meta.lb = Math.max(LISTPACK_OVERHEAD, bytes);
  if (sign > 0 && meta.lb > LISTPACK_MAX_BYTES) meta.ql = true;
  if (sign < 0 && meta.ql && meta.lb <= LISTPACK_MAX_BYTES / 2) delete meta.ql;
}

/** OBJECT ENCODING of a list. */
export function listEncoding(meta: KeyMeta): string {
  return meta.ql ? "quicklist" : "listpack";
}

/** Push `values` one by one at `side` (LPUSH a b c leaves c at the head, as Redis does). */
export function pushElements(
  tx: WriteTx,
  l: ListHandle,
  side: Side,
  values: readonly Uint8Array[],
): void {
  const m = l.meta;
  // A list made by this unit has a generation of its own: nothing is stored under it yet.
  const fresh = l.entry === null;
  for (const value of values) {
    const n = m.n ?? 0;
    const h = m.h ?? 0;
    const pos = side === "left" ? h - 1 : h + n;
    if (fresh) tx.setFresh(elementKey(m.g!, pos), { data: value });
    else tx.set(elementKey(m.g!, pos), { data: value });
    if (side === "left") m.h = h - 1;
    m.n = n + 1;
  }
  account(m, values, 1);
}

/** Pop up to `count` elements from `side`, nearest first. */
export async function popElements(
  tx: WriteTx,
  l: ListHandle,
  side: Side,
  count: number,
): Promise<Uint8Array[]> {
  const m = l.meta;
  const n = listLength(m);
  const take = Math.min(count, n);
  if (take <= 0) return [];
  const left = side === "left";
  let entries: Entry[];
  if (take === 1) {
    // One element (LPOP/RPOP's usual form) is one point read, which the read cache answers
    // (a push caches the element it writes); a range read always goes to the store.
    const one = await elementAt(tx, m, left ? 0 : n - 1);
    entries = one ? [one] : [];
  } else {
    entries = left ? await elementsIn(tx, m, 0, take) : await elementsIn(tx, m, n - take, n, true);
  }
  for (const e of entries) tx.delete(e.key);
  if (left) m.h = (m.h ?? 0) + take;
  m.n = n - take;
  const values = entries.map((e) => e.data);
  account(m, values, -1);
  return values;
}

/** Replace the element at head index `i` (which exists). */
export async function setElement(
  tx: WriteTx,
  l: ListHandle,
  i: number,
  value: Uint8Array,
): Promise<void> {
  const old = await elementAt(tx, l.meta, i);
  if (old) account(l.meta, [old.data], -1);
  tx.set(elementKey(l.meta.g!, (l.meta.h ?? 0) + i), { data: value });
  account(l.meta, [value], 1);
}

/**
 * Insert `value` so that it ends up at head index `i` (0 <= i <= n), moving the shorter side
 * of the list one position outwards.
 */
export async function insertElement(
  tx: WriteTx,
  l: ListHandle,
  i: number,
  value: Uint8Array,
): Promise<void> {
  const m = l.meta;
  const n = listLength(m);
  const h = m.h ?? 0;
  if (i < n - i) {
    for (const e of await elementsIn(tx, m, 0, i)) {
      tx.set(elementKey(m.g!, (e.key[2] as number) - 1), { data: e.data });
    }
    tx.set(elementKey(m.g!, h + i - 1), { data: value });
    m.h = h - 1;
  } else {
    for (const e of await elementsIn(tx, m, i, n, true)) {
      tx.set(elementKey(m.g!, (e.key[2] as number) + 1), { data: e.data });
    }
    tx.set(elementKey(m.g!, h + i), { data: value });
  }
  m.n = n + 1;
  account(m, [value], 1);
}

/**
 * Remove the elements at the given head indexes (ascending, distinct), closing the gaps from
 * whichever side moves fewer elements.
 */
export async function removeElements(
  tx: WriteTx,
  l: ListHandle,
  indexes: readonly number[],
): Promise<void> {
  if (indexes.length === 0) return;
  const m = l.meta;
  const n = listLength(m);
  const h = m.h ?? 0;
  const gone = new Set(indexes);
  const lo = indexes[0];
  const hi = indexes[indexes.length - 1];
  const removed: Uint8Array[] = [];
  if (hi + 1 <= n - lo) {
    // Move the head part [0, hi] towards the tail, keeping order.
    let pos = h + hi;
    for (const e of await elementsIn(tx, m, 0, hi + 1, true)) {
      const i = indexOf(m, e);
      tx.delete(e.key);
      if (gone.has(i)) removed.push(e.data);
      else tx.set(elementKey(m.g!, pos--), { data: e.data });
    }
    m.h = pos + 1;
  } else {
    let pos = h + lo;
    for (const e of await elementsIn(tx, m, lo, n)) {
      const i = indexOf(m, e);
      tx.delete(e.key);
      if (gone.has(i)) removed.push(e.data);
      else tx.set(elementKey(m.g!, pos++), { data: e.data });
    }
  }
  m.n = n - indexes.length;
  account(m, removed, -1);
}

/** Keep only head indexes [start, stop] (already clamped; start > stop empties the list). */
export async function trimElements(
  tx: WriteTx,
  l: ListHandle,
  start: number,
  stop: number,
): Promise<void> {
  const m = l.meta;
  const n = listLength(m);
  const keepFrom = start > stop ? n : start;
  const keepTo = start > stop ? n : stop + 1;
  const dropped = [
    ...await elementsIn(tx, m, 0, keepFrom),
    ...await elementsIn(tx, m, keepTo, n),
  ];
  for (const e of dropped) tx.delete(e.key);
  m.h = (m.h ?? 0) + keepFrom;
  m.n = keepTo - keepFrom;
  account(m, dropped.map((e) => e.data), -1);
}

/** Write the meta back, or drop the list once it is empty (Redis deletes empty lists). */
export function saveList(tx: WriteTx, l: ListHandle): void {
  saveCollection(tx, l, listLength(l.meta) <= 0);
}

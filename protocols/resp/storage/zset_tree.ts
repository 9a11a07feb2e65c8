/**
 * The rank tree of a big sorted set: counts over its score index, kept in the same commit as the
 * members, so a rank, or the member at a rank, costs a few entries per level instead of a walk.
 * @module
 */
import type { Access } from "./db.ts";
import type { Entry, Key, WriteTx } from "../../../src/store/mod.ts";
import { compareBytes } from "../scan.ts";

/*
 * Level 1 (leaves) cuts the index entries into runs, each counted in one entry under the suffix
 * (score bytes, member…) of where its run starts; level l + 1 cuts level l the same way, each
 * block counting the members below it (c) and its children (k). Every level starts with a block
 * at the sentinel suffix (before every score) and every block's start is also a start one level
 * down, so a block's children are the blocks of the level below inside its span. The top level
 * has at most FANOUT blocks; the key's meta keeps the height and the top level's block count.
 *
 * A rank is then, level by level from the top, the counts of the blocks ahead of the one holding
 * the position inside its parent (read from the nearer end), and finally its place in its leaf.
 */

/** A leaf is cut into halves once it counts more members than this. */
export const LEAF_MAX = 64;
/** An inner block is cut into halves once it has more children than this. */
export const FANOUT = 32;
/** Blocks built whole (a new set, a migration, a new top level) are filled this far. */
const BUILD_LEAF = 48;
const BUILD_FANOUT = 24;
/** Entries read by the first page from each end when the number of entries is not known. */
const FIRST_PAGE = 8;
/** Entries read from each end first when their number is known (ranks near either end). */
const PROBE = 3;
const PAGE_GROWTH = 4;
const MAX_PAGE = 4096;
const EMPTY = new Uint8Array(0);
/** The suffix of each level's first block: before every index suffix. */
const SENTINEL: Key = [EMPTY];

/** Where one sorted set's index entries and tree levels live. */
export interface TreeSpace {
  /** Prefix of the index entries (score bytes, member…). */
  index: Key;
  /** Prefix of level 1 (the leaves; where the rank blocks of older sets already are). */
  leaves: Key;
  /** Prefix of the levels above, followed by the level number. */
  inner: Key;
  /** A key part after every suffix. */
  past: Deno.KvKeyPart;
}

/** The tree's height and how many blocks its top level has (unknown for an older set). */
export interface TreeShape {
  height: number;
  top?: number;
}

/** A block entry's meta: members below it, and (above the leaves) its children. */
interface BlockMeta {
  c: number;
  k?: number;
}

/** A range of keys [start, end). */
type Bounds = { start: Key; end: Key };

/** One index entry or block one level down: where it starts and what it counts. */
interface Child {
  pos: Key;
  c: number;
}

/** A change to count into level l: at position `pos`, members `dc`, children `dk`. */
interface Item {
  pos: Key;
  dc: number;
  dk: number;
}

function levelPrefix(space: TreeSpace, level: number): Key {
  return level === 0 ? space.index : level === 1 ? space.leaves : [...space.inner, level];
}

function suffix(key: Key, from: Key): Key {
  return key.slice(from.length);
}

/** Key suffixes (byte-string parts) in key order. */
export function compareSuffix(a: Key, b: Key): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = compareBytes(a[i] as Uint8Array, b[i] as Uint8Array);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

function isSentinel(pos: Key): boolean {
  return pos.length === 1 && (pos[0] as Uint8Array).length === 0;
}

function blockMeta(level: number, c: number, k: number): BlockMeta {
  return level === 1 ? { c } : { c, k };
}

/** Entries of one level in [from, to) (to null: to the level's end). */
function span(space: TreeSpace, level: number, from: Key, to: Key | null): Bounds {
  const p = levelPrefix(space, level);
  return { start: [...p, ...from], end: to ? [...p, ...to] : [...p, space.past] };
}

/** The block of `level` whose span holds `pos`: the last one starting at or before it. */
async function holding(
  r: Access,
  space: TreeSpace,
  level: number,
  pos: Key,
  from: Key = SENTINEL,
): Promise<Entry<BlockMeta> | null> {
  const p = levelPrefix(space, level);
  const [found] = await r.list<BlockMeta>(
    { start: [...p, ...from], end: [...p, ...pos, EMPTY] },
    { keysOnly: true, limit: 1, reverse: true },
  );
  return found ?? null;
}

/** Where the block after `key` starts (null: it is its level's last). */
async function nextStart(
  r: Access,
  space: TreeSpace,
  level: number,
  key: Key,
  to: Key | null = null,
): Promise<Key | null> {
  const p = levelPrefix(space, level);
  const [next] = await r.list(
    { start: [...key, EMPTY], end: to ? [...p, ...to] : [...p, space.past] },
    { keysOnly: true, limit: 1 },
  );
  return next ? suffix(next.key, p) : to;
}

function weightOf(level: number): (e: Entry<BlockMeta>) => number {
  return level === 0 ? () => 1 : (e) => e.meta?.c ?? 0;
}

function sum(entries: Entry<BlockMeta>[], weight: (e: Entry<BlockMeta>) => number): number {
  let total = 0;
  for (const e of entries) total += weight(e);
  return total;
}

/**
 * The weight of the entries of `level` in [from, at), where [from, to) holds `entries` entries
 * (when known) weighing `total`: the front half is read first and the back only when the
 * position lies past it; without the number, pages grow from both ends until one runs out.
 */
async function weightBefore(
  r: Access,
  space: TreeSpace,
  level: number,
  from: Key,
  at: Key,
  to: Key | null,
  total: number,
  entries: number | undefined,
): Promise<number> {
  if (compareSuffix(from, at) >= 0) return 0;
  const weight = weightOf(level);
  const p = levelPrefix(space, level);
  const front = span(space, level, from, at);
  const back = span(space, level, at, to);
  if (entries !== undefined) {
    // A probe from each end answers a position near either; else the front half, then the back.
    const [ahead, behind] = await Promise.all([
      r.list<BlockMeta>(front, { keysOnly: true, limit: PROBE }),
      r.list<BlockMeta>(back, { keysOnly: true, limit: PROBE, reverse: true }),
    ]);
    if (ahead.length < PROBE) return sum(ahead, weight);
    if (behind.length < PROBE) return total - sum(behind, weight);
    const half = Math.ceil((entries - 2 * PROBE) / 2) + 1;
    const middle = { start: [...ahead[PROBE - 1].key, EMPTY], end: behind[PROBE - 1].key };
    const more = await r.list<BlockMeta>({ start: middle.start, end: front.end }, {
      keysOnly: true,
      limit: half,
    });
    if (more.length < half) return sum(ahead, weight) + sum(more, weight);
    const rest = await r.list<BlockMeta>({ start: back.start, end: middle.end }, {
      keysOnly: true,
    });
    return total - sum(behind, weight) - sum(rest, weight);
  }
  let before = 0;
  let after = 0;
  let low = front.start;
  let high = back.end;
  for (let page = FIRST_PAGE;; page = Math.min(page * PAGE_GROWTH, MAX_PAGE)) {
    const [ahead, behind] = await Promise.all([
      r.list<BlockMeta>({ start: low, end: [...p, ...at] }, { keysOnly: true, limit: page }),
      r.list<BlockMeta>({ start: [...p, ...at], end: high }, {
        keysOnly: true,
        limit: page,
        reverse: true,
      }),
    ]);
    before += sum(ahead, weight);
    if (ahead.length < page) return before;
    after += sum(behind, weight);
    if (behind.length < page) return total - after;
    low = [...ahead[ahead.length - 1].key, EMPTY];
    high = behind[behind.length - 1].key;
  }
}

/**
 * How many index entries lie before `pos` (an index suffix, a member's or a bound's) in a set of
 * `n` members: per level, the counts ahead of the block holding it within its parent.
 */
export async function treeRank(
  r: Access,
  space: TreeSpace,
  shape: TreeShape,
  n: number,
  pos: Key,
): Promise<number> {
  let from: Key = SENTINEL;
  let to: Key | null = null;
  let total = n;
  let entries = shape.top;
  let before = 0;
  for (let level = shape.height; level >= 1; level--) {
    const block = await holding(r, space, level, pos, from);
    // Only an older set's first block may start after a position (nothing lies before it).
    if (!block) return before;
    const start = suffix(block.key, levelPrefix(space, level));
    const [ahead, next]: [number, Key | null] = await Promise.all([
      weightBefore(r, space, level, from, start, to, total, entries),
      nextStart(r, space, level, block.key, to),
    ]);
    before += ahead;
    [from, to, total] = [start, next, block.meta?.c ?? 0];
    entries = level === 1 ? total : block.meta?.k;
  }
  return before + await weightBefore(r, space, 0, from, pos, to, total, entries);
}

/**
 * The index entry at 0-based `rank` (< n), found level by level from the top by summing counts
 * from the nearer end of each parent; null if the counts disagree with it.
 */
export async function treeSeek<M>(
  r: Access,
  space: TreeSpace,
  shape: TreeShape,
  n: number,
  rank: number,
): Promise<Entry<M> | null> {
  let from: Key = SENTINEL;
  let to: Key | null = null;
  let total = n;
  for (let level = shape.height; level >= 0; level--) {
    const p = levelPrefix(space, level);
    const weight = weightOf(level);
    const reverse = rank >= total / 2;
    // From the back: the rank counted from the last entry.
    let left = reverse ? total - 1 - rank : rank;
    let range = span(space, level, from, to);
    // The start of the entry after the one looked at (reverse: the one looked at before it).
    let after: Key | null = to;
    let found: Entry<BlockMeta> | null = null;
    let page = level === 0 ? left + 1 : FIRST_PAGE;
    while (!found) {
      const list = await r.list<BlockMeta>(range, { keysOnly: true, limit: page, reverse });
      for (const [i, entry] of list.entries()) {
        const w = weight(entry);
        if (left < w) {
          found = entry;
          if (!reverse) after = list[i + 1] ? suffix(list[i + 1].key, p) : null;
          break;
        }
        left -= w;
        if (reverse) after = suffix(entry.key, p);
      }
      if (found) break;
      if (list.length < page) return null;
      const last = list[list.length - 1].key;
      range = reverse
        ? { start: range.start, end: last }
        : { start: [...last, EMPTY], end: range.end };
      page = Math.min(page * PAGE_GROWTH, MAX_PAGE);
    }
    if (level === 0) return found as Entry<M>;
    const w = weight(found);
    rank = reverse ? w - 1 - left : left;
    // Forward, past the page's end: the next block is one more read.
    to = !reverse && after === null ? await nextStart(r, space, level, found.key, to) : after;
    from = suffix(found.key, p);
    total = w;
  }
  return null;
}

/** Write `children` of level - 1 as blocks of `level` of `size` children each; the first at `first`. */
function writeLevel(
  tx: WriteTx,
  space: TreeSpace,
  level: number,
  children: readonly Child[],
  size: number,
  first: Key,
): Child[] {
  const p = levelPrefix(space, level);
  const out: Child[] = [];
  for (let i = 0; i < children.length; i += size) {
    const piece = children.slice(i, i + size);
    const pos = i === 0 ? first : piece[0].pos;
    const c = piece.reduce((a, b) => a + b.c, 0);
    tx.set<BlockMeta>([...p, ...pos], { meta: blockMeta(level, c, piece.length) });
    out.push({ pos, c });
  }
  return out;
}

/** Levels above `height` until the top has at most FANOUT blocks (`top` is level `height`). */
function stack(tx: WriteTx, space: TreeSpace, height: number, top: Child[]): TreeShape {
  while (top.length > FANOUT) top = writeLevel(tx, space, ++height, top, BUILD_FANOUT, SENTINEL);
  return { height, top: top.length };
}

function children(list: Entry<BlockMeta>[], level: number, space: TreeSpace): Child[] {
  const p = levelPrefix(space, level);
  const weight = weightOf(level);
  return list.map((e) => ({ pos: suffix(e.key, p), c: weight(e) }));
}

/**
 * Build the whole tree over a set's index entries (all written, staged or not). Only a set just
 * grown past the size that gets one, or one written whole (its members in memory), gets here.
 */
export async function buildTree(tx: WriteTx, space: TreeSpace): Promise<TreeShape> {
  const entries = await tx.list<BlockMeta>({ prefix: space.index }, { keysOnly: true });
  const leaves = writeLevel(tx, space, 1, children(entries, 0, space), BUILD_LEAF, SENTINEL);
  return stack(tx, space, 1, leaves);
}

/**
 * Give an older set's rank blocks (leaves only, the first starting at its first member then)
 * the levels above them: its first leaf moves to the sentinel. Reads the leaves, n / 512 or so.
 */
export async function migrateBlocks(tx: WriteTx, space: TreeSpace): Promise<TreeShape> {
  const list = await tx.list<BlockMeta>({ prefix: space.leaves }, { keysOnly: true });
  const leaves = children(list, 1, space);
  if (leaves.length > 0 && !isSentinel(leaves[0].pos)) {
    tx.delete(list[0].key);
    tx.set<BlockMeta>([...space.leaves, ...SENTINEL], { meta: { c: leaves[0].c } });
    leaves[0] = { pos: SENTINEL, c: leaves[0].c };
  }
  return stack(tx, space, 1, leaves);
}

/** Cut the block at `start` (span up to `end`) of `level` into pieces of `size` children. */
async function split(
  tx: WriteTx,
  space: TreeSpace,
  level: number,
  start: Key,
  end: Key | null,
  size: number,
): Promise<number> {
  const list = await tx.list<BlockMeta>(span(space, level - 1, start, end), { keysOnly: true });
  return writeLevel(tx, space, level, children(list, level - 1, space), size, start).length;
}

/**
 * Count one level's items into its blocks, each block read and written once: an emptied block
 * goes (a parent's first child stays, counting 0, so spans still nest), an overfull one is cut
 * in halves. Returns the items for the level above.
 */
async function countLevel(
  tx: WriteTx,
  space: TreeSpace,
  level: number,
  top: boolean,
  items: Item[],
): Promise<Item[]> {
  items.sort((a, b) => compareSuffix(a.pos, b.pos));
  const p = levelPrefix(space, level);
  const out: Item[] = [];
  for (let i = 0; i < items.length;) {
    const block = (await holding(tx, space, level, items[i].pos))!;
    const start = suffix(block.key, p);
    let end: Key | null | undefined;
    let dc = 0;
    let dk = 0;
    while (true) {
      dc += items[i].dc;
      dk += items[i].dk;
      if (++i >= items.length) break;
      if (end === undefined) end = await nextStart(tx, space, level, block.key);
      if (end !== null && compareSuffix(items[i].pos, end) >= 0) break;
    }
    if (dc === 0 && dk === 0) continue;
    const c = (block.meta?.c ?? 0) + dc;
    const k = (block.meta?.k ?? 0) + dk;
    if (c <= 0) {
      const first = top
        ? isSentinel(start)
        : (await tx.get([...levelPrefix(space, level + 1), ...start])) !== null;
      if (first) {
        tx.set<BlockMeta>(block.key, { meta: blockMeta(level, 0, k) });
        out.push({ pos: start, dc, dk: 0 });
      } else {
        // Its first descendants (kept at 0) start where it does.
        for (let l = level; l >= 1; l--) tx.delete([...levelPrefix(space, l), ...start]);
        out.push({ pos: start, dc, dk: -1 });
      }
      continue;
    }
    const max = level === 1 ? LEAF_MAX : FANOUT;
    if ((level === 1 ? c : k) <= max) {
      tx.set<BlockMeta>(block.key, { meta: blockMeta(level, c, k) });
      out.push({ pos: start, dc, dk: 0 });
      continue;
    }
    if (end === undefined) end = await nextStart(tx, space, level, block.key);
    const pieces = await split(tx, space, level, start, end, max / 2);
    out.push({ pos: start, dc, dk: pieces - 1 });
  }
  return out;
}

/**
 * Count index keys in (+1) or out (-1), in the unit that moves them (reads see its staged
 * writes): one block per level for each run of moves, then a new top level if it outgrew
 * FANOUT. `shape` must have its top count (a migrated or new tree).
 */
export async function countMoves(
  tx: WriteTx,
  space: TreeSpace,
  shape: TreeShape,
  moves: readonly { key: Key; delta: 1 | -1 }[],
): Promise<TreeShape> {
  let items: Item[] = moves.map(({ key, delta }) => ({
    pos: suffix(key, space.index),
    dc: delta,
    dk: 0,
  }));
  let top = shape.top!;
  for (let level = 1; level <= shape.height && items.length > 0; level++) {
    items = await countLevel(tx, space, level, level === shape.height, items);
    if (level === shape.height) { for (const item of items) top += item.dk; }
  }
  if (top <= FANOUT) return { height: shape.height, top };
  const p = levelPrefix(space, shape.height);
  const list = await tx.list<BlockMeta>({ prefix: p }, { keysOnly: true });
  return stack(tx, space, shape.height, children(list, shape.height, space));
}

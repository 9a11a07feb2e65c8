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
/** Up to this many items, a level's writes look up each item's block instead of block ends. */
const FEW_ITEMS = 8;
/** Blocks built whole (a new set, a migration, a new top level) are filled this far. */
const BUILD_LEAF = 48;
const BUILD_FANOUT = 24;
/** Entries read by the first page from each end when the number of entries is not known. */
const FIRST_PAGE = 2;
/** Blocks read by the first page of a walk to a rank. */
const SEEK_PAGE = 8;
/** Entries read from each end first when their number is known (ranks near either end). */
const PROBE = 1;
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
  /** The blocks holding it, by level (read before the unit's first count), when known. */
  chain?: Entry<BlockMeta>[];
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
 * The weight of the entries in `front` of a run of `entries` (when known) weighing `rest`
 * together with those in `back`: the part nearer the position (by `backFirst`) is read first, up
 * to half the run, and the other only when that one runs past it; without the number, growing
 * pages from each part in turn until one runs out.
 */
async function weightOfRest(
  r: Access,
  front: Bounds,
  back: Bounds,
  rest: number,
  entries: number | undefined,
  weight: (e: Entry<BlockMeta>) => number,
  backFirst: boolean,
): Promise<number> {
  if (entries !== undefined) {
    const half = Math.ceil(entries / 2) + 1;
    const first = await r.list<BlockMeta>(backFirst ? back : front, {
      keysOnly: true,
      limit: half,
      reverse: backFirst,
    });
    if (first.length < half) return backFirst ? rest - sum(first, weight) : sum(first, weight);
    const other = sum(
      await r.list<BlockMeta>(backFirst ? front : back, { keysOnly: true }),
      weight,
    );
    return backFirst ? other : rest - other;
  }
  let before = 0;
  let after = 0;
  let low = front.start;
  let high = back.end;
  for (let page = FIRST_PAGE;; page = Math.min(page * 2, MAX_PAGE)) {
    const ahead = await r.list<BlockMeta>({ start: low, end: front.end }, {
      keysOnly: true,
      limit: page,
    });
    before += sum(ahead, weight);
    if (ahead.length < page) return before;
    low = [...ahead[ahead.length - 1].key, EMPTY];
    const behind = await r.list<BlockMeta>({ start: back.start, end: high }, {
      keysOnly: true,
      limit: page,
      reverse: true,
    });
    after += sum(behind, weight);
    if (behind.length < page) return rest - after;
    high = behind[behind.length - 1].key;
  }
}

/** The leading bytes of a suffix's score as a number. */
function scoreLead(pos: Key): number {
  const bytes = pos[0] as Uint8Array;
  let value = 0;
  for (let i = 0; i < 7; i++) value = value * 256 + (bytes[i] ?? 0);
  return value;
}

/**
 * True when `pos` likely lies in the back half of [from, to): its score bytes are past the
 * middle of the span's (members spread about evenly over a run of scores).
 */
function nearerEnd(from: Key, pos: Key, to: Key): boolean {
  const low = scoreLead(from);
  const high = scoreLead(to);
  return high > low && (scoreLead(pos) - low) / (high - low) > 0.5;
}

/** Where a position lies inside one parent: the weight ahead of it, its block and the next. */
interface Located {
  before: number;
  /** The block holding the position (null at the index level, or before an older set's first). */
  block: Entry<BlockMeta> | null;
  /** Where the block after it starts (null: the parent's end is the level's). */
  next: Key | null;
}

/**
 * Locate `pos` among the entries of `level` in [from, to) (`entries` of them, when known,
 * weighing `total`): a probe from the position each way finds its block and the next and
 * answers a position near either end; else the rest is weighed, the front half first.
 */
async function locate(
  r: Access,
  space: TreeSpace,
  level: number,
  [from, to]: [Key, Key | null],
  pos: Key,
  exists: boolean,
  total: number,
  entries: number | undefined,
): Promise<Located> {
  const weight = weightOf(level);
  const p = levelPrefix(space, level);
  // At the index, the entries before the position; above it, its block too (the last at or
  // before it) and then the ones before that.
  const cut = level === 0 ? [...p, ...pos] : [...p, ...pos, EMPTY];
  const own = level === 0 ? 0 : 1;
  // A member at the position itself is neither ahead nor behind.
  const member = level === 0 && exists ? 1 : 0;
  const bounds = span(space, level, from, to);
  const [ahead, behind] = await Promise.all([
    r.list<BlockMeta>({ start: bounds.start, end: cut }, {
      keysOnly: true,
      limit: PROBE + own,
      reverse: true,
    }),
    r.list<BlockMeta>({ start: member ? [...cut, EMPTY] : cut, end: bounds.end }, {
      keysOnly: true,
      limit: PROBE,
    }),
  ]);
  const block = level === 0 ? null : ahead[0] ?? null;
  // Only an older set's first block may start after a position (nothing lies before it).
  if (level > 0 && !block) return { before: 0, block: null, next: null };
  const next = behind[0] ? suffix(behind[0].key, p) : to;
  const known = sum(ahead, weight) - (block ? weight(block) : 0);
  if (ahead.length < PROBE + own) return { before: known, block, next };
  const rest = total - (block ? weight(block) : 0) - member - sum(behind, weight);
  if (behind.length < PROBE) return { before: rest, block, next };
  // Neither probe reached its end: weigh what lies beyond both.
  const front = { start: bounds.start, end: ahead[ahead.length - 1].key };
  const back = { start: [...behind[behind.length - 1].key, EMPTY], end: bounds.end };
  const left = entries === undefined ? undefined : entries - ahead.length - behind.length - member;
  // In a level's first or last block the position's place is not known: both ends are read.
  const edge = isSentinel(from) || to === null;
  const beyond = await weightOfRest(
    r,
    front,
    back,
    rest - known,
    edge ? undefined : left,
    weight,
    !edge && nearerEnd(from, pos, to!),
  );
  return { before: known + beyond, block, next };
}

/**
 * How many index entries lie before `pos` (an index suffix, a member's when `exists`, or a
 * bound's) in a set of `n` members: per level, the counts ahead of the block holding it within
 * its parent.
 */
export async function treeRank(
  r: Access,
  space: TreeSpace,
  shape: TreeShape,
  n: number,
  pos: Key,
  exists = false,
): Promise<number> {
  let parent: [Key, Key | null] = [SENTINEL, null];
  let total = n;
  let entries = shape.top;
  let before = 0;
  for (let level = shape.height; level >= 0; level--) {
    const found = await locate(r, space, level, parent, pos, exists, total, entries);
    before += found.before;
    if (!found.block) return before;
    parent = [suffix(found.block.key, levelPrefix(space, level)), found.next];
    total = found.block.meta?.c ?? 0;
    entries = level === 1 ? total : found.block.meta?.k;
  }
  return before;
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
    let page = level === 0 ? left + 1 : SEEK_PAGE;
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
  // A few items: each one's block is looked up (one read apiece); many: each block's end is
  // read once and the items inside it are taken without a read.
  const few = items.length <= FEW_ITEMS;
  let ahead: Entry<BlockMeta> | null = null;
  const blockOf = async (item: Item) =>
    item.chain?.[level] ?? (await holding(tx, space, level, item.pos))!;
  for (let i = 0; i < items.length;) {
    const block = ahead ?? await blockOf(items[i]);
    const chain = items[i].chain;
    ahead = null;
    const start = suffix(block.key, p);
    let end: Key | null | undefined;
    let dc = 0;
    let dk = 0;
    while (true) {
      dc += items[i].dc;
      dk += items[i].dk;
      if (++i >= items.length) break;
      if (few) {
        const next = await blockOf(items[i]);
        if (compareSuffix(suffix(next.key, p), start) === 0) continue;
        ahead = next;
        break;
      }
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
        out.push({ pos: start, dc, dk: 0, chain });
      } else {
        // Its first descendants (kept at 0) start where it does.
        for (let l = level; l >= 1; l--) tx.delete([...levelPrefix(space, l), ...start]);
        out.push({ pos: start, dc, dk: -1, chain });
      }
      continue;
    }
    const max = level === 1 ? LEAF_MAX : FANOUT;
    if ((level === 1 ? c : k) <= max) {
      tx.set<BlockMeta>(block.key, { meta: blockMeta(level, c, k) });
      out.push({ pos: start, dc, dk: 0, chain });
      continue;
    }
    if (end === undefined) end = await nextStart(tx, space, level, block.key);
    const pieces = await split(tx, space, level, start, end, max / 2);
    out.push({ pos: start, dc, dk: pieces - 1, chain });
  }
  return out;
}

/**
 * Give each of a few items (index suffixes) the blocks holding it at every level, read before
 * any count changes: a block holding a position also holds it for the level above's lookup (the
 * starts above are a subset of those below), so a position's levels are read at once. From the
 * last item down, each one reads only the levels below where it joins the chain of the one
 * after it (that chain's block starts at or before it): a score change within one block above
 * the leaves reads that block once.
 */
async function readChains(
  tx: WriteTx,
  space: TreeSpace,
  height: number,
  items: Item[],
): Promise<void> {
  items.sort((a, b) => compareSuffix(a.pos, b.pos));
  let after: Entry<BlockMeta>[] | undefined;
  for (let i = items.length - 1; i >= 0; i--) {
    const pos = items[i].pos;
    let join = 1;
    while (
      join <= height && !(after &&
        compareSuffix(suffix(after[join].key, levelPrefix(space, join)), pos) <= 0)
    ) join++;
    const read = await Promise.all(
      Array.from({ length: join - 1 }, (_, l) => holding(tx, space, l + 1, pos)),
    );
    const chain: Entry<BlockMeta>[] = [];
    for (let l = 1; l <= height; l++) chain[l] = l < join ? read[l - 1]! : after![l];
    items[i].chain = chain;
    after = chain;
  }
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
  if (items.length <= FEW_ITEMS) await readChains(tx, space, shape.height, items);
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

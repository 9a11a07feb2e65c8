/**
 * Rank blocks of a big sorted set: its index entries (score order) cut into runs, each run's
 * member count kept in one block entry under its first key, changed in the same commit as the
 * members. A rank is then the counts of the blocks before the member's block plus a count
 * inside that one block: about √n entries read instead of up to n.
 * @module
 */
import type { Access } from "./db.ts";
import type { Key, WriteTx } from "../../../src/store/mod.ts";
import { compareBytes } from "../scan.ts";

/** A block splits in two once it holds more members than this. */
export const BLOCK_MAX = 1024;
/** Block entries read by the first page from each end when summing counts before a block. */
const FIRST_PAGE = 4;
const PAGE_GROWTH = 4;
const MAX_PAGE = 4096;
const EMPTY = new Uint8Array(0);

/** Where one sorted set's index entries and block entries live. */
export interface BlockSpace {
  /** Prefix of the index entries (score bytes, member…). */
  index: Key;
  /** Prefix of the block entries (the same suffixes). */
  blocks: Key;
  /** A key after every suffix under either prefix. */
  past: Deno.KvKeyPart;
}

/** A block entry's meta: its member count. */
interface BlockMeta {
  c: number;
}

function suffix(key: Key, from: Key): Key {
  return key.slice(from.length);
}

function blockAt(space: BlockSpace, indexKey: Key): Key {
  return [...space.blocks, ...suffix(indexKey, space.index)];
}

function indexAt(space: BlockSpace, blockKey: Key): Key {
  return [...space.index, ...suffix(blockKey, space.blocks)];
}

/** The block holding index key `key`: the last one starting at or before it. */
async function blockOf(r: Access, space: BlockSpace, key: Key) {
  const [found] = await r.list<BlockMeta>(
    { start: [...space.blocks, EMPTY], end: [...blockAt(space, key), EMPTY] },
    { keysOnly: true, limit: 1, reverse: true },
  );
  return found ?? null;
}

/** Key suffixes (byte-string parts) in key order. */
function compareSuffix(a: Key, b: Key): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = compareBytes(a[i] as Uint8Array, b[i] as Uint8Array);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/** A block being counted: its key, the index suffixes it spans [start, end), its count. */
interface OpenBlock {
  key: Key;
  start: Key;
  /** The next block's start (null for the last block). */
  end: Key | null;
  count: number;
  /** The block entry it replaces (the first block moved down to a smaller key), if any. */
  replaces: Key | null;
}

/** The block that index key `key` counts in; a key before the first block moves its start. */
async function openBlock(tx: WriteTx, space: BlockSpace, key: Key): Promise<OpenBlock> {
  const found = await blockOf(tx, space, key);
  let blockKey = found?.key ?? null;
  let count = found?.meta?.c ?? 0;
  let replaces: Key | null = null;
  if (!found) {
    const [first] = await tx.list<BlockMeta>({ prefix: space.blocks }, {
      keysOnly: true,
      limit: 1,
    });
    if (first) {
      replaces = first.key;
      count = first.meta?.c ?? 0;
    }
    blockKey = blockAt(space, key);
  }
  const [next] = await tx.list<BlockMeta>(
    { start: [...(replaces ?? blockKey!), EMPTY], end: [...space.blocks, space.past] },
    { keysOnly: true, limit: 1 },
  );
  return {
    key: blockKey!,
    start: suffix(blockKey!, space.blocks),
    end: next ? suffix(next.key, space.blocks) : null,
    count,
    replaces,
  };
}

/** Write an open block back: its count, or nothing once empty, or halves once too big. */
async function closeBlock(tx: WriteTx, space: BlockSpace, b: OpenBlock): Promise<void> {
  if (b.replaces) tx.delete(b.replaces);
  if (b.count <= 0) {
    tx.delete(b.key);
    return;
  }
  if (b.count <= BLOCK_MAX) {
    tx.set<BlockMeta>(b.key, { meta: { c: b.count } });
    return;
  }
  const members = await tx.list({
    start: indexAt(space, b.key),
    end: b.end ? [...space.index, ...b.end] : [...space.index, space.past],
  }, { keysOnly: true });
  const size = BLOCK_MAX / 2;
  for (let i = 0; i < members.length; i += size) {
    const key = i === 0 ? b.key : blockAt(space, members[i].key);
    tx.set<BlockMeta>(key, { meta: { c: Math.min(size, members.length - i) } });
  }
}

/**
 * Count index keys in (+1) or out (-1) of their blocks, in the unit that moves them: moves
 * into one block are summed before it is written (reads see the unit's staged writes); a key
 * before the first block moves that block's start down to it; a block past BLOCK_MAX is cut
 * into halves; an emptied block goes.
 */
export async function countMoves(
  tx: WriteTx,
  space: BlockSpace,
  moves: readonly { key: Key; delta: 1 | -1 }[],
): Promise<void> {
  // In key order, each block is read and written once per unit.
  const ordered = moves.map(({ key, delta }) => ({ at: suffix(key, space.index), key, delta }))
    .sort((a, b) => compareSuffix(a.at, b.at));
  let open: OpenBlock | null = null;
  for (const { at, key, delta } of ordered) {
    const inside = open && compareSuffix(at, open.start) >= 0 &&
      (open.end === null || compareSuffix(at, open.end) < 0);
    if (!inside) {
      if (open) await closeBlock(tx, space, open);
      open = await openBlock(tx, space, key);
    }
    open!.count += delta;
  }
  if (open) await closeBlock(tx, space, open);
}

/**
 * Cut a set's index entries (all written, staged or not) into blocks of half the maximum. Only
 * a set just past BLOCKS_FROM or one written whole (its members already in memory) gets here,
 * so the entries are read in one go.
 */
export async function buildBlocks(tx: WriteTx, space: BlockSpace): Promise<void> {
  const size = BLOCK_MAX / 2;
  const entries = await tx.list({ prefix: space.index }, { keysOnly: true });
  for (let i = 0; i < entries.length; i += size) {
    tx.set<BlockMeta>(blockAt(space, entries[i].key), {
      meta: { c: Math.min(size, entries.length - i) },
    });
  }
}

/**
 * Count the entries of [low, key) and (key, high) a page at a time from both ends until one
 * side runs out; returns how many lie before `key` (the member at `key` exists, `total` entries
 * lie in [low, high)).
 */
async function countBefore(
  r: Access,
  low: Key,
  key: Key,
  high: Key,
  total: number,
  weight: (meta: BlockMeta | undefined) => number,
  firstPage: number,
): Promise<number> {
  const beyond = [...key, EMPTY];
  let before = 0;
  let after = 0;
  for (let page = firstPage;; page = Math.min(page * PAGE_GROWTH, MAX_PAGE)) {
    const [front, back] = await Promise.all([
      r.list<BlockMeta>({ start: low, end: key }, { keysOnly: true, limit: page }),
      r.list<BlockMeta>({ start: beyond, end: high }, {
        keysOnly: true,
        limit: page,
        reverse: true,
      }),
    ]);
    for (const e of front) before += weight(e.meta);
    if (front.length < page) return before;
    for (const e of back) after += weight(e.meta);
    if (back.length < page) return total - after;
    low = [...front[front.length - 1].key, EMPTY];
    high = back[back.length - 1].key;
  }
}

/**
 * The 0-based rank of index key `key` in a set of `n` members with blocks: the counts of the
 * blocks before its block plus its place inside that block, each counted from the nearer end.
 */
export async function blockRank(
  r: Access,
  space: BlockSpace,
  key: Key,
  n: number,
): Promise<number> {
  const block = (await blockOf(r, space, key))!;
  const count = block.meta?.c ?? 0;
  const [next] = await r.list<BlockMeta>(
    { start: [...block.key, EMPTY], end: [...space.blocks, space.past] },
    { keysOnly: true, limit: 1 },
  );
  const end = next ? indexAt(space, next.key) : [...space.index, space.past];
  // Inside the block: `count` members, one of them at `key`.
  const inBlock = await countBefore(r, indexAt(space, block.key), key, end, count - 1, () => 1, 8);
  // Blocks before this one, weighed by their counts (n - count members lie outside it).
  const before = await countBefore(
    r,
    [...space.blocks, EMPTY],
    block.key,
    [...space.blocks, space.past],
    n - count,
    (meta) => meta?.c ?? 0,
    FIRST_PAGE,
  );
  return before + inBlock;
}

/**
 * Sorted-set storage: a meta entry (type, generation, member count) plus, under the generation,
 * member -> score entries and (order-preserving score bytes, member) index entries, so score and
 * rank ranges, pops and lex ranges are range reads of only the entries they return.
 * @module
 */
import type { Entry, Key, Selector, WriteTx } from "../../../src/store/mod.ts";
import { freshWrites } from "../../../src/store/mod.ts";
import {
  type Access,
  type CollectionHandle,
  dropKey,
  type KeyEntry,
  putKey,
  saveCollection,
} from "./db.ts";
import { fieldPrefix, isLongKey, type KeyMeta, nameParts, newGeneration } from "./layout.ts";
import { compareBytes } from "../scan.ts";
import {
  buildTree,
  compareSuffix,
  countMoves,
  migrateBlocks,
  treeRank,
  treeSeek,
  type TreeShape,
  type TreeSpace,
} from "./zset_tree.ts";

/** When a sorted set becomes a skiplist (CONFIG SET may change them: ../encoding_limits.ts). */
export interface ZsetLimits {
  /** zset-max-listpack-entries. */
  entries: number;
  /** zset-max-listpack-value. */
  value: number;
}

/** Redis's default thresholds. */
export const DEFAULT_ZSET_LIMITS: ZsetLimits = { entries: 128, value: 64 };
/** Sub-layout part of member -> score entries. */
const MEMBERS = 0;
/** Sub-layout part of (score bytes, member) index entries. */
export const INDEX = 1;
/** Sub-layout part of the rank tree's leaves (./zset_tree.ts; older sets' rank blocks). */
const LEAVES = 2;
/** Sub-layout part of the rank tree's levels above the leaves. */
const INNER = 3;
/** A set this big gets a rank tree (below it, counting from the nearer end is as cheap). */
const TREE_FROM = 256;
/**
 * A set without a tree gets one when a write finds it past TREE_FROM and it had fewer members
 * than this before the unit (the build reads them all); a bigger one (from before rank blocks)
 * keeps counting ranks from the nearer end rather than be read whole.
 */
const BUILD_UNDER = 4096;
/** A rank this far from where a read stands is found through the tree, not by skipping. */
const SEEK_FROM = 128;
/** A count past this many entries is the difference of two ranks in the tree. */
const COUNT_PROBE = 32;
/** Index entries read by the first page from each end when counting a rank. */
const FIRST_COUNT_PAGE = 8;
/** Each further page is this many times larger (few round trips for a rank mid-set). */
const COUNT_PAGE_GROWTH = 4;
/** Largest page read when counting a rank. */
const MAX_COUNT_PAGE = 8192;
const EMPTY = new Uint8Array(0);
const NEGATIVE_ZERO = -0;
const POSITIVE_ZERO = 0;
const ZERO_BYTE = new Uint8Array([0]);
/** A key part after every 8-byte score. */
const PAST_SCORES = new Uint8Array(9).fill(0xff);

/** One member with its score. */
export interface ZMember {
  member: Uint8Array;
  score: number;
}

/** Member and index entries' meta: the score (member entries) and a long member's full bytes. */
interface MemberMeta {
  s?: number;
  M?: Uint8Array;
}

/** A score interval, as zslParseRange reads one. */
export interface ScoreRange {
  min: number;
  max: number;
  minex: boolean;
  maxex: boolean;
}

/** A lex interval: null bounds are `-` (min) and `+` (max). */
export interface LexRange {
  min: Uint8Array | null | "+";
  max: Uint8Array | null | "-";
  minex: boolean;
  maxex: boolean;
}

/** Where scores are converted to and from bytes: no buffer or view allocated per score. */
const SCORE = new Uint8Array(8);
const SCORE_VIEW = new DataView(SCORE.buffer);

/** Eight bytes whose byte order is the numeric order of doubles (-0 right before 0). */
export function scoreBytes(score: number): Uint8Array {
  SCORE_VIEW.setFloat64(0, score);
  const out = new Uint8Array(8);
  if (SCORE[0] & 0x80) { for (let i = 0; i < 8; i++) out[i] = ~SCORE[i]; }
  else {
    out.set(SCORE);
    out[0] |= 0x80;
  }
  return out;
}

/**
 * The double {@link scoreBytes} encoded at `at` of `bytes` (read once per member of every range
 * reply).
 */
export function scoreFromBytes(bytes: Uint8Array, at = 0): number {
  if (bytes[at] & 0x80) {
    for (let i = 0; i < 8; i++) SCORE[i] = bytes[at + i];
    SCORE[0] &= 0x7f;
  } else for (let i = 0; i < 8; i++) SCORE[i] = ~bytes[at + i];
  return SCORE_VIEW.getFloat64(0);
}

/** The next 8-byte string up (the encoding of the next double up). */
function nextBytes(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  for (let i = 7; i >= 0; i--) {
    if (out[i] !== 0xff) {
      out[i]++;
      return out;
    }
    out[i] = 0;
  }
  return out;
}

/** A member's score entry. */
export function memberKey(gen: string, member: Uint8Array): Key {
  return ["f", gen, MEMBERS, ...nameParts(member)];
}

function indexKey(gen: string, score: number, member: Uint8Array): Key {
  return ["f", gen, INDEX, scoreBytes(score), ...nameParts(member)];
}

function indexPrefix(gen: string): Key {
  return [...fieldPrefix(gen), INDEX];
}

function treeSpace(gen: string): TreeSpace {
  return {
    index: indexPrefix(gen),
    leaves: [...fieldPrefix(gen), LEAVES],
    inner: [...fieldPrefix(gen), INNER],
    past: PAST_SCORES,
  };
}

/** The rank tree a set keeps, or null (`ob` alone: an older set's leaves, no levels above). */
function treeShape(meta: KeyMeta): TreeShape | null {
  if (!meta.ob) return null;
  return meta.rt ? { height: meta.rt, top: meta.rc } : { height: 1 };
}

function setShape(h: ZsetHandle, shape: TreeShape): void {
  if (h.meta.ob && h.meta.rt === shape.height && h.meta.rc === shape.top) return;
  h.meta.ob = true;
  h.meta.rt = shape.height;
  h.meta.rc = shape.top;
  h.dirty = true;
}

function membersPrefix(gen: string): Key {
  return [...fieldPrefix(gen), MEMBERS];
}

/** A member and score from an index entry. */
function fromIndex(entry: Entry<MemberMeta>): ZMember {
  return {
    member: entry.meta?.M ?? entry.key[4] as Uint8Array,
    score: scoreFromBytes(entry.key[3] as Uint8Array),
  };
}

/** A member and score from a member entry. */
function fromMember(entry: Entry<MemberMeta>): ZMember {
  return { member: entry.meta?.M ?? entry.key[3] as Uint8Array, score: entry.meta!.s! };
}

/**
 * A sorted set being changed inside one write unit, with the thresholds in force and, when it
 * keeps a rank tree, the index keys counted in (+1) or out (-1) since it was opened.
 */
export type ZsetHandle = CollectionHandle & {
  limits?: ZsetLimits;
  moves?: { key: Key; delta: 1 | -1 }[];
};

function recordMove(h: ZsetHandle, key: Key, delta: 1 | -1): void {
  if (h.meta.ob) (h.moves ??= []).push({ key, delta });
}

/**
 * Open a sorted set for writing; a missing one is created on first write (call `saveZset`).
 * `sizeHint` is how many members the command brings: Redis creates (or converts to) a
 * skiplist at once when that exceeds the listpack limit.
 */
export function openZset(
  slot: number,
  key: Uint8Array,
  entry: KeyEntry | null,
  sizeHint = 0,
  limits: ZsetLimits = DEFAULT_ZSET_LIMITS,
): ZsetHandle {
  const meta: KeyMeta = entry?.meta ? { ...entry.meta } : { t: "zset", g: newGeneration(), n: 0 };
  const h = { slot, key, entry, meta, dirty: entry === null, limits };
  if (sizeHint > limits.entries) markSkiplist(h);
  return h;
}

function markSkiplist(h: ZsetHandle): void {
  if (h.meta.big) return;
  h.meta.big = true;
  h.dirty = true;
}

/** OBJECT ENCODING of a sorted set (writes mark it `big` when it crosses a threshold). */
export function zsetEncoding(meta: KeyMeta): string {
  return meta.big ? "skiplist" : "listpack";
}

/** A member's score, or null. */
export async function getScore(
  r: Access,
  meta: KeyMeta,
  member: Uint8Array,
): Promise<number | null> {
  const entry = await r.get<MemberMeta>(memberKey(meta.g!, member));
  return entry?.meta?.s ?? null;
}

/** Set a member's score (`old` is its current score, null when new). */
export function putMember(
  tx: WriteTx,
  h: ZsetHandle,
  member: Uint8Array,
  score: number,
  old: number | null,
): void {
  const g = h.meta.g!;
  const M = isLongKey(member) ? member.slice() : undefined;
  const limits = h.limits ?? DEFAULT_ZSET_LIMITS;
  if (member.length > limits.value) markSkiplist(h);
  if (old === null && (h.meta.n ?? 0) + 1 > limits.entries) markSkiplist(h);
  // A listpack keeps "-0" as the integer 0; only a skiplist keeps the sign.
  if (!h.meta.big && score === 0) score = 0;
  if (old !== null) {
    const stale = indexKey(g, old, member);
    tx.delete(stale);
    recordMove(h, stale, -1);
  }
  // A set made by this unit has a generation of its own: nothing is stored under it yet.
  const fresh = h.entry === null;
  const scored = { meta: M ? { s: score, M } : { s: score } };
  if (fresh) tx.setFresh<MemberMeta>(memberKey(g, member), scored);
  else tx.set<MemberMeta>(memberKey(g, member), scored);
  // The index entry needs meta only for a long member: an empty one would be stored as {}.
  const index = indexKey(g, score, member);
  const indexed = M ? { meta: { M } } : {};
  if (fresh) tx.setFresh<MemberMeta>(index, indexed);
  else tx.set<MemberMeta>(index, indexed);
  recordMove(h, index, 1);
  if (old !== null) return;
  h.meta.n = (h.meta.n ?? 0) + 1;
  h.dirty = true;
}

/** Remove a member whose score is known. */
export function removeMember(tx: WriteTx, h: ZsetHandle, member: Uint8Array, score: number): void {
  tx.delete(memberKey(h.meta.g!, member));
  tx.delete(indexKey(h.meta.g!, score, member));
  recordMove(h, indexKey(h.meta.g!, score, member), -1);
  h.meta.n = Math.max(0, (h.meta.n ?? 1) - 1);
  h.dirty = true;
}

/**
 * Write the meta back, or drop the set when its last member went; the rank tree takes the
 * unit's moves (an older set's rank blocks get their upper levels first), or is built once the
 * set grows big.
 */
export async function saveZset(tx: WriteTx, h: ZsetHandle): Promise<void> {
  const n = h.meta.n ?? 0;
  if (n > 0 && h.meta.ob && (h.moves?.length ?? 0) > 0) {
    const space = treeSpace(h.meta.g!);
    const shape = h.meta.rt ? treeShape(h.meta)! : await migrateBlocks(tx, space);
    setShape(h, await countMoves(tx, space, shape, h.moves!));
  } else if (n >= TREE_FROM && !h.meta.ob && (h.entry?.meta?.n ?? 0) < BUILD_UNDER) {
    setShape(h, await buildTree(tx, treeSpace(h.meta.g!)));
  }
  h.moves = [];
  if (h.dirty) saveCollection(tx, h, n <= 0);
}

/** Write a whole new sorted set at (slot, key), replacing whatever `old` held; drops it if empty. */
export async function storeZset(
  tx: WriteTx,
  slot: number,
  key: Uint8Array,
  old: KeyEntry | null,
  members: readonly ZMember[],
  limits: ZsetLimits = DEFAULT_ZSET_LIMITS,
  expiresAt: number | null = null,
): Promise<void> {
  if (members.length === 0) {
    if (old) dropKey(tx, slot, key, old);
    return;
  }
  // Redis builds the result as a skiplist and converts it to a listpack when it fits.
  const fits = members.length <= limits.entries &&
    members.every((m) => m.member.length <= limits.value);
  const meta: KeyMeta = { t: "zset", g: newGeneration(), n: 0, ...(fits ? {} : { big: true }) };
  // The unlimited handle: the result's encoding is decided above, once.
  const h: ZsetHandle = {
    slot,
    key,
    entry: null,
    meta,
    dirty: true,
    limits: { entries: Infinity, value: Infinity },
  };
  // Everything but the key's own entry lies under the new generation.
  const fresh = freshWrites(tx);
  for (const { member, score } of members) putMember(fresh, h, member, score, null);
  if (members.length >= TREE_FROM) setShape(h, await buildTree(fresh, treeSpace(meta.g!)));
  putKey(tx, { slot, key, record: { meta: h.meta, expiresAt }, old, fresh: true });
}

/** True when a score range holds no value at all. */
export function emptyScoreRange(range: ScoreRange): boolean {
  return range.min > range.max || (range.min === range.max && (range.minex || range.maxex));
}

/** Paging through a range: skip `offset` entries, then return up to `limit` (-1 = all). */
export interface Window {
  reverse?: boolean;
  offset?: number;
  limit?: number;
}

/** Entries read per page while skipping an offset, so memory stays flat for any offset. */
const SKIP_PAGE = 4096;

/** A key span inside a prefix; a missing bound is the prefix's edge. */
interface Span {
  prefix: Key;
  start?: Key;
  end?: Key;
}

function selectorOf({ prefix, start, end }: Span): Selector {
  if (start && end) return { start, end };
  if (start) return { prefix, start };
  if (end) return { prefix, end };
  return { prefix };
}

/**
 * Up to `limit` (-1 = all) entries of a span, keys only, after skipping `offset` of them from
 * the chosen end; the skipped entries are read a page at a time and dropped.
 */
async function listWindow(
  r: Access,
  span: Span,
  { reverse = false, offset = 0, limit = -1 }: Window,
): Promise<Entry<MemberMeta>[]> {
  const at = { ...span };
  while (offset > 0) {
    const want = Math.min(offset, SKIP_PAGE);
    const page = await r.list(selectorOf(at), { reverse, keysOnly: true, limit: want });
    if (page.length < want) return [];
    const last = page[page.length - 1].key;
    if (reverse) at.end = last;
    else at.start = [...last, EMPTY];
    offset -= want;
  }
  return await r.list<MemberMeta>(selectorOf(at), {
    reverse,
    keysOnly: true,
    limit: limit < 0 ? undefined : limit,
  });
}

/** Members with scores in `range`, in score order (or reversed). */
export async function scoreRange(
  r: Access,
  meta: KeyMeta,
  range: ScoreRange,
  { reverse = false, offset = 0, limit = -1 }: Window = {},
): Promise<ZMember[]> {
  if (emptyScoreRange(range) || offset < 0 || limit === 0) return [];
  const span = scoreSpan(meta, range);
  const shape = treeShape(meta);
  if (shape && offset >= SEEK_FROM) {
    return (await seekWindow(r, meta, shape, span, { reverse, offset, limit })).map(fromIndex);
  }
  return (await listWindow(r, span, { reverse, offset, limit })).map(fromIndex);
}

/**
 * A window of an index span past a large offset: the rank of the span's edge plus the offset
 * is found through the rank tree, and only the window itself is listed.
 */
async function seekWindow(
  r: Access,
  meta: KeyMeta,
  shape: TreeShape,
  span: Required<Span>,
  { reverse = false, offset = 0, limit = -1 }: Window,
): Promise<Entry<MemberMeta>[]> {
  const n = meta.n ?? 0;
  const space = treeSpace(meta.g!);
  const low = span.start.slice(span.prefix.length);
  const high = span.end.slice(span.prefix.length);
  const edge = await treeRank(r, space, shape, n, reverse ? high : low);
  const rank = reverse ? edge - 1 - offset : edge + offset;
  if (rank < 0 || rank >= n) return [];
  const found = await treeSeek<MemberMeta>(r, space, shape, n, rank);
  if (!found) return await listWindow(r, span, { reverse, offset, limit });
  const at = found.key.slice(span.prefix.length);
  // Past the span's far edge: the window is empty.
  if (reverse ? compareSuffix(at, low) < 0 : compareSuffix(at, high) >= 0) return [];
  if (limit === 1) return [found];
  const rest = await r.list<MemberMeta>(
    reverse
      ? { start: span.start, end: found.key }
      : { start: [...found.key, EMPTY], end: span.end },
    { reverse, keysOnly: true, limit: limit < 0 ? undefined : limit - 1 },
  );
  return [found, ...rest];
}

/** How many members have scores in `range` (counted a page at a time). */
export function countScoreRange(r: Access, meta: KeyMeta, range: ScoreRange): Promise<number> {
  return emptyScoreRange(range) ? Promise.resolve(0) : countSpan(r, scoreSpan(meta, range), meta);
}

/** The index entries of a score range. */
function scoreSpan(meta: KeyMeta, range: ScoreRange): Required<Span> {
  const prefix = indexPrefix(meta.g!);
  // -0 and 0 are one value to a range: both or neither are inside it.
  const low = range.min === 0 ? (range.minex ? POSITIVE_ZERO : NEGATIVE_ZERO) : range.min;
  const high = range.max === 0 ? (range.maxex ? NEGATIVE_ZERO : POSITIVE_ZERO) : range.max;
  return {
    prefix,
    start: [...prefix, range.minex ? nextBytes(scoreBytes(low)) : scoreBytes(low)],
    end: [...prefix, range.maxex ? scoreBytes(high) : nextBytes(scoreBytes(high))],
  };
}

/**
 * Entries in a span, counted keys-only a page at a time; past the first page, an index span of
 * a set with a rank tree is the difference of its edges' ranks.
 */
async function countSpan(r: Access, span: Span, meta?: KeyMeta): Promise<number> {
  const at = { ...span };
  const shape = meta ? treeShape(meta) : null;
  let count = 0;
  for (let page = shape ? COUNT_PROBE : SKIP_PAGE;; page = SKIP_PAGE) {
    const list = await r.list(selectorOf(at), { keysOnly: true, limit: page });
    count += list.length;
    if (list.length < page) return count;
    if (shape && span.start && span.end) {
      const space = treeSpace(meta!.g!);
      const n = meta!.n ?? 0;
      const [low, high] = await Promise.all(
        [span.start, span.end].map((edge) =>
          treeRank(r, space, shape, n, edge.slice(span.prefix.length))
        ),
      );
      return high - low;
    }
    at.start = [...list[list.length - 1].key, EMPTY];
  }
}

/** True when a lex range holds no value at all. */
export function emptyLexRange(range: LexRange): boolean {
  if (range.min === "+" || range.max === "-") return true;
  if (range.min === null || range.max === null) return false;
  const c = compareBytes(range.min, range.max);
  return c > 0 || (c === 0 && (range.minex || range.maxex));
}

/** Members in a lex range, in member order (Redis's order when all scores are equal). */
export async function lexRange(
  r: Access,
  meta: KeyMeta,
  range: LexRange,
  { reverse = false, offset = 0, limit = -1 }: Window = {},
): Promise<ZMember[]> {
  if (emptyLexRange(range) || offset < 0 || limit === 0) return [];
  return (await listWindow(r, lexSpan(meta, range), { reverse, offset, limit })).map(fromMember);
}

/**
 * How many members are in a lex range: counted a page at a time, or past the first page, when
 * the set has a rank tree and one score, as two ranks.
 */
export async function countLexRange(
  r: Access,
  meta: KeyMeta,
  range: LexRange,
): Promise<number> {
  if (emptyLexRange(range)) return 0;
  const span = lexSpan(meta, range);
  const shape = treeShape(meta);
  if (!shape) return await countSpan(r, span);
  const page = await r.list(selectorOf(span), { keysOnly: true, limit: COUNT_PROBE });
  if (page.length < COUNT_PROBE) return page.length;
  // All scores equal (the case lex ranges are for): member order is the index's, so the count
  // is the difference of two ranks in the tree.
  const prefix = indexPrefix(meta.g!);
  const [low, high] = await Promise.all([
    r.list({ prefix }, { keysOnly: true, limit: 1 }),
    r.list({ prefix }, { keysOnly: true, limit: 1, reverse: true }),
  ]);
  const score = low[0].key[prefix.length] as Uint8Array;
  if (compareBytes(score, high[0].key[prefix.length] as Uint8Array) !== 0) {
    return await countSpan(r, span);
  }
  const edge = (bound: Key | undefined, past: boolean): Key =>
    bound ? [score, ...bound.slice(span.prefix.length)] : [past ? nextBytes(score) : score];
  const space = treeSpace(meta.g!);
  const n = meta.n ?? 0;
  const [before, upTo] = await Promise.all([
    treeRank(r, space, shape, n, edge(span.start, false)),
    treeRank(r, space, shape, n, edge(span.end, true)),
  ]);
  return upTo - before;
}

/** The member entries of a lex range. */
function lexSpan(meta: KeyMeta, range: LexRange): Span {
  const prefix = membersPrefix(meta.g!);
  const min = range.min as Uint8Array | null;
  const max = range.max as Uint8Array | null;
  // After an exclusive bound: the member extended by a zero byte sorts right after it.
  const span: Span = { prefix };
  if (min !== null) span.start = [...prefix, range.minex ? after(min) : min];
  if (max !== null) span.end = [...prefix, range.maxex ? max : after(max)];
  return span;
}

function after(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length + 1);
  out.set(bytes);
  out.set(ZERO_BYTE, bytes.length);
  return out;
}

/** Members of ranks start..stop (already clamped: 0 <= start <= stop < n), in order. */
export async function rankRange(
  r: Access,
  meta: KeyMeta,
  start: number,
  stop: number,
  reverse = false,
): Promise<ZMember[]> {
  const n = meta.n ?? 0;
  const count = stop - start + 1;
  const prefix = indexPrefix(meta.g!);
  const shape = treeShape(meta);
  if (shape && Math.min(start, n - 1 - stop) >= SEEK_FROM) {
    // The lowest rank in score order is found through the tree; the window is read forward.
    const lowest = reverse ? n - 1 - stop : start;
    const first = await treeSeek<MemberMeta>(r, treeSpace(meta.g!), shape, n, lowest);
    if (first) {
      const rest = count === 1 ? [] : await r.list<MemberMeta>(
        { start: [...first.key, EMPTY], end: [...prefix, PAST_SCORES] },
        { keysOnly: true, limit: count - 1 },
      );
      const members = [first, ...rest].map(fromIndex);
      return reverse ? members.reverse() : members;
    }
  }
  // Read from whichever end is nearer: ranks near the top cost as little as ranks near 0.
  const span = { prefix };
  if (start <= n - 1 - stop) {
    return (await listWindow(r, span, { reverse, offset: start, limit: count })).map(fromIndex);
  }
  const window = { reverse: !reverse, offset: n - 1 - stop, limit: count };
  return (await listWindow(r, span, window)).map(fromIndex).reverse();
}

/**
 * The members at `ranks` (ascending, repeats allowed), read in one forward pass that skips
 * between them a page at a time, or through the rank tree over long gaps: memory stays flat
 * however large the set.
 */
export async function membersAtRanks(
  r: Access,
  meta: KeyMeta,
  ranks: readonly number[],
): Promise<ZMember[]> {
  const prefix = indexPrefix(meta.g!);
  const shape = treeShape(meta);
  const out: ZMember[] = [];
  let at: Span = { prefix };
  let next = 0;
  let last: ZMember | null = null;
  for (const rank of ranks) {
    if (last && rank === next - 1) {
      out.push(last);
      continue;
    }
    const sought = shape && rank - next >= SEEK_FROM
      ? await treeSeek<MemberMeta>(r, treeSpace(meta.g!), shape, meta.n ?? 0, rank)
      : null;
    const [entry] = sought ? [sought] : await listWindow(r, at, { offset: rank - next, limit: 1 });
    if (!entry) break;
    last = fromIndex(entry);
    out.push(last);
    at = { prefix, start: [...entry.key, EMPTY] };
    next = rank + 1;
  }
  return out;
}

/**
 * The 0-based rank of a member with `score`: entries are counted from both ends a page at a
 * time, and the nearer end answers, so a member near either end costs a few reads.
 */
export async function rankOf(
  r: Access,
  meta: KeyMeta,
  member: Uint8Array,
  score: number,
): Promise<number> {
  const n = meta.n ?? 0;
  const prefix = indexPrefix(meta.g!);
  const key = indexKey(meta.g!, score, member);
  const shape = treeShape(meta);
  if (shape) {
    return await treeRank(r, treeSpace(meta.g!), shape, n, key.slice(prefix.length), true);
  }
  const beyond = [...key, EMPTY];
  let low: Key = [...prefix, EMPTY];
  let high: Key = [...prefix, PAST_SCORES];
  let before = 0;
  let behind = 0;
  for (let page = FIRST_COUNT_PAGE;; page = Math.min(page * COUNT_PAGE_GROWTH, MAX_COUNT_PAGE)) {
    const [front, back] = await Promise.all([
      r.list({ start: low, end: key }, { keysOnly: true, limit: page }),
      r.list({ start: beyond, end: high }, { keysOnly: true, limit: page, reverse: true }),
    ]);
    before += front.length;
    if (front.length < page) return before;
    behind += back.length;
    if (back.length < page) return n - 1 - behind;
    low = [...front[front.length - 1].key, EMPTY];
    high = back[back.length - 1].key;
  }
}

/** Every member, in score order (for replies that are the whole set). */
export async function allMembers(r: Access, meta: KeyMeta): Promise<ZMember[]> {
  const entries = await r.list<MemberMeta>({ prefix: indexPrefix(meta.g!) }, { keysOnly: true });
  return entries.map(fromIndex);
}

/** Every member as its index key orders it: [score bytes, member bytes] (a set to hold). */
export async function indexItems(r: Access, meta: KeyMeta): Promise<[Uint8Array, Uint8Array][]> {
  const entries = await r.list<MemberMeta>({ prefix: indexPrefix(meta.g!) }, { keysOnly: true });
  return entries.map((e) => [e.key[3] as Uint8Array, e.meta?.M ?? e.key[4] as Uint8Array]);
}

/** Up to `count` members from the low (min) or high (max) end. */
export async function endMembers(
  r: Access,
  meta: KeyMeta,
  count: number,
  where: "min" | "max",
): Promise<ZMember[]> {
  const entries = await r.list<MemberMeta>({ prefix: indexPrefix(meta.g!) }, {
    keysOnly: true,
    reverse: where === "max",
    limit: count,
  });
  return entries.map(fromIndex);
}

/** Remove and return up to `count` members from one end (ZPOPMIN/ZPOPMAX/ZMPOP/BZ*POP*). */
export async function popMembers(
  tx: WriteTx,
  slot: number,
  key: Uint8Array,
  entry: KeyEntry,
  count: number,
  where: "min" | "max",
): Promise<ZMember[]> {
  const h = openZset(slot, key, entry);
  const popped = await endMembers(tx, h.meta, count, where);
  for (const { member, score } of popped) removeMember(tx, h, member, score);
  await saveZset(tx, h);
  return popped;
}

/**
 * Small sorted sets held whole in memory while this process is the store's only writer, each as
 * one packed buffer (no object per member), so their score and rank ranges answer without a
 * Deno KV range read. Commits keep them exact before a write is acknowledged: a commit hook
 * applies a held set's index changes to it, and holds a set a commit wrote whole (its key's
 * member count equals the index entries the commit wrote); a read that overlapped a commit under
 * the set is not kept.
 * @module
 */
import type { Change, Store } from "../../../src/store/mod.ts";
import type { KeyMeta } from "./layout.ts";
import { INDEX, scoreFromBytes, type ScoreRange, type ZMember } from "./zset.ts";
import { compareBytes } from "../scan.ts";

/** Sets with at most this many members are held (Redis's listpack limit by default). */
export const HELD_MAX_MEMBERS = 128;
/**
 * Kept sets are copied into shared blocks of this size: one ArrayBuffer (and native allocation)
 * per block rather than per set, which cost ~400 bytes per one-member set. A block counts in
 * full against the budget while any set in it is held.
 */
export const BLOCK_BYTES = 64 * 1024;
/** A packed set larger than this is not kept (it would crowd out many small ones). */
const HELD_MAX_BYTES = BLOCK_BYTES / 4;
/** What one kept set costs beyond its bytes (Map slot, its view of a block, its order slot). */
export const SET_OVERHEAD_BYTES = 160;
/** Score bytes (the index key's, order-preserving) and member length (uint32) per member. */
const HEAD_BYTES = 12;

/** One member as its index entry orders it: score bytes, then member bytes. */
export type HeldItem = readonly [score: Uint8Array, member: Uint8Array];

/** Offsets of the entries one window selects (reused: a held set has few members). */
let picked = new Int32Array(HELD_MAX_MEMBERS);

/** Members in index order, packed: per member its score bytes, length (uint32) and bytes. */
function pack(items: readonly HeldItem[]): Uint8Array {
  let size = 0;
  for (const [, member] of items) size += HEAD_BYTES + member.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (const [score, member] of items) {
    out.set(score, at);
    const n = member.length;
    out[at + 8] = n >>> 24;
    out[at + 9] = (n >>> 16) & 0xff;
    out[at + 10] = (n >>> 8) & 0xff;
    out[at + 11] = n & 0xff;
    out.set(member, at + HEAD_BYTES);
    at += HEAD_BYTES + n;
  }
  return out;
}

function lengthAt(packed: Uint8Array, at: number): number {
  return ((packed[at + 8] << 24) | (packed[at + 9] << 16) | (packed[at + 10] << 8) |
    packed[at + 11]) >>> 0;
}

function unpack(packed: Uint8Array): HeldItem[] {
  const items: HeldItem[] = [];
  for (let at = 0; at < packed.length;) {
    const end = at + HEAD_BYTES + lengthAt(packed, at);
    items.push([packed.subarray(at, at + 8), packed.subarray(at + HEAD_BYTES, end)]);
    at = end;
  }
  return items;
}

function compareItems(a: HeldItem, b: HeldItem): number {
  return compareBytes(a[0], b[0]) || compareBytes(a[1], b[1]);
}

/** Which members a range reply takes from a held set (the storage range's own arguments). */
export interface HeldWindow {
  /** Members by score (absent: every member, by rank). */
  score?: ScoreRange;
  reverse: boolean;
  /** Score ranges: entries skipped, then taken (-1 = all). */
  offset: number;
  limit: number;
  /** Rank ranges: ranks start..stop, negative ones counted from the end (as ZRANGE takes them). */
  start: number;
  stop: number;
}

/** The members `window` selects from a packed set, in reply order. */
export function heldRange(packed: Uint8Array, window: HeldWindow): ZMember[] {
  // Offsets of every candidate, in score order.
  let n = 0;
  const range = window.score;
  for (let at = 0; at < packed.length; at += HEAD_BYTES + lengthAt(packed, at)) {
    if (range) {
      const score = scoreFromBytes(packed, at);
      if (range.minex ? score <= range.min : score < range.min) continue;
      if (range.maxex ? score >= range.max : score > range.max) break;
    }
    if (n === picked.length) {
      const grown = new Int32Array(n * 2);
      grown.set(picked);
      picked = grown;
    }
    picked[n++] = at;
  }
  let first: number;
  let last: number;
  if (range) {
    if (window.offset < 0 || window.limit === 0) return [];
    first = window.offset;
    last = window.limit < 0 ? n - 1 : Math.min(n - 1, window.offset + window.limit - 1);
  } else {
    // Redis's rank sanitizing: negative ranks count from the end.
    first = window.start < 0 ? Math.max(0, n + window.start) : window.start;
    last = Math.min(window.stop < 0 ? n + window.stop : window.stop, n - 1);
  }
  const out: ZMember[] = [];
  for (let i = first; i <= last; i++) {
    const at = picked[window.reverse ? n - 1 - i : i];
    const start = at + HEAD_BYTES;
    out.push({
      member: packed.subarray(start, start + lengthAt(packed, at)),
      score: scoreFromBytes(packed, at),
    });
  }
  return out;
}

/** One commit's index writes under one generation. */
interface IndexWrites {
  put: HeldItem[];
  gone: HeldItem[];
  /** False when a write names a member only by its digest (a long member's delete). */
  known: boolean;
}

/** The held sets of one store, by generation. */
export class HeldZsets {
  #budget: number;
  #sets = new Map<string, Uint8Array>();
  /** The block kept sets are copied into, and how much of it is used. */
  #block = new Uint8Array(BLOCK_BYTES);
  #used = 0;
  /** Held sets per block (by its buffer): a block no set is held in is garbage. */
  #live = new Map<ArrayBufferLike, number>();
  /**
   * Generations in the order they were kept, `#order[#head]` the oldest; one dropped or kept
   * again since may still be listed (eviction skips what is gone).
   */
  #order: string[] = [];
  #head = 0;
  /** Generations being read whole, with how many reads; a commit under one marks it stale. */
  #reading = new Map<string, number>();
  #stale = new Set<string>();

  constructor(store: Store, budgetBytes: number) {
    this.#budget = budgetBytes;
    store.onCommit((changes) => this.#changed(changes));
  }

  /** The packed members of the set with generation `gen`, when held. */
  get(gen: string): Uint8Array | undefined {
    // No reordering on a hit (ARCHITECTURE: a hit must not reorganise the cache): oldest out.
    return this.#sets.get(gen);
  }

  /**
   * Read the whole set with generation `gen` through `read` (its members in index order) and
   * pack it; kept unless a commit changed anything under the generation while it was read.
   */
  async load(gen: string, read: () => Promise<HeldItem[]>): Promise<Uint8Array> {
    this.#reading.set(gen, (this.#reading.get(gen) ?? 0) + 1);
    let items: HeldItem[];
    let stale: boolean;
    try {
      items = await read();
    } finally {
      stale = this.#stale.has(gen);
      const left = this.#reading.get(gen)! - 1;
      if (left > 0) this.#reading.set(gen, left);
      else {
        this.#reading.delete(gen);
        this.#stale.delete(gen);
      }
    }
    const packed = pack(items);
    if (!stale) this.#keep(gen, packed, items.length);
    return packed;
  }

  /** Memory held: every block a set is held in, and each set's own overhead. */
  get #bytes(): number {
    return this.#live.size * BLOCK_BYTES + this.#sets.size * SET_OVERHEAD_BYTES;
  }

  #keep(gen: string, packed: Uint8Array, members: number): void {
    this.#drop(gen);
    if (members === 0 || members > HELD_MAX_MEMBERS || packed.length > HELD_MAX_BYTES) return;
    if (this.#used + packed.length > BLOCK_BYTES) {
      this.#block = new Uint8Array(BLOCK_BYTES);
      this.#used = 0;
    }
    const kept = this.#block.subarray(this.#used, this.#used + packed.length);
    kept.set(packed);
    this.#used += packed.length;
    this.#live.set(this.#block.buffer, (this.#live.get(this.#block.buffer) ?? 0) + 1);
    // Rebuilt from the Map (which keeps insertion order) once stale ids outnumber live ones.
    if (this.#order.length > 2 * this.#sets.size + 1024) {
      this.#order = [...this.#sets.keys()];
      this.#head = 0;
    }
    this.#sets.set(gen, kept);
    this.#order.push(gen);
    // Oldest out (this one last): older sets fill older blocks, so those are freed first.
    while (this.#bytes > this.#budget && this.#head < this.#order.length) {
      this.#drop(this.#order[this.#head++]);
    }
  }

  #drop(gen: string): void {
    const packed = this.#sets.get(gen);
    if (packed === undefined) return;
    this.#sets.delete(gen);
    const left = this.#live.get(packed.buffer)! - 1;
    if (left > 0) this.#live.set(packed.buffer, left);
    else this.#live.delete(packed.buffer);
  }

  /** Keys here are the Redis view's: ["f", generation, part, …] and ["k", slot, name…]. */
  #changed(changes: Change[]): void {
    let writes: Map<string, IndexWrites> | undefined;
    for (const change of changes) {
      const key = change.key;
      if (key[0] !== "f") continue;
      const gen = key[1] as string;
      if (this.#reading.size > 0 && this.#reading.has(gen)) this.#stale.add(gen);
      // A member's score entry and rank-tree blocks change only with its index entry.
      if (key[2] !== INDEX || !(key[3] instanceof Uint8Array) || key[3].length !== 8) continue;
      writes ??= new Map();
      let w = writes.get(gen);
      if (!w) writes.set(gen, w = { put: [], gone: [], known: true });
      const entry = change.entry;
      // A long member's key holds its head and digest; its bytes are in the entry's meta.
      const member = key.length === 5
        ? key[4] as Uint8Array
        : (entry?.meta as { M?: Uint8Array } | undefined)?.M;
      if (!member) w.known = false;
      else (entry ? w.put : w.gone).push([key[3], member]);
    }
    if (!writes) return;
    let unheld = false;
    for (const [gen, w] of writes) {
      const packed = this.#sets.get(gen);
      if (packed === undefined) unheld = true;
      else if (!w.known) this.#drop(gen);
      else {
        const items = unpack(packed).filter((item) =>
          !w.gone.some((g) => compareItems(g, item) === 0) &&
          !w.put.some((p) => compareItems(p, item) === 0)
        );
        items.push(...w.put);
        items.sort(compareItems);
        this.#keep(gen, pack(items), items.length);
      }
    }
    if (!unheld) return;
    // A set this commit wrote whole: as many index entries written as its key counts members.
    for (const change of changes) {
      if (change.key[0] !== "k") continue;
      const meta = change.entry?.meta as KeyMeta | undefined;
      if (meta?.t !== "zset" || this.#sets.has(meta.g!)) continue;
      const w = writes.get(meta.g!);
      if (!w || !w.known || w.put.length !== meta.n) continue;
      w.put.sort(compareItems);
      this.#keep(meta.g!, pack(w.put), w.put.length);
    }
  }
}

const byStore = new WeakMap<Store, HeldZsets>();

/**
 * Hold the small sorted sets of `store` within `budgetBytes` (a fixed overhead beside the read
 * cache), from now on; not on a store other processes may write too (their commits run no hook
 * here), nor with no budget.
 */
export function holdZsets(store: Store, budgetBytes: number): void {
  if (store.info.exclusive && budgetBytes > 0 && !byStore.has(store)) {
    byStore.set(store, new HeldZsets(store, budgetBytes));
  }
}

/** The held sets of `store`, or null when it holds none. */
export function heldZsets(store: Store): HeldZsets | null {
  return byStore.get(store) ?? null;
}

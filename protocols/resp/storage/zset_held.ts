/**
 * Small sorted sets held whole in memory while this process is the store's only writer, each as
 * one packed buffer (no object per member), so their score and rank ranges answer without a
 * Deno KV range read. A commit hook drops a set when anything under its generation changes,
 * before that write is acknowledged; a read that overlapped such a commit is not kept.
 * @module
 */
import type { Change, Store } from "../../../src/store/mod.ts";
import type { ScoreRange, ZMember } from "./zset.ts";

/** Sets with at most this many members are held (Redis's listpack limit by default). */
export const HELD_MAX_MEMBERS = 128;
/** A packed set larger than this is not kept (it would crowd out many small ones). */
const HELD_MAX_BYTES = 16 * 1024;
/** Packed bytes kept per store: a fixed overhead beside the read cache, the oldest out first. */
const BUDGET_BYTES = 16 * 1024 * 1024;
/** What one kept set costs beyond its bytes (Map slot, typed array, id in the order list). */
const SET_OVERHEAD_BYTES = 96;
/** Score (float64) and member length (uint32) before each member's bytes. */
const HEAD_BYTES = 12;

const SCORE = new Uint8Array(8);
const SCORE_VIEW = new DataView(SCORE.buffer);
/** Offsets of the entries one window selects (reused: a held set has few members). */
let picked = new Int32Array(HELD_MAX_MEMBERS);

/**
 * One set's members in score order, packed: per member its score (float64), its length
 * (uint32) and its bytes.
 */
export function packMembers(members: readonly ZMember[]): Uint8Array {
  let size = 0;
  for (const m of members) size += HEAD_BYTES + m.member.length;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let at = 0;
  for (const { member, score } of members) {
    view.setFloat64(at, score);
    view.setUint32(at + 8, member.length);
    out.set(member, at + HEAD_BYTES);
    at += HEAD_BYTES + member.length;
  }
  return out;
}

function scoreAt(packed: Uint8Array, at: number): number {
  for (let i = 0; i < 8; i++) SCORE[i] = packed[at + i];
  return SCORE_VIEW.getFloat64(0);
}

function lengthAt(packed: Uint8Array, at: number): number {
  return ((packed[at + 8] << 24) | (packed[at + 9] << 16) | (packed[at + 10] << 8) |
    packed[at + 11]) >>> 0;
}

function memberAt(packed: Uint8Array, at: number): ZMember {
  const start = at + HEAD_BYTES;
  return {
    member: packed.subarray(start, start + lengthAt(packed, at)),
    score: scoreAt(packed, at),
  };
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
      const score = scoreAt(packed, at);
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
    out.push(memberAt(packed, picked[window.reverse ? n - 1 - i : i]));
  }
  return out;
}

/** The held sets of one store, by generation. */
export class HeldZsets {
  #sets = new Map<string, Uint8Array>();
  #bytes = 0;
  /**
   * Generations in the order they were kept, `#order[#head]` the oldest; one dropped or kept
   * again since may still be listed (eviction skips what is gone).
   */
  #order: string[] = [];
  #head = 0;
  /** Generations being read whole, with how many reads; a commit under one marks it stale. */
  #reading = new Map<string, number>();
  #stale = new Set<string>();

  constructor(store: Store) {
    // Every entry of a collection lies under ["f", generation]: only those commits matter.
    store.scope(["f"]).onCommit((changes) => this.#changed(changes));
  }

  /** The packed members of the set with generation `gen`, when held. */
  get(gen: string): Uint8Array | undefined {
    // No reordering on a hit (ARCHITECTURE: a hit must not reorganise the cache): oldest out.
    return this.#sets.get(gen);
  }

  /**
   * Read the whole set with generation `gen` through `read` and pack it; kept unless a commit
   * changed anything under the generation while it was read (the read may be stale).
   */
  async load(gen: string, read: () => Promise<readonly ZMember[]>): Promise<Uint8Array> {
    this.#reading.set(gen, (this.#reading.get(gen) ?? 0) + 1);
    let members: readonly ZMember[];
    let stale: boolean;
    try {
      members = await read();
    } finally {
      stale = this.#stale.has(gen);
      const left = this.#reading.get(gen)! - 1;
      if (left > 0) this.#reading.set(gen, left);
      else {
        this.#reading.delete(gen);
        this.#stale.delete(gen);
      }
    }
    const packed = packMembers(members);
    if (!stale && packed.length <= HELD_MAX_BYTES) this.#keep(gen, packed);
    return packed;
  }

  #keep(gen: string, packed: Uint8Array): void {
    this.#drop(gen);
    const cost = packed.length + SET_OVERHEAD_BYTES;
    while (this.#bytes + cost > BUDGET_BYTES && this.#head < this.#order.length) {
      this.#drop(this.#order[this.#head++]);
    }
    // Rebuilt from the Map (which keeps insertion order) once stale ids outnumber live ones.
    if (this.#order.length > 2 * this.#sets.size + 1024) {
      this.#order = [...this.#sets.keys()];
      this.#head = 0;
    }
    this.#sets.set(gen, packed);
    this.#order.push(gen);
    this.#bytes += cost;
  }

  #drop(gen: string): void {
    const packed = this.#sets.get(gen);
    if (packed === undefined) return;
    this.#sets.delete(gen);
    this.#bytes -= packed.length + SET_OVERHEAD_BYTES;
  }

  #changed(changes: Change[]): void {
    if (this.#sets.size === 0 && this.#reading.size === 0) return;
    for (const { key } of changes) {
      const gen = key[0];
      if (typeof gen !== "string") continue;
      this.#drop(gen);
      if (this.#reading.has(gen)) this.#stale.add(gen);
    }
  }
}

const byStore = new WeakMap<Store, HeldZsets | null>();

/**
 * The held sets of `store`, made on first use; null when another process may write the store
 * too (a shared or remote store: its commits run no hook here).
 */
export function heldZsets(store: Store): HeldZsets | null {
  let held = byStore.get(store);
  if (held === undefined) {
    held = store.info.exclusive ? new HeldZsets(store) : null;
    byStore.set(store, held);
  }
  return held;
}

/**
 * Which client-read misses may fill the read cache. A cache with room takes every miss, and so
 * does one whose keys clients read (protected, see cache.ts) are below their share: the fill
 * then evicts only keys no client read. A full one takes only a key missed twice within a while
 * (a "doorkeeper", as in TinyLFU): filling on every miss of a keyspace larger than the cache
 * evicts a key for every read, and each fill's objects outlive the young generation, so V8's old
 * space fills with evicted entries; one-off reads now die young. Unless the misses recur: when a
 * large share of them are second misses, the keys missed form a working set about the cache's
 * size, which a fill on the first miss brings in within one pass instead of two or more.
 * Bounded: a fixed table.
 * @module
 */
import { hashId } from "./keys.ts";
import { PROTECTED_SHARE } from "./cache.ts";

/** Slots per MiB of cache budget: about as many misses remembered as the cache holds keys. */
const SLOTS_PER_MIB = 1024;
const MIN_SLOTS = 1024;
const MAX_SLOTS = 1 << 20;
/** Misses per measurement of how many of them recur. */
const WINDOW = 4096;
/**
 * Second misses per WINDOW above which every miss fills (1/8): a uniform keyspace of n missing
 * keys recurs within a table of s slots about e^(-n/s) of the time, so this opens for up to
 * about twice as many missing keys as the table remembers (a 64 MiB cache: ≈ 136k), and stays
 * shut for a keyspace many times the cache (5M keys: ≈ 0).
 */
const OPEN_AT = WINDOW / 8;
/** Below this (1/16) a window shuts it again: apart from OPEN_AT, so it does not flap. */
const SHUT_AT = WINDOW / 16;

/** How full the cache is, for admitting every miss while it has room. */
export interface CacheFill {
  readonly bytes: number;
  /** Bytes of the keys clients read (absent: all of them). */
  readonly protectedBytes?: number;
}

/**
 * Remembers the hashes of recently missed keys in a direct-mapped table: a newer miss that maps
 * to the same slot replaces an older one, so the memory is the window.
 */
export class SecondTouch {
  readonly #slots: Int32Array;
  readonly #mask: number;
  readonly #cache: CacheFill | null;
  /** Below this many bytes held the cache has room for every miss. */
  readonly #roomBelow: number;
  /** ...and below this many protected bytes, its protected part has. */
  readonly #protectedRoomBelow: number;
  /** Misses and second misses in the current window. */
  #seen = 0;
  #again = 0;
  /** The last window's misses recurred enough that every miss fills. */
  #open = false;

  /** Sized for a cache of `budgetBytes`; `cache` (optional) tells whether it has room. */
  constructor(budgetBytes: number, cache: CacheFill | null = null) {
    const wanted = Math.min(
      MAX_SLOTS,
      Math.max(MIN_SLOTS, (budgetBytes / 2 ** 20) * SLOTS_PER_MIB),
    );
    const slots = 2 ** Math.ceil(Math.log2(wanted));
    this.#slots = new Int32Array(slots);
    this.#mask = slots - 1;
    this.#cache = cache;
    // A margin below the budget: a cache at its budget evicts for every fill.
    this.#roomBelow = budgetBytes - budgetBytes / 32;
    this.#protectedRoomBelow = budgetBytes * PROTECTED_SHARE - budgetBytes / 32;
  }

  /** Whether every miss fills now, as the last windows of misses decided. */
  get open(): boolean {
    return this.#open;
  }

  /**
   * True when the key with this id may fill the cache: it missed recently, the cache has room,
   * or misses recur enough (see OPEN_AT). A miss not admitted is remembered.
   */
  admit(id: string): boolean {
    // Never 0: 0 marks an empty slot.
    const h = hashId(id) + 1;
    const at = h & this.#mask;
    const again = this.#slots[at] === h;
    this.#slots[at] = again ? 0 : h;
    if (again) this.#again++;
    if (++this.#seen === WINDOW) {
      this.#open = this.#open ? this.#again >= SHUT_AT : this.#again >= OPEN_AT;
      this.#seen = this.#again = 0;
    }
    if (again || this.#open) return true;
    const cache = this.#cache;
    if (cache === null) return false;
    return cache.bytes < this.#roomBelow ||
      (cache.protectedBytes ?? cache.bytes) < this.#protectedRoomBelow;
  }
}

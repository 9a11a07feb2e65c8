/**
 * Which client-read misses may fill the read cache: only a key missed twice within a while (a
 * "doorkeeper", as in TinyLFU). Filling on every miss of a keyspace larger than the cache
 * evicts a key for every read, and each fill's objects outlive the young generation, so V8's
 * old space fills with evicted entries; one-off reads now die young. Bounded: a fixed table.
 * @module
 */

/** Slots per MiB of cache budget: about as many misses remembered as the cache holds keys. */
const SLOTS_PER_MIB = 1024;
const MIN_SLOTS = 1024;
const MAX_SLOTS = 1 << 20;

/** 32-bit FNV-1a of a key id's UTF-16 code units; never 0 (0 marks an empty slot). */
function hashId(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return h === 0 ? 1 : h;
}

/**
 * Remembers the hashes of recently missed keys in a direct-mapped table: a newer miss that maps
 * to the same slot replaces an older one, so the memory is the window.
 */
export class SecondTouch {
  readonly #slots: Int32Array;
  readonly #mask: number;

  /** Sized for a cache of `budgetBytes`. */
  constructor(budgetBytes: number) {
    const wanted = Math.min(
      MAX_SLOTS,
      Math.max(MIN_SLOTS, (budgetBytes / 2 ** 20) * SLOTS_PER_MIB),
    );
    const slots = 2 ** Math.ceil(Math.log2(wanted));
    this.#slots = new Int32Array(slots);
    this.#mask = slots - 1;
  }

  /**
   * True when the key with this id missed recently (its read may fill the cache); otherwise it
   * is remembered, and false.
   */
  admit(id: string): boolean {
    const h = hashId(id) | 0;
    const at = h & this.#mask;
    if (this.#slots[at] === h) {
      this.#slots[at] = 0;
      return true;
    }
    this.#slots[at] = h;
    return false;
  }
}

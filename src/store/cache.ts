/**
 * The sole-writer read cache: raw envelopes (and resolved payloads) of recently used keys,
 * least recently used out first, within a byte budget. Commits write through it; a read only
 * fills it when no commit landed while the read was in flight, so it never holds stale data.
 * @module
 */
import type { Envelope } from "./envelope.ts";

/** What the cache remembers of a key: its envelope (null = absent) and version. */
export interface CachedRaw {
  env: Envelope | null;
  /** The resolved payload, or null when chunked and not kept (too large). */
  data: Uint8Array | null;
  versionstamp: string | null;
}

/** Payloads larger than this are not kept in the cache (their envelope still is). */
const MAX_CACHED_DATA = 1024 * 1024;
const ENTRY_OVERHEAD = 160;

function sizeOf(id: string, raw: CachedRaw): number {
  return ENTRY_OVERHEAD + id.length + (raw.data?.length ?? raw.env?.d?.length ?? 0);
}

/** LRU map of raw entries with a byte budget. */
export class ReadCache {
  #map = new Map<string, CachedRaw & { size: number }>();
  #bytes = 0;
  #budget: number;
  #commits = 0;
  hits = 0;
  misses = 0;

  constructor(budgetBytes: number) {
    this.#budget = budgetBytes;
  }

  /** Bytes currently held. */
  get bytes(): number {
    return this.#bytes;
  }

  /** A token a reader takes before going to the store; see {@link fill}. */
  get epoch(): number {
    return this.#commits;
  }

  get(id: string): CachedRaw | undefined {
    const hit = this.#map.get(id);
    if (hit === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.#map.delete(id);
    this.#map.set(id, hit);
    return hit;
  }

  /** Remember what a read found, unless a commit landed since `epoch` (the read may be stale). */
  fill(id: string, raw: CachedRaw, epoch: number): void {
    if (epoch !== this.#commits || this.#map.has(id)) return;
    this.#put(id, raw);
  }

  /** Record the state a commit made durable. */
  commit(entries: Iterable<[string, CachedRaw]>): void {
    this.#commits++;
    for (const [id, raw] of entries) this.#put(id, raw);
  }

  /** Forget every key whose id starts with `idPrefix`. */
  invalidatePrefix(idPrefix: string): void {
    this.#commits++;
    for (const [id, raw] of this.#map) {
      if (id.startsWith(idPrefix)) {
        this.#map.delete(id);
        this.#bytes -= raw.size;
      }
    }
  }

  #put(id: string, raw: CachedRaw): void {
    const old = this.#map.get(id);
    if (old) {
      this.#map.delete(id);
      this.#bytes -= old.size;
    }
    const kept = raw.data && raw.data.length > MAX_CACHED_DATA && raw.env?.c
      ? { ...raw, data: null }
      : raw;
    const size = sizeOf(id, kept);
    if (size > this.#budget) return;
    this.#map.set(id, { ...kept, size });
    this.#bytes += size;
    while (this.#bytes > this.#budget) {
      const [oldest, value] = this.#map.entries().next().value!;
      this.#map.delete(oldest);
      this.#bytes -= value.size;
    }
  }
}

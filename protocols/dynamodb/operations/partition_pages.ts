/**
 * Whole-partition Query replies kept as their bytes while this process is the store's only
 * writer: a 10-item Query otherwise pays a Deno KV range read, ~100 us of main-thread CPU (each
 * entry's key parts and envelope cross into V8 one by one). A commit hook drops a partition's
 * replies when any item in it changes, before that write is acknowledged.
 * @module
 */
import type { Change, Store } from "../../../src/store/mod.ts";
import { ITEM_PREFIX } from "../storage/keys.ts";

/**
 * Reply bytes kept per store unless the service sets them from `--cache-mb`
 * ({@link keepPartitionPages}), the oldest dropped first. A reply larger than
 * {@link MAX_REPLY_BYTES} is not kept (it would crowd out many small ones).
 */
const DEFAULT_BUDGET_BYTES = 16 * 1024 * 1024;
const MAX_REPLY_BYTES = 64 * 1024;
/**
 * The share of `--cache-mb` kept replies may take beside the read cache: at the default 64 MiB,
 * 32 MiB, room for 10k partitions of ten 150-byte items (1.8 KB a reply) with a margin.
 */
const CACHE_SHARE = 0.5;

/** The id of one partition's reply read in one direction. */
function pageId(tableId: string, partition: Uint8Array, forward: boolean): string {
  // A partition part is at most 129 bytes (longer keys are stored as a digest).
  // apply, not a spread: no iterator protocol per byte.
  const bytes = String.fromCharCode.apply(null, partition as unknown as number[]);
  return `${forward ? "f" : "r"}${tableId}:${bytes}`;
}

/** A kept reply: its bytes and their `x-amz-crc32` value (a hit sends both as they are). */
export interface KeptReply {
  bytes: Uint8Array<ArrayBuffer>;
  checksum: string;
}

/** The cached replies of one store. */
export class PartitionPages {
  #pages = new Map<string, KeptReply>();
  #bytes = 0;
  /**
   * Ids in the order they were kept, `#order[#head]` the oldest; an id dropped or kept again
   * since may still be listed (eviction skips what is gone). Iterating the Map instead would
   * step over every slot a delete left, which V8 reclaims only on a rehash.
   */
  #order: string[] = [];
  #head = 0;
  /** Bumped by every commit that changes an item: a read that overlapped one is not kept. */
  #generation = 0;

  #budget: number;

  constructor(store: Store, budgetBytes: number) {
    this.#budget = budgetBytes;
    store.onCommit((changes) => this.#changed(changes));
  }

  /** Read before a partition is read; hand it back to {@link PartitionPages.put}. */
  get generation(): number {
    return this.#generation;
  }

  get(
    tableId: string,
    partition: Uint8Array,
    forward: boolean,
  ): KeptReply | undefined {
    // No reordering on a hit (ARCHITECTURE: a hit must not reorganise the cache): oldest out.
    return this.#pages.get(pageId(tableId, partition, forward));
  }

  /** Keep `reply` unless an item changed since `generation` was read (the read may be stale). */
  put(
    tableId: string,
    partition: Uint8Array,
    forward: boolean,
    reply: KeptReply,
    generation: number,
  ): void {
    const size = reply.bytes.length;
    if (generation !== this.#generation || size > MAX_REPLY_BYTES) return;
    const id = pageId(tableId, partition, forward);
    this.#drop(id);
    while (this.#bytes + size > this.#budget && this.#head < this.#order.length) {
      this.#drop(this.#order[this.#head++]);
    }
    // Rebuilt from the Map (which keeps insertion order) once stale ids outnumber live ones.
    if (this.#order.length > 2 * this.#pages.size + 1024) {
      this.#order = [...this.#pages.keys()];
      this.#head = 0;
    }
    this.#pages.set(id, reply);
    this.#order.push(id);
    this.#bytes += size;
  }

  #drop(id: string): void {
    const kept = this.#pages.get(id);
    if (kept === undefined) return;
    this.#pages.delete(id);
    this.#bytes -= kept.bytes.length;
  }

  #changed(changes: Change[]): void {
    let items = false;
    for (const { key } of changes) {
      if (key[0] !== ITEM_PREFIX) continue;
      items = true;
      if (this.#pages.size === 0) continue;
      const [, tableId, partition] = key;
      if (typeof tableId !== "string" || !(partition instanceof Uint8Array)) continue;
      this.#drop(pageId(tableId, partition, true));
      this.#drop(pageId(tableId, partition, false));
    }
    if (items) this.#generation++;
  }
}

const byStore = new WeakMap<Store, PartitionPages | null>();

/**
 * The replies cache of `store`, made on first use; null when another process may write the
 * store too (a shared or remote store: its commits run no hook here).
 */
export function partitionPages(store: Store): PartitionPages | null {
  let pages = byStore.get(store);
  if (pages === undefined) {
    pages = store.info.exclusive ? new PartitionPages(store, DEFAULT_BUDGET_BYTES) : null;
    byStore.set(store, pages);
  }
  return pages;
}

/**
 * Size the replies cache of `store` from the read cache's budget, `cacheMb` MiB (`--cache-mb`):
 * none when that is 0 (no caching asked for). Called once as the service starts.
 */
export function keepPartitionPages(store: Store, cacheMb: number): void {
  if (byStore.has(store)) return;
  const budget = Math.floor(cacheMb * 1024 * 1024 * CACHE_SHARE);
  byStore.set(store, store.info.exclusive && budget > 0 ? new PartitionPages(store, budget) : null);
}

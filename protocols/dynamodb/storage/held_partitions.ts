/**
 * Small partitions of sort-keyed tables held whole in memory while this process is the store's
 * only writer, so a whole-partition Query is answered without a Deno KV range read (~100 us of
 * main-thread CPU and ~30 us of SQLite thread for ten items). A commit hook applies every item
 * write to the partitions held before the write is acknowledged, so a held partition is exact.
 * A table this process created is known whole from its first item: a partition it does not
 * hold is empty, until one of its partitions is dropped for room.
 * @module
 */
import type { Change, Entry, Store } from "../../../src/store/mod.ts";
import { checksumOf, ITEMS_HEAD, itemsReply } from "../codec.ts";
import { ITEM_PREFIX } from "./keys.ts";
import { latin1Text } from "../../../src/bytes.ts";

/**
 * Bytes held per store unless the service sets them from `--cache-mb`
 * ({@link keepHeldPartitions}), the oldest partition dropped first.
 */
const DEFAULT_BUDGET_BYTES = 16 * 1024 * 1024;
/**
 * A partition whose items' JSON passes this is not held (it would crowd out many small ones);
 * far below the 1 MB a Query page may reach, so a held partition's reply is always one page.
 */
const MAX_PARTITION_BYTES = 64 * 1024;
/**
 * The share of `--cache-mb` held partitions may take beside the read cache: at the default
 * 96 MiB, 48 MiB, room for 10k partitions of ten 150-byte items with a wide margin.
 */
const CACHE_SHARE = 0.5;
/** What a held item costs beyond its JSON (sort key string, array slots), and a partition. */
const ITEM_OVERHEAD = 64;
const PARTITION_OVERHEAD = 160;
/** What an item written and not packed yet costs beyond its JSON (its own array). */
const UNPACKED_OVERHEAD = 256;
/** Writes to a partition after which it is packed even if no read came. */
const PACK_AFTER = 8;

/** A reply ready to send: its bytes and their `x-amz-crc32` value (a hit sends both as is). */
export interface KeptReply {
  bytes: Uint8Array<ArrayBuffer>;
  checksum: string;
}

/** The reply a whole-partition Query of `items` sends, in a buffer of its own (it is held). */
function heldReply(items: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  return itemsReply(items, undefined, true);
}

function kept(bytes: Uint8Array<ArrayBuffer>): KeptReply {
  return { bytes, checksum: checksumOf(bytes) };
}

const EMPTY = kept(heldReply([]));

/**
 * One partition's items in sort-key order, packed as the forward reply's bytes with each item's
 * end in them: one array per partition, not one per item (an item's own array costs ~200 bytes
 * of V8 and malloc beyond its JSON), and what a read sends as is. A write is noted by sort key
 * beside the packed bytes and packed in by the next read or after {@link PACK_AFTER} writes:
 * packing on every write cost ~40 us of malloc per write, and listing the items ~10 us.
 */
class HeldPartition {
  /**
   * Sort key bytes as {@link latin1Text} strings, ascending (`<` on two is unsigned byte order,
   * as the store's): the items the partition holds now.
   */
  keys: string[] = [];
  /** The keys of the packed items, ascending. */
  #packedKeys: string[] = [];
  #bytes: Uint8Array<ArrayBuffer> = EMPTY.bytes;
  /** Where each packed item ends in `#bytes` (it starts after the previous end's comma). */
  #ends: number[] = [];
  /** Items written since the last pack, by sort key (null: deleted); null when none. */
  #written: Map<string, Uint8Array | null> | null = null;
  #writes = 0;
  #writtenBytes = 0;
  /** The forward reply with its checksum, made by the first read after a pack. */
  #reply: KeptReply | null = EMPTY;

  constructor(readonly id: string, readonly tableId: string) {}

  /** What this partition counts against the budget. */
  get cost(): number {
    return PARTITION_OVERHEAD + this.keys.length * ITEM_OVERHEAD + this.#bytes.length +
      this.#writtenBytes + this.#writes * UNPACKED_OVERHEAD;
  }

  /** At least the items' JSON bytes (what a partition may hold at most is counted in them). */
  get size(): number {
    return this.#bytes.length - EMPTY.bytes.length + this.#writtenBytes;
  }

  /** The packed item `i` as a view. */
  #packed(i: number): Uint8Array {
    const start = i === 0 ? ITEMS_HEAD.length : this.#ends[i - 1] + 1;
    return this.#bytes.subarray(start, this.#ends[i]);
  }

  /** The items in sort-key order (a new array): the written ones, else views of packed ones. */
  items(): Uint8Array[] {
    const written = this.#written;
    const packedKeys = this.#packedKeys;
    const out: Uint8Array[] = [];
    let j = 0;
    for (const key of this.keys) {
      const data = written?.get(key);
      if (data) {
        out.push(data);
        continue;
      }
      // Not written since the pack: it is a packed item (both lists ascend).
      while (packedKeys[j] < key) j++;
      out.push(this.#packed(j));
    }
    return out;
  }

  /** Pack `items` (in the order of `keys`) as this partition's bytes. */
  pack(items: readonly Uint8Array[]): void {
    let end = ITEMS_HEAD.length - 1;
    this.#ends = items.map((item) => end += 1 + item.length);
    this.#bytes = heldReply(items);
    this.#packedKeys = this.keys.slice();
    this.#written = null;
    this.#writes = 0;
    this.#writtenBytes = 0;
    this.#reply = null;
  }

  forward(): KeptReply {
    if (this.#written) this.pack(this.items());
    return this.#reply ??= kept(this.#bytes);
  }

  reverse(): KeptReply {
    return kept(itemsReply(this.items().reverse()));
  }

  /** Set (or, `data` null, delete) the item under sort key `key`. */
  apply(key: string, data: Uint8Array | null): void {
    const keys = this.keys;
    let lo = 0;
    let hi = keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (keys[mid] < key) lo = mid + 1;
      else hi = mid;
    }
    const found = lo < keys.length && keys[lo] === key;
    if (data === null) {
      if (!found) return;
      keys.splice(lo, 1);
    } else {
      if (!found) keys.splice(lo, 0, key);
      this.#writtenBytes += data.length;
    }
    (this.#written ??= new Map()).set(key, data);
    this.#reply = null;
    if (++this.#writes >= PACK_AFTER) this.pack(this.items());
  }
}

/** The held partitions of one store. */
export class HeldPartitions {
  #held = new Map<string, HeldPartition>();
  /** Tables whose every item write this process saw from the table's start (none dropped). */
  #whole = new Set<string>();
  #cost = 0;
  readonly #budget: number;
  /**
   * Ids in the order they were held, `#order[#head]` the oldest; an id dropped or held again
   * since may still be listed (eviction skips what is gone or newer).
   */
  #order: HeldPartition[] = [];
  #head = 0;
  /** Bumped by every commit that changes an item: a read that overlapped one is not held. */
  #generation = 0;

  constructor(store: Store, budgetBytes: number) {
    this.#budget = budgetBytes;
    store.onCommit((changes) => this.#changed(changes), { prefixes: [[ITEM_PREFIX]] });
  }

  /** Read before a partition is read; hand it back to {@link HeldPartitions.hold}. */
  get generation(): number {
    return this.#generation;
  }

  /**
   * A sort-keyed table whose id was just made, before its record is committed: no item is
   * stored under the id, and every one written from now on passes the commit hook.
   */
  startEmpty(tableId: string): void {
    this.#whole.add(tableId);
  }

  /** A whole-partition Query's reply from memory, or undefined when memory does not know it. */
  reply(tableId: string, partition: Uint8Array, forward: boolean): KeptReply | undefined {
    const held = this.#held.get(partitionId(tableId, partition));
    if (held === undefined) return this.#whole.has(tableId) ? EMPTY : undefined;
    if (!forward) return held.reverse();
    // Packing the writes not packed yet changes what the partition costs.
    const cost = held.cost;
    const reply = held.forward();
    this.#cost += held.cost - cost;
    return reply;
  }

  /**
   * Hold a partition read whole from the store (`entries` in sort-key order) unless an item
   * changed since `generation` was read (the read may be stale) or it is too large to hold.
   */
  hold(
    tableId: string,
    partition: Uint8Array,
    entries: readonly Entry[],
    generation: number,
  ): void {
    if (generation !== this.#generation) return;
    const held = new HeldPartition(partitionId(tableId, partition), tableId);
    let size = 0;
    for (const entry of entries) {
      const sort = entry.key[entry.key.length - 1];
      if (entry.expiresAt !== null || !(sort instanceof Uint8Array)) return;
      held.keys.push(latin1Text(sort));
      size += entry.data.length;
    }
    if (size > MAX_PARTITION_BYTES) return;
    held.pack(entries.map((entry) => entry.data));
    this.#drop(held.id, false);
    this.#add(held);
    this.#trim();
  }

  #add(held: HeldPartition): void {
    this.#held.set(held.id, held);
    this.#order.push(held);
    this.#cost += held.cost;
  }

  /** Drop a held partition; `forRoom`: its table is no longer known whole. */
  #drop(id: string, forRoom: boolean): void {
    const held = this.#held.get(id);
    if (held === undefined) return;
    this.#held.delete(id);
    this.#cost -= held.cost;
    if (forRoom) this.#whole.delete(held.tableId);
  }

  /** Drop the oldest partitions until the held ones fit the budget. */
  #trim(): void {
    while (this.#cost > this.#budget && this.#head < this.#order.length) {
      const held = this.#order[this.#head++];
      if (this.#held.get(held.id) === held) this.#drop(held.id, true);
    }
    if (this.#head > 1024 && this.#head * 2 > this.#order.length) {
      this.#order = this.#order.slice(this.#head).filter((h) => this.#held.get(h.id) === h);
      this.#head = 0;
    }
  }

  #changed(changes: Change[]): void {
    this.#generation++;
    try {
      for (const change of changes) this.#apply(change);
      this.#trim();
    } catch {
      // A change not applied would leave a partition stale: forget everything instead.
      this.#held.clear();
      this.#whole.clear();
      this.#order = [];
      this.#head = 0;
      this.#cost = 0;
    }
  }

  #apply({ key, entry }: Change): void {
    const [, tableId, partition, sort] = key;
    // Hash-only tables (no sort part) are not held: GetItem answers their one-item partitions.
    if (
      key.length !== 4 || typeof tableId !== "string" || !(partition instanceof Uint8Array) ||
      !(sort instanceof Uint8Array)
    ) return;
    const id = partitionId(tableId, partition);
    let held = this.#held.get(id);
    if (held === undefined) {
      if (!this.#whole.has(tableId) || entry === null) return;
      // A whole table's partition it does not hold is empty: this item starts it.
      held = new HeldPartition(id, tableId);
      this.#add(held);
    }
    if (entry !== null && entry.expiresAt !== null) {
      // Items carry no store deadline (TTL deletes them by writes); hold nothing unusual.
      this.#drop(id, true);
      return;
    }
    this.#cost -= held.cost;
    held.apply(latin1Text(sort), entry?.data ?? null);
    if (held.size > MAX_PARTITION_BYTES) {
      this.#cost += held.cost;
      this.#drop(id, true);
    } else if (held.keys.length === 0 && this.#whole.has(tableId)) {
      // Empty is what a whole table's unheld partition already means.
      this.#held.delete(id);
    } else {
      this.#cost += held.cost;
    }
  }
}

/** The id of one table's partition. */
function partitionId(tableId: string, partition: Uint8Array): string {
  // A partition part is at most 129 bytes (longer keys are stored as a digest).
  return tableId + latin1Text(partition);
}

const byStore = new WeakMap<Store, HeldPartitions | null>();

/**
 * The held partitions of `store`, made on first use; null when another process may write the
 * store too (a shared or remote store: its commits run no hook here).
 */
export function heldPartitions(store: Store): HeldPartitions | null {
  let held = byStore.get(store);
  if (held === undefined) {
    held = store.info.exclusive ? new HeldPartitions(store, DEFAULT_BUDGET_BYTES) : null;
    byStore.set(store, held);
  }
  return held;
}

/**
 * Size the held partitions of `store` from the read cache's budget, `cacheMb` MiB
 * (`--cache-mb`): none when that is 0 (no caching asked for). Called once as the service starts.
 */
export function keepHeldPartitions(store: Store, cacheMb: number): void {
  if (byStore.has(store)) return;
  const budget = Math.floor(cacheMb * 1024 * 1024 * CACHE_SHARE);
  byStore.set(store, store.info.exclusive && budget > 0 ? new HeldPartitions(store, budget) : null);
}

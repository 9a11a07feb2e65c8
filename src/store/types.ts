/**
 * The store's public types: what an entry is, what a write transaction may do, and the
 * Store interface every protocol programs against. Nothing here knows about Deno KV.
 * @module
 */

/** A key: a tuple of parts. Protocol keys are relative to the protocol's namespace. */
export type Key = readonly Deno.KvKeyPart[];

/** What a write stores under a key: payload bytes of any size, small metadata and a deadline. */
export interface Record<M = unknown> {
  /** Payload bytes, binary-safe, any size up to {@link MAX_DATA_BYTES}; chunked beyond 60 KiB. */
  data?: Uint8Array;
  /**
   * Small structured metadata (flags, type tags, counters), V8-serializable, well under 60 KiB.
   * Never put a Uint8Array view of a larger buffer here: V8 serializes the whole buffer.
   */
  meta?: M;
  /** Absolute deadline in ms since the epoch; null or absent means no expiry. */
  expiresAt?: number | null;
}

/** A live (unexpired) entry as read from the store. */
export interface Entry<M = unknown> {
  key: Key;
  data: Uint8Array;
  meta: M | undefined;
  expiresAt: number | null;
  /** Commit versionstamp; changes on every write of this key. */
  versionstamp: string;
}

/** Range selector, as Deno KV's: a prefix, optionally bounded; or start/end. End is exclusive. */
export type Selector =
  | { prefix: Key }
  | { prefix: Key; start: Key }
  | { prefix: Key; end: Key }
  | { start: Key; end: Key };

/** Options for range reads. */
export interface ListOptions {
  limit?: number;
  reverse?: boolean;
  /** Resume after this opaque cursor (from a previous {@link ListPage}). */
  cursor?: string;
  /** Skip reading payloads: entries come with empty `data` (for key listings). */
  keysOnly?: boolean;
  /**
   * Write units only: include committed entries past their deadline that the sweeper has not
   * removed yet, so a whole-range delete leaves no expiry for the sweeper to report later.
   */
  expired?: boolean;
}

/** One page of a range read, with the cursor that resumes after its last entry. */
export interface ListPage<M = unknown> {
  entries: Entry<M>[];
  /** Empty when the range is exhausted. */
  cursor: string;
}

/** What one commit changed, reported to commit hooks after the commit is durable. */
export interface Change {
  key: Key;
  /** The new entry, or null when the key was deleted. */
  entry: Entry | null;
  /** Why: an explicit write, or the TTL sweeper removing an expired entry. */
  cause: "write" | "expire";
}

/** Which changes a commit hook is given (every change under its view when omitted). */
export interface ChangeFilter {
  /** Only changes to keys under one of these prefixes (relative to the view). */
  prefixes?: readonly Key[];
  /** Only expiries (entries the TTL sweeper removed). */
  expiries?: boolean;
}

/**
 * A read-modify-write unit run inside the write loop. Reads see every earlier write of the
 * loop, committed or staged; writes are staged and committed with the unit, all or nothing.
 * The function may be re-run (when a batch has to be retried), so it must have no effects
 * outside the transaction.
 */
export interface WriteTx {
  /** The clock reading every expiry decision in this transaction uses. */
  readonly now: number;
  get<M = unknown>(key: Key): Promise<Entry<M> | null>;
  getMany<M = unknown>(keys: readonly Key[]): Promise<(Entry<M> | null)[]>;
  /** Range read merged with the writes staged before it. */
  list<M = unknown>(selector: Selector, options?: ListOptions): Promise<Entry<M>[]>;
  set<M = unknown>(key: Key, record: Record<M>): void;
  /**
   * Write a key no other unit can have seen: one under an id this unit just made (a new
   * generation). The store takes it as absent (no read, no commit check), and on a shared
   * store commits it ahead of the rest of the unit when the whole would not fit one atomic:
   * the unit's last atomic, which publishes the id, is what makes it visible. Deleted again
   * when the unit fails.
   */
  setFresh<M = unknown>(key: Key, record: Record<M>): void;
  delete(key: Key): void;
}

/**
 * A point-in-time copy of whole key ranges (see {@link Store.snapshot}): every live entry under
 * its prefixes, with payload, meta and deadline, keys relative to the view that took it.
 */
export interface Snapshot {
  readonly prefixes: readonly Key[];
  readonly entries: readonly Entry[];
  /** When it was taken (ms since the epoch). */
  readonly takenAt: number;
}

/** Store-wide facts a protocol may need. */
export interface StoreInfo {
  /** "file", "memory" or "remote". */
  kind: "file" | "memory" | "remote";
  /** True while this process is the only writer (file or memory): the read cache is on. */
  exclusive: boolean;
  /** Where the data lives (path, ":memory:" or URL). */
  location: string;
}

/** Options of a write unit. */
export interface WriteOptions {
  /**
   * Keys the unit will read or write (relative to the view), as the protocol's command table
   * knows them. On a store this process owns they are fetched, batched, before the unit runs,
   * so the unit does not hold the write loop on a read. A hint only: other keys still work.
   */
  keys?: readonly Key[];
  /**
   * Commit this unit by itself: every unit queued before it has committed (and its hooks have
   * run) before it runs, and none after it joins its commit. For whole-namespace work.
   */
  isolated?: boolean;
}

/**
 * Figures of one counted group (see {@link Store.countKeys}): every stored entry, including one
 * past its deadline that the TTL sweeper has not removed yet (as Redis's DBSIZE counts it).
 */
export interface Counts {
  /** Entries stored. */
  keys: number;
  /** Entries with a deadline. */
  expiring: number;
  /** Mean deadline of those (ms since the epoch, second precision), or null when none. */
  meanExpiresAt: number | null;
  /** Payload bytes of all entries. */
  dataBytes: number;
  /** Bytes of the key parts after the group (a Uint8Array's length, a string's length). */
  keyBytes: number;
}

/** Counters the write loop keeps, for INFO/stats and benchmarks. */
export interface StoreStats {
  commits: number;
  writes: number;
  cacheHits: number;
  cacheMisses: number;
  cacheBytes: number;
  expired: number;
  /** The sole writer's existence index: off (shared store), building (scan at open), ready. */
  existence: "off" | "building" | "ready";
  /**
   * Restores run by this process so far (a reset is one), counted when the restoring unit runs:
   * background work planned before one checks it inside its own units and stops when it moved.
   */
  restores: number;
  /**
   * Keys read from Deno KV by point reads (cache and existence misses), and the calls that
   * carried them: reads waiting together leave in one getMany.
   */
  storeReads: number;
  storeReadCalls: number;
}

/**
 * The one interface protocols use. A Store is a view on one key prefix (a protocol's
 * namespace): keys in and out are relative to it, so nothing can escape it.
 */
export interface Store {
  readonly info: StoreInfo;
  get<M = unknown>(key: Key): Promise<Entry<M> | null>;
  /**
   * What `get` would answer, when memory alone can tell (the read cache holds the key, or the
   * store knows it is absent); undefined when only a read of Deno KV can. Never awaits, so a
   * hot read costs no promise. A store without a cache (remote, shared) answers undefined
   * unless the key is known absent, which only a sole writer knows. `write`: a write command
   * looks (the read cache then does not count it as a client's read of the key).
   */
  peek<M = unknown>(key: Key, write?: boolean): Entry<M> | null | undefined;
  getMany<M = unknown>(keys: readonly Key[]): Promise<(Entry<M> | null)[]>;
  list<M = unknown>(selector: Selector, options?: ListOptions): AsyncIterable<Entry<M>>;
  listPage<M = unknown>(selector: Selector, options?: ListOptions): Promise<ListPage<M>>;
  /** Run a read-modify-write unit in the write loop; resolves after its commit is durable. */
  write<T>(fn: (tx: WriteTx) => T | Promise<T>, options?: WriteOptions): Promise<T>;
  set<M = unknown>(key: Key, record: Record<M>): Promise<void>;
  delete(key: Key): Promise<void>;
  /**
   * Copy every live entry under `prefixes` in one write unit: no other unit interleaves, so the
   * copy is one point in time across all of them. Held in memory by the caller.
   */
  snapshot(prefixes: readonly Key[]): Promise<Snapshot>;
  /**
   * Make the ranges a snapshot covers hold exactly its entries again (entries written since are
   * deleted), in one write unit that readers see whole. Entries whose deadline passed meanwhile
   * stay gone. Counters, the TTL index, the cache and commit hooks see it as ordinary writes.
   */
  restore(snapshot: Snapshot): Promise<void>;
  /** Delete everything under a prefix through the write loop (in several commits). */
  deletePrefix(prefix: Key): Promise<number>;
  /**
   * Subscribe to durable changes under this view, in commit order; `filter` narrows them to what
   * the hook looks at (a commit makes no change object for the rest). Returns an unsubscribe.
   */
  onCommit(hook: (changes: Change[]) => void, filter?: ChangeFilter): () => void;
  /**
   * Keep counts of the entries under `prefix`, grouped by the next `depth` key parts (Redis:
   * `countKeys(["k"], 1)`, one group per storage slot). Counters change in the same commit as
   * the entries, so they stay exact across crashes. Resolves once the counts are complete: at
   * once on a store that kept them, after a one-time background recount on one that did not.
   */
  countKeys(prefix: Key, depth?: number): Promise<void>;
  /** The figures of one counted group: a registered prefix plus exactly `depth` more parts. */
  count(group: Key): Promise<Counts>;
  /** A view on a sub-prefix. */
  scope(prefix: Key): Store;
  stats(): StoreStats;
}

/** Largest payload one entry may hold (Redis's string limit). */
export const MAX_DATA_BYTES = 512 * 1024 * 1024;

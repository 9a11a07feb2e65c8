/**
 * Memcached items over the store: layout, CAS uniques, exptime rules and flush_all, with every
 * conditional mutation (add/replace/cas/incr/…) decided inside one write-loop unit.
 * @module
 */
import { latin1Text } from "../../../src/bytes.ts";
import type { Entry, Key, Store, WriteTx } from "../../../src/store/mod.ts";
import { AccessLog } from "./access.ts";

/** Relative exptimes above this many seconds (30 days) are absolute unix times. */
export const MAX_RELATIVE_EXPTIME = 60 * 60 * 24 * 30;
/** memcached's item header with CAS (1.6.18: item struct, CAS, key NUL, value CRLF). */
const ITEM_HEADER_BYTES = 59;
/** Client flags take 4 more bytes, only when they are not 0. */
const ITEM_FLAGS_BYTES = 4;

/** What each item keeps besides its value. */
export interface ItemMeta {
  /** Client flags (u32). */
  f: number;
  /** CAS unique. */
  c: number;
  /** Last update, ms epoch (for delayed flush_all). */
  t: number;
  /** Value length (so stats can size items from a key-only listing). */
  n?: number;
  /** Marked stale by meta invalidation. */
  x?: boolean;
  /** A meta "win" token has been handed out for this item. */
  w?: boolean;
}

/** A live item as clients see it. */
export interface Item {
  key: Uint8Array;
  value: Uint8Array;
  flags: number;
  cas: number;
  /** ms epoch, or null for never. */
  expiresAt: number | null;
  stale: boolean;
  won: boolean;
  /** Last store, ms epoch (as read from the store). */
  updatedAt?: number;
}

/** What key listings (metadump, cachedump) show of an item. */
export interface ItemInfo {
  key: Uint8Array;
  expiresAt: number | null;
  cas: number;
  /** Last update, ms epoch (memcached's last access; basekv does not track reads). */
  updatedAt: number;
  length: number;
  /** memcached's item size (header + key + value). */
  size: number;
}

/** How a storage command combines with what is there. */
export type StoreMode = "set" | "add" | "replace" | "append" | "prepend";

/** A storage request (text, meta and binary all come down to this). */
export interface StoreRequest {
  mode: StoreMode;
  key: Uint8Array;
  value: Uint8Array;
  flags: number;
  /** Raw memcached exptime (seconds; see {@link deadline}). */
  exptime: number;
  /** Compare-and-swap unique (0 compares too, as memcached's `cas`); absent = unconditional. */
  cas?: number;
  /** Meta I: a CAS mismatch against an older item still stores, marked stale. */
  invalidate?: boolean;
}

/** Outcome of a conditional mutation. */
export type Status = "ok" | "not_stored" | "exists" | "not_found" | "non_numeric" | "too_large";

/** Result of a store/delete/touch: status and, on success, the item's CAS. */
export interface WriteResult {
  status: Status;
  cas: number;
}

/** An incr/decr request. */
export interface ArithRequest {
  key: Uint8Array;
  incr: boolean;
  delta: bigint;
  /** Vivify on miss with this value and exptime (meta N/J, binary initial). */
  create?: { initial: bigint; exptime: number };
  cas?: number;
  /** New exptime on hit (meta T). */
  exptime?: number;
}

/** Result of incr/decr. */
export interface ArithResult {
  status: Status;
  value: bigint;
  item: Item | null;
}

/** The flush_all state, kept in the store and mirrored in memory. */
interface FlushState {
  /** Items live under this generation; flush_all without delay starts a new one. */
  gen: number;
  /** Delayed flush_all deadline (ms epoch): items updated before it vanish at it; 0 = none. */
  at: number;
}

const FLUSH_KEY: Key = ["flush"];
/** Items one purge unit of a flushed generation deletes. */
const PURGE_BATCH = 300;
const ITEMS = "i";
const U64 = (1n << 64n) - 1n;
const EMPTY = new Uint8Array(0);
const enc = new TextEncoder();
/** strtoull's input: leading spaces, an optional +, digits, then nothing or a space. */
const NUMERIC = /^[ \t\n\v\f\r]*\+?(\d+)(?:[ \t\n\v\f\r][\s\S]*)?$/;
/** Longest stored value incr/decr will try to read as a number. */
const COUNTER_TEXT_MAX = 1024;

/** Turn a memcached exptime (seconds) into a deadline in ms: null = never. */
export function deadline(exptime: number, now: number): number | null {
  if (exptime === 0) return null;
  if (exptime < 0) return now - 1;
  if (exptime <= MAX_RELATIVE_EXPTIME) return now + exptime * 1000;
  return exptime * 1000;
}

/** Parse a stored value as memcached's incr/decr does (u64 decimal, spaces around allowed). */
export function parseCounter(value: Uint8Array): bigint | null {
  if (value.length === 0 || value.length > COUNTER_TEXT_MAX) return null;
  const m = NUMERIC.exec(latin1Text(value));
  if (!m) return null;
  const n = BigInt(m[1]);
  return n > U64 ? null : n;
}

/** memcached's size of an item, as `me` reports it and the -I limit checks it. */
export function itemSize(keyLength: number, valueLength: number, flags: number): number {
  return ITEM_HEADER_BYTES + keyLength + valueLength + (flags === 0 ? 0 : ITEM_FLAGS_BYTES);
}

/** Items of one memcached namespace. */
export class Items {
  #store: Store;
  #flush: FlushState = { gen: 0, at: 0 };
  /** Sole writer: the in-memory flush state is the truth; otherwise it is re-read every time. */
  #exclusive: boolean;
  #nextCas: number;
  /** Largest item (memcached -I) in bytes. */
  readonly itemMax: number;
  /** Fetch history for meta h/l and me. */
  readonly access: AccessLog = new AccessLog();

  constructor(store: Store, itemMax: number) {
    this.#store = store;
    this.#exclusive = store.info.exclusive;
    this.itemMax = itemMax;
    // Unique across restarts of a persistent store without storing a counter: the clock in µs.
    this.#nextCas = Date.now() * 1000;
    // The flush state may change under us by a whole-namespace reset or restore: follow it.
    // Hooked on its own key: the engine then passes this hook no change of an item.
    store.scope(FLUSH_KEY).onCommit((changes) => {
      for (const c of changes) {
        if (c.key.length === 0) {
          this.#flush = (c.entry?.meta as FlushState | undefined) ?? { gen: 0, at: 0 };
        }
      }
    });
  }

  /** Load the flush state (call once before serving). */
  async open(): Promise<void> {
    const e = await this.#store.get<FlushState>(FLUSH_KEY);
    if (e?.meta) this.#flush = e.meta;
    // stats reads curr_items and bytes from one counter group per flush generation.
    this.#store.countKeys([ITEMS], 1).catch(() => {});
  }

  /** True when an item of these sizes fits the item size limit (-I). */
  fits(keyLength: number, valueLength: number, flags: number): boolean {
    return itemSize(keyLength, valueLength, flags) <= this.itemMax;
  }

  #key(key: Uint8Array, gen = this.#flush.gen): Key {
    return [ITEMS, gen, key];
  }

  /**
   * A unit on one item, with its store keys as prefetch hints: the item in the current
   * generation, and the flush state a unit re-reads when other front-ends may flush.
   */
  #write<T>(key: Uint8Array, fn: (tx: WriteTx) => T | Promise<T>): Promise<T> {
    const keys = this.#exclusive ? [this.#key(key)] : [FLUSH_KEY, this.#key(key)];
    return this.#store.write(fn, { keys });
  }

  /** A new CAS unique, above the replaced item's (front-ends sharing a store keep their own). */
  #cas(old?: Item | null): number {
    this.#nextCas = Math.max(this.#nextCas, old?.cas ?? 0) + 1;
    return this.#nextCas;
  }

  #live(e: Entry<ItemMeta> | null, now: number): Item | null {
    if (!e || !e.meta) return null;
    const { at } = this.#flush;
    if (at !== 0 && now >= at && e.meta.t < at) return null;
    const key = e.key[2] as Uint8Array;
    return {
      key,
      value: e.data,
      flags: e.meta.f,
      cas: e.meta.c,
      expiresAt: e.expiresAt,
      stale: e.meta.x === true,
      won: e.meta.w === true,
      updatedAt: e.meta.t,
    };
  }

  /** Record a client fetch of `item`; returns whether it was fetched before and when. */
  fetched(item: Item, now: number): { fetched: boolean; at: number } {
    return this.access.fetch(item.cas, item.updatedAt ?? now, now);
  }

  /** Read items (committed state), in order; misses are null. */
  async getMany(keys: readonly Uint8Array[]): Promise<(Item | null)[]> {
    let entries: (Entry<ItemMeta> | null)[];
    if (this.#exclusive) {
      entries = await this.#store.getMany<ItemMeta>(keys.map((k) => this.#key(k)));
    } else {
      // Another front-end may have flushed: read the flush state with the items, and read
      // again in the new generation when it moved.
      const gen = this.#flush.gen;
      const [flush, ...rest] = await this.#store.getMany<ItemMeta | FlushState>([
        FLUSH_KEY,
        ...keys.map((k) => this.#key(k, gen)),
      ]);
      this.#flush = (flush?.meta as FlushState | undefined) ?? { gen: 0, at: 0 };
      entries = this.#flush.gen === gen
        ? rest as (Entry<ItemMeta> | null)[]
        : await this.#store.getMany<ItemMeta>(keys.map((k) => this.#key(k)));
    }
    const now = Date.now();
    return entries.map((e) => this.#live(e, now));
  }

  /**
   * Items memory alone knows (cached or known absent), in order, without waiting; undefined
   * when any key needs a store read, or when another front-end may have flushed (a shared
   * store: the flush state is re-read with the items).
   */
  peekMany(keys: readonly Uint8Array[]): (Item | null)[] | undefined {
    if (!this.#exclusive) return undefined;
    const now = Date.now();
    const out: (Item | null)[] = [];
    for (const k of keys) {
      const e = this.#store.peek<ItemMeta>(this.#key(k));
      if (e === undefined) return undefined;
      out.push(this.#live(e, now));
    }
    return out;
  }

  /** In a unit: bring the flush state up to date when other front-ends may change it. */
  async #sync(tx: WriteTx): Promise<void> {
    if (this.#exclusive) return;
    this.#flush = (await tx.get<FlushState>(FLUSH_KEY))?.meta ?? { gen: 0, at: 0 };
  }

  async #read(tx: WriteTx, key: Uint8Array): Promise<Item | null> {
    await this.#sync(tx);
    return this.#live(await tx.get<ItemMeta>(this.#key(key)), tx.now);
  }

  #put(tx: WriteTx, item: Omit<Item, "key"> & { key: Uint8Array }): void {
    if (item.expiresAt !== null && item.expiresAt <= tx.now) {
      tx.delete(this.#key(item.key));
      return;
    }
    const meta: ItemMeta = { f: item.flags, c: item.cas, t: tx.now, n: item.value.length };
    if (item.stale) meta.x = true;
    if (item.won) meta.w = true;
    tx.set<ItemMeta>(this.#key(item.key), {
      data: item.value,
      meta,
      expiresAt: item.expiresAt,
    });
  }

  /** A plain set: it needs nothing from the old item, so it writes blind (no read in the loop). */
  #blindSet(tx: WriteTx, req: StoreRequest): WriteResult {
    const newCas = this.#cas();
    const expiresAt = deadline(req.exptime, tx.now);
    const { key, value, flags } = req;
    this.#put(tx, { key, value, flags, cas: newCas, expiresAt, stale: false, won: false });
    return { status: "ok", cas: newCas };
  }

  /** set/add/replace/append/prepend/cas in one unit. */
  store(req: StoreRequest): Promise<WriteResult> {
    const blind = req.mode === "set" && req.cas === undefined;
    // The sole writer's flush state is current: its blind set is a unit with no await.
    if (blind && this.#exclusive) return this.#write(req.key, (tx) => this.#blindSet(tx, req));
    return this.#write(req.key, async (tx) => {
      if (blind) {
        await this.#sync(tx);
        return this.#blindSet(tx, req);
      }
      const cas = req.cas;
      const old = await this.#read(tx, req.key);
      let stale = false;
      if (cas !== undefined) {
        if (!old) return { status: "not_found", cas: 0 } as WriteResult;
        if (old.cas !== cas) {
          if (!(req.invalidate && cas < old.cas)) return { status: "exists", cas: 0 };
          stale = true;
        }
      }
      if (req.mode === "add" && old) return { status: "not_stored", cas: 0 };
      if (req.mode !== "set" && req.mode !== "add" && !old) {
        return { status: "not_stored", cas: 0 };
      }
      let { value, flags } = req;
      let expiresAt = deadline(req.exptime, tx.now);
      if (old && (req.mode === "append" || req.mode === "prepend")) {
        if (!this.fits(req.key.length, old.value.length + value.length, old.flags)) {
          return { status: "too_large", cas: 0 };
        }
        value = req.mode === "append" ? concat(old.value, value) : concat(value, old.value);
        flags = old.flags;
        expiresAt = old.expiresAt;
      }
      const newCas = this.#cas(old);
      // An invalidating store keeps the stale item's win token, as memcached does.
      const won = stale && old !== null && old.won;
      this.#put(tx, { key: req.key, value, flags, cas: newCas, expiresAt, stale, won });
      return { status: "ok", cas: newCas };
    });
  }

  /** Delete; with `cas`, only that version; meta I marks stale instead (with a new exptime). */
  delete(
    key: Uint8Array,
    opts: { cas?: number; invalidate?: boolean; exptime?: number } = {},
  ): Promise<WriteResult> {
    return this.#write(key, async (tx) => {
      const old = await this.#read(tx, key);
      if (!old) return { status: "not_found", cas: 0 } as WriteResult;
      if (opts.cas !== undefined && old.cas !== opts.cas) return { status: "exists", cas: 0 };
      if (opts.invalidate) {
        const expiresAt = opts.exptime === undefined
          ? old.expiresAt
          : deadline(opts.exptime, tx.now);
        this.#put(tx, { ...old, stale: true, won: false, expiresAt });
        return { status: "ok", cas: old.cas };
      }
      tx.delete(this.#key(key));
      return { status: "ok", cas: 0 } as WriteResult;
    });
  }

  /** Change an item's exptime, keeping its CAS; returns the item (gat) or null. */
  touch(key: Uint8Array, exptime: number): Promise<Item | null> {
    return this.#write(key, async (tx) => {
      const old = await this.#read(tx, key);
      if (!old) return null;
      const item = { ...old, expiresAt: deadline(exptime, tx.now) };
      this.#put(tx, item);
      return item;
    });
  }

  /**
   * Meta get's write side: optional new exptime (T), vivify on miss (N), hand out the win token
   * for stale or vivified items. Returns the item as fetched (before the win mark) and whether
   * this fetch won.
   */
  fetchForUpdate(
    key: Uint8Array,
    opts: { exptime?: number; vivify?: number },
  ): Promise<{ item: Item | null; won: boolean; created: boolean }> {
    return this.#write(key, async (tx) => {
      const old = await this.#read(tx, key);
      if (!old) {
        if (opts.vivify === undefined) return { item: null, won: false, created: false };
        const item: Item = {
          key,
          value: EMPTY,
          flags: 0,
          cas: this.#cas(),
          expiresAt: deadline(opts.vivify, tx.now),
          stale: false,
          won: true,
        };
        this.#put(tx, item);
        return { item: { ...item, won: false }, won: true, created: true };
      }
      const expiresAt = opts.exptime === undefined ? old.expiresAt : deadline(opts.exptime, tx.now);
      const won = old.stale && !old.won;
      if (won || expiresAt !== old.expiresAt) {
        this.#put(tx, { ...old, expiresAt, won: old.won || won });
      }
      return { item: { ...old, expiresAt }, won, created: false };
    });
  }

  /** incr/decr: u64, incr wraps at 2^64, decr floors at 0; shorter results are space-padded. */
  arith(req: ArithRequest): Promise<ArithResult> {
    return this.#write(req.key, async (tx) => {
      const old = await this.#read(tx, req.key);
      if (!old) {
        if (!req.create) return { status: "not_found", value: 0n, item: null } as ArithResult;
        const item: Item = {
          key: req.key,
          value: enc.encode(req.create.initial.toString()),
          flags: 0,
          cas: this.#cas(),
          expiresAt: deadline(req.create.exptime, tx.now),
          stale: false,
          won: false,
        };
        this.#put(tx, item);
        return { status: "ok", value: req.create.initial, item };
      }
      if (req.cas && req.cas !== old.cas) return { status: "exists", value: 0n, item: null };
      const current = parseCounter(old.value);
      if (current === null) return { status: "non_numeric", value: 0n, item: null };
      const next = req.incr
        ? (current + req.delta) & U64
        : current > req.delta
        ? current - req.delta
        : 0n;
      let text = next.toString();
      if (text.length < old.value.length) text = text.padEnd(old.value.length, " ");
      const expiresAt = req.exptime === undefined ? old.expiresAt : deadline(req.exptime, tx.now);
      const item: Item = { ...old, value: enc.encode(text), cas: this.#cas(old), expiresAt };
      this.#put(tx, item);
      return { status: "ok", value: next, item };
    });
  }

  /** flush_all: now (new generation, old one purged in the background) or at a delay. */
  async flush(delaySeconds: number): Promise<void> {
    const { prev, next } = await this.#store.write(async (tx) => {
      // From the store, not memory, so a re-run of this unit computes the same state.
      const prev = (await tx.get<FlushState>(FLUSH_KEY))?.meta ?? { gen: 0, at: 0 };
      const next: FlushState = delaySeconds > 0
        ? { gen: prev.gen, at: tx.now + delaySeconds * 1000 }
        : { gen: prev.gen + 1, at: 0 };
      tx.set<FlushState>(FLUSH_KEY, { meta: next });
      // Later units of this batch and reads after it must use the new generation.
      this.#flush = next;
      return { prev, next };
    });
    if (next.gen !== prev.gen) this.#purge(prev.gen).catch(() => {});
  }

  /**
   * Delete a flushed generation's items, a batch a unit. Each unit first checks the generation
   * is still not the live one: a restore may have brought it back.
   */
  async #purge(gen: number): Promise<void> {
    const limit = this.#exclusive ? PURGE_BATCH : 9;
    while (true) {
      const n = await this.#store.write(async (tx) => {
        const live = (await tx.get<FlushState>(FLUSH_KEY))?.meta?.gen ?? 0;
        if (live === gen) return 0;
        const entries = await tx.list({ prefix: [ITEMS, gen] }, { limit, keysOnly: true });
        for (const { key } of entries) tx.delete(key);
        return entries.length;
      });
      if (n === 0) return;
    }
  }

  /** Live items' metadata in key order (for key-listing commands), at most `limit`. */
  async listing(limit: number): Promise<ItemInfo[]> {
    const out: ItemInfo[] = [];
    const now = Date.now();
    const selector = { prefix: [ITEMS, this.#flush.gen] };
    for await (const e of this.#store.list<ItemMeta>(selector, { keysOnly: true })) {
      if (out.length >= limit) break;
      const item = this.#live(e, now);
      if (!item || !e.meta) continue;
      const length = e.meta.n ?? 0;
      out.push({
        key: item.key,
        expiresAt: item.expiresAt,
        cas: item.cas,
        updatedAt: e.meta.t,
        length,
        size: itemSize(item.key.length, length, item.flags),
      });
    }
    return out;
  }

  /**
   * Items and bytes (for stats), from the current generation's counters. Items past their
   * exptime count until the sweeper removes them (memcached's curr_items, too, drops them
   * lazily). Client flags' 4 bytes are not in the counters: `bytes` leaves them out. Only
   * while a delayed flush_all has struck (its items die in place, not by generation) are the
   * items walked.
   */
  async usage(): Promise<{ items: number; bytes: number }> {
    const { gen, at } = this.#flush;
    if (at !== 0 && Date.now() >= at) return await this.#walkUsage();
    const c = await this.#store.count([ITEMS, gen]);
    return { items: c.keys, bytes: c.keys * ITEM_HEADER_BYTES + c.keyBytes + c.dataBytes };
  }

  async #walkUsage(): Promise<{ items: number; bytes: number }> {
    let items = 0;
    let bytes = 0;
    const now = Date.now();
    const selector = { prefix: [ITEMS, this.#flush.gen] };
    for await (const e of this.#store.list<ItemMeta>(selector, { keysOnly: true })) {
      const item = this.#live(e, now);
      if (!item) continue;
      items++;
      bytes += itemSize(item.key.length, e.meta?.n ?? 0, item.flags);
    }
    return { items, bytes };
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/**
 * The sole-writer read cache: the stored state of recently used keys within a byte budget,
 * evicted by CLOCK (second chance), so a hit only sets a bit and never reorganises the map.
 * Segmented: a key a client read is protected (up to {@link PROTECTED_SHARE} of the budget), so
 * a stream of writes to other keys, which enter unprotected, evicts among them first.
 * Commits write through it; a read fills it only when no commit touched its key while the read
 * was in flight, so it never holds stale data.
 * @module
 */
import { EMPTY, type Envelope, isExpired, toEntry } from "./envelope.ts";
import { PACK_MAX, PayloadArena } from "./payload_arena.ts";
import { hashCodes, hashId, isCodesId } from "./keys.ts";
import type { Entry, Key } from "./types.ts";

/** What the cache remembers of a key: its envelope (null = absent) and version. Never mutate. */
export interface CachedRaw {
  readonly env: Envelope | null;
  /** The resolved payload, or null when chunked and not kept (too large). */
  readonly data: Uint8Array | null;
  readonly versionstamp: string | null;
}

/** A read in flight for one key: marked stale when a commit touches the key meanwhile. */
export interface ReadTicket {
  stale: boolean;
  readers: number;
}

/** Payloads larger than this are not kept in the cache (their envelope still is). */
const MAX_CACHED_DATA = 1024 * 1024;

/*
 * A key is a slot number (the map's value) into flat rows: no object per key. Most keys are
 * small and plain (an inline payload of at most PACK_MAX bytes, packed into the arena): their
 * envelope is kept field by field and rebuilt on a hit. Any other state (chunked, a larger
 * payload) is kept whole, as the CachedRaw it came as.
 */

/** Index positions at least (a power of two); the table keeps at most half of them used. */
const MIN_POSITIONS = 2048;
/** Per slot, NUMS int32s: flags, then the packed payload's chunk, offset and length. */
const NUMS = 4;
/** Per slot, OBJS values: id, envelope meta, versionstamp, TTL-record id (or the kept raw). */
const OBJS = 4;

/** The slot holds a key. */
const USED = 1;
/** Hit since the clock hand last passed (second chance). */
const REF = 2;
/** The state is kept whole (objs[3]); nums[2] holds its size. */
const KEPT = 4;
/** The key is absent (null envelope). */
const ABSENT = 8;
/** Envelope fields present. */
const HAS_D = 16;
const HAS_M = 32;
const HAS_E = 64;
const HAS_T = 128;
/** The versionstamp string is one an earlier key of the same commit holds (not counted again). */
const SHARED_VS = 256;
/** A client read the key since it entered or was last demoted: protected (see PROTECTED_SHARE). */
const HOT = 512;
/** The meta is a frozen object many keys share (not counted per key). */
const SHARED_M = 1024;

/**
 * What a small plain key costs beyond its id's characters, its payload and its meta: the map
 * entry (≈ 40 bytes with its table's slack; the index pair and hash that replaced the Map take
 * 12-36), the id string's header, the slot's rows (56 bytes,
 * up to half as much again in the arrays' growth slack). Measured on Deno 2.9 with 100k keys of
 * 100 bytes and a 35-character id, after a memory-reducing GC: RSS grew 424 bytes a key filled
 * by reads (204 of heap, 134 external), 317 a key written by commits (which share one
 * versionstamp string); these constants count 483 and 443.
 */
const FLAT_OVERHEAD = 160;
/**
 * The share of the budget keys that clients read may keep against keys only written (or read
 * by writes) since: such writes then cycle through the rest, and cannot flush the read set.
 * The rest stays large enough that what a write just wrote is there when the next write (an
 * INCR, an RPOP) reads it.
 */
export const PROTECTED_SHARE = 3 / 4;

/** A versionstamp string of its own. */
const VERSIONSTAMP_BYTES = 40;
/** An envelope's meta object, at a typical size (a few small fields). */
const META_BYTES = 48;
/** A TTL-record id string. */
const TTL_ID_BYTES = 48;
/** A state kept whole: the flat part plus its raw and envelope objects. */
const KEPT_OVERHEAD = FLAT_OVERHEAD + VERSIONSTAMP_BYTES + 110;
/**
 * A payload in its own ArrayBuffer (as Deno KV and the protocols hand them over) costs ≈ 200
 * bytes of heap (typed array and buffer objects) and ≈ 250 of native memory (V8's backing-store
 * records and malloc's headers) beyond its bytes.
 */
const BUFFER_OVERHEAD = 450;

/** A packed payload counts twice its bytes: chunks are compacted once half of them is garbage. */
function flatSize(idLength: number, flags: number, length: number): number {
  let size = FLAT_OVERHEAD + idLength + 2 * length;
  if (!(flags & SHARED_VS)) size += VERSIONSTAMP_BYTES;
  if ((flags & (HAS_M | SHARED_M)) === HAS_M) size += META_BYTES;
  if (flags & HAS_T) size += TTL_ID_BYTES;
  return size;
}

/** A buffer's whole backing store is held, however little of it a view shows. */
function bufferSize(bytes: Uint8Array | null | undefined): number {
  return bytes && bytes.length > 0 ? BUFFER_OVERHEAD + bytes.buffer.byteLength : 0;
}

function keptSize(idLength: number, raw: CachedRaw): number {
  const env = raw.env;
  let size = KEPT_OVERHEAD + idLength + bufferSize(raw.data);
  if (env?.d !== undefined && env.d !== raw.data) size += bufferSize(env.d);
  if (env?.m !== undefined) size += META_BYTES;
  return size;
}

/** Most distinct one-field metas shared (see {@link sharedMeta}). */
const SHARED_METAS = 64;
const sharedMetas = new Map<string, unknown>();

/**
 * A meta of one short string field (a plain Redis string's `{t: "string"}`) as one frozen
 * object per distinct value: a key filled by a read holds no meta object of its own, so a hit
 * that reads the meta touches memory every such key shares (a cache miss less per hit).
 * Anything else is held as given. Held metas are shared with readers and never mutated.
 */
function sharedMeta(meta: unknown): unknown {
  if (
    typeof meta !== "object" || meta === null || Object.isFrozen(meta) ||
    Object.getPrototypeOf(meta) !== Object.prototype
  ) return meta;
  let name: string | undefined;
  for (const field in meta) {
    if (name !== undefined) return meta;
    name = field;
  }
  if (name === undefined) return meta;
  const value = (meta as Record<string, unknown>)[name];
  if (typeof value !== "string" || value.length > 16) return meta;
  const tag = name + "\0" + value;
  let shared = sharedMetas.get(tag);
  if (shared === undefined) {
    if (sharedMetas.size >= SHARED_METAS) return meta;
    sharedMetas.set(tag, shared = Object.freeze({ [name]: value }));
  }
  return shared;
}

/** CLOCK-evicted map of stored states with a byte budget. */
export class ReadCache {
  /**
   * Key id to slot: open addressing with linear probing, a pair per position (the id's hash
   * ({@link hashId}), slot + 1; 0 = empty), so a probe reads one cache line, hashes no string
   * (V8 hashes a new string in C++, a runtime call per lookup) and a key's codes find their
   * slot without making the id string (see {@link entryByCodes}). A slot's id is `#objs` of it.
   */
  #table = new Int32Array(2 * MIN_POSITIONS);
  #mask = MIN_POSITIONS - 1;
  /** Per slot, its id's hash (to find its position again). */
  #hashes = new Int32Array(1024);
  /** Keys held. */
  #count = 0;
  #nums = new Int32Array(NUMS * 1024);
  /** Deadlines (envelope `e`) by slot. */
  #deadlines = new Float64Array(1024);
  #objs: unknown[] = [];
  /** Slots ever used (the clock ring's length). */
  #top = 0;
  /** Free slot numbers below #top. */
  #free: number[] = [];
  #hand = 0;
  #bytes = 0;
  /** Bytes of the protected (HOT) keys, and how many of them eviction leaves protected. */
  #hotBytes = 0;
  #hotCap: number;
  #budget: number;
  #inflight = new Map<string, ReadTicket>();
  #arena = new PayloadArena();
  hits = 0;
  misses = 0;

  constructor(budgetBytes: number) {
    this.#budget = budgetBytes;
    this.#hotCap = budgetBytes * PROTECTED_SHARE;
  }

  /** Bytes of the keys protected as read by clients. */
  get protectedBytes(): number {
    return this.#hotBytes;
  }

  /** Bytes currently held. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Entries currently held. */
  get size(): number {
    return this.#count;
  }

  /** The slot holding `id` (of hash `h`), or -1. */
  #find(id: string, h: number): number {
    const table = this.#table;
    const mask = this.#mask;
    const objs = this.#objs;
    for (let i = h & mask;; i = (i + 1) & mask) {
      const slot = table[2 * i + 1] - 1;
      if (slot === -1 || (table[2 * i] === h && objs[slot * OBJS] === id)) return slot;
    }
  }

  /** Index `id` (of hash `h`), not held yet, at `slot`. */
  #link(id: string, h: number, slot: number): void {
    if (2 * (this.#count + 1) > this.#mask + 1) this.#rehash(2 * (this.#mask + 1));
    this.#place(h, slot);
    this.#hashes[slot] = h;
    this.#objs[slot * OBJS] = id;
    this.#count++;
  }

  #place(h: number, slot: number): void {
    const table = this.#table;
    const mask = this.#mask;
    let i = h & mask;
    while (table[2 * i + 1] !== 0) i = (i + 1) & mask;
    table[2 * i] = h;
    table[2 * i + 1] = slot + 1;
  }

  /** A table of `positions` (a power of two) holding every indexed slot. */
  #rehash(positions: number): void {
    const old = this.#table;
    this.#table = new Int32Array(2 * positions);
    this.#mask = positions - 1;
    for (let i = 1; i < old.length; i += 2) if (old[i] !== 0) this.#place(old[i - 1], old[i] - 1);
  }

  /** Drop a held slot from the index (backward-shift deletion: no tombstones). */
  #unlink(slot: number): void {
    const table = this.#table;
    const mask = this.#mask;
    let i = this.#hashes[slot] & mask;
    while (table[2 * i + 1] !== slot + 1) i = (i + 1) & mask;
    for (let j = (i + 1) & mask; table[2 * j + 1] !== 0; j = (j + 1) & mask) {
      const home = table[2 * j] & mask;
      // The entry at j may move back to i unless its home lies cyclically in (i, j].
      if (i <= j ? home <= i || home > j : home <= i && home > j) {
        table[2 * i] = table[2 * j];
        table[2 * i + 1] = table[2 * j + 1];
        i = j;
      }
    }
    table[2 * i] = 0;
    table[2 * i + 1] = 0;
    this.#count--;
  }

  /** A held state; `client`: a client's read (it protects the key), not a write's. */
  get(id: string, client = false): CachedRaw | undefined {
    const slot = this.#find(id, hashId(id));
    if (slot === -1) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    if (client) this.#protect(slot);
    return this.#raw(slot);
  }

  /** Mark a held slot read by a client: protected from eviction by unread keys. */
  #protect(slot: number): void {
    const at = slot * NUMS;
    const flags = this.#nums[at];
    if (flags & HOT) return;
    this.#nums[at] = flags | HOT;
    this.#hotBytes += this.#sizeOf(slot);
  }

  /**
   * The live entry of a held key as `key` (null: absent or expired at `now`); undefined when not
   * held, false when held without its payload (chunked and too large to keep). Builds no
   * envelope: the hot path of point reads (a `client`'s hit protects the key).
   */
  entry<M>(
    id: string,
    key: Key,
    now: number,
    h: number = hashId(id),
    client = true,
  ): Entry<M> | null | undefined | false {
    return this.#entryAt<M>(this.#find(id, h), key, now, client);
  }

  /**
   * {@link entry} of the key whose id keys.ts's `keyIdCodes` just left in `idCodes[0, n)`: no id
   * string is made for a hit.
   */
  entryByCodes<M>(
    n: number,
    key: Key,
    now: number,
    client = true,
  ): Entry<M> | null | undefined | false {
    const h = hashCodes(n);
    const table = this.#table;
    const mask = this.#mask;
    const objs = this.#objs;
    let slot: number;
    for (let i = h & mask;; i = (i + 1) & mask) {
      slot = table[2 * i + 1] - 1;
      if (slot === -1 || (table[2 * i] === h && isCodesId(objs[slot * OBJS] as string, n))) break;
    }
    return this.#entryAt<M>(slot, key, now, client);
  }

  #entryAt<M>(
    slot: number,
    key: Key,
    now: number,
    client: boolean,
  ): Entry<M> | null | undefined | false {
    if (slot === -1) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    const nums = this.#nums;
    const at = slot * NUMS;
    const flags = nums[at];
    if (flags & HOT || !client) nums[at] = flags | REF;
    else {
      nums[at] = flags | REF | HOT;
      this.#hotBytes += this.#sizeOf(slot);
    }
    const o = slot * OBJS;
    if (flags & KEPT) {
      const raw = this.#objs[o + 3] as CachedRaw;
      const env = raw.env;
      if (env === null || isExpired(env, now)) return null;
      if (raw.data === null && env.c) return false;
      return toEntry<M>(key, env, raw.data ?? EMPTY, raw.versionstamp ?? "");
    }
    if (flags & ABSENT) return null;
    let expiresAt: number | null = null;
    if (flags & HAS_E) {
      expiresAt = this.#deadlines[slot];
      if (expiresAt <= now) return null;
    }
    const objs = this.#objs;
    return {
      key,
      data: this.#payload(at),
      meta: objs[o + 1] as M | undefined,
      expiresAt,
      versionstamp: (objs[o + 2] as string | null) ?? "",
    };
  }

  /** True when the key is held (no hit is counted, no bit set). */
  has(id: string): boolean {
    return this.#find(id, hashId(id)) !== -1;
  }

  /** Take a ticket before reading `id` from the store; pass it to {@link fill}. */
  begin(id: string): ReadTicket {
    let ticket = this.#inflight.get(id);
    if (ticket === undefined) {
      ticket = { stale: false, readers: 0 };
      this.#inflight.set(id, ticket);
    }
    ticket.readers++;
    return ticket;
  }

  /**
   * Remember what a read found, unless a commit touched the key since its ticket was taken
   * (the read may be stale) or the key is held already (a commit put a newer state there).
   * `client`: a client's read, which enters protected.
   */
  fill(id: string, raw: CachedRaw, ticket: ReadTicket, client = false): void {
    if (--ticket.readers === 0) this.#inflight.delete(id);
    if (ticket.stale) return;
    const h = hashId(id);
    if (this.#find(id, h) !== -1) return;
    this.#put(id, h, -1, raw, client ? HOT : 0);
  }

  /** Give a ticket back without filling (the read failed). */
  end(id: string, ticket: ReadTicket): void {
    if (--ticket.readers === 0) this.#inflight.delete(id);
  }

  /**
   * Record the state a commit made durable. `sharedVersionstamp`: an earlier key of the same
   * commit brought this versionstamp string, so it costs this key nothing.
   */
  commit(id: string, raw: CachedRaw, sharedVersionstamp = false): void {
    const ticket = this.#inflight.get(id);
    if (ticket) ticket.stale = true;
    const h = hashId(id);
    this.#put(id, h, this.#find(id, h), raw, sharedVersionstamp ? SHARED_VS : 0);
  }

  /** Forget every key whose id starts with `idPrefix`. */
  invalidatePrefix(idPrefix: string): void {
    for (const ticket of this.#inflight.values()) ticket.stale = true;
    const nums = this.#nums;
    const objs = this.#objs;
    for (let slot = 0; slot < this.#top; slot++) {
      if (nums[slot * NUMS] & USED && (objs[slot * OBJS] as string).startsWith(idPrefix)) {
        this.#remove(slot);
      }
    }
  }

  /** A held state as a CachedRaw (built anew for a flat slot: shared, never mutate). */
  #raw(slot: number): CachedRaw {
    const nums = this.#nums;
    const at = slot * NUMS;
    const flags = nums[at];
    nums[at] = flags | REF;
    const objs = this.#objs;
    const o = slot * OBJS;
    if (flags & KEPT) return objs[o + 3] as CachedRaw;
    const versionstamp = objs[o + 2] as string | null;
    if (flags & ABSENT) return { env: null, data: EMPTY, versionstamp };
    const data = this.#payload(at);
    const env: Envelope = {};
    if (flags & HAS_D) env.d = data;
    if (flags & HAS_M) env.m = objs[o + 1];
    if (flags & HAS_E) env.e = this.#deadlines[slot];
    if (flags & HAS_T) env.t = objs[o + 3] as string;
    return { env, data, versionstamp };
  }

  /** A flat slot's payload (`at` is its nums row). */
  #payload(at: number): Uint8Array {
    const nums = this.#nums;
    const length = nums[at + 3];
    return length === 0 ? EMPTY : this.#arena.view(nums[at + 1], nums[at + 2], length);
  }

  #sizeOf(slot: number): number {
    const at = slot * NUMS;
    const flags = this.#nums[at];
    const id = this.#objs[slot * OBJS] as string;
    return flags & KEPT ? this.#nums[at + 2] : flatSize(id.length, flags, this.#nums[at + 3]);
  }

  /** Let go of a slot's payload and bytes (the slot itself stays as it is). */
  #release(slot: number): void {
    const nums = this.#nums;
    const at = slot * NUMS;
    const size = this.#sizeOf(slot);
    this.#bytes -= size;
    if (nums[at] & HOT) this.#hotBytes -= size;
    if (!(nums[at] & KEPT) && nums[at + 3] > 0) this.#arena.release(nums[at + 1], nums[at + 3]);
  }

  #remove(slot: number): void {
    this.#release(slot);
    const o = slot * OBJS;
    this.#unlink(slot);
    this.#nums[slot * NUMS] = 0;
    this.#objs[o] =
      this.#objs[o + 1] =
      this.#objs[o + 2] =
      this.#objs[o + 3] =
        undefined;
    this.#free.push(slot);
  }

  /** A slot number for a new key, the rows grown when full. */
  #newSlot(): number {
    if (this.#free.length > 0) return this.#free.pop()!;
    const slot = this.#top++;
    if (slot >= this.#deadlines.length) this.#resize(2 * this.#deadlines.length);
    return slot;
  }

  #resize(slots: number): void {
    const nums = new Int32Array(NUMS * slots);
    nums.set(this.#nums.subarray(0, NUMS * Math.min(slots, this.#top)));
    this.#nums = nums;
    const deadlines = new Float64Array(slots);
    deadlines.set(this.#deadlines.subarray(0, Math.min(slots, this.#top)));
    this.#deadlines = deadlines;
    const hashes = new Int32Array(slots);
    hashes.set(this.#hashes.subarray(0, Math.min(slots, this.#top)));
    this.#hashes = hashes;
  }

  /**
   * Hold `given` as `id`'s state; `h` is the id's hash, `slot` where it is held already (or -1).
   * `extra`: SHARED_VS (see {@link commit}) and/or HOT (a client's read brought it).
   */
  #put(id: string, h: number, slot: number, given: CachedRaw, extra: number): void {
    const env = given.env;
    let data = given.data;
    let flags = USED;
    let kept: CachedRaw | null = null;
    if (env === null) flags |= ABSENT;
    else if (env.c !== undefined || data === null || data.length > PACK_MAX) {
      if (data !== null && data.length > MAX_CACHED_DATA && env.c) data = null;
      // An inline envelope's `d` is the payload in its own buffer (data may be a view of more).
      else if (data !== null && env.d?.length === data.length) data = env.d;
      kept = data === given.data ? given : { env, data, versionstamp: given.versionstamp };
      flags |= KEPT;
    } else {
      const d = env.d;
      if (d !== undefined) {
        if (d.length !== data.length) kept = given;
        flags |= HAS_D;
      } else if (data.length !== 0) kept = given;
      if (kept) flags = USED | KEPT;
      else {
        if (env.m !== undefined) flags |= HAS_M;
        if (env.e !== undefined) flags |= HAS_E;
        if (env.t !== undefined) flags |= HAS_T;
      }
    }
    if (!kept) flags |= extra & SHARED_VS;
    const meta = kept ? undefined : sharedMeta(env?.m);
    // A frozen meta is one object many keys share (sharedMeta's, or a module's constant).
    if (flags & HAS_M && typeof meta === "object" && meta !== null && Object.isFrozen(meta)) {
      flags |= SHARED_M;
    }
    const length = kept || data === null || flags & ABSENT ? 0 : data.length;
    const size = kept ? keptSize(id.length, kept) : flatSize(id.length, flags, length);
    if (size > this.#budget) {
      if (slot !== -1) this.#remove(slot);
      return;
    }
    if (slot !== -1) {
      // Replaced in place: same ring position, no map reorganisation, protected if it was;
      // a key written again is in use, unless the write deleted it.
      flags |= (flags & ABSENT ? 0 : REF) | (this.#nums[slot * NUMS] & HOT) | (extra & HOT);
      this.#release(slot);
    } else {
      flags |= extra & HOT;
      // Room first: the new key takes the slot the hand just freed, so it is the last the hand
      // reaches again (a key placed ahead of the hand would be the first evicted).
      this.#evict(-1, size);
      slot = this.#newSlot();
      this.#link(id, h, slot);
    }
    const nums = this.#nums;
    const at = slot * NUMS;
    const o = slot * OBJS;
    const objs = this.#objs;
    if (kept) {
      nums[at + 1] = 0;
      nums[at + 2] = size;
      nums[at + 3] = 0;
      objs[o + 1] = undefined;
      objs[o + 2] = undefined;
      objs[o + 3] = kept;
    } else {
      if (length > 0) {
        nums[at + 2] = this.#arena.pack(data!);
        nums[at + 1] = this.#arena.lastChunk;
      }
      nums[at + 3] = length;
      objs[o + 1] = meta;
      objs[o + 2] = given.versionstamp;
      objs[o + 3] = env?.t;
      if (flags & HAS_E) this.#deadlines[slot] = env!.e!;
    }
    nums[at] = flags;
    this.#bytes += size;
    if (flags & HOT) this.#hotBytes += size;
    this.#evict(slot, 0);
    if (this.#arena.fragmented) this.#repack();
  }

  /** Compaction: pack every packed payload again into fresh chunks, so the old ones can die. */
  #repack(): void {
    const old = this.#arena.reset();
    const nums = this.#nums;
    for (let slot = 0; slot < this.#top; slot++) {
      const at = slot * NUMS;
      const length = nums[at + 3];
      if (!(nums[at] & USED) || nums[at] & KEPT || length === 0) continue;
      nums[at + 2] = this.#arena.pack(new Uint8Array(old[nums[at + 1]]!, nums[at + 2], length));
      nums[at + 1] = this.#arena.lastChunk;
    }
  }

  /**
   * Run the clock hand until the budget holds `room` bytes more, never evicting `keep` (the slot
   * just written, or -1).
   * It passes protected keys by while they are within their share; beyond it, it demotes the
   * ones not read since it last passed, which a later pass evicts unless a client reads them.
   */
  #evict(keep: number, room: number): void {
    const nums = this.#nums;
    // Past two turns of the ring without the budget holding (the unprotected part is all
    // `keep`), protected keys are demoted whatever their share.
    let turns = 2 * this.#top;
    const budget = this.#budget - room;
    while (this.#bytes > budget && this.#count > (keep === -1 ? 0 : 1)) {
      if (this.#hand >= this.#top) this.#hand = 0;
      const slot = this.#hand++;
      const at = slot * NUMS;
      const flags = nums[at];
      if (!(flags & USED) || slot === keep) continue;
      if (flags & HOT) {
        if (this.#hotBytes <= this.#hotCap && --turns > 0) continue;
        if (flags & REF) nums[at] = flags & ~REF;
        else {
          nums[at] = flags & ~HOT;
          this.#hotBytes -= this.#sizeOf(slot);
        }
      } else if (flags & REF) nums[at] = flags & ~REF;
      else this.#remove(slot);
    }
    // A ring mostly made of holes costs the hand time: compact it now and then.
    if (this.#free.length > 1024 && this.#free.length > this.#count) this.#compact();
  }

  /** Move every held slot down over the holes, and shrink the rows to fit. */
  #compact(): void {
    const nums = this.#nums;
    const objs = this.#objs;
    const deadlines = this.#deadlines;
    const hashes = this.#hashes;
    let to = 0;
    for (let slot = 0; slot < this.#top; slot++) {
      if (!(nums[slot * NUMS] & USED)) continue;
      if (slot !== to) {
        nums.copyWithin(to * NUMS, slot * NUMS, slot * NUMS + NUMS);
        deadlines[to] = deadlines[slot];
        hashes[to] = hashes[slot];
        for (let i = 0; i < OBJS; i++) objs[to * OBJS + i] = objs[slot * OBJS + i];
      }
      to++;
    }
    // Slots moved: index them afresh, in a table sized for what is left.
    let positions = MIN_POSITIONS;
    while (positions < 4 * to) positions *= 2;
    this.#table = new Int32Array(2 * positions);
    this.#mask = positions - 1;
    for (let slot = 0; slot < to; slot++) this.#place(hashes[slot], slot);
    this.#top = to;
    objs.length = to * OBJS;
    this.#free = [];
    this.#hand = 0;
    this.#resize(Math.max(1024, 2 * to));
  }
}

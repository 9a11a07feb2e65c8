/**
 * The sole-writer read cache: raw envelopes (and resolved payloads) of recently used keys within
 * a byte budget, evicted by CLOCK (second chance), so a hit only sets a bit and never reorganises
 * the map. Commits write through it; a read fills it only when no commit touched its key while
 * the read was in flight, so it never holds stale data.
 * @module
 */
import type { Envelope } from "./envelope.ts";
import { type Chunk, PACK_MAX, PayloadArena } from "./payload_arena.ts";

/** What the cache remembers of a key: its envelope (null = absent) and version. Never mutate. */
export interface CachedRaw {
  readonly env: Envelope | null;
  /** The resolved payload, or null when chunked and not kept (too large). */
  readonly data: Uint8Array | null;
  readonly versionstamp: string | null;
}

/** Payloads larger than this are not kept in the cache (their envelope still is). */
const MAX_CACHED_DATA = 1024 * 1024;
/**
 * What a cached key costs beyond its id's characters and its payload bytes, measured on Deno 2.9
 * (100k entries, RSS after a memory-reducing GC): the map and ring slots, the slot, raw and
 * envelope objects and the versionstamp string take ≈ 290 bytes of heap.
 */
const ENTRY_OVERHEAD = 290;
/**
 * A payload in its own ArrayBuffer (as Deno KV and the protocols hand them over) costs ≈ 200
 * bytes of heap (typed array and buffer objects) and ≈ 250 of native memory (V8's backing-store
 * records and malloc's headers) beyond its bytes.
 */
const BUFFER_OVERHEAD = 450;
/** A payload packed into a shared chunk costs its view object, ≈ 100 bytes of heap. */
const VIEW_OVERHEAD = 100;

/** One cached key: the raw state plus its CLOCK bookkeeping. */
interface Slot {
  id: string;
  raw: CachedRaw;
  size: number;
  /** Set on every hit; the clock hand clears it once before evicting. */
  ref: boolean;
  /** Position in the clock ring. */
  at: number;
  /** The chunk holding the payload when it is packed. */
  chunk: Chunk | null;
}

/** A read in flight for one key: marked stale when a commit touches the key meanwhile. */
export interface ReadTicket {
  stale: boolean;
  readers: number;
}

/**
 * The memory an entry holds, so the budget bounds RSS rather than a part of it. A packed payload
 * counts twice its bytes: chunks are compacted once half of what they hold is no longer cached.
 */
function sizeOf(id: string, raw: CachedRaw, packed: boolean): number {
  const data = raw.data;
  const inline = raw.env?.d;
  let size = ENTRY_OVERHEAD + id.length;
  if (data && data.length > 0) {
    size += packed ? VIEW_OVERHEAD + 2 * data.length : BUFFER_OVERHEAD + data.length;
  }
  if (inline && inline !== data && inline.length > 0) size += BUFFER_OVERHEAD + inline.length;
  return size;
}

/** CLOCK-evicted map of raw entries with a byte budget. */
export class ReadCache {
  #map = new Map<string, Slot>();
  /** The clock ring: slots in insertion positions; null where a slot left. */
  #ring: (Slot | null)[] = [];
  #free: number[] = [];
  #hand = 0;
  #bytes = 0;
  #budget: number;
  #inflight = new Map<string, ReadTicket>();
  #arena = new PayloadArena();
  hits = 0;
  misses = 0;

  constructor(budgetBytes: number) {
    this.#budget = budgetBytes;
  }

  /** Bytes currently held. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Entries currently held. */
  get size(): number {
    return this.#map.size;
  }

  get(id: string): CachedRaw | undefined {
    const slot = this.#map.get(id);
    if (slot === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    slot.ref = true;
    return slot.raw;
  }

  /** True when the key is held (no hit is counted, no bit set). */
  has(id: string): boolean {
    return this.#map.has(id);
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
   */
  fill(id: string, raw: CachedRaw, ticket: ReadTicket): void {
    if (--ticket.readers === 0) this.#inflight.delete(id);
    if (ticket.stale || this.#map.has(id)) return;
    this.#put(id, raw);
  }

  /** Give a ticket back without filling (the read failed). */
  end(id: string, ticket: ReadTicket): void {
    if (--ticket.readers === 0) this.#inflight.delete(id);
  }

  /** Record the state a commit made durable. */
  commit(id: string, raw: CachedRaw): void {
    const ticket = this.#inflight.get(id);
    if (ticket) ticket.stale = true;
    this.#put(id, raw);
  }

  /** Forget every key whose id starts with `idPrefix`. */
  invalidatePrefix(idPrefix: string): void {
    for (const ticket of this.#inflight.values()) ticket.stale = true;
    for (const slot of this.#map.values()) {
      if (slot.id.startsWith(idPrefix)) this.#remove(slot);
    }
  }

  #remove(slot: Slot): void {
    if (slot.chunk) this.#arena.release(slot.chunk, slot.raw.data!.length);
    this.#map.delete(slot.id);
    this.#ring[slot.at] = null;
    this.#free.push(slot.at);
    this.#bytes -= slot.size;
  }

  /** A small payload copied into the arena (the envelope's inline copy replaced by the view). */
  #pack(raw: CachedRaw): { raw: CachedRaw; chunk: Chunk | null } {
    const data = raw.data;
    if (data === null || data.length === 0 || data.length > PACK_MAX) return { raw, chunk: null };
    const { view, chunk } = this.#arena.pack(data);
    const env = raw.env;
    // An inline envelope's `d` is the payload itself or a copy of it.
    const packedEnv = env?.d && env.d.length === data.length ? { ...env, d: view } : env;
    return { raw: { env: packedEnv, data: view, versionstamp: raw.versionstamp }, chunk };
  }

  #put(id: string, given: CachedRaw): void {
    const unpacked: CachedRaw = given.data && given.data.length > MAX_CACHED_DATA && given.env?.c
      ? { env: given.env, data: null, versionstamp: given.versionstamp }
      : given;
    const old = this.#map.get(id);
    const probe = sizeOf(
      id,
      unpacked,
      (unpacked.data?.length ?? 0) > 0 && unpacked.data!.length <= PACK_MAX,
    );
    if (probe > this.#budget) {
      if (old) this.#remove(old);
      return;
    }
    const { raw: kept, chunk } = this.#pack(unpacked);
    const size = sizeOf(id, kept, chunk !== null);
    if (old) {
      if (old.chunk) this.#arena.release(old.chunk, old.raw.data!.length);
      // Replace in place: same ring position, no map reorganisation.
      this.#bytes += size - old.size;
      old.raw = kept;
      old.size = size;
      old.ref = true;
      old.chunk = chunk;
    } else {
      const at = this.#free.length > 0 ? this.#free.pop()! : this.#ring.length;
      const slot: Slot = { id, raw: kept, size, ref: false, at, chunk };
      this.#ring[at] = slot;
      this.#map.set(id, slot);
      this.#bytes += size;
    }
    this.#evict(old ?? this.#map.get(id)!);
    if (this.#arena.fragmented) this.#repack();
  }

  /** Compaction: pack every packed payload again into fresh chunks, so the old ones can die. */
  #repack(): void {
    this.#arena.reset();
    for (const slot of this.#ring) {
      if (slot === null || slot.chunk === null) continue;
      const { raw, chunk } = this.#pack(slot.raw);
      slot.raw = raw;
      slot.chunk = chunk;
    }
  }

  /** Run the clock hand until the budget holds, never evicting `keep` (the slot just written). */
  #evict(keep: Slot): void {
    const ring = this.#ring;
    while (this.#bytes > this.#budget && this.#map.size > 1) {
      if (this.#hand >= ring.length) this.#hand = 0;
      const slot = ring[this.#hand++];
      if (slot === null || slot === keep) continue;
      if (slot.ref) slot.ref = false;
      else this.#remove(slot);
    }
    // A ring mostly made of holes costs the hand time: compact it now and then.
    if (this.#free.length > 1024 && this.#free.length > this.#map.size) this.#compact();
  }

  #compact(): void {
    const ring: Slot[] = [];
    for (const slot of this.#ring) {
      if (slot === null) continue;
      slot.at = ring.length;
      ring.push(slot);
    }
    this.#ring = ring;
    this.#free = [];
    this.#hand = 0;
  }
}

/**
 * Where the read cache keeps small payloads: copied into shared chunks, because a payload in its
 * own ArrayBuffer costs ≈ 450 bytes beyond its bytes (V8's per-buffer objects and native records,
 * malloc's headers), more than a typical value. A payload is addressed by chunk number, offset
 * and length; a view of it is made when it is read. A chunk region is never written twice, so a
 * view handed out stays valid after its payload leaves the cache; a chunk dies with its last view.
 * @module
 */

/** Payloads up to this size are packed; larger ones keep their own buffer. */
export const PACK_MAX = 512;
const CHUNK_BYTES = 256 * 1024;

/** Bump allocation of packed payloads, with the live and held byte counts to know when to compact. */
export class PayloadArena {
  /** Chunks by number; null where a number is free. */
  #chunks: (ArrayBuffer | null)[] = [];
  /** Bytes of each chunk the cache still holds. */
  #liveOf: number[] = [];
  #freeNumbers: number[] = [];
  #held = 0;
  #live = 0;
  /** The chunk being filled (-1: none) and its first unused byte. */
  #current = -1;
  #bytes: Uint8Array | null = null;
  #used = CHUNK_BYTES;
  /** The chunk number of the last {@link pack}. */
  lastChunk = -1;

  /** Copy `data` into a chunk; its offset there (the chunk is {@link lastChunk}). */
  pack(data: Uint8Array): number {
    if (this.#used + data.length > CHUNK_BYTES) this.#newChunk();
    const at = this.#used;
    this.#bytes!.set(data, at);
    this.#used += data.length;
    this.#liveOf[this.#current] += data.length;
    this.#live += data.length;
    this.lastChunk = this.#current;
    return at;
  }

  #newChunk(): void {
    const old = this.#current;
    if (old >= 0 && this.#liveOf[old] === 0) this.#drop(old);
    const buf = new ArrayBuffer(CHUNK_BYTES);
    const n = this.#freeNumbers.length > 0 ? this.#freeNumbers.pop()! : this.#chunks.length;
    this.#chunks[n] = buf;
    this.#liveOf[n] = 0;
    this.#held++;
    this.#current = n;
    this.#bytes = new Uint8Array(buf);
    this.#used = 0;
  }

  #drop(n: number): void {
    this.#chunks[n] = null;
    this.#freeNumbers.push(n);
    this.#held--;
  }

  /** A view of a packed payload (valid for as long as it is held, whatever the cache does). */
  view(chunk: number, offset: number, length: number): Uint8Array {
    return new Uint8Array(this.#chunks[chunk]!, offset, length);
  }

  /** A packed payload of `length` bytes left the cache. */
  release(chunk: number, length: number): void {
    this.#liveOf[chunk] -= length;
    this.#live -= length;
    if (this.#liveOf[chunk] === 0 && chunk !== this.#current) this.#drop(chunk);
  }

  /** True when more than half the chunk bytes held are payloads no longer cached. */
  get fragmented(): boolean {
    return this.#held * CHUNK_BYTES > 2 * this.#live + 2 * CHUNK_BYTES;
  }

  /**
   * Start over with no chunk (compaction): the caller packs every live payload again, reading
   * it from the old chunks this returns.
   */
  reset(): (ArrayBuffer | null)[] {
    const old = this.#chunks;
    this.#chunks = [];
    this.#liveOf = [];
    this.#freeNumbers = [];
    this.#held = 0;
    this.#live = 0;
    this.#current = -1;
    this.#bytes = null;
    this.#used = CHUNK_BYTES;
    return old;
  }
}

/**
 * Where the read cache keeps small payloads: copied into shared chunks, because a payload in its
 * own ArrayBuffer costs ≈ 450 bytes beyond its bytes (V8's per-buffer objects and native records,
 * malloc's headers), more than a typical value, and scatters long-lived blocks across malloc's
 * heap. A chunk is never written twice, and dies once no view of it is left.
 * @module
 */

/** Payloads up to this size are packed; larger ones keep their own buffer. */
export const PACK_MAX = 512;
const CHUNK_BYTES = 256 * 1024;

/** One shared buffer: bytes handed out so far, and bytes still held by the cache. */
export class Chunk {
  readonly buf = new Uint8Array(CHUNK_BYTES);
  used = 0;
  live = 0;
}

/** Bump allocation of packed payloads, with the live and held byte counts to know when to compact. */
export class PayloadArena {
  #current: Chunk | null = null;
  /** Chunks that hold payloads the cache still has (the current one always). */
  #chunks = new Set<Chunk>();
  #live = 0;

  /** Copy `data` into a chunk; the view is what the cache keeps. */
  pack(data: Uint8Array): { view: Uint8Array; chunk: Chunk } {
    let chunk = this.#current;
    if (chunk === null || chunk.used + data.length > CHUNK_BYTES) {
      if (chunk !== null && chunk.live === 0) this.#chunks.delete(chunk);
      chunk = new Chunk();
      this.#current = chunk;
      this.#chunks.add(chunk);
    }
    const view = chunk.buf.subarray(chunk.used, chunk.used + data.length);
    view.set(data);
    chunk.used += data.length;
    chunk.live += data.length;
    this.#live += data.length;
    return { view, chunk };
  }

  /** A packed payload of `length` bytes left the cache. */
  release(chunk: Chunk, length: number): void {
    chunk.live -= length;
    this.#live -= length;
    if (chunk.live === 0 && chunk !== this.#current) this.#chunks.delete(chunk);
  }

  /** True when more than half the chunk bytes held are payloads no longer cached. */
  get fragmented(): boolean {
    return this.#chunks.size * CHUNK_BYTES > 2 * this.#live + 2 * CHUNK_BYTES;
  }

  /** Forget every chunk: the caller packs every live payload again (compaction). */
  reset(): void {
    this.#current = null;
    this.#chunks.clear();
    this.#live = 0;
  }
}

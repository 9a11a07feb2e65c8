/**
 * Large payloads: written as immutable chunks under a fresh generation id before the entry's
 * pointer flips to them, so readers see the old payload or the new one, never a mix.
 * @module
 */
import { type ChunkRef, CHUNKS, GENERATIONS } from "./envelope.ts";
import type { Key } from "./types.ts";

/** One chunk's payload: under Deno KV's 65 536-byte value limit with room for nothing else. */
export const CHUNK_BYTES = 63 * 1024;
/** Chunks per atomic: 12 × 63 KiB stays under the 800 KiB mutation-size limit with keys. */
const CHUNKS_PER_ATOMIC = 12;
/** Deletes per atomic, under the 1000-mutation limit. */
const DELETES_PER_ATOMIC = 900;

/** Number of chunks a payload of `size` bytes needs. */
export function chunkCount(size: number): number {
  return Math.ceil(size / CHUNK_BYTES);
}

/** Write a payload's chunks plus the generation marker that names its owner (for crash cleanup). */
export async function writeChunks(
  kv: Deno.Kv,
  owner: Key,
  ref: ChunkRef,
  data: Uint8Array,
): Promise<void> {
  for (let first = 0; first < ref.n; first += CHUNKS_PER_ATOMIC) {
    const op = kv.atomic();
    if (first === 0) op.set([GENERATIONS, ref.g], { k: owner, n: ref.n });
    const last = Math.min(ref.n, first + CHUNKS_PER_ATOMIC);
    for (let i = first; i < last; i++) {
      op.set([CHUNKS, ref.g, i], data.subarray(i * CHUNK_BYTES, (i + 1) * CHUNK_BYTES));
    }
    const res = await op.commit();
    if (!res.ok) throw new Error(`Cannot write chunks of generation ${ref.g}`);
  }
}

/**
 * Read a chunked payload. Returns null when chunks are missing: the generation was reclaimed
 * after a newer write, and the caller must re-read the pointer.
 */
export async function readChunks(kv: Deno.Kv, ref: ChunkRef): Promise<Uint8Array | null> {
  const out = new Uint8Array(ref.s);
  let offset = 0;
  let count = 0;
  const iter = kv.list<Uint8Array>({ prefix: [CHUNKS, ref.g] }, {
    batchSize: Math.min(Math.max(ref.n, 1), 500),
  });
  for await (const { key, value } of iter) {
    if (key[2] !== count || !(value instanceof Uint8Array)) return null;
    if (offset + value.length > ref.s) return null;
    out.set(value, offset);
    offset += value.length;
    count++;
  }
  return count === ref.n && offset === ref.s ? out : null;
}

/** Delete a generation's chunks and marker (after no pointer refers to it any more). */
export async function deleteChunks(kv: Deno.Kv, ref: Pick<ChunkRef, "g" | "n">): Promise<void> {
  for (let first = 0; first < ref.n; first += DELETES_PER_ATOMIC) {
    const op = kv.atomic();
    const last = Math.min(ref.n, first + DELETES_PER_ATOMIC);
    for (let i = first; i < last; i++) op.delete([CHUNKS, ref.g, i]);
    await op.commit();
  }
  await kv.delete([GENERATIONS, ref.g]);
}

/**
 * Delete generations no pointer refers to: left behind by a crash between writing chunks and
 * flipping the pointer, or by Deno KV collecting an expired pointer while the server was down.
 */
export async function collectOrphanChunks(kv: Deno.Kv): Promise<number> {
  let removed = 0;
  for await (const { key, value } of kv.list<{ k: Key; n: number }>({ prefix: [GENERATIONS] })) {
    const gen = key[1] as string;
    const owner = await kv.get<{ c?: ChunkRef }>(value.k as Deno.KvKey);
    if (owner.value?.c?.g !== gen) {
      await deleteChunks(kv, { g: gen, n: value.n });
      removed++;
    }
  }
  return removed;
}

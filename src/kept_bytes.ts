/**
 * Short-lived bytes (copies of requests that must outlive a connection's read buffer, replies),
 * bump-allocated in shared blocks: an ArrayBuffer of its own costs a native allocation and V8's
 * per-buffer records, 0.25-1.2 µs in Deno 2.9 even for 9 bytes (a view of a buffer that exists
 * costs 0.03 µs; bench/buffer_cost.ts), more than the few dozen bytes a request holds are worth.
 * @module
 */

/** Size of one shared block. */
const BLOCK_BYTES = 64 * 1024;
/** Larger copies get a buffer of their own, so they never pin a block nor waste its tail. */
const SHARED_MAX = BLOCK_BYTES / 8;

let block = new Uint8Array(BLOCK_BYTES);
let used = 0;

/**
 * A copy of `bytes` that no later read changes: a view of a shared block that is never written
 * twice (it lives while any view of it is held), or a buffer of its own when large.
 */
export function keepBytes(bytes: Uint8Array): Uint8Array {
  const out = keptSpace(bytes.length);
  out.set(bytes);
  return out;
}

/**
 * `n` bytes to fill that nothing else ever writes, as {@link keepBytes} places them. For bytes
 * that live briefly (a reply): a view pins its whole block, and V8's serializer (metadata)
 * would carry the whole block along, so never keep one in a long-lived structure.
 */
export function keptSpace(n: number): Uint8Array<ArrayBuffer> {
  if (n > SHARED_MAX) return new Uint8Array(n);
  if (used + n > BLOCK_BYTES) {
    block = new Uint8Array(BLOCK_BYTES);
    used = 0;
  }
  const at = used;
  used += n;
  return block.subarray(at, at + n);
}

/**
 * Copies of request bytes that must outlive a connection's read buffer (which the next read
 * reuses), bump-allocated in shared blocks: a copy in its own ArrayBuffer costs a native
 * allocation and V8's per-buffer records, more than the few dozen bytes a request holds.
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
  const n = bytes.length;
  if (n > SHARED_MAX) return bytes.slice();
  if (used + n > BLOCK_BYTES) {
    block = new Uint8Array(BLOCK_BYTES);
    used = 0;
  }
  const at = used;
  block.set(bytes, at);
  used += n;
  return block.subarray(at, at + n);
}

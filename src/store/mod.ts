/**
 * The store: one Deno KV database shared by every protocol, each in its own namespace.
 * Protocols import from here and nothing below it.
 * @module
 */
export * from "./types.ts";
export { openStore } from "./kv_store.ts";
export type { OpenedStore, OpenStoreOptions } from "./kv_store.ts";
export {
  ConflictError,
  DiskFullError,
  KeyTooLargeError,
  StoreError,
  UnitTooLargeError,
  ValueTooLargeError,
} from "./errors.ts";
export { MAX_KEY_BYTES, sameKey } from "./keys.ts";
export { freshWrites } from "./fresh_writes.ts";

/**
 * Where Redis data lives in the store: one small meta entry per key (type, expiry, size, and a
 * string's bytes), hash fields under the hash's generation id, and reclaim markers.
 * @module
 */
import { sha256 } from "../../../src/sha256.ts";
import type { Key } from "../../../src/store/mod.ts";

/**
 * A key's meta entry. Strings keep their value in the entry's data; hashes keep their fields
 * in separate entries under `g`, so dropping a hash is one small write.
 */
export interface KeyMeta {
  /** Redis type name as TYPE reports it. */
  t: "string" | "hash" | "list" | "set" | "zset" | "stream";
  /**
   * Collections (hash today): generation id the members live under. Only collections have one,
   * so storage/db.ts retires and reclaims members by its presence, whatever the type.
   */
  g?: string;
  /** Hash: field count (may run high while fields with a TTL await the sweeper). List: length. */
  n?: number;
  /** List: position of the first element; element i lives at ["f", g, h + i]. */
  h?: number;
  /** List: estimated bytes of the list as one Redis listpack (for OBJECT ENCODING). */
  lb?: number;
  /** List: converted to a quicklist (Redis converts back only once it shrinks to half). */
  ql?: boolean;
  /** Hash, set: insertion number the next new field (listpack set member) gets. */
  q?: number;
  /** Hash: some field has (or had) a TTL, so the count is checked by listing. */
  fx?: boolean;
  /**
   * Hash: some field or value was longer than the listpack limit. Sorted set: it is a skiplist
   * (it outgrew a listpack limit once; Redis never converts back).
   */
  big?: boolean;
  /** Sorted set: rank-tree leaves are kept (storage/zset_tree.ts; only big sets have them). */
  ob?: boolean;
  /** Sorted set: the rank tree's height (absent with `ob`: an older set's leaves alone). */
  rt?: number;
  /** Sorted set: blocks in the rank tree's top level. */
  rc?: number;
  /** Set: the encoding Redis 7.2 would have reached (it only ever grows: intset, listpack, hashtable). */
  e?: "intset" | "listpack" | "hashtable";
  /**
   * String: how Redis built the value, where its bytes alone do not tell: "raw" after APPEND or
   * SETRANGE (Redis edits a raw sds in place), "str" for INCRBYFLOAT (never int-encoded).
   */
  enc?: "raw" | "str";
  /** A key longer than {@link MAX_INLINE_KEY_BYTES}: its full bytes (the KV key holds a digest). */
  K?: Uint8Array;
}

/** Which storage slot each db (0-15) maps to; FLUSHDB and SWAPDB only rewrite this. */
export interface SlotMap {
  map: number[];
  next: number;
}

/** Databases a client may SELECT. */
export const DATABASES = 16;
/**
 * Longest key or hash field kept as one key part, in encoded bytes (a 0x00 byte counts twice):
 * Deno KV keys stop at 2048 bytes, and the namespace, slot and generation take the rest. Longer
 * ones are stored as a head and a SHA-256 digest, with the full name in the entry's meta.
 */
export const MAX_INLINE_KEY_BYTES = 1800;
/** Longest key or hash field accepted (the full name must fit the entry's small meta). */
export const MAX_REDIS_KEY_BYTES = 16 * 1024;

/** The db-to-slot map's key; frozen, so the store makes its id once (it is peeked per read). */
export const SLOTS_KEY: Key = Object.freeze(["slots"]);

/**
 * What commit hooks about keys look at (blocking waiters, keyspace events): the keys' meta
 * entries and the slot map, not the member entries under generations.
 */
export const KEYS_AND_SLOTS: readonly Key[] = Object.freeze([["k"], SLOTS_KEY]);

/** True when a key or field is too long to be one key part. */
export function isLongKey(name: Uint8Array): boolean {
  return name.length > MAX_INLINE_KEY_BYTES / 2 && encodedLength(name) > MAX_INLINE_KEY_BYTES;
}

/**
 * The key parts naming a key or field: itself, or (when long) its head and a digest of it. A
 * long name's head is a byte prefix, so range scans by prefix still find it.
 */
export function nameParts(name: Uint8Array): Deno.KvKeyPart[] {
  if (!isLongKey(name)) return [name];
  let end = 0;
  for (let size = 0; end < name.length; end++) {
    size += name[end] === 0 ? 2 : 1;
    if (size > MAX_INLINE_KEY_BYTES) break;
  }
  // The digest tells long keys with the same head apart.
  return [name.slice(0, end), sha256(name)];
}

/** A key's meta entry in a storage slot. */
export function metaKey(slot: number, key: Uint8Array): Key {
  // Hot (every read): a short key needs no parts array spread.
  return isLongKey(key) ? ["k", slot, ...nameParts(key)] : ["k", slot, key];
}

/** Every meta entry of a slot. */
export function slotPrefix(slot: number): Key {
  return ["k", slot];
}

/** One hash field. */
export function fieldKey(gen: string, field: Uint8Array): Key {
  // Hot (every member a write touches): a short field needs no parts array spread.
  return isLongKey(field) ? ["f", gen, ...nameParts(field)] : ["f", gen, field];
}

/** Every field of one hash generation. */
export function fieldPrefix(gen: string): Key {
  return ["f", gen];
}

/** Which key owns a generation (kept for hashes with field TTLs, to drop them when empty). */
export function ownerKey(gen: string): Key {
  return ["o", gen];
}

/** Marker whose expiry reclaims a generation's fields (when the hash is gone or expires). */
export function genMarkerKey(gen: string): Key {
  return ["gc", gen];
}

/** Marker whose expiry reclaims a whole flushed slot. */
export function slotMarkerKey(slot: number): Key {
  return ["gcs", slot];
}

/**
 * This process's part of every generation id it makes: random, fixed length, drawn once, so ids
 * from two front-ends or two runs differ without drawing randomness per collection.
 */
const PROCESS_TAG = Array.from(
  crypto.getRandomValues(new Uint8Array(8)),
  (b) => b.toString(36).padStart(2, "0"),
).join("");
/** Ids made by this process so far (tells apart ids made in the same millisecond). */
let generations = 0;

/** A fresh generation id, unique across restarts and front-ends (the clock, this process, a count). */
export function newGeneration(): string {
  return Date.now().toString(36) + PROCESS_TAG + (generations++).toString(36);
}

/** Encoded size of a key part, as the 2048-byte KV key limit counts it. */
export function encodedLength(part: Uint8Array): number {
  let n = part.length;
  for (const b of part) if (b === 0) n++;
  return n;
}

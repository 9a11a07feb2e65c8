/**
 * The envelope: what one store entry looks like inside Deno KV (payload or chunk pointer,
 * metadata, deadline), and the internal key spaces the engine keeps beside the namespaces.
 * @module
 */
import type { Entry, Key } from "./types.ts";

/** Where a chunked payload lives: generation id, chunk count, total size. */
export interface ChunkRef {
  g: string;
  n: number;
  s: number;
}

/** The value stored at an entry's key. Short field names: this is paid on every entry. */
export interface Envelope {
  /** Inline payload (absent when chunked or empty). */
  d?: Uint8Array;
  /** Pointer to chunks for payloads over {@link INLINE_MAX_BYTES}. */
  c?: ChunkRef;
  /** Protocol metadata. */
  m?: unknown;
  /** Deadline, ms since the epoch. */
  e?: number;
  /** Id of this entry's TTL-index record (present exactly when `e` is). */
  t?: string;
}

/** Payloads up to this size live inside the envelope; larger ones are chunked. */
export const INLINE_MAX_BYTES = 60 * 1024;

/** Internal key spaces (never a protocol namespace: those are plain words). */
export const CHUNKS = "_chunks";
export const GENERATIONS = "_gen";
export const TTL_INDEX = "_ttl";

/** Extra lifetime Deno KV's own collector gives entries past their deadline: the sweeper goes first. */
export const KV_EXPIRY_GRACE_MS = 10_000;

export const EMPTY = new Uint8Array(0);

/** True when the envelope has a deadline at or before `now`. */
export function isExpired(env: Envelope, now: number): boolean {
  return env.e !== undefined && env.e <= now;
}

/** A random id for chunk generations and TTL-index records. */
export function newId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(9));
  let s = "";
  for (const b of bytes) s += b.toString(36).padStart(2, "0");
  return s;
}

/** Build a public entry from an envelope and its resolved payload. */
export function toEntry<M>(
  key: Key,
  env: Envelope,
  data: Uint8Array,
  versionstamp: string,
): Entry<M> {
  return {
    key,
    data,
    meta: env.m as M | undefined,
    expiresAt: env.e ?? null,
    versionstamp,
  };
}

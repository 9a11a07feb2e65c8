/**
 * Hash storage: a hash is a meta entry (type, generation, field count, TTL) plus one entry per
 * field under its generation, so HGET reads one field and dropping a hash is one small write.
 * @module
 */
import type { Entry, WriteTx } from "../../../src/store/mod.ts";
import { type Access, type CollectionHandle, type KeyEntry, saveCollection } from "./db.ts";
import { fieldKey, fieldPrefix, isLongKey, type KeyMeta, newGeneration } from "./layout.ts";

/** When a hash stops being a listpack: hash-max-listpack-entries and -value. */
export interface HashLimits {
  entries: number;
  value: number;
}

/** Redis's default thresholds (CONFIG SET may change them: see ../encoding_limits.ts). */
export const DEFAULT_HASH_LIMITS: HashLimits = { entries: 512, value: 64 };
/** Fields examined when deciding whether a hash with field TTLs still has one live. */
const LIVE_PROBE = 1000;

/** A hash being changed inside one write unit. */
/** A hash a write unit is changing, with the listpack thresholds in force. */
export interface HashHandle extends CollectionHandle {
  /** Crossing one marks the hash a hashtable for good. */
  limits: HashLimits;
}

/** Open a hash for writing; a missing one is created on first write (call `saveHash`). */
export function openHash(
  slot: number,
  key: Uint8Array,
  entry: KeyEntry | null,
  limits: HashLimits = DEFAULT_HASH_LIMITS,
): HashHandle {
  const meta: KeyMeta = entry?.meta ? { ...entry.meta } : { t: "hash", g: newGeneration(), n: 0 };
  return { slot, key, entry, meta, dirty: entry === null, limits };
}

/** One field's live entry. */
export function getField(
  r: Access,
  meta: KeyMeta,
  field: Uint8Array,
): Promise<Entry<FieldMeta> | null> {
  return r.get<FieldMeta>(fieldKey(meta.g!, field));
}

/** Rewrite an existing field with a new deadline (null = none), keeping value and order. */
export function retimeField(
  tx: WriteTx,
  meta: KeyMeta,
  field: Entry<FieldMeta>,
  expiresAt: number | null,
): void {
  tx.set<FieldMeta>(fieldKey(meta.g!, fieldName(field)), {
    data: field.data,
    meta: field.meta,
    expiresAt,
  });
}

/** A field entry's meta: its insertion number, so listings keep Redis's listpack order. */
export interface FieldMeta {
  s: number;
  /** A field longer than one key part: its full bytes. */
  F?: Uint8Array;
}

/** All live fields of a hash, in insertion order (as a small Redis hash lists them). */
export async function listFields(
  r: Access,
  meta: KeyMeta,
  keysOnly = false,
): Promise<Entry<FieldMeta>[]> {
  const fields = await r.list<FieldMeta>({ prefix: fieldPrefix(meta.g!) }, { keysOnly });
  return fields.sort((a, b) => (a.meta?.s ?? 0) - (b.meta?.s ?? 0));
}

/** A field entry's name (the key part, or the full bytes of a long field). */
export function fieldName(entry: Entry<unknown>): Uint8Array {
  return (entry.meta as FieldMeta | undefined)?.F ?? entry.key[2] as Uint8Array;
}

/** A field to set: its value, deadline (none by default) and entry if already read. */
export interface FieldWrite {
  field: Uint8Array;
  value: Uint8Array;
  expiresAt?: number | null;
  /** The field's current entry when the caller has read it (saves a read). */
  known?: Entry<FieldMeta> | null;
}

/** Set a field (a new deadline or none); returns true when the field is new. */
export async function setField(
  tx: WriteTx,
  h: HashHandle,
  { field, value, expiresAt = null, known }: FieldWrite,
): Promise<boolean> {
  const old = known !== undefined ? known : await getField(tx, h.meta, field);
  let seq = old?.meta?.s;
  if (seq === undefined) {
    seq = h.meta.q ?? 0;
    h.meta.q = seq + 1;
  }
  const meta: FieldMeta = isLongKey(field) ? { s: seq, F: field.slice() } : { s: seq };
  const record = { data: value, meta, expiresAt };
  // A hash made by this unit has a generation of its own: nothing is stored under it yet.
  if (h.entry === null) tx.setFresh<FieldMeta>(fieldKey(h.meta.g!, field), record);
  else tx.set<FieldMeta>(fieldKey(h.meta.g!, field), record);
  if (!h.meta.big && (field.length > h.limits.value || value.length > h.limits.value)) {
    h.meta.big = true;
    h.dirty = true;
  }
  if (old) return false;
  h.meta.n = (h.meta.n ?? 0) + 1;
  // Redis converts a listpack once it outgrows the limit, and never back.
  if (h.meta.n > h.limits.entries) h.meta.big = true;
  h.dirty = true;
  return true;
}

/** Delete a field; returns true when it existed. */
export async function deleteField(tx: WriteTx, h: HashHandle, field: Uint8Array): Promise<boolean> {
  const old = await getField(tx, h.meta, field);
  if (!old) return false;
  tx.delete(fieldKey(h.meta.g!, field));
  h.meta.n = Math.max(0, (h.meta.n ?? 1) - 1);
  h.dirty = true;
  return true;
}

/** Live field count: the counter, or a listing once field TTLs may have expired some. */
export async function hashLength(r: Access, meta: KeyMeta): Promise<number> {
  if (!meta.fx) return meta.n ?? 0;
  return (await listFields(r, meta, true)).length;
}

/** Write the meta back, or drop the hash when its last field went (Redis deletes empty hashes). */
export async function saveHash(tx: WriteTx, h: HashHandle): Promise<void> {
  if (h.dirty) saveCollection(tx, h, await isEmpty(tx, h));
}

async function isEmpty(tx: WriteTx, h: HashHandle): Promise<boolean> {
  if ((h.meta.n ?? 0) <= 0) return true;
  if (!h.meta.fx) return false;
  const live = await tx.list({ prefix: fieldPrefix(h.meta.g!) }, {
    limit: LIVE_PROBE,
    keysOnly: true,
  });
  return live.length === 0;
}

/**
 * Hash storage: a hash is a meta entry (type, generation, field count, TTL) plus one entry per
 * field under its generation, so HGET reads one field and dropping a hash is one small write.
 * @module
 */
import type { Entry, WriteTx } from "../../../src/store/mod.ts";
import { type Access, dropKey, type KeyEntry, putKey } from "./db.ts";
import { fieldKey, fieldPrefix, type KeyMeta, newGeneration } from "./layout.ts";

/** Longest field or value a listpack keeps (hash-max-listpack-value). */
export const LISTPACK_MAX_VALUE = 64;
/** Fields examined when deciding whether a hash with field TTLs still has one live. */
const LIVE_PROBE = 1000;

/** A hash being changed inside one write unit. */
export interface HashHandle {
  slot: number;
  key: Uint8Array;
  /** The entry as read (null when the hash is being created). */
  entry: KeyEntry | null;
  meta: KeyMeta;
  /** Whether the meta must be written back. */
  dirty: boolean;
}

/** Open a hash for writing; a missing one is created on first write (call `saveHash`). */
export function openHash(slot: number, key: Uint8Array, entry: KeyEntry | null): HashHandle {
  const meta: KeyMeta = entry?.meta ? { ...entry.meta } : { t: "hash", g: newGeneration(), n: 0 };
  return { slot, key, entry, meta, dirty: entry === null };
}

/** One field's live entry. */
export function getField(r: Access, meta: KeyMeta, field: Uint8Array): Promise<Entry | null> {
  return r.get(fieldKey(meta.g!, field));
}

/** All live fields of a hash, in field order. */
export function listFields(r: Access, meta: KeyMeta, keysOnly = false): Promise<Entry[]> {
  return r.list({ prefix: fieldPrefix(meta.g!) }, { keysOnly });
}

/** A field entry's name. */
export function fieldName(entry: Entry): Uint8Array {
  return entry.key[entry.key.length - 1] as Uint8Array;
}

/** Set a field (a new deadline or none); returns true when the field is new. */
export async function setField(
  tx: WriteTx,
  h: HashHandle,
  field: Uint8Array,
  value: Uint8Array,
  expiresAt: number | null = null,
  known?: Entry | null,
): Promise<boolean> {
  const old = known !== undefined ? known : await getField(tx, h.meta, field);
  tx.set(fieldKey(h.meta.g!, field), { data: value, expiresAt });
  if (!h.meta.big && (field.length > LISTPACK_MAX_VALUE || value.length > LISTPACK_MAX_VALUE)) {
    h.meta.big = true;
    h.dirty = true;
  }
  if (old) return false;
  h.meta.n = (h.meta.n ?? 0) + 1;
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
  if (!h.dirty) return;
  if (await isEmpty(tx, h)) {
    if (h.entry) dropKey(tx, h.slot, h.key, h.entry);
    return;
  }
  putKey(tx, h.slot, h.key, { meta: h.meta, expiresAt: h.entry?.expiresAt ?? null }, h.entry);
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

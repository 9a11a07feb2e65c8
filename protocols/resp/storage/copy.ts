/**
 * Copying a key's value to another place (COPY, and RENAME of hashes with field TTLs): strings
 * copy their bytes, hashes copy their fields under a fresh generation.
 * @module
 */
import type { WriteTx } from "../../../src/store/mod.ts";
import { type KeyEntry, type KeyRecord, setOwner } from "./db.ts";
import { fieldKey, fieldPrefix, type KeyMeta, newGeneration } from "./layout.ts";

/** The record for a copy of `source` at (slot, key), its fields staged under a new generation. */
export async function copyValue(
  tx: WriteTx,
  source: KeyEntry,
  slot: number,
  key: Uint8Array,
): Promise<KeyRecord> {
  const meta = source.meta!;
  if (meta.t !== "hash") return { meta, data: source.data, expiresAt: source.expiresAt };
  const gen = newGeneration();
  const fields = await tx.list({ prefix: fieldPrefix(meta.g!) });
  for (const field of fields) {
    const name = field.key[field.key.length - 1] as Uint8Array;
    tx.set(fieldKey(gen, name), { data: field.data, meta: field.meta, expiresAt: field.expiresAt });
  }
  if (meta.fx) setOwner(tx, gen, slot, key);
  const copy: KeyMeta = { ...meta, g: gen, n: fields.length };
  return { meta: copy, expiresAt: source.expiresAt };
}

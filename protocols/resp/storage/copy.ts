/**
 * Copying a key's value to another place (COPY): strings copy their bytes, collections (hashes,
 * sets) copy their member entries under a fresh generation — in one unit when small, else page by page in units queued
 * back to back, with progress kept in the store so a re-run unit resumes correctly.
 * @module
 */
import type { WriteTx } from "../../../src/store/mod.ts";
import { type KeyEntry, type KeyRecord, setOwner } from "./db.ts";
import { fieldPrefix, genMarkerKey, type KeyMeta, newGeneration } from "./layout.ts";
import { type Position, scanPage } from "../scan.ts";

/** How long fields copied by an unfinished COPY survive a crash before they are reclaimed. */
const ORPHAN_COPY_MS = 60 * 60 * 1000;

/** Progress of a paged hash copy, kept under its target generation. */
interface CopyProgress {
  after: Position | null;
  copied: number;
  done: boolean;
}

function progressKey(gen: string) {
  return ["cp", gen];
}

/** The record for a copy of `source` at (slot, key), its fields staged under a new generation. */
export async function copyValue(
  tx: WriteTx,
  source: KeyEntry,
  slot: number,
  key: Uint8Array,
): Promise<KeyRecord> {
  const meta = source.meta!;
  if (!meta.g) return { meta, data: source.data, expiresAt: source.expiresAt };
  const gen = newGeneration();
  const fields = await tx.list({ prefix: fieldPrefix(meta.g) });
  for (const field of fields) {
    // Every collection's members sit under ["f", g, ...]: the same suffix under the new one.
    tx.set([...fieldPrefix(gen), ...field.key.slice(2)], {
      data: field.data,
      meta: field.meta,
      expiresAt: field.expiresAt,
    });
  }
  if (meta.fx) setOwner(tx, gen, slot, key);
  // A hash's count may run high while expired fields await the sweeper: the copy is exact.
  // Other types keep theirs (a sorted set has two entries per member, a stream its groups).
  const n = meta.t === "hash" ? fields.length : meta.n;
  return { meta: { ...meta, g: gen, n }, expiresAt: source.expiresAt };
}

/**
 * Copy up to `limit` more fields of hash `source` into generation `gen`; returns true once every
 * field is copied. The first call marks `gen` for reclaim in case the copy never finishes.
 */
export async function copyFieldsPage(
  tx: WriteTx,
  source: KeyMeta,
  gen: string,
  limit: number,
): Promise<boolean> {
  const entry = await tx.get<CopyProgress>(progressKey(gen));
  const progress = entry?.meta ?? { after: null, copied: 0, done: false };
  if (progress.done) return true;
  if (!entry) tx.set(genMarkerKey(gen), { expiresAt: tx.now + ORPHAN_COPY_MS });
  const page = await scanPage(tx, {
    parent: fieldPrefix(source.g!),
    after: progress.after,
    count: limit,
    keysOnly: false,
  });
  for (const field of page.entries) {
    // The same suffix under the new generation, whatever the type's member layout.
    tx.set([...fieldPrefix(gen), ...field.key.slice(2)], {
      data: field.data,
      meta: field.meta,
      expiresAt: field.expiresAt,
    });
  }
  const next: CopyProgress = {
    after: page.next ?? progress.after,
    copied: progress.copied + page.entries.length,
    done: page.next === null,
  };
  tx.set<CopyProgress>(progressKey(gen), { meta: next });
  return next.done;
}

/** A paged copy to finish: the source entry, the new generation, the destination. */
export interface PagedCopy {
  source: KeyEntry;
  gen: string;
  slot: number;
  key: Uint8Array;
}

/** Finish a paged copy: the target's record (or null if not done) and the progress dropped. */
export async function finishPagedCopy(
  tx: WriteTx,
  { source, gen, slot, key }: PagedCopy,
): Promise<KeyRecord | null> {
  const progress = (await tx.get<CopyProgress>(progressKey(gen)))?.meta;
  tx.delete(progressKey(gen));
  if (!progress?.done) return null;
  if (source.meta!.fx) setOwner(tx, gen, slot, key);
  return {
    // A stream counts its entries only (its groups live under the generation too).
    meta: {
      ...source.meta!,
      g: gen,
      n: source.meta!.t === "stream" ? source.meta!.n : progress.copied,
    },
    expiresAt: source.expiresAt,
  };
}

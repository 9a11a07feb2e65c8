/**
 * A point-in-time copy of one Redis database and its restore (the admin API's `?db=`): a db's
 * keys live in whichever storage slot it maps to now, and FLUSHDB or SWAPDB may move it before
 * the restore, so a restore flushes the db to a fresh slot and writes the copy there.
 * @module
 */
import type { Entry, Key, Store, WriteTx } from "../../../src/store/mod.ts";
import { flushDbs, readSlots } from "./db.ts";
import {
  fieldPrefix,
  genMarkerKey,
  type KeyMeta,
  newGeneration,
  ownerKey,
  slotPrefix,
} from "./layout.ts";
import type { Owner } from "./reclaim.ts";

/** A copied db: its keys' meta entries and, per collection generation, what lives under it. */
export interface DbCopy {
  keys: Entry<KeyMeta>[];
  /** Generation -> its members, its owner record and its reclaim marker (when present). */
  generations: Map<string, Entry[]>;
  takenAt: number;
}

/** The single entries kept beside a generation's members. */
function generationKeys(gen: string): Key[] {
  return [ownerKey(gen), genMarkerKey(gen)];
}

/** Copy db `db` as it is now, in one write unit (no other unit interleaves). */
export function copyDb(store: Store, db: number): Promise<DbCopy> {
  return store.write(async (tx) => {
    const slot = (await readSlots(tx)).map[db];
    const keys = await tx.list<KeyMeta>({ prefix: slotPrefix(slot) });
    const generations = new Map<string, Entry[]>();
    for (const key of keys) {
      const gen = key.meta?.g;
      if (!gen) continue;
      const singles = await tx.getMany(generationKeys(gen));
      const members = await tx.list({ prefix: fieldPrefix(gen) });
      generations.set(gen, [...members, ...singles.filter((e) => e !== null)]);
    }
    // A copy: entries may share buffers and meta with the read cache.
    return structuredClone({ keys, generations, takenAt: tx.now });
  });
}

/**
 * Make db `db` hold exactly `copy` again, in one write unit: the db moves to a fresh slot (its
 * current keys are reclaimed as FLUSHDB's are) and each copied collection gets a fresh
 * generation, so no reclaim planned on the old ones can touch what is restored.
 */
export function restoreDb(store: Store, db: number, copy: DbCopy): Promise<void> {
  return store.write(async (tx) => {
    const slot = (await readSlots(tx)).next;
    await flushDbs(tx, [db]);
    for (const key of copy.keys) {
      if (expired(tx, key)) continue;
      const oldGen = key.meta?.g;
      const gen = oldGen ? newGeneration() : undefined;
      const meta = structuredClone(key.meta);
      if (meta && gen) meta.g = gen;
      tx.set([...slotPrefix(slot), ...key.key.slice(2)], {
        data: key.data.slice(),
        meta,
        expiresAt: key.expiresAt,
      });
      if (oldGen && gen) writeGeneration(tx, copy.generations.get(oldGen) ?? [], oldGen, gen, slot);
    }
  });
}

/** Write a generation's copied entries under generation `gen` of storage slot `slot`. */
function writeGeneration(
  tx: WriteTx,
  entries: readonly Entry[],
  oldGen: string,
  gen: string,
  slot: number,
): void {
  for (const e of entries) {
    if (expired(tx, e) || e.key[1] !== oldGen) continue;
    let meta = structuredClone(e.meta);
    // The owner record names the slot its hash lives in.
    if (e.key[0] === ownerKey(oldGen)[0]) meta = { ...(meta as Owner), slot };
    tx.set([e.key[0], gen, ...e.key.slice(2)], {
      data: e.data.slice(),
      meta,
      expiresAt: e.expiresAt,
    });
  }
}

function expired(tx: WriteTx, e: Entry): boolean {
  return e.expiresAt !== null && e.expiresAt <= tx.now;
}

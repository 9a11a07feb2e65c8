/**
 * Keyspace-wide facts the server needs (INFO's # Keyspace section, DBSIZE): keys, keys with a
 * deadline and their average TTL, per database, read from the store's counters (no listing).
 * @module
 */
import type { Store } from "../../src/store/mod.ts";
import { readSlots } from "./storage/db.ts";
import { DATABASES, slotPrefix } from "./storage/layout.ts";

/** One database's counts, as INFO prints them: dbN:keys=…,expires=…,avg_ttl=… */
export interface DbStats {
  keys: number;
  expires: number;
  avgTtl: number;
}

/** The prefix whose groups are counted: one group per storage slot (["k", slot]). */
export const COUNTED_PREFIX = ["k"] as const;

/** Start keeping per-slot counts (once, at service start; counts wait for a first recount). */
export function countSlots(store: Store): void {
  // A failed recount surfaces through count(); nothing waits for it here.
  store.countKeys(COUNTED_PREFIX, 1).catch(() => {});
}

/**
 * Counts of one storage slot. Like Redis's DBSIZE, a key past its deadline counts until the
 * sweeper removes it.
 */
export async function slotStats(store: Store, slot: number, now = Date.now()): Promise<DbStats> {
  const c = await store.count(slotPrefix(slot));
  const avgTtl = c.meanExpiresAt === null ? 0 : Math.max(0, Math.round(c.meanExpiresAt - now));
  return { keys: c.keys, expires: c.expiring, avgTtl };
}

/** Counts for every non-empty database, by index. */
export async function keyspaceStats(store: Store): Promise<Map<number, DbStats>> {
  const slots = await readSlots(store);
  const now = Date.now();
  const all = await Promise.all(slots.map.map((slot) => slotStats(store, slot, now)));
  const out = new Map<number, DbStats>();
  for (let db = 0; db < DATABASES; db++) if (all[db].keys > 0) out.set(db, all[db]);
  return out;
}

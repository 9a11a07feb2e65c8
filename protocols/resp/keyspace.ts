/**
 * Keyspace-wide facts the server needs (INFO's # Keyspace section, DBSIZE): live keys, keys
 * with a deadline and their average TTL, per database.
 * @module
 */
import type { Store } from "../../src/store/mod.ts";
import { type Access, readSlots } from "./storage/db.ts";
import { DATABASES, slotPrefix } from "./storage/layout.ts";
import { type Position, type ScanPage, scanPage } from "./scan.ts";

/** One database's counts, as INFO prints them: dbN:keys=…,expires=…,avg_ttl=… */
export interface DbStats {
  keys: number;
  expires: number;
  avgTtl: number;
}

/** Keys read per page while counting. */
const COUNT_PAGE = 1000;

/** Counts of one storage slot's live keys. */
async function slotStats(
  list: (prefix: readonly Deno.KvKeyPart[]) => AsyncIterable<{ expiresAt: number | null }>,
  slot: number,
  now: number,
): Promise<DbStats> {
  let keys = 0;
  let expires = 0;
  let ttlSum = 0;
  for await (const entry of list(slotPrefix(slot))) {
    keys++;
    if (entry.expiresAt !== null) {
      expires++;
      ttlSum += entry.expiresAt - now;
    }
  }
  return { keys, expires, avgTtl: expires > 0 ? Math.round(ttlSum / expires) : 0 };
}

/** Live keys in one storage slot (DBSIZE). */
export async function countKeys(r: Access, slot: number): Promise<number> {
  let count = 0;
  let after: Position | null = null;
  while (true) {
    const page: ScanPage<unknown> = await scanPage(r, {
      parent: slotPrefix(slot),
      after,
      count: COUNT_PAGE,
    });
    count += page.entries.length;
    if (!page.next) return count;
    after = page.next;
  }
}

/** Counts for every non-empty database, by index. */
export async function keyspaceStats(store: Store): Promise<Map<number, DbStats>> {
  const slots = await readSlots(store);
  const now = Date.now();
  const out = new Map<number, DbStats>();
  const list = (prefix: readonly Deno.KvKeyPart[]) => store.list({ prefix }, { keysOnly: true });
  for (let db = 0; db < DATABASES; db++) {
    const stats = await slotStats(list, slots.map[db], now);
    if (stats.keys > 0) out.set(db, stats);
  }
  return out;
}

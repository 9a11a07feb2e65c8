/**
 * Keyspace-wide facts the server needs (INFO's # Keyspace section, DBSIZE).
 * Owned by the data-model work; this is the contract the server side calls.
 * @module
 */
import type { Store } from "../../src/store/mod.ts";

/** One database's counts, as INFO prints them: dbN:keys=…,expires=…,avg_ttl=… */
export interface DbStats {
  keys: number;
  expires: number;
  avgTtl: number;
}

/** Counts for every non-empty database, by index. */
export function keyspaceStats(_store: Store): Promise<Map<number, DbStats>> {
  return Promise.resolve(new Map());
}

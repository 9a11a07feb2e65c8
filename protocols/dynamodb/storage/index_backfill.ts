/**
 * Background index work UpdateTable starts: backfilling a new GSI from the table's items in
 * bounded write units (then marking it ACTIVE), and dropping a deleted index's entries.
 * @module
 */
import type { Key, Store } from "../../../src/store/mod.ts";
import { decodeItem } from "./item_codec.ts";
import { indexId, indexPrefix, stageBackfillEntry } from "./indexes.ts";
import { tableItemsAfter } from "./keys.ts";
import { tableKey, type TableRecord } from "./tables.ts";

/** Items indexed per write unit: bounds one commit (an ALL projection copies whole items). */
const BACKFILL_BATCH = 100;
/** Value bytes staged per backfill unit before it ends early (large items, ALL projections). */
const BACKFILL_DATA_BYTES = 512 * 1024;
/** Key bytes staged per unit before it ends early (a Deno KV commit caps them at 80 KiB). */
const BACKFILL_KEY_BYTES = 40 * 1024;

/**
 * Fill index `id` of table `name` from every item, one batch per write unit, each reading the
 * table record and items inside the unit: writes committed in between maintain the entry
 * themselves (the index is in the record), so the index ends exact. Stops quietly when the
 * table or index is gone; ends by clearing IndexStatus (ACTIVE).
 */
export async function backfillIndex(store: Store, name: string, id: string): Promise<void> {
  let after: Key | null = null;
  while (true) {
    const step: { done: boolean; last: Key | null } = await store.write(async (tx) => {
      const table = (await tx.get<TableRecord>(tableKey(name)))?.meta;
      const index = table?.gsis.find((g) => indexId(g) === id);
      if (!table || !index) return { done: true, last: null };
      const entries = await tx.list(tableItemsAfter(table.id, after), { limit: BACKFILL_BATCH });
      let keyBytes = 0;
      let dataBytes = 0;
      for (const [i, entry] of entries.entries()) {
        const staged = stageBackfillEntry(tx, table, index, decodeItem(entry));
        keyBytes += staged.keyBytes;
        dataBytes += staged.dataBytes;
        const full = keyBytes >= BACKFILL_KEY_BYTES || dataBytes >= BACKFILL_DATA_BYTES;
        if (full && i < entries.length - 1) {
          return { done: false, last: entry.key };
        }
      }
      if (entries.length < BACKFILL_BATCH) {
        const gsis = table.gsis.map((g) => g === index ? { ...g, IndexStatus: undefined } : g);
        tx.set(tableKey(name), { meta: { ...table, gsis } });
        return { done: true, last: null };
      }
      return { done: false, last: entries[entries.length - 1].key };
    });
    if (step.done) return;
    after = step.last;
  }
}

/** Drop every entry of a deleted index (bounded commits, through deletePrefix). */
export function dropIndexEntries(
  store: Store,
  table: TableRecord,
  index: TableRecord["gsis"][number],
): Promise<number> {
  return store.deletePrefix(indexPrefix(table, index));
}

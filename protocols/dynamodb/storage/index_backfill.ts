/**
 * Background index work: backfilling an index from the table's items in bounded write units
 * (a GSI UpdateTable adds, then marked ACTIVE; at start, the indexes an older build defined
 * without keeping entries, then marked with the current layout), and dropping a deleted
 * index's entries.
 * @module
 */
import type { Key, Store } from "../../../src/store/mod.ts";
import { decodeItem } from "./item_codec.ts";
import { indexesOf, indexId, indexPrefix, stageBackfillEntry } from "./indexes.ts";
import { tableItemsAfter } from "./keys.ts";
import { type IndexRecord, tableKey, type TableRecord } from "./tables.ts";

/**
 * The index entry layout this build keeps. Indexes made since entries exist carry an `id`;
 * one without an `id` or this `layout` was defined by an older build that kept no entries.
 */
export const INDEX_LAYOUT = 1;

/** True when an index's entries must be built from the items (an older build's index). */
export function needsLayoutBackfill(index: IndexRecord): boolean {
  return index.id === undefined && index.layout !== INDEX_LAYOUT;
}

/** The index as it is once its backfill is done: ACTIVE and at the current layout. */
function filled(index: IndexRecord): IndexRecord {
  return {
    ...index,
    IndexStatus: undefined,
    ...(index.id === undefined ? { layout: INDEX_LAYOUT } : {}),
  };
}

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
      const index = table ? indexesOf(table).find((g) => indexId(g) === id) : undefined;
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
        const gsis = table.gsis.map((g) => g === index ? filled(g) : g);
        const lsis = table.lsis.map((l) => l === index ? filled(l) : l);
        tx.set(tableKey(name), { meta: { ...table, gsis, lsis } });
        return { done: true, last: null };
      }
      return { done: false, last: entries[entries.length - 1].key };
    });
    if (step.done) return;
    after = step.last;
  }
}

/**
 * At start: build the entries of every index an older build defined without them, before
 * the service answers (a Query on such an index would otherwise miss items). Returns how
 * many indexes were filled.
 */
export async function backfillLegacyIndexes(store: Store): Promise<number> {
  const work: { name: string; id: string }[] = [];
  for await (const entry of store.list<TableRecord>({ prefix: ["table"] })) {
    const table = entry.meta;
    if (!table) continue;
    for (const index of indexesOf(table)) {
      if (needsLayoutBackfill(index)) work.push({ name: table.name, id: indexId(index) });
    }
  }
  for (const { name, id } of work) await backfillIndex(store, name, id);
  return work.length;
}

/** Drop every entry of a deleted index (bounded commits, through deletePrefix). */
export function dropIndexEntries(
  store: Store,
  table: TableRecord,
  index: TableRecord["gsis"][number],
): Promise<number> {
  return store.deletePrefix(indexPrefix(table, index));
}

/**
 * A Query page sent as its stored items' JSON, spliced into the reply bytes unparsed. Most
 * Queries (no index, filter, projection, COUNT or capacity) return items exactly as stored,
 * and parsing, sizing and re-serializing them cost several times the rest of the page.
 * @module
 */
import type { Item } from "../attribute_value.ts";
import { itemsReply } from "../codec.ts";
import { wantsCapacity } from "./capacity.ts";
import { decodeItem } from "../storage/item_store.ts";
import type { Entry } from "../../../src/store/mod.ts";
import {
  MAX_PAGE_BYTES,
  pageKeyNames,
  type PageOptions,
  pick,
  type ReadView,
} from "./read_pages.ts";

/** Whether readPage would reply with the items as stored, nothing counted from their attributes. */
export function splicesPage(view: ReadView, options: PageOptions): boolean {
  return !view.index && !options.filter && !options.projection &&
    (options.select === undefined || options.select === "ALL_ATTRIBUTES") &&
    !wantsCapacity(options.capacityMode);
}

/**
 * The reply readPage would send for these entries, as bytes: the same members in the same
 * order, each item's stored JSON as is (JSON.stringify of the parsed item gives those bytes
 * back). Null when the page may reach 1 MB: a stored item's JSON is never shorter than the
 * size DynamoDB counts for it, so below that bound no item's size is needed; above it the
 * caller reads the page the exact way.
 */
export async function splicedReply(
  view: ReadView,
  source: AsyncIterable<Entry[]>,
  limit: number | undefined,
): Promise<Uint8Array<ArrayBuffer> | null> {
  const items: Uint8Array[] = [];
  let bound = 0;
  let last: Item | undefined;
  pages: for await (const entries of source) {
    for (const entry of entries) {
      items.push(entry.data);
      bound += entry.data.length;
      if (bound >= MAX_PAGE_BYTES) return null;
      if (items.length === limit) {
        last = pick(decodeItem(entry), pageKeyNames(view));
        break pages;
      }
    }
  }
  return itemsReply(items, last && JSON.stringify(last));
}

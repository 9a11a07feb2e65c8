/** Item bytes in the store: JSON in an entry's data (the store chunks large ones). */
import type { Entry } from "../../../src/store/mod.ts";
import type { Item } from "../attribute_value.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Item -> entry bytes. */
export function encodeItem(item: Item): Uint8Array {
  return encoder.encode(JSON.stringify(item));
}

/** Entry bytes -> item. */
export function decodeItem(entry: Pick<Entry, "data">): Item {
  return JSON.parse(decoder.decode(entry.data)) as Item;
}

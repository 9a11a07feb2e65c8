/**
 * A write unit seen through "every key I write is fresh": for code that fills a generation the
 * unit just made (a collection built whole), so a shared store may commit it ahead.
 * @module
 */
import type { Key, ListOptions, Record, Selector, WriteTx } from "./types.ts";

/** `tx` whose `set` is {@link WriteTx.setFresh}; reads and deletes are `tx`'s own. */
export function freshWrites(tx: WriteTx): WriteTx {
  return {
    now: tx.now,
    get: <M>(key: Key) => tx.get<M>(key),
    getMany: <M>(keys: readonly Key[]) => tx.getMany<M>(keys),
    list: <M>(selector: Selector, options?: ListOptions) => tx.list<M>(selector, options),
    set: <M>(key: Key, record: Record<M>) => tx.setFresh<M>(key, record),
    setFresh: <M>(key: Key, record: Record<M>) => tx.setFresh<M>(key, record),
    delete: (key: Key) => tx.delete(key),
  };
}

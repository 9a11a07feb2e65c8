/**
 * Key-level operations every command family shares: resolving a db to its storage slot, and
 * reading, writing and dropping a key's meta entry while keeping reclaim markers in step.
 * @module
 */
import type { Entry, WriteTx } from "../../../src/store/mod.ts";
import type { CommandContext, Reader } from "../command.ts";
import {
  DATABASES,
  genMarkerKey,
  isLongKey,
  type KeyMeta,
  metaKey,
  ownerKey,
  type SlotMap,
  slotMarkerKey,
  SLOTS_KEY,
} from "./layout.ts";
import { NEW, notify, notifyEmptied } from "../notify.ts";

/** Anything that can read the keyspace: a reader outside the loop or a write transaction. */
export type Access = Reader | WriteTx;
/** A live key's meta entry. */
export type KeyEntry = Entry<KeyMeta>;

/** What a write stores in a key's meta entry. */
export interface KeyRecord {
  meta: KeyMeta;
  data?: Uint8Array;
  expiresAt: number | null;
}

/**
 * Delay before a reclaim marker expires: a deadline at or before the write's clock would be a
 * plain delete, and only the sweeper's expiry starts the reclaim.
 */
const RECLAIM_DELAY_MS = 1;

function identity(): SlotMap {
  return { map: Array.from({ length: DATABASES }, (_, i) => i), next: DATABASES };
}

/** The db-to-slot map (identity until the first FLUSHDB/SWAPDB). */
export async function readSlots(r: Pick<Access, "get">): Promise<SlotMap> {
  const entry = await r.get<SlotMap>(SLOTS_KEY);
  return entry?.meta ? { map: [...entry.meta.map], next: entry.meta.next } : identity();
}

/** The storage slot db `db` currently maps to. */
export async function slotOf(r: Pick<Access, "get">, db: number): Promise<number> {
  return slotIn(await r.get<SlotMap>(SLOTS_KEY), db);
}

/** The slot db `db` maps to, given the slot map's entry (null: never flushed or swapped). */
function slotIn(entry: Entry<SlotMap> | null, db: number): number {
  return entry?.meta?.map[db] ?? db;
}

/**
 * A key's live meta entry in db `db` when memory alone can tell (see CommandContext.peek),
 * else undefined: the hot path of read commands, with no promise.
 */
export function peekKey(
  peek: NonNullable<CommandContext["peek"]>,
  db: number,
  key: Uint8Array,
): KeyEntry | null | undefined {
  const slot = peekSlot(peek, db);
  return slot === undefined ? undefined : peek<KeyMeta>(metaKey(slot, key));
}

/** The slot db `db` maps to when memory alone can tell (see CommandContext.peek), else undefined. */
export function peekSlot(
  peek: NonNullable<CommandContext["peek"]>,
  db: number,
): number | undefined {
  const slots = peek<SlotMap>(SLOTS_KEY);
  return slots === undefined ? undefined : slotIn(slots, db);
}

/** A key's live meta entry, or null. */
export function getKey(r: Access, slot: number, key: Uint8Array): Promise<KeyEntry | null> {
  return r.get<KeyMeta>(metaKey(slot, key));
}

/** A key's meta entry to write, and what it replaces. */
export interface KeyWrite {
  slot: number;
  key: Uint8Array;
  record: KeyRecord;
  /** The entry being replaced (null when the key is new). */
  old: KeyEntry | null;
  /** The db the slot belongs to, when not the connection's (COPY … DB n): for its events. */
  db?: number;
  /**
   * The record's generation was made by this unit, so nothing is stored under it yet: no
   * reclaim marker to clear (saves a blind delete, and its read, per new collection).
   */
  fresh?: boolean;
}

/**
 * Write a key's meta entry. When it replaces a collection (a key with a generation) of another
 * generation, that generation is marked for reclaim; a collection's TTL is mirrored on its
 * generation marker so expiry reclaims it.
 */
export function putKey(
  tx: WriteTx,
  { slot, key, record, old, db, fresh }: KeyWrite,
): void {
  tx.set<KeyMeta>(metaKey(slot, key), { ...record, meta: withName(record.meta, key) });
  if (old === null) notify(tx, NEW, "new", key, db);
  const oldGen = old?.meta?.g;
  const newGen = record.meta.g;
  if (oldGen && oldGen !== newGen) retireGeneration(tx, old!);
  if (newGen && (newGen !== oldGen || old?.expiresAt !== record.expiresAt)) {
    if (record.expiresAt !== null) tx.set(genMarkerKey(newGen), { expiresAt: record.expiresAt });
    else if (!fresh) tx.delete(genMarkerKey(newGen));
  }
}

/** The meta with the full key recorded when the key is long (and any stale one dropped). */
function withName(meta: KeyMeta, key: Uint8Array): KeyMeta {
  if (isLongKey(key)) return { ...meta, K: key.slice() };
  if (meta.K === undefined) return meta;
  const { K: _stale, ...rest } = meta;
  return rest;
}

/** A listed meta entry's key: the part itself, or the full bytes of a long key. */
export function keyName(entry: Entry<KeyMeta>): Uint8Array {
  return entry.meta?.K ?? entry.key[2] as Uint8Array;
}

/**
 * A collection being written: where it lives, the entry as read (null if new: then its meta
 * holds a generation made for it), its new meta.
 */
export interface CollectionWrite {
  slot: number;
  key: Uint8Array;
  entry: KeyEntry | null;
  meta: KeyMeta;
}

/** A collection a write unit is changing, and whether its meta must be written back. */
export interface CollectionHandle extends CollectionWrite {
  dirty: boolean;
}

/**
 * Write a collection's meta back keeping its TTL, or drop the key once `empty` (Redis deletes
 * empty collections).
 */
export function saveCollection(tx: WriteTx, c: CollectionWrite, empty: boolean): void {
  if (empty) {
    if (c.entry) {
      dropKey(tx, c.slot, c.key, c.entry);
      notifyEmptied(tx, c.key);
    }
    return;
  }
  putKey(tx, {
    slot: c.slot,
    key: c.key,
    record: { meta: c.meta, expiresAt: c.entry?.expiresAt ?? null },
    old: c.entry,
    fresh: c.entry === null,
  });
}

/** Delete a key; a collection's members become unreachable at once and are reclaimed later. */
export function dropKey(tx: WriteTx, slot: number, key: Uint8Array, old: KeyEntry): void {
  tx.delete(metaKey(slot, key));
  if (old.meta?.g) retireGeneration(tx, old);
}

function retireGeneration(tx: WriteTx, old: KeyEntry): void {
  const gen = old.meta!.g!;
  tx.set(genMarkerKey(gen), { expiresAt: tx.now + RECLAIM_DELAY_MS });
  if (old.meta!.fx) tx.delete(ownerKey(gen));
}

/**
 * Record which key owns a generation with field TTLs. The key is copied: an argument may be a
 * view on a larger buffer, and V8 serialization would store all of it.
 */
export function setOwner(tx: WriteTx, gen: string, slot: number, key: Uint8Array): void {
  tx.set(ownerKey(gen), { meta: { slot, key: key.slice() } });
}

/** Point each of `dbs` at a fresh empty slot; the old slots are reclaimed in the background. */
export async function flushDbs(tx: WriteTx, dbs: readonly number[]): Promise<void> {
  const slots = await readSlots(tx);
  for (const db of dbs) {
    tx.set(slotMarkerKey(slots.map[db]), { expiresAt: tx.now + RECLAIM_DELAY_MS });
    slots.map[db] = slots.next++;
  }
  tx.set<SlotMap>(SLOTS_KEY, { meta: slots });
}

/** Exchange two dbs' slots: O(1), as SWAPDB is. */
export async function swapDbs(tx: WriteTx, a: number, b: number): Promise<void> {
  const slots = await readSlots(tx);
  [slots.map[a], slots.map[b]] = [slots.map[b], slots.map[a]];
  tx.set<SlotMap>(SLOTS_KEY, { meta: slots });
}

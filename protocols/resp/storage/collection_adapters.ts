/**
 * Lists and sorted sets as ZSCAN and SORT see them, read (and, for SORT STORE, a list written)
 * by the layouts of the shared collections brief, in one place the lead can point at
 * storage/list.ts and storage/zset.ts once they land: list elements at ["f", g, <position
 * number>] with the element as data; sorted-set members at ["f", g, 0, member] with the score
 * in the entry's meta (a number, or `{ s }` / `{ score }`) or its data (decimal text).
 * @module
 */
import type { Entry, Key, WriteTx } from "../../../src/store/mod.ts";
import { ascii } from "../numbers.ts";
import { type Access, dropKey, type KeyEntry, putKey } from "./db.ts";
import { fieldPrefix, type KeyMeta, newGeneration } from "./layout.ts";

/** Sub-space of a sorted set's member → score entries. */
const ZSET_BY_MEMBER = 0;

/** The type names of the collections read here (KeyMeta["t"] gains them with their stores). */
export const LIST_TYPE = "list" as KeyMeta["t"];
export const ZSET_TYPE = "zset" as KeyMeta["t"];

/** Where a sorted set's member → score entries live. */
export function zsetMemberParent(meta: KeyMeta): Key {
  return [...fieldPrefix(meta.g!), ZSET_BY_MEMBER];
}

/** A member entry's member bytes (a long member's full bytes are in meta.M, storage/zset.ts). */
export function zsetMemberName(entry: Entry<unknown>): Uint8Array {
  const meta = entry.meta as { M?: Uint8Array } | undefined;
  return meta?.M ?? entry.key[3] as Uint8Array;
}

/** A member entry's score. */
export function zsetMemberScore(entry: Entry<unknown>): number {
  const meta = entry.meta as number | { s?: number; score?: number } | undefined;
  if (typeof meta === "number") return meta;
  if (typeof meta?.s === "number") return meta.s;
  if (typeof meta?.score === "number") return meta.score;
  const text = ascii(entry.data);
  return text === "inf" ? Infinity : text === "-inf" ? -Infinity : Number(text);
}

/** A score as Redis prints it in ZSCAN (d2string: shortest digits, two-digit exponents). */
export function formatScore(score: number): string {
  if (score === Infinity) return "inf";
  if (score === -Infinity) return "-inf";
  return String(score).replace(/e([+-])(\d)$/, "e$10$2");
}

/**
 * True when Redis would keep this sorted set in a listpack (answered whole by ZSCAN): writes
 * mark it `big` once it crosses zset-max-listpack-entries or -value.
 */
export function zsetIsSmall(meta: KeyMeta): boolean {
  return !meta.big;
}

/** Every member with its score, in score order, ties by member bytes (small sets, SORT). */
export async function zsetMembersInOrder(
  r: Access,
  meta: KeyMeta,
): Promise<{ member: Uint8Array; score: number }[]> {
  const entries = await r.list({ prefix: zsetMemberParent(meta) });
  return entries
    .map((e) => ({ member: zsetMemberName(e), score: zsetMemberScore(e) }))
    .sort((a, b) => a.score - b.score || compareMembers(a.member, b.member));
}

function compareMembers(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/** Every element of a list, head to tail. */
export async function listElements(r: Access, meta: KeyMeta): Promise<Uint8Array[]> {
  const entries = await r.list({ prefix: fieldPrefix(meta.g!) });
  return entries.map((e) => e.data);
}

/**
 * Replace `key` with a list of `items` (SORT … STORE); an empty result deletes the key, as
 * Redis does. Elements go at positions 0…n-1 of a fresh generation.
 */
export function writeList(
  tx: WriteTx,
  slot: number,
  key: Uint8Array,
  items: readonly Uint8Array[],
  old: KeyEntry | null,
): void {
  if (items.length === 0) {
    if (old) dropKey(tx, slot, key, old);
    return;
  }
  const g = newGeneration();
  items.forEach((item, i) => tx.setFresh([...fieldPrefix(g), i], { data: item }));
  const meta: KeyMeta = { t: LIST_TYPE, g, n: items.length };
  putKey(tx, { slot, key, record: { meta, expiresAt: null }, old });
}

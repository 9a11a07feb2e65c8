/**
 * Committing a list of mutations: in one Deno KV atomic when it fits the limits, otherwise
 * through a redo journal (durable first, then applied in several atomics, replayed after a
 * crash) so a unit larger than one atomic is still all-or-nothing.
 * @module
 */
import { encodedKeySize } from "./keys.ts";
import type { Key } from "./types.ts";

/**
/**
 * Deno KV refuses an expiry past JavaScript's last date. Its expiry only collects garbage (the
 * deadline that counts is kept in the entry), so a farther one is simply capped.
 */
const MAX_EXPIRE_IN_MS = 2 ** 50;

/**
 * One key's new state: `value` undefined means delete, unless `sum` is set (a wrapping u64
 * add to a counter). `expireAt` is the absolute KV expiry.
 */
export interface Mutation {
  key: Key;
  value?: unknown;
  expireAt?: number;
  sum?: bigint;
}

/** A versionstamp a key must still have at commit. */
export interface Check {
  key: Key;
  versionstamp: string | null;
}

/** Deno KV's per-atomic limits, with margin for encoding overhead. */
const MAX_MUTATIONS = 1000;
const MAX_BYTES = 780 * 1024;
const MAX_CHECKS = 100;
/** A journal record holds one mutation; a group of records is one atomic. */
const JOURNAL = "_journal";
const JOURNAL_MARK = "_jmark";

/** A rough serialized size: exact for byte arrays and strings, generous for the rest. */
export function estimateSize(value: unknown, depth = 0): number {
  if (value instanceof Uint8Array) return value.length + 8;
  if (typeof value === "string") return value.length * 3 + 4;
  if (value === null || typeof value !== "object" || depth > 8) return 10;
  let size = 4;
  if (Array.isArray(value)) { for (const v of value) size += estimateSize(v, depth + 1); }
  else {
    // for-in, not Object.entries: this runs for every mutation of every commit, and the
    // values are plain objects (no inherited enumerable keys).
    const obj = value as { [k: string]: unknown };
    for (const k in obj) size += k.length + 2 + estimateSize(obj[k], depth + 1);
  }
  return size;
}

function mutationBytes(m: Mutation): number {
  return encodedKeySize(m.key) + (m.value === undefined ? 0 : estimateSize(m.value));
}

/** Split mutations into groups that each fit one atomic. */
function groups(mutations: readonly Mutation[], reserve = 0): Mutation[][] {
  const out: Mutation[][] = [];
  let cur: Mutation[] = [];
  let bytes = 0;
  for (const m of mutations) {
    const b = mutationBytes(m);
    if (cur.length > 0 && (cur.length + 1 > MAX_MUTATIONS - reserve || bytes + b > MAX_BYTES)) {
      out.push(cur);
      cur = [];
      bytes = 0;
    }
    cur.push(m);
    bytes += b;
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

/** True when the mutations and checks fit one atomic. */
export function fitsOneAtomic(mutations: readonly Mutation[], checks: readonly Check[]): boolean {
  if (mutations.length + checks.length > MAX_MUTATIONS || checks.length > MAX_CHECKS) return false;
  let bytes = 0;
  for (const c of checks) bytes += encodedKeySize(c.key);
  for (const m of mutations) bytes += mutationBytes(m);
  return bytes <= MAX_BYTES;
}

function addMutation(op: Deno.AtomicOperation, m: Mutation, now: number): void {
  if (m.sum !== undefined) op.sum(m.key as Deno.KvKey, m.sum);
  else if (m.value === undefined) op.delete(m.key as Deno.KvKey);
  else {
    const expireIn = m.expireAt === undefined
      ? undefined
      : Math.min(Math.max(1, m.expireAt - now), MAX_EXPIRE_IN_MS);
    op.set(m.key as Deno.KvKey, m.value, { expireIn });
  }
}

/** Commit in one atomic; returns the versionstamp, or null when a check failed. */
export async function commitOne(
  kv: Deno.Kv,
  mutations: readonly Mutation[],
  checks: readonly Check[],
): Promise<string | null> {
  const op = kv.atomic();
  for (const c of checks) op.check({ key: c.key as Deno.KvKey, versionstamp: c.versionstamp });
  const now = Date.now();
  for (const m of mutations) addMutation(op, m, now);
  const res = await op.commit();
  return res.ok ? res.versionstamp : null;
}

export async function applyGroups(kv: Deno.Kv, mutations: readonly Mutation[]): Promise<string> {
  let versionstamp = "";
  for (const group of groups(mutations)) {
    const vs = await commitOne(kv, group, []);
    if (vs === null) throw new Error("Cannot apply a journaled commit");
    versionstamp = vs;
  }
  return versionstamp;
}

async function dropJournal(kv: Deno.Kv, id: string, count: number): Promise<void> {
  const keys: Mutation[] = [];
  for (let i = 0; i < count; i++) keys.push({ key: [JOURNAL, id, i] });
  await applyGroups(kv, keys);
  await kv.delete([JOURNAL_MARK, id]);
}

/**
 * Commit mutations too large for one atomic: write them to a journal (the unit is durable once
 * its mark commits), then apply them inside `exclusive` (which keeps readers out while the
 * store is between states), then drop the journal. Returns the last versionstamp.
 */
export async function commitJournaled(
  kv: Deno.Kv,
  id: string,
  mutations: readonly Mutation[],
  exclusive: (apply: () => Promise<string>) => Promise<string>,
): Promise<string> {
  const records: Mutation[] = mutations.map((m, i) => ({
    key: [JOURNAL, id, i],
    // A KvU64 does not survive V8 serialization: journal its number.
    value: m.value instanceof Deno.KvU64
      ? { k: m.key, u: m.value.value, x: m.expireAt }
      : { k: m.key, v: m.value, x: m.expireAt, s: m.sum },
  }));
  const parts = groups(records, 1);
  for (let i = 0; i < parts.length; i++) {
    const last = i === parts.length - 1;
    const group = last
      ? [...parts[i], { key: [JOURNAL_MARK, id], value: records.length }]
      : parts[i];
    if ((await commitOne(kv, group, [])) === null) throw new Error("Cannot write the journal");
  }
  const versionstamp = await exclusive(() => applyGroups(kv, mutations));
  await dropJournal(kv, id, records.length);
  return versionstamp;
}

/** After a crash: apply every journal whose mark committed, drop unmarked ones. */
export async function replayJournals(kv: Deno.Kv): Promise<number> {
  let replayed = 0;
  const marks = new Map<string, number>();
  for await (const { key, value } of kv.list<number>({ prefix: [JOURNAL_MARK] })) {
    marks.set(key[1] as string, value);
  }
  const records = new Map<string, Mutation[]>();
  for await (
    const { key, value } of kv.list<{ k: Key; v?: unknown; u?: bigint; x?: number; s?: bigint }>(
      { prefix: [JOURNAL] },
    )
  ) {
    const id = key[1] as string;
    if (!records.has(id)) records.set(id, []);
    const v = value.u === undefined ? value.v : new Deno.KvU64(value.u);
    records.get(id)!.push({ key: value.k, value: v, expireAt: value.x, sum: value.s });
  }
  for (const [id, list] of records) {
    if (marks.get(id) === list.length) {
      await applyGroups(kv, list);
      replayed++;
    }
    await dropJournal(kv, id, list.length);
  }
  for (const id of marks.keys()) if (!records.has(id)) await kv.delete([JOURNAL_MARK, id]);
  return replayed;
}

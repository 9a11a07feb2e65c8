/**
 * Set storage: a set is a meta entry (type, generation, member count, the encoding Redis would
 * use) plus one empty entry per member under its generation, so SISMEMBER reads one entry,
 * SCARD reads the meta, and random picks probe the ordered member space instead of loading it.
 * @module
 */
import { latin1Text } from "../../../src/bytes.ts";
import type { Entry, WriteTx } from "../../../src/store/mod.ts";
import { parseInt64 } from "../numbers.ts";
import { type Access, type CollectionHandle, type KeyEntry, saveCollection } from "./db.ts";
import { fieldKey, fieldPrefix, isLongKey, type KeyMeta, newGeneration } from "./layout.ts";

/** When a set leaves its small encodings (CONFIG SET may change them: ../encoding_limits.ts). */
export interface SetLimits {
  /** set-max-intset-entries. */
  intsetEntries: number;
  /** set-max-listpack-entries. */
  listpackEntries: number;
  /** set-max-listpack-value. */
  listpackValue: number;
}

/** Redis's default thresholds. */
export const DEFAULT_SET_LIMITS: SetLimits = {
  intsetEntries: 512,
  listpackEntries: 128,
  listpackValue: 64,
};
/** intsetMaxEntries: Redis caps set-max-intset-entries here. */
const INTSET_ENTRIES_CAP = 1 << 30;
/** Sets up to this size are read whole for random picks (the reply is often most of them). */
const SMALL_SET = 1024;
/** Members read per page when a command walks a big set. */
export const SET_PAGE = 1000;
/** Random probes at most per distinct sample (each reads a run of neighbours). */
const MAX_PROBES = 32;
/** Bytes of randomness a probe adds after the common prefix of the set's first and last member. */
const PROBE_BYTES = 8;

/** A set's encoding as OBJECT ENCODING names it. */
export type SetEncoding = NonNullable<KeyMeta["e"]>;

/** A member entry's meta: listpack insertion number, and a long member's full bytes. */
export interface MemberMeta {
  s?: number;
  F?: Uint8Array;
}

/** A set being changed inside one write unit, with the thresholds in force. */
export type SetHandle = CollectionHandle & { limits?: SetLimits };

/** True when Redis would keep `member` in an intset (string2ll accepts it). */
export function isIntMember(member: Uint8Array): boolean {
  return member.length <= 20 && parseInt64(member) !== null;
}

/** The encoding Redis gives a new set for its first member, with `hint` members coming. */
export function createEncoding(
  first: Uint8Array,
  hint: number,
  limits: SetLimits = DEFAULT_SET_LIMITS,
): SetEncoding {
  if (isIntMember(first) && hint <= limits.intsetEntries) return "intset";
  return hint <= limits.listpackEntries ? "listpack" : "hashtable";
}

/** SADD's pre-conversion: a batch larger than the small encodings hold goes to a hashtable. */
export function hintEncoding(
  enc: SetEncoding,
  hint: number,
  limits: SetLimits = DEFAULT_SET_LIMITS,
): SetEncoding {
  if (enc === "listpack" && hint > limits.listpackEntries) return "hashtable";
  if (enc === "intset" && hint > limits.intsetEntries) return "hashtable";
  return enc;
}

/** The encoding after adding a new `member` to a set of `size` members (setTypeAddAux). */
export function encodingAfterAdd(
  enc: SetEncoding,
  size: number,
  member: Uint8Array,
  limits: SetLimits = DEFAULT_SET_LIMITS,
): SetEncoding {
  const fitsListpack = size < limits.listpackEntries && member.length <= limits.listpackValue;
  if (enc === "intset") {
    if (!isIntMember(member)) return fitsListpack ? "listpack" : "hashtable";
    return size + 1 > Math.min(limits.intsetEntries, INTSET_ENTRIES_CAP) ? "hashtable" : "intset";
  }
  if (enc === "listpack") {
    return fitsListpack ? "listpack" : "hashtable";
  }
  return "hashtable";
}

/** A set's encoding (sets written before encodings were kept count as hashtables). */
export function setEncoding(meta: KeyMeta): SetEncoding {
  return meta.e ?? "hashtable";
}

/** Open a set for writing; a missing one is created by the first `addMember` (then `saveSet`). */
export function openSet(
  slot: number,
  key: Uint8Array,
  entry: KeyEntry | null,
  first: Uint8Array,
  hint: number,
  limits: SetLimits = DEFAULT_SET_LIMITS,
): SetHandle {
  const meta: KeyMeta = entry?.meta
    ? { ...entry.meta, e: hintEncoding(setEncoding(entry.meta), hint, limits) }
    : { t: "set", g: newGeneration(), n: 0, e: createEncoding(first, hint, limits) };
  return { slot, key, entry, meta, dirty: entry === null || meta.e !== entry.meta?.e, limits };
}

/** One member's key. */
export function memberKey(meta: KeyMeta, member: Uint8Array) {
  return fieldKey(meta.g!, member);
}

/** A member entry's bytes (the key part, or the full bytes of a long member). */
export function memberName(entry: Entry<unknown>): Uint8Array {
  return (entry.meta as MemberMeta | undefined)?.F ?? entry.key[2] as Uint8Array;
}

/** Which of `members` are in the set (one read each, batched). */
export async function membership(
  r: Access,
  meta: KeyMeta,
  members: readonly Uint8Array[],
): Promise<boolean[]> {
  // One member (SADD's usual form) is one read, not a batch of them.
  if (members.length === 1) return [await r.get(memberKey(meta, members[0])) !== null];
  const entries = await r.getMany(members.map((m) => memberKey(meta, m)));
  return entries.map((e) => e !== null);
}

/** Add members not yet present (`present[i]` says whether members[i] is); returns how many. */
export function addMembers(
  tx: WriteTx,
  h: SetHandle,
  members: readonly Uint8Array[],
  present: readonly boolean[],
): number {
  let added = 0;
  // A set made by this unit has a generation of its own: nothing is stored under it yet.
  const fresh = h.entry === null;
  members.forEach((member, i) => {
    if (present[i]) return;
    const enc = encodingAfterAdd(setEncoding(h.meta), h.meta.n ?? 0, member, h.limits);
    const meta: MemberMeta = {};
    // Only listpack order needs insertion numbers; intset and hashtable order is the key order.
    if (enc === "listpack") {
      meta.s = h.meta.q ?? 0;
      h.meta.q = meta.s + 1;
    }
    if (isLongKey(member)) meta.F = member.slice();
    // Most members need no meta (intset and hashtable order is key order): none is stored.
    const record = meta.s === undefined && !meta.F ? {} : { meta };
    if (fresh) tx.setFresh<MemberMeta>(memberKey(h.meta, member), record);
    else tx.set<MemberMeta>(memberKey(h.meta, member), record);
    h.meta.e = enc;
    h.meta.n = (h.meta.n ?? 0) + 1;
    h.dirty = true;
    added++;
  });
  return added;
}

/** Add members, reading which are present first; returns how many were new. */
export async function addAll(
  tx: WriteTx,
  h: SetHandle,
  members: readonly Uint8Array[],
): Promise<number> {
  const unique = dedupe(members);
  const present = h.entry ? await membership(tx, h.meta, unique) : unique.map(() => false);
  return addMembers(tx, h, unique, present);
}

/** Remove members known to be present. */
export function removeMembers(tx: WriteTx, h: SetHandle, members: readonly Uint8Array[]): void {
  for (const member of members) tx.delete(memberKey(h.meta, member));
  if (members.length === 0) return;
  h.meta.n = Math.max(0, (h.meta.n ?? 0) - members.length);
  h.dirty = true;
}

/** Write the meta back, or drop the set when its last member went (Redis deletes empty sets). */
export function saveSet(tx: WriteTx, h: SetHandle): void {
  if (h.dirty) saveCollection(tx, h, (h.meta.n ?? 0) <= 0);
}

/** Members with duplicates dropped, first occurrence kept. */
export function dedupe(members: readonly Uint8Array[]): readonly Uint8Array[] {
  if (members.length < 2) return members;
  const seen = new Set<string>();
  return members.filter((m) => {
    const id = memberId(m);
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

/** A member as a string key for in-memory maps (one char per byte). */
export function memberId(member: Uint8Array): string {
  return latin1Text(member);
}

/**
 * Every member, in the order Redis 7.2 lists the set: an intset by value; a listpack in
 * insertion order, members kept from its intset days first by value; a hashtable in key order.
 */
export async function listMembers(r: Access, meta: KeyMeta): Promise<Uint8Array[]> {
  const entries = await r.list<MemberMeta>({ prefix: fieldPrefix(meta.g!) }, { keysOnly: true });
  return redisOrder(
    entries.map((e) => ({ member: memberName(e), seq: e.meta?.s })),
    setEncoding(meta),
  );
}

/** Members in a small encoding's listing order (see {@link listMembers}). */
export function redisOrder(
  members: { member: Uint8Array; seq?: number }[],
  enc: SetEncoding,
): Uint8Array[] {
  if (enc === "hashtable") return members.map((m) => m.member);
  const value = (m: Uint8Array) => parseInt64(m) ?? 0n;
  return members.sort((a, b) => {
    const sa = a.seq ?? -1;
    const sb = b.seq ?? -1;
    if (sa !== sb) return sa - sb;
    const [va, vb] = [value(a.member), value(b.member)];
    return va < vb ? -1 : va > vb ? 1 : 0;
  }).map((m) => m.member);
}

/** Walk every member in key order, a page at a time (flat memory for big sets). */
export async function* memberPages(r: Access, meta: KeyMeta): AsyncGenerator<Uint8Array[]> {
  const prefix = fieldPrefix(meta.g!);
  let start: Deno.KvKeyPart[] | null = null;
  while (true) {
    const page: Entry<MemberMeta>[] = await r.list<MemberMeta>(
      start ? { prefix, start } : { prefix },
      { limit: SET_PAGE, keysOnly: true },
    );
    if (page.length > 0) yield page.map(memberName);
    if (page.length < SET_PAGE) return;
    start = [...page[page.length - 1].key, new Uint8Array(0)];
  }
}

/** True when a set is small enough to read whole for a random pick. */
function isSmall(meta: KeyMeta): boolean {
  return (meta.n ?? 0) <= SMALL_SET;
}

/** Uniform random integer in [0, n). */
export function randomIndex(n: number): number {
  return Math.floor(Math.random() * n);
}

/**
 * `count` distinct random members (all of them when the set has no more). Small sets are read
 * whole; a big one is probed at random points of its ordered member space, each probe reading a
 * short run, so a sample costs a few range reads however big the set.
 */
export async function sampleDistinct(
  r: Access,
  meta: KeyMeta,
  count: number,
): Promise<Uint8Array[]> {
  const n = meta.n ?? 0;
  if (count >= n || isSmall(meta) || count * 3 > n) {
    const all = isSmall(meta) ? await listMembers(r, meta) : await readAll(r, meta);
    if (count >= all.length) return all;
    shuffle(all, count);
    return all.slice(0, count);
  }
  const space = await memberSpace(r, meta);
  const picked = new Map<string, Uint8Array>();
  const probes = Math.min(count, MAX_PROBES);
  const run = Math.ceil(count / probes);
  for (let attempt = 0; picked.size < count && attempt < probes * 4; attempt++) {
    for (const m of await space.run(run)) {
      if (picked.size < count) picked.set(memberId(m), m);
    }
  }
  // Unlucky probes kept landing on the same runs: fill up in key order.
  if (picked.size < count) {
    for await (const page of memberPages(r, meta)) {
      for (const m of page) if (picked.size < count) picked.set(memberId(m), m);
      if (picked.size >= count) break;
    }
  }
  const out = [...picked.values()];
  shuffle(out, out.length);
  return out;
}

/** `count` random members, repeats allowed (SRANDMEMBER with a negative count). */
export async function sampleWithRepeats(
  r: Access,
  meta: KeyMeta,
  count: number,
): Promise<Uint8Array[]> {
  if (isSmall(meta)) {
    const all = await listMembers(r, meta);
    return Array.from({ length: count }, () => all[randomIndex(all.length)]);
  }
  const space = await memberSpace(r, meta);
  const out: Uint8Array[] = [];
  const BATCH = 256;
  while (out.length < count) {
    const n = Math.min(BATCH, count - out.length);
    const runs = await Promise.all(Array.from({ length: n }, () => space.run(1)));
    for (const run of runs) out.push(run[0]);
  }
  return out;
}

/** Every member in key order (for samples that take most of a big set). */
async function readAll(r: Access, meta: KeyMeta): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const page of memberPages(r, meta)) out.push(...page);
  return out;
}

/** Move `k` random picks to the front of `items` (partial Fisher-Yates). */
function shuffle<T>(items: T[], k: number): void {
  for (let i = 0; i < k && i < items.length - 1; i++) {
    const j = i + randomIndex(items.length - i);
    [items[i], items[j]] = [items[j], items[i]];
  }
}

/** Random runs of members starting at random points between the first and last member. */
interface MemberSpace {
  run(length: number): Promise<Uint8Array[]>;
}

async function memberSpace(r: Access, meta: KeyMeta): Promise<MemberSpace> {
  const prefix = fieldPrefix(meta.g!);
  const [first] = await r.list({ prefix }, { limit: 1, keysOnly: true });
  const [last] = await r.list({ prefix }, { limit: 1, keysOnly: true, reverse: true });
  const low = first.key[2] as Uint8Array;
  const high = last.key[2] as Uint8Array;
  return {
    async run(length) {
      const probe = randomBetween(low, high);
      const out = (await r.list<MemberMeta>({ prefix, start: [...prefix, probe] }, {
        limit: length,
        keysOnly: true,
      })).map(memberName);
      if (out.length < length) {
        const wrap = await r.list<MemberMeta>({ prefix }, {
          limit: length - out.length,
          keysOnly: true,
        });
        out.push(...wrap.map(memberName));
      }
      return out;
    },
  };
}

/**
 * A byte string between `low` and `high`, uniform over the strings spelled with the bytes the
 * two use after their common prefix (digits for "member:00017", letters for words): uniform over
 * all 256 byte values would pile probes onto the few members after each gap in the alphabet.
 */
export function randomBetween(low: Uint8Array, high: Uint8Array): Uint8Array {
  let common = 0;
  while (common < low.length && common < high.length && low[common] === high[common]) common++;
  let min = 255;
  let max = 0;
  for (const bytes of [low, high]) {
    for (const b of bytes.subarray(common, common + PROBE_BYTES)) {
      min = Math.min(min, b);
      max = Math.max(max, b);
    }
  }
  if (min > max) [min, max] = [0, 255];
  const radix = BigInt(max - min + 1);
  const asNumber = (bytes: Uint8Array) => {
    let v = 0n;
    for (let i = common; i < common + PROBE_BYTES; i++) {
      const b = bytes[i] ?? min;
      v = v * radix + BigInt(Math.min(max, Math.max(min, b)) - min);
    }
    return v;
  };
  const a = asNumber(low);
  const span = asNumber(high) - a;
  const random = crypto.getRandomValues(new BigUint64Array(1))[0];
  let v = a + (span * random >> 64n);
  const out = new Uint8Array(common + PROBE_BYTES);
  out.set(low.subarray(0, common));
  for (let i = out.length - 1; i >= common; i--) {
    out[i] = Number(v % radix) + min;
    v /= radix;
  }
  return out;
}

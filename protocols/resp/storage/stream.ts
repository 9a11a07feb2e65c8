/**
 * Stream storage: the meta entry keeps the counters (length, last/first id, entries added, max
 * deleted id); entries, groups, pending entries and consumers live under the generation, each
 * kind under its own number, so ranges and trims are ordered range reads.
 * @module
 */
import type { Entry, Key, WriteTx } from "../../../src/store/mod.ts";
import { type Access, type CollectionHandle, saveCollection } from "./db.ts";
import { fieldPrefix, type KeyMeta, newGeneration } from "./layout.ts";

/** A stream ID: milliseconds and sequence, each an unsigned 64-bit number. */
export interface StreamId {
  ms: bigint;
  seq: bigint;
}

export const UINT64_MAX = 2n ** 64n - 1n;
export const MIN_ID: StreamId = { ms: 0n, seq: 0n };
export const MAX_ID: StreamId = { ms: UINT64_MAX, seq: UINT64_MAX };
/** SCG_INVALID_ENTRIES_READ: a group's read counter is unknown. */
export const INVALID_ENTRIES_READ = -1;
/** Entries a Redis listpack node holds (stream-node-max-entries): `~` trims whole nodes. */
export const NODE_MAX_ENTRIES = 100;
/** Entries read per page when a command walks a stream. */
export const STREAM_PAGE = 1000;

/** Stream counters in the key's meta entry (ids as "ms-seq" text). */
export interface StreamMeta {
  /** Last generated id. */
  sl: string;
  /** First entry's id (0-0 when empty). */
  sf: string;
  /** Entries ever added. */
  sa: number;
  /** Greatest id deleted by XDEL. */
  sd: string;
  /** Consumer groups. */
  sg: number;
}

/** A consumer group's entry. */
export interface GroupMeta {
  /** Last delivered id. */
  l: string;
  /** Entries read, or -1 when unknown. */
  r: number;
  /** Pending entries. */
  p: number;
  /** Consumers. */
  c: number;
}

/** A pending entry: owning consumer, last delivery time, delivery count. */
export interface PendingMeta {
  c: Uint8Array;
  t: number;
  n: number;
}

/** A consumer: seen time, active time (-1 never), pending count. */
export interface ConsumerMeta {
  s: number;
  a: number;
  p: number;
}

export type StreamHandle = CollectionHandle & { meta: KeyMeta & StreamMeta };

export function idText(id: StreamId): string {
  return `${id.ms}-${id.seq}`;
}

export function idOf(text: string): StreamId {
  const dash = text.indexOf("-");
  return { ms: BigInt(text.slice(0, dash)), seq: BigInt(text.slice(dash + 1)) };
}

export function compareIds(a: StreamId, b: StreamId): number {
  if (a.ms !== b.ms) return a.ms < b.ms ? -1 : 1;
  if (a.seq !== b.seq) return a.seq < b.seq ? -1 : 1;
  return 0;
}

export function isZero(id: StreamId): boolean {
  return id.ms === 0n && id.seq === 0n;
}

/** The id right after `id`, or null past the last possible one. */
export function nextId(id: StreamId): StreamId | null {
  if (id.seq < UINT64_MAX) return { ms: id.ms, seq: id.seq + 1n };
  if (id.ms < UINT64_MAX) return { ms: id.ms + 1n, seq: 0n };
  return null;
}

/** The id right before `id`, or null before 0-0. */
export function prevId(id: StreamId): StreamId | null {
  if (id.seq > 0n) return { ms: id.ms, seq: id.seq - 1n };
  if (id.ms > 0n) return { ms: id.ms - 1n, seq: UINT64_MAX };
  return null;
}

/** The counters of a stream's meta, as ids. */
export function streamState(meta: KeyMeta) {
  const m = meta as KeyMeta & StreamMeta;
  return {
    length: m.n ?? 0,
    last: idOf(m.sl),
    first: idOf(m.sf),
    added: m.sa,
    maxDeleted: idOf(m.sd),
    groups: m.sg,
  };
}

/** A new empty stream's meta. */
export function emptyStreamMeta(): KeyMeta & StreamMeta {
  return { t: "stream", g: newGeneration(), n: 0, sl: "0-0", sf: "0-0", sa: 0, sd: "0-0", sg: 0 };
}

// ---- key layout ----

const ENTRY = 0;
const GROUP = 1;
const PENDING = 2;
const CONSUMER = 3;

function entryKey(g: string, id: StreamId): Key {
  return [...fieldPrefix(g), ENTRY, id.ms, id.seq];
}

function entryPrefix(g: string): Key {
  return [...fieldPrefix(g), ENTRY];
}

export function groupKey(g: string, group: Uint8Array): Key {
  return [...fieldPrefix(g), GROUP, group];
}

export function groupPrefix(g: string): Key {
  return [...fieldPrefix(g), GROUP];
}

export function pendingKey(g: string, group: Uint8Array, id: StreamId): Key {
  return [...fieldPrefix(g), PENDING, group, id.ms, id.seq];
}

export function pendingPrefix(g: string, group: Uint8Array): Key {
  return [...fieldPrefix(g), PENDING, group];
}

export function consumerKey(g: string, group: Uint8Array, consumer: Uint8Array): Key {
  return [...fieldPrefix(g), CONSUMER, group, consumer];
}

export function consumerPrefix(g: string, group: Uint8Array): Key {
  return [...fieldPrefix(g), CONSUMER, group];
}

/** The id of an entry or pending entry listed by key (its last two parts). */
export function keyId(key: Key): StreamId {
  return { ms: key[key.length - 2] as bigint, seq: key[key.length - 1] as bigint };
}

// ---- entries ----

/** One stream entry: its id and field/value pairs. */
export interface StreamEntry {
  id: StreamId;
  fields: Uint8Array[];
}

/** Field/value pairs as one payload: each a 4-byte length then its bytes. */
export function encodeFields(fields: readonly Uint8Array[]): Uint8Array {
  let size = 0;
  for (const f of fields) size += 4 + f.length;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let at = 0;
  for (const f of fields) {
    view.setUint32(at, f.length);
    out.set(f, at + 4);
    at += 4 + f.length;
  }
  return out;
}

export function decodeFields(data: Uint8Array): Uint8Array[] {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const out: Uint8Array[] = [];
  for (let at = 0; at < data.length;) {
    const len = view.getUint32(at);
    out.push(data.subarray(at + 4, at + 4 + len));
    at += 4 + len;
  }
  return out;
}

function toEntry(e: Entry<unknown>): StreamEntry {
  return { id: keyId(e.key), fields: decodeFields(e.data) };
}

/** Entries from `start` to `end` inclusive, at most `limit`, oldest first unless `reverse`. */
export async function rangeEntries(
  r: Access,
  g: string,
  start: StreamId,
  end: StreamId,
  limit: number,
  reverse = false,
): Promise<StreamEntry[]> {
  if (compareIds(start, end) > 0 || limit <= 0) return [];
  const after = nextId(end);
  const selector = after
    ? { start: entryKey(g, start), end: entryKey(g, after) }
    : { prefix: entryPrefix(g), start: entryKey(g, start) };
  const entries = await r.list(selector, { limit: Math.min(limit, 2 ** 31 - 1), reverse });
  return entries.map(toEntry);
}

/** The entries with these ids (null where deleted). */
export async function entriesById(
  r: Access,
  g: string,
  ids: readonly StreamId[],
): Promise<(StreamEntry | null)[]> {
  const found = await r.getMany(ids.map((id) => entryKey(g, id)));
  return found.map((e) => e ? toEntry(e) : null);
}

/** Append an entry (its id already checked to be past the last). */
export function appendEntry(tx: WriteTx, h: StreamHandle, id: StreamId, fields: Uint8Array[]) {
  tx.set(entryKey(h.meta.g!, id), { data: encodeFields(fields) });
  if ((h.meta.n ?? 0) === 0) h.meta.sf = idText(id);
  h.meta.n = (h.meta.n ?? 0) + 1;
  h.meta.sl = idText(id);
  h.meta.sa += 1;
  h.dirty = true;
}

/** Delete entries known to exist; keeps the first id in step. */
export async function deleteEntries(tx: WriteTx, h: StreamHandle, ids: readonly StreamId[]) {
  if (ids.length === 0) return;
  for (const id of ids) tx.delete(entryKey(h.meta.g!, id));
  h.meta.n = (h.meta.n ?? 0) - ids.length;
  h.dirty = true;
  await refreshFirst(tx, h);
}

async function refreshFirst(tx: WriteTx, h: StreamHandle) {
  const [first] = await tx.list({ prefix: entryPrefix(h.meta.g!) }, { limit: 1, keysOnly: true });
  h.meta.sf = first ? idText(keyId(first.key)) : "0-0";
}

/** How entries are trimmed (XADD/XTRIM MAXLEN or MINID). */
export interface TrimSpec {
  kind: "maxlen" | "minid";
  maxlen: number;
  minid: StreamId;
  approx: boolean;
  /** Most entries one trim removes (0 = no limit). */
  limit: number;
}

/** Trim oldest entries as `spec` says; returns how many went. */
export async function trimStream(tx: WriteTx, h: StreamHandle, spec: TrimSpec): Promise<number> {
  const length = h.meta.n ?? 0;
  let budget = spec.kind === "maxlen" ? Math.max(0, length - spec.maxlen) : length;
  if (budget === 0) return 0;
  if (spec.limit > 0) budget = Math.min(budget, spec.limit);
  const g = h.meta.g!;
  const removed: StreamId[] = [];
  let from = MIN_ID;
  // An approximate trim removes whole nodes only: whole runs of NODE_MAX_ENTRIES.
  while (removed.length < budget) {
    const want = Math.min(STREAM_PAGE, budget - removed.length);
    const page = await tx.list({ prefix: entryPrefix(g), start: entryKey(g, from) }, {
      limit: want,
      keysOnly: true,
    });
    let stop = false;
    for (const e of page) {
      const id = keyId(e.key);
      if (spec.kind === "minid" && compareIds(id, spec.minid) >= 0) {
        stop = true;
        break;
      }
      removed.push(id);
    }
    if (stop || page.length < want) break;
    from = nextId(removed[removed.length - 1])!;
  }
  if (spec.approx) removed.length = wholeNodes(h.meta, removed.length);
  for (const id of removed) tx.delete(entryKey(g, id));
  if (removed.length > 0) {
    h.meta.n = length - removed.length;
    h.dirty = true;
    await refreshFirst(tx, h);
  }
  return removed.length;
}

/**
 * How many of the oldest `candidates` entries an approximate trim removes: Redis drops whole
 * listpack nodes only. Nodes are modelled as runs of NODE_MAX_ENTRIES by insertion number.
 */
function wholeNodes(meta: KeyMeta, candidates: number): number {
  const s = streamState(meta);
  let left = s.length;
  let size = Math.min(left, NODE_MAX_ENTRIES - ((s.added - s.length) % NODE_MAX_ENTRIES));
  let removed = 0;
  while (left > 0 && removed + size <= candidates) {
    removed += size;
    left -= size;
    size = Math.min(left, NODE_MAX_ENTRIES);
  }
  return removed;
}

/** Write the stream's meta back (a stream stays when empty, as in Redis). */
export function saveStream(tx: WriteTx, h: StreamHandle): void {
  if (h.dirty) saveCollection(tx, h, false);
}

// ---- group lag and read counters (t_stream.c) ----

/** Whether an XDEL tombstone lies in [start, end]. */
export function rangeHasTombstones(meta: KeyMeta, start: StreamId | null, end: StreamId | null) {
  const s = streamState(meta);
  if (s.length === 0 || isZero(s.maxDeleted)) return false;
  const from = start ?? MIN_ID;
  const to = end ?? MAX_ID;
  return compareIds(from, s.maxDeleted) <= 0 && compareIds(s.maxDeleted, to) <= 0;
}

/** streamEstimateDistanceFromFirstEverEntry. */
export function estimateDistance(meta: KeyMeta, id: StreamId): number {
  const s = streamState(meta);
  if (!s.added) return 0;
  if (!s.length && compareIds(id, s.last) < 1) return s.added;
  const cmpLast = compareIds(id, s.last);
  if (cmpLast === 0) return s.added;
  if (cmpLast > 0) return INVALID_ENTRIES_READ;
  const cmpFirst = compareIds(id, s.first);
  if (isZero(s.maxDeleted) || compareIds(s.maxDeleted, s.first) < 0) {
    if (cmpFirst < 0) return s.added - s.length;
    if (cmpFirst === 0) return s.added - s.length + 1;
  }
  return INVALID_ENTRIES_READ;
}

/** A group's lag, or null when it cannot be known (streamReplyWithCGLag). */
export function groupLag(meta: KeyMeta, group: GroupMeta): number | null {
  const s = streamState(meta);
  if (!s.added) return 0;
  if (group.r !== INVALID_ENTRIES_READ && !rangeHasTombstones(meta, idOf(group.l), null)) {
    return s.added - group.r;
  }
  const read = estimateDistance(meta, idOf(group.l));
  return read === INVALID_ENTRIES_READ ? null : s.added - read;
}

/** A group's counters after delivering new entry `id` to it. */
export function advanceGroup(meta: KeyMeta, group: GroupMeta, id: StreamId): void {
  if (compareIds(id, idOf(group.l)) <= 0) return;
  if (group.r !== INVALID_ENTRIES_READ && !rangeHasTombstones(meta, id, null)) group.r++;
  else if (streamState(meta).added) group.r = estimateDistance(meta, id);
  group.l = idText(id);
}

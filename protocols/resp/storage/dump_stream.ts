/**
 * DUMP/RESTORE of streams in RDB's stream layout: listpack nodes keyed by their master id (split
 * as XADD splits them), the stream's counters, then each consumer group with its pending
 * entries and consumers. DUMP writes Redis 7.2's STREAM_LISTPACKS_3; RESTORE also reads 7.0's.
 * @module
 */
import { latin1Text, sameBytes } from "../../../src/bytes.ts";
import type { EncodingLimits } from "../encoding_limits.ts";
import type { Access } from "./db.ts";
import { putKey } from "./db.ts";
import type { RestoreTarget, TypeCodec } from "./dump_collections.ts";
import { decodeListpack, encodeListpack, listpackEntrySize } from "./listpack.ts";
import { BadPayload, type PayloadReader, type PayloadWriter } from "./rdb_payload.ts";
import {
  appendEntry,
  consumerKey,
  type ConsumerMeta,
  emptyStreamMeta,
  groupKey,
  type GroupMeta,
  idOf,
  idText,
  INVALID_ENTRIES_READ,
  MAX_ID,
  MIN_ID,
  nextId,
  pendingKey,
  type PendingMeta,
  rangeEntries,
  STREAM_PAGE,
  type StreamEntry,
  type StreamHandle,
  type StreamId,
  streamState,
} from "./stream.ts";
import { listConsumers, listGroups, listPending } from "./stream_group.ts";

const RDB_TYPE_STREAM_LISTPACKS = 15;
const RDB_TYPE_STREAM_LISTPACKS_2 = 19;
const RDB_TYPE_STREAM_LISTPACKS_3 = 21;
/** Entry flags in a node: deleted, and "same fields as the master entry". */
const FLAG_DELETED = 1;
const FLAG_SAMEFIELDS = 2;
/** A node never grows past this (STREAM_LISTPACK_MAX_SIZE). */
const NODE_MAX_SIZE = 1 << 30;
/** 2^64 - 1: how RDB writes -1 in an unsigned field. */
const U64_MAX = 2n ** 64n - 1n;
/** An empty listpack's header and end byte. */
const LISTPACK_EMPTY = 7;
const encoder = new TextEncoder();

/** A stream id as 16 big-endian bytes (a node's key, a PEL entry). */
function rawId(id: StreamId): Uint8Array {
  const out = new Uint8Array(16);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, id.ms);
  view.setBigUint64(8, id.seq);
  return out;
}

function readRawId(bytes: Uint8Array): StreamId {
  if (bytes.length !== 16) throw new BadPayload();
  const view = new DataView(bytes.buffer, bytes.byteOffset, 16);
  return { ms: view.getBigUint64(0), seq: view.getBigUint64(8) };
}

/** One listpack node being built: its master entry's fields and its items. */
interface Node {
  master: StreamEntry;
  fields: Uint8Array[];
  items: (Uint8Array | bigint | number)[];
  count: number;
  /** Bytes of every element but the first (the count, which changes as entries arrive). */
  rest: number;
  /** The node's listpack size. */
  bytes: number;
}

/** Bytes one listpack element takes. */
function itemSize(item: Uint8Array | bigint | number): number {
  return listpackEntrySize(item instanceof Uint8Array ? item : encoder.encode(String(item)));
}

/** The node a fresh XADD of `e` would start (master entry, then the entry itself). */
function startNode(e: StreamEntry): Node {
  const fields = e.fields.filter((_, i) => i % 2 === 0);
  const items = [0, 0, fields.length, ...fields, 0];
  const rest = items.slice(1).reduce((n: number, item) => n + itemSize(item), 0);
  return { master: e, fields, items, count: 0, rest, bytes: 0 };
}

function addToNode(node: Node, e: StreamEntry): void {
  const fields = e.fields.filter((_, i) => i % 2 === 0);
  const values = e.fields.filter((_, i) => i % 2 === 1);
  const same = fields.length === node.fields.length &&
    fields.every((f, i) => sameBytes(f, node.fields[i]));
  const added: (Uint8Array | bigint | number)[] = [
    same ? FLAG_SAMEFIELDS : 0,
    e.id.ms - node.master.id.ms,
    e.id.seq - node.master.id.seq,
    ...(same ? values : [fields.length, ...e.fields]),
    same ? values.length + 3 : fields.length * 2 + 4,
  ];
  for (const item of added) {
    node.items.push(item);
    node.rest += itemSize(item);
  }
  node.count++;
  node.items[0] = node.count;
  node.bytes = LISTPACK_EMPTY + itemSize(node.count) + node.rest;
}

/** The entries as XADD would have laid them out in nodes (streamAppendItem's split rule). */
async function buildNodes(r: Access, g: string, limits: EncodingLimits): Promise<Node[]> {
  const maxBytes = limits.streamNodeMaxBytes === 0 || limits.streamNodeMaxBytes > NODE_MAX_SIZE
    ? NODE_MAX_SIZE
    : limits.streamNodeMaxBytes;
  const nodes: Node[] = [];
  let from: StreamId | null = MIN_ID;
  while (from) {
    const page = await rangeEntries(r, g, from, MAX_ID, STREAM_PAGE);
    for (const e of page) {
      const last = nodes[nodes.length - 1];
      const size = e.fields.reduce((n, f) => n + f.length, 0);
      const full = !last || last.bytes + size >= maxBytes ||
        (limits.streamNodeMaxEntries > 0 && last.count >= limits.streamNodeMaxEntries);
      const node = full ? startNode(e) : last;
      if (full) nodes.push(node);
      addToNode(node, e);
    }
    from = page.length < STREAM_PAGE ? null : nextId(page[page.length - 1].id);
  }
  return nodes;
}

function writeId(w: PayloadWriter, id: StreamId): void {
  w.length(id.ms);
  w.length(id.seq);
}

async function dump(
  r: Access,
  entry: { meta?: unknown },
  w: PayloadWriter,
  limits: EncodingLimits,
) {
  const meta = entry.meta as StreamHandle["meta"];
  const g = meta.g!;
  const nodes = await buildNodes(r, g, limits);
  const s = streamState(meta);
  w.byte(RDB_TYPE_STREAM_LISTPACKS_3);
  w.length(nodes.length);
  for (const node of nodes) {
    w.string(rawId(node.master.id));
    w.string(encodeListpack(node.items));
  }
  w.length(s.length);
  writeId(w, s.last);
  writeId(w, s.first);
  writeId(w, s.maxDeleted);
  w.length(s.added);
  const groups = await listGroups(r, g);
  w.length(groups.length);
  for (const group of groups) {
    w.string(group.name);
    writeId(w, idOf(group.meta.l));
    w.length(group.meta.r < 0 ? U64_MAX : group.meta.r);
    const pending = await listPending(r, g, group.name, MIN_ID, Infinity);
    w.length(pending.length);
    for (const p of pending) {
      w.bytes(rawId(p.id));
      w.u64(p.t);
      w.length(p.n);
    }
    const consumers = await listConsumers(r, g, group.name);
    w.length(consumers.length);
    for (const c of consumers) {
      w.string(c.name);
      w.u64(c.s);
      w.u64(c.a < 0 ? U64_MAX : c.a);
      const owned = pending.filter((p) => sameBytes(p.c, c.name));
      w.length(owned.length);
      for (const p of owned) w.bytes(rawId(p.id));
    }
  }
}

function readId(body: PayloadReader): StreamId {
  return { ms: body.bigCount(), seq: body.bigCount() };
}

/** A listpack element that must be an integer. */
function int(item: Uint8Array | undefined): bigint {
  if (item === undefined) throw new BadPayload();
  const text = latin1Text(item);
  if (!/^-?\d+$/.test(text)) throw new BadPayload();
  return BigInt(text);
}

/** The live entries of one node (lpGetEdgeStreamID and the entry walk of t_stream.c). */
function nodeEntries(master: StreamId, items: Uint8Array[]): StreamEntry[] {
  let at = 0;
  const next = () => {
    if (at >= items.length) throw new BadPayload();
    return items[at++];
  };
  const count = int(next());
  const deleted = int(next());
  const nfields = Number(int(next()));
  const fields: Uint8Array[] = [];
  for (let i = 0; i < nfields; i++) fields.push(next());
  if (int(next()) !== 0n) throw new BadPayload();
  const out: StreamEntry[] = [];
  let seen = 0n;
  while (at < items.length) {
    const flags = Number(int(next()));
    const id = { ms: master.ms + int(next()), seq: master.seq + int(next()) };
    const pairs: Uint8Array[] = [];
    if (flags & FLAG_SAMEFIELDS) {
      for (const f of fields) pairs.push(f, next());
    } else {
      const n = Number(int(next()));
      for (let i = 0; i < n * 2; i++) pairs.push(next());
    }
    int(next()); // lp-count, for walking backwards
    seen++;
    if (!(flags & FLAG_DELETED)) out.push({ id, fields: pairs });
  }
  if (seen !== count + deleted || out.length !== Number(count)) throw new BadPayload();
  return out;
}

function restore(type: number, body: PayloadReader, to: RestoreTarget): void {
  // Everything but the key's own entry lies under the new generation.
  const tx = to.fresh;
  const meta = emptyStreamMeta();
  const h: StreamHandle = { slot: to.slot, key: to.key, entry: null, meta, dirty: true };
  const nodes = body.count();
  let last: StreamId | null = null;
  for (let i = 0; i < nodes; i++) {
    const master = readRawId(body.string());
    const items = decodeListpack(body.string());
    if (items.length === 0) throw new BadPayload();
    for (const e of nodeEntries(master, items)) {
      if (last && (e.id.ms < last.ms || (e.id.ms === last.ms && e.id.seq <= last.seq))) {
        throw new BadPayload();
      }
      last = e.id;
      appendEntry(tx, h, e.id, e.fields);
    }
  }
  const length = body.count();
  if (length !== meta.n) throw new BadPayload();
  meta.sl = idText(readId(body));
  if (type !== RDB_TYPE_STREAM_LISTPACKS) {
    meta.sf = idText(readId(body));
    meta.sd = idText(readId(body));
    meta.sa = Number(body.bigCount());
  }
  const groups = body.count();
  meta.sg = groups;
  const names = new Set<string>();
  for (let i = 0; i < groups; i++) {
    const name = body.string();
    if (names.has(latin1Text(name))) throw new BadPayload();
    names.add(latin1Text(name));
    const lastId = readId(body);
    let read = INVALID_ENTRIES_READ;
    if (type !== RDB_TYPE_STREAM_LISTPACKS) {
      const r = body.bigCount();
      read = r === U64_MAX ? INVALID_ENTRIES_READ : Number(r);
    }
    const pel = new Map<string, { id: StreamId; t: number; n: number; owner?: Uint8Array }>();
    const pelCount = body.count();
    for (let j = 0; j < pelCount; j++) {
      const id = readRawId(body.take(16));
      const t = body.u64();
      const n = body.count();
      pel.set(idText(id), { id, t, n });
    }
    const consumers = body.count();
    for (let j = 0; j < consumers; j++) {
      const cname = body.string();
      const seen = body.u64();
      const active = type === RDB_TYPE_STREAM_LISTPACKS_3 ? body.bigU64() : BigInt(seen);
      const owned = body.count();
      for (let k = 0; k < owned; k++) {
        const p = pel.get(idText(readRawId(body.take(16))));
        if (!p || p.owner) throw new BadPayload();
        p.owner = cname;
      }
      tx.set<ConsumerMeta>(consumerKey(meta.g!, name, cname), {
        meta: { s: seen, a: active === U64_MAX ? -1 : Number(active), p: owned },
      });
    }
    for (const p of pel.values()) {
      if (!p.owner) throw new BadPayload();
      tx.set<PendingMeta>(pendingKey(meta.g!, name, p.id), {
        meta: { c: p.owner, t: p.t, n: p.n },
      });
    }
    tx.set<GroupMeta>(groupKey(meta.g!, name), {
      meta: { l: idText(lastId), r: read, p: pel.size, c: consumers },
    });
  }
  putKey(to.tx, {
    slot: to.slot,
    key: to.key,
    record: { meta, expiresAt: to.expiresAt },
    old: to.old,
  });
}

/** The stream codec. */
export const STREAM_CODEC: TypeCodec = {
  types: [RDB_TYPE_STREAM_LISTPACKS, RDB_TYPE_STREAM_LISTPACKS_2, RDB_TYPE_STREAM_LISTPACKS_3],
  dump,
  restore,
};

/**
 * DUMP/RESTORE codecs for lists, sets and sorted sets in the RDB encodings Redis writes:
 * quicklist nodes of listpacks, intsets, set and sorted-set listpacks, plain sets and skiplists
 * (RESTORE also reads the older plain list and sorted-set forms).
 * @module
 */
import { latin1Text } from "../../../src/bytes.ts";
import type { EncodingLimits } from "../encoding_limits.ts";
import { formatDouble } from "../codec/reply_encoder.ts";
import { parseInt64 } from "../numbers.ts";
import { type Access, type KeyEntry, putKey } from "./db.ts";
import { type KeyMeta, newGeneration } from "./layout.ts";
import { elementsIn, listLength, openList, pushElements } from "./list.ts";
import {
  decodeIntset,
  decodeListpack,
  encodeIntset,
  encodeListpack,
  listpackEntrySize,
} from "./listpack.ts";
import { BadPayload, type PayloadReader, type PayloadWriter } from "./rdb_payload.ts";
import type { WriteTx } from "../../../src/store/mod.ts";
import {
  addMembers,
  createEncoding,
  listMembers,
  memberId,
  memberPages,
  setEncoding,
  type SetHandle,
} from "./set.ts";
import { allMembers, storeZset, type ZMember } from "./zset.ts";

export const RDB_TYPE_LIST = 1;
export const RDB_TYPE_SET = 2;
export const RDB_TYPE_ZSET = 3;
export const RDB_TYPE_ZSET_2 = 5;
export const RDB_TYPE_SET_INTSET = 11;
export const RDB_TYPE_ZSET_LISTPACK = 17;
export const RDB_TYPE_LIST_QUICKLIST_2 = 18;
export const RDB_TYPE_SET_LISTPACK = 20;
/** Quicklist node containers: one element as is, or a listpack of elements. */
const NODE_PLAIN = 1;
const NODE_PACKED = 2;
/** An empty listpack's bytes (header and end byte). */
const EMPTY_LISTPACK_BYTES = 7;
/** A quicklist node may not grow past this when sized by count (SIZE_SAFETY_LIMIT). */
const NODE_SAFETY_LIMIT = 8192;
/** Node byte limits for list-max-listpack-size -1 … -5. */
const NODE_SIZE_LEVELS = [4096, 8192, 16384, 32768, 65536];
/** Elements read per page when dumping a list. */
const LIST_PAGE = 1000;
const encoder = new TextEncoder();

/** Where a restored value goes. */
export interface RestoreTarget {
  tx: WriteTx;
  /** `tx` for the new generation's entries (see {@link freshWrites}). */
  fresh: WriteTx;
  slot: number;
  key: Uint8Array;
  /** The entry being replaced (RESTORE … REPLACE), or null. */
  old: KeyEntry | null;
  expiresAt: number | null;
  /** The encoding thresholds in force. */
  limits: EncodingLimits;
}

/** How one type is dumped and restored. */
export interface TypeCodec {
  /** The RDB type bytes this codec reads. */
  types: number[];
  dump(r: Access, entry: KeyEntry, w: PayloadWriter, limits: EncodingLimits): Promise<void>;
  restore(type: number, body: PayloadReader, to: RestoreTarget): Promise<void> | void;
}

/** Write a restored collection's meta entry. */
function putRestored(to: RestoreTarget, meta: KeyMeta): void {
  putKey(to.tx, {
    slot: to.slot,
    key: to.key,
    record: { meta, expiresAt: to.expiresAt },
    old: to.old,
  });
}

/**
 * Whether a quicklist node of `bytes` bytes and `count` elements takes an element of `len`
 * bytes (_quicklistNodeAllowInsert in Redis 7.0, with its ziplist-era overhead estimate).
 */
function nodeTakes(bytes: number, count: number, len: number, fill: number): boolean {
  const overhead = (len < 254 ? 1 : 5) + (len < 64 ? 1 : len < 16384 ? 2 : 5);
  const size = bytes + len + overhead;
  if (fill < 0) return size <= NODE_SIZE_LEVELS[Math.min(-fill, NODE_SIZE_LEVELS.length) - 1];
  return size <= NODE_SAFETY_LIMIT && count < fill;
}

/** Elements in quicklist nodes as pushes at one end build them (greedy, in order). */
function splitNodes(values: readonly Uint8Array[], fill: number): Uint8Array[][] {
  const nodes: Uint8Array[][] = [];
  let node: Uint8Array[] = [];
  let bytes = EMPTY_LISTPACK_BYTES;
  for (const value of values) {
    if (node.length > 0 && !nodeTakes(bytes, node.length, value.length, fill)) {
      nodes.push(node);
      node = [];
      bytes = EMPTY_LISTPACK_BYTES;
    }
    node.push(value);
    bytes += listpackEntrySize(value);
  }
  if (node.length > 0) nodes.push(node);
  return nodes;
}

const list: TypeCodec = {
  types: [RDB_TYPE_LIST_QUICKLIST_2, RDB_TYPE_LIST],
  async dump(r, entry, w, limits) {
    const meta = entry.meta!;
    const n = listLength(meta);
    const values: Uint8Array[] = [];
    for (let from = 0; from < n; from += LIST_PAGE) {
      for (const e of await elementsIn(r, meta, from, Math.min(n, from + LIST_PAGE))) {
        values.push(e.data);
      }
    }
    // Redis fills nodes from the end a list grows at: the tail for RPUSH, the head for LPUSH
    // (a list only ever pushed at the head ends at storage position -1).
    const fromHead = (meta.h ?? 0) + n <= 0;
    const nodes = splitNodes(fromHead ? values.reverse() : values, limits.listMaxListpackSize);
    if (fromHead) { for (const node of nodes.reverse()) node.reverse(); }
    w.byte(RDB_TYPE_LIST_QUICKLIST_2);
    w.length(nodes.length);
    for (const items of nodes) {
      w.length(NODE_PACKED);
      w.string(encodeListpack(items));
    }
  },
  restore(type, body, to) {
    const values: Uint8Array[] = [];
    const nodes: number[] = [];
    const count = body.count();
    for (let i = 0; i < count; i++) {
      if (type === RDB_TYPE_LIST) {
        values.push(body.string());
        continue;
      }
      const container = body.count();
      const blob = body.string();
      const before = values.length;
      if (container === NODE_PLAIN) values.push(blob);
      else if (container === NODE_PACKED) values.push(...decodeListpack(blob));
      else throw new BadPayload();
      nodes.push(values.length - before);
    }
    if (values.length === 0) throw new BadPayload();
    const l = openList(to.slot, to.key, null);
    // Nodes laid out as LPUSH lays them out are kept so (DUMP then gives the same payload).
    const fill = to.limits.listMaxListpackSize;
    const fromHead = nodes.length > 1 &&
      sameCounts(nodes, splitNodes([...values].reverse(), fill).map((n) => n.length).reverse()) &&
      !sameCounts(nodes, splitNodes(values, fill).map((n) => n.length));
    if (fromHead) pushElements(to.fresh, l, "left", values.reverse());
    else pushElements(to.fresh, l, "right", values);
    putRestored(to, l.meta);
  },
};

function sameCounts(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((n, i) => n === b[i]);
}

/** Fail on a member seen before (Redis refuses such payloads). */
function distinct(members: readonly Uint8Array[]): void {
  const seen = new Set<string>();
  for (const m of members) {
    const id = memberId(m);
    if (seen.has(id)) throw new BadPayload();
    seen.add(id);
  }
}

const set: TypeCodec = {
  types: [RDB_TYPE_SET, RDB_TYPE_SET_INTSET, RDB_TYPE_SET_LISTPACK],
  async dump(r, entry, w) {
    const meta = entry.meta!;
    const enc = setEncoding(meta);
    if (enc === "intset") {
      const values = (await listMembers(r, meta)).map((m) => parseInt64(m)!);
      w.byte(RDB_TYPE_SET_INTSET);
      w.string(encodeIntset(values.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))));
      return;
    }
    if (enc === "listpack") {
      w.byte(RDB_TYPE_SET_LISTPACK);
      w.string(encodeListpack(await listMembers(r, meta)));
      return;
    }
    w.byte(RDB_TYPE_SET);
    w.length(meta.n ?? 0);
    for await (const page of memberPages(r, meta)) for (const m of page) w.string(m);
  },
  restore(type, body, to) {
    let members: Uint8Array[];
    if (type === RDB_TYPE_SET_INTSET) {
      members = decodeIntset(body.string()).map((v) => encoder.encode(String(v)));
    } else if (type === RDB_TYPE_SET_LISTPACK) {
      members = decodeListpack(body.string());
    } else {
      const count = body.count();
      members = [];
      for (let i = 0; i < count; i++) members.push(body.string());
    }
    if (members.length === 0) throw new BadPayload();
    distinct(members);
    const { intsetEntries, listpackEntries } = setLimitsOf(to.limits);
    // Redis keeps a loaded intset or listpack as it came unless it is over its entry limit.
    const e = type === RDB_TYPE_SET_INTSET
      ? (members.length > intsetEntries ? "hashtable" : "intset")
      : type === RDB_TYPE_SET_LISTPACK
      ? (members.length > listpackEntries ? "hashtable" : "listpack")
      : createEncoding(members[0], members.length, setLimitsOf(to.limits));
    const meta: KeyMeta = { t: "set", g: newGeneration(), n: 0, e };
    const h: SetHandle = {
      slot: to.slot,
      key: to.key,
      entry: null,
      meta,
      dirty: true,
      limits: setLimitsOf(to.limits),
    };
    addMembers(to.fresh, h, members, members.map(() => false));
    putRestored(to, h.meta);
  },
};

function setLimitsOf(limits: EncodingLimits) {
  return {
    intsetEntries: limits.setMaxIntsetEntries,
    listpackEntries: limits.setMaxListpackEntries,
    listpackValue: limits.setMaxListpackValue,
  };
}

/** LLONG_MAX / 2: d2string prints integral scores within it as integers (double2ll). */
const INTEGRAL_SCORE_MAX = 4611686018427387903;

/** A score as a sorted-set listpack stores it (d2string, Redis 7.2). */
function scoreText(score: number): string {
  if (Number.isInteger(score) && Math.abs(score) <= INTEGRAL_SCORE_MAX && !Object.is(score, -0)) {
    return BigInt(score).toString();
  }
  return formatDouble(score);
}

/** A listpack score back as a double (zzlStrtod); NaN is refused as Redis refuses it. */
function scoreOf(text: Uint8Array): number {
  const s = latin1Text(text).toLowerCase();
  const score = s === "inf" || s === "+inf" ? Infinity : s === "-inf" ? -Infinity : Number(s);
  if (Number.isNaN(score) || s.trim() !== s || s === "") throw new BadPayload();
  return score;
}

/** rdbLoadDoubleValue: a length-prefixed decimal, or 253/254/255 for nan/inf/-inf. */
function textDouble(body: PayloadReader): number {
  const len = body.byte();
  if (len === 253) throw new BadPayload();
  if (len === 254) return Infinity;
  if (len === 255) return -Infinity;
  return scoreOf(body.take(len));
}

const zset: TypeCodec = {
  types: [RDB_TYPE_ZSET_2, RDB_TYPE_ZSET, RDB_TYPE_ZSET_LISTPACK],
  async dump(r, entry, w) {
    const members = await allMembers(r, entry.meta!);
    if (!entry.meta!.big) {
      w.byte(RDB_TYPE_ZSET_LISTPACK);
      w.string(
        encodeListpack(members.flatMap((m) => [m.member, encoder.encode(scoreText(m.score))])),
      );
      return;
    }
    // Redis saves a skiplist from the greatest member down.
    w.byte(RDB_TYPE_ZSET_2);
    w.length(members.length);
    for (let i = members.length - 1; i >= 0; i--) {
      w.string(members[i].member);
      w.double(members[i].score);
    }
  },
  restore(type, body, to) {
    const members: ZMember[] = [];
    if (type === RDB_TYPE_ZSET_LISTPACK) {
      const items = decodeListpack(body.string());
      if (items.length % 2 !== 0) throw new BadPayload();
      for (let i = 0; i < items.length; i += 2) {
        members.push({ member: items[i], score: scoreOf(items[i + 1]) });
      }
    } else {
      const count = body.count();
      for (let i = 0; i < count; i++) {
        const member = body.string();
        const score = type === RDB_TYPE_ZSET_2 ? body.double() : textDouble(body);
        if (Number.isNaN(score)) throw new BadPayload();
        members.push({ member, score });
      }
    }
    if (members.length === 0) throw new BadPayload();
    distinct(members.map((m) => m.member));
    const limits = {
      entries: to.limits.zsetMaxListpackEntries,
      value: to.limits.zsetMaxListpackValue,
    };
    return storeZset(to.tx, to.slot, to.key, to.old, members, limits, to.expiresAt);
  },
};

/** The collection codecs, by the type name TYPE reports. */
export const COLLECTION_CODECS = { list, set, zset } as const;

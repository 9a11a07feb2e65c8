/**
 * Redis stream commands without consumer groups (t_stream.c): XADD, XLEN, XRANGE, XREVRANGE,
 * XDEL, XTRIM, XSETID and XREAD (blocking through blocking.ts). Entries are range reads of the
 * ordered entry space (storage/stream.ts).
 * @module
 */
import { notify, STREAM } from "../notify.ts";
import type { WriteTx } from "../../../src/store/mod.ts";
import { command, type CommandContext, type CommandSpec } from "../command.ts";
import { serveOrBlock } from "../blocking.ts";
import { DATA_ERRORS } from "../errors.ts";
import { array, bulk, integer, NULL, NULL_ARRAY, OK, type Reply } from "../reply.ts";
import type { KeyEntry } from "../storage/db.ts";
import {
  appendEntry,
  compareIds,
  deleteEntries,
  emptyStreamMeta,
  entriesById,
  idText,
  isZero,
  MAX_ID,
  MIN_ID,
  nextId,
  rangeEntries,
  saveStream,
  type StreamEntry,
  type StreamHandle,
  type StreamId,
  type StreamMeta,
  streamState,
  trimStream,
  UINT64_MAX,
} from "../storage/stream.ts";
import { checkKey, fail, getTyped, option, readSlot, writeSlot } from "./common.ts";
import {
  addOrTrimArgs,
  longArg,
  parseId,
  rangeEnd,
  rangeStart,
  STREAM_ERRORS,
  strictId,
} from "./stream_args.ts";
import type { KeyMeta } from "../storage/layout.ts";
import { parseInt64 } from "../numbers.ts";

/** An entry's reply: [id, [field, value, ...]] (fields null for a deleted pending entry). */
export function entryReply(e: StreamEntry): Reply {
  return array([bulk(idText(e.id)), array(e.fields.map((f) => bulk(f)))]);
}

export function idReply(id: StreamId): Reply {
  return bulk(idText(id));
}

/** Open a stream key for writing (null when absent). */
export async function openStream(
  tx: WriteTx,
  slot: number,
  key: Uint8Array,
): Promise<StreamHandle | null> {
  const entry = await getTyped(tx, slot, key, "stream");
  return entry ? handleOf(slot, key, entry) : null;
}

export function handleOf(slot: number, key: Uint8Array, entry: KeyEntry | null): StreamHandle {
  const meta = entry ? { ...entry.meta! } as KeyMeta & StreamMeta : emptyStreamMeta();
  return { slot, key, entry, meta, dirty: entry === null };
}

/** The id XADD gives a new entry (streamAppendItem's rules), or the error. */
function newId(last: StreamId, given: ReturnType<typeof parseId> | null, now: number): StreamId {
  if (!given) {
    const ms = BigInt(now);
    if (ms > last.ms) return { ms, seq: 0n };
    const next = nextId(last);
    if (!next) fail(STREAM_ERRORS.exhausted);
    return next;
  }
  if (!given.seqGiven) {
    if (given.ms === last.ms) {
      if (last.seq === UINT64_MAX) fail(STREAM_ERRORS.xaddSmaller);
      return { ms: given.ms, seq: last.seq + 1n };
    }
    if (given.ms < last.ms) fail(STREAM_ERRORS.xaddSmaller);
    return { ms: given.ms, seq: 0n };
  }
  if (compareIds(given, last) <= 0) fail(STREAM_ERRORS.xaddSmaller);
  return given;
}

async function xadd(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  checkKey(argv[1]);
  const args = addOrTrimArgs(argv, true);
  let given: ReturnType<typeof parseId> | null = null;
  if (!(argv[args.idPos].length === 1 && argv[args.idPos][0] === 0x2a)) {
    given = parseId(argv[args.idPos], 0n, true, true);
  }
  const fieldPos = args.idPos + 1;
  if (argv.length - fieldPos < 2 || (argv.length - fieldPos) % 2 === 1) {
    fail(DATA_ERRORS.arity("xadd"));
  }
  if (given && given.seqGiven && isZero(given)) fail(STREAM_ERRORS.xaddZero);
  const id = await writeSlot(ctx, async (tx, slot) => {
    const entry = await getTyped(tx, slot, argv[1], "stream");
    if (!entry && args.noMkStream) return null;
    const h = handleOf(slot, argv[1], entry);
    const s = streamState(h.meta);
    if (s.last.ms === UINT64_MAX && s.last.seq === UINT64_MAX) fail(STREAM_ERRORS.exhausted);
    const id = newId(s.last, given, tx.now);
    appendEntry(tx, h, id, argv.slice(fieldPos));
    const trimmed = args.trim ? await trimStream(tx, h, args.trim) : 0;
    saveStream(tx, h);
    notify(tx, STREAM, "xadd", argv[1]);
    if (trimmed > 0) notify(tx, STREAM, "xtrim", argv[1]);
    return id;
  });
  return id ? idReply(id) : NULL;
}

async function xlen(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  const entry = await readSlot(ctx, (r, slot) => getTyped(r, slot, argv[1], "stream"));
  return integer(entry?.meta?.n ?? 0);
}

function xrangeGeneric(reverse: boolean) {
  return async (ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> => {
    const start = rangeStart(reverse ? argv[3] : argv[2]);
    const end = rangeEnd(reverse ? argv[2] : argv[3]);
    let count = -1;
    for (let j = 4; j < argv.length; j++) {
      if (option(argv[j]) === "COUNT" && j + 1 < argv.length) {
        count = Math.max(0, longArg(argv[++j]));
      } else fail(DATA_ERRORS.syntax);
    }
    return await readSlot(ctx, async (r, slot) => {
      const entry = await getTyped(r, slot, argv[1], "stream");
      if (!entry) return array([]);
      if (count === 0) return NULL_ARRAY;
      const limit = count < 0 ? Infinity : count;
      const entries = await rangeEntries(r, entry.meta!.g!, start, end, limit, reverse);
      return array(entries.map(entryReply));
    });
  };
}

async function xdel(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  const ids = argv.slice(2).map((a) => strictId(a));
  const deleted = await writeSlot(ctx, async (tx, slot) => {
    const h = await openStream(tx, slot, argv[1]);
    if (!h) return 0;
    const unique = [...new Map(ids.map((id) => [idText(id), id])).values()];
    const found = await entriesById(tx, h.meta.g!, unique);
    const gone = unique.filter((_, i) => found[i] !== null);
    for (const id of gone) {
      if (compareIds(id, streamState(h.meta).maxDeleted) > 0) h.meta.sd = idText(id);
    }
    await deleteEntries(tx, h, gone);
    saveStream(tx, h);
    if (gone.length > 0) notify(tx, STREAM, "xdel", argv[1]);
    return gone.length;
  });
  return integer(deleted);
}

async function xtrim(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  const args = addOrTrimArgs(argv, false);
  const trimmed = await writeSlot(ctx, async (tx, slot) => {
    const h = await openStream(tx, slot, argv[1]);
    if (!h) return 0;
    const n = await trimStream(tx, h, args.trim!);
    saveStream(tx, h);
    if (n > 0) notify(tx, STREAM, "xtrim", argv[1]);
    return n;
  });
  return integer(trimmed);
}

/** XSETID key last-id [ENTRIESADDED n] [MAXDELETEDID id]. */
async function xsetid(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  const id = strictId(argv[2]);
  let added = -1;
  let maxDeleted: StreamId | null = null;
  for (let i = 3; i < argv.length; i++) {
    const more = argv.length - 1 - i;
    const opt = option(argv[i]);
    if (opt === "ENTRIESADDED" && more >= 1) {
      added = longArg(argv[++i]);
      if (added < 0) fail(STREAM_ERRORS.entriesAddedNegative);
    } else if (opt === "MAXDELETEDID" && more >= 1) {
      maxDeleted = strictId(argv[++i]);
      if (compareIds(id, maxDeleted) < 0) fail(STREAM_ERRORS.maxDeletedGreater);
    } else fail(DATA_ERRORS.syntax);
  }
  await writeSlot(ctx, async (tx, slot) => {
    const h = await openStream(tx, slot, argv[1]);
    if (!h) fail(DATA_ERRORS.noSuchKey);
    const s = streamState(h.meta);
    if (added !== -1 && s.length > added) fail(STREAM_ERRORS.entriesAddedSmaller);
    if (s.length > 0) {
      const [top] = await rangeEntries(tx, h.meta.g!, MIN_ID, MAX_ID, 1, true);
      if (top && compareIds(id, top.id) < 0) fail(STREAM_ERRORS.setidSmaller);
    }
    h.meta.sl = idText(id);
    if (added !== -1) h.meta.sa = added;
    if (maxDeleted) h.meta.sd = idText(maxDeleted);
    h.dirty = true;
    saveStream(tx, h);
    notify(tx, STREAM, "xsetid", argv[1]);
  });
  return OK;
}

/** Parsed XREAD/XREADGROUP arguments. */
export interface ReadArgs {
  count: number;
  /** Milliseconds to block, or -1 for no BLOCK. */
  block: number;
  group: Uint8Array | null;
  consumer: Uint8Array | null;
  noack: boolean;
  keys: Uint8Array[];
  ids: Uint8Array[];
}

/** xreadCommand's option loop. */
export function readArgs(argv: Uint8Array[], xreadgroup: boolean): ReadArgs {
  const out: ReadArgs = {
    count: 0,
    block: -1,
    group: null,
    consumer: null,
    noack: false,
    keys: [],
    ids: [],
  };
  let streamsArg = 0;
  for (let i = 1; i < argv.length; i++) {
    const more = argv.length - 1 - i;
    const opt = option(argv[i]);
    if (opt === "BLOCK" && more) {
      out.block = blockArg(argv[++i]);
    } else if (opt === "COUNT" && more) {
      out.count = Math.max(0, longArg(argv[++i]));
    } else if (opt === "STREAMS" && more) {
      streamsArg = i + 1;
      const n = argv.length - streamsArg;
      if (n % 2 !== 0) {
        fail(STREAM_ERRORS.unbalanced(xreadgroup ? "xreadgroup" : "xread", xreadgroup ? ">" : "$"));
      }
      out.keys = argv.slice(streamsArg, streamsArg + n / 2);
      out.ids = argv.slice(streamsArg + n / 2);
      break;
    } else if (opt === "GROUP" && more >= 2) {
      if (!xreadgroup) fail(STREAM_ERRORS.groupOnlyXreadgroup);
      out.group = argv[i + 1];
      out.consumer = argv[i + 2];
      i += 2;
    } else if (opt === "NOACK") {
      if (!xreadgroup) fail(STREAM_ERRORS.noackOnlyXreadgroup);
      out.noack = true;
    } else fail(DATA_ERRORS.syntax);
  }
  if (streamsArg === 0) fail(DATA_ERRORS.syntax);
  if (xreadgroup && !out.group) fail(STREAM_ERRORS.missingGroup);
  return out;
}

function blockArg(arg: Uint8Array): number {
  const value = parseInt64(arg);
  if (value === null) fail(STREAM_ERRORS.timeoutNotInteger);
  if (value < 0n) fail(DATA_ERRORS.timeoutNegative);
  return Number(value);
}

/** The XREAD reply: RESP2 [[key, entries]...], RESP3 {key: entries}. */
export function readReply(ctx: CommandContext, served: [Uint8Array, Reply][]): Reply {
  if (ctx.session.protocol === 3) {
    return { type: "map", value: served.map(([k, v]) => [bulk(k), v]) };
  }
  return array(served.map(([k, v]) => array([bulk(k), v])));
}

async function xread(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  const args = readArgs(argv, false);
  // Resolve "$" now: a blocked XREAD waits for entries after the last one at call time.
  const after = await readSlot(ctx, async (r, slot) => {
    const out: StreamId[] = [];
    for (let i = 0; i < args.keys.length; i++) {
      const entry = await getTyped(r, slot, args.keys[i], "stream");
      const text = args.ids[i];
      if (text.length === 1 && text[0] === 0x24) {
        out.push(entry ? streamState(entry.meta!).last : { ms: 0n, seq: 0n });
      } else if (text.length === 1 && text[0] === 0x3e) {
        fail(STREAM_ERRORS.gtOutsideGroup);
      } else out.push(strictId(text));
    }
    return out;
  });
  const attempt = () =>
    readSlot(ctx, async (r, slot) => {
      const served: [Uint8Array, Reply][] = [];
      for (let i = 0; i < args.keys.length; i++) {
        const entry = await getTyped(r, slot, args.keys[i], "stream");
        if (!entry || (entry.meta!.n ?? 0) === 0) continue;
        const start = nextId(after[i]);
        if (!start || compareIds(streamState(entry.meta!).last, after[i]) <= 0) continue;
        const limit = args.count > 0 ? args.count : Infinity;
        const entries = await rangeEntries(r, entry.meta!.g!, start, MAX_ID, limit);
        if (entries.length === 0) continue;
        served.push([args.keys[i], array(entries.map(entryReply))]);
      }
      return served.length > 0 ? readReply(ctx, served) : null;
    });
  if (args.block < 0) return (await attempt()) ?? NULL_ARRAY;
  return serveOrBlock(ctx, { keys: args.keys, timeoutMs: args.block, attempt });
}

const READ = ["readonly"];
const READ_FAST = ["readonly", "fast"];
const WRITE_DENYOOM_FAST = ["write", "denyoom", "fast"];
const WRITE_FAST = ["write", "fast"];

/** The stream commands outside consumer groups. */
export const COMMANDS: CommandSpec[] = [
  command("xadd", { arity: -5, flags: WRITE_DENYOOM_FAST, keys: [1, 1, 1] }, xadd),
  command("xlen", { arity: 2, flags: READ_FAST, keys: [1, 1, 1] }, xlen),
  command("xrange", { arity: -4, flags: READ, keys: [1, 1, 1] }, xrangeGeneric(false)),
  command("xrevrange", { arity: -4, flags: READ, keys: [1, 1, 1] }, xrangeGeneric(true)),
  command("xdel", { arity: -3, flags: WRITE_FAST, keys: [1, 1, 1] }, xdel),
  command("xtrim", { arity: -4, flags: ["write"], keys: [1, 1, 1] }, xtrim),
  command("xsetid", { arity: -3, flags: ["write", "denyoom", "fast"], keys: [1, 1, 1] }, xsetid),
  command("xread", { arity: -4, flags: ["readonly", "blocking", "movablekeys"] }, xread),
];

/**
 * Stream consumer groups (t_stream.c): XGROUP, XREADGROUP (blocking through blocking.ts), XACK,
 * XPENDING, XCLAIM, XAUTOCLAIM. Groups, consumers and pending entries are entries under the
 * stream's generation (storage/stream_group.ts).
 * @module
 */
import type { WriteTx } from "../../../src/store/mod.ts";
import { serveOrBlock } from "../blocking.ts";
import { command, type CommandContext, type CommandSpec, type Handler } from "../command.ts";
import { DATA_ERRORS, SERVER_ERRORS } from "../errors.ts";
import { ascii } from "../numbers.ts";
import { array, bulk, integer, NULL, NULL_ARRAY, OK, type Reply } from "../reply.ts";
import {
  advanceGroup,
  compareIds,
  entriesById,
  type GroupMeta,
  idOf,
  idText,
  INVALID_ENTRIES_READ,
  MAX_ID,
  MIN_ID,
  nextId,
  rangeEntries,
  saveStream,
  type StreamHandle,
  type StreamId,
  streamState,
} from "../storage/stream.ts";
import {
  destroyGroup,
  GroupWrite,
  listConsumers,
  listPending,
  readGroup,
} from "../storage/stream_group.ts";
import { groupKey } from "../storage/stream.ts";
import { fail, help, option, readSlot, writeSlot } from "./common.ts";
import { longArg, rangeEnd, rangeStart, STREAM_ERRORS, strictId } from "./stream_args.ts";
import { entryReply, handleOf, idReply, openStream, readArgs, readReply } from "./streams.ts";
import { getTyped } from "./common.ts";
import { getKey } from "../storage/db.ts";
import { notify, STREAM } from "../notify.ts";

const text = (b: Uint8Array) => ascii(b);

/** A stream and one of its groups for writing, or null when either is missing. */
async function openGroup(tx: WriteTx, slot: number, key: Uint8Array, group: Uint8Array) {
  const h = await openStream(tx, slot, key);
  if (!h) return null;
  const meta = await readGroup(tx, h.meta.g!, group);
  return meta ? { h, grp: new GroupWrite(tx, h.meta.g!, group, { ...meta }) } : null;
}

/** Save a group's changes; a consumer it created is Redis's streamCreateConsumer event. */
function saveGroup(tx: WriteTx, key: Uint8Array, grp: GroupWrite): void {
  grp.save();
  for (let i = 0; i < grp.created; i++) notify(tx, STREAM, "xgroup-createconsumer", key);
  grp.created = 0;
}

// ---- XGROUP ----

function groupOptions(argv: Uint8Array[], create: boolean) {
  let mkstream = false;
  let entriesRead = INVALID_ENTRIES_READ;
  for (let i = 5; i < argv.length;) {
    const opt = option(argv[i]);
    if (create && opt === "MKSTREAM") {
      mkstream = true;
      i++;
    } else if (opt === "ENTRIESREAD" && i + 1 < argv.length) {
      entriesRead = longArg(argv[i + 1]);
      if (entriesRead < 0 && entriesRead !== INVALID_ENTRIES_READ) fail(STREAM_ERRORS.entriesRead);
      i += 2;
    } else fail(SERVER_ERRORS.subcommandSyntax(text(argv[1]), "XGROUP"));
  }
  return { mkstream, entriesRead };
}

/** The stream for an XGROUP subcommand that needs it (and, unless `create`, the group). */
async function xgroupTarget(tx: WriteTx, slot: number, argv: Uint8Array[], needGroup: boolean) {
  const h = await openStream(tx, slot, argv[2]);
  if (!h) fail(STREAM_ERRORS.xgroupNoKey);
  const meta = await readGroup(tx, h.meta.g!, argv[3]);
  if (!meta && needGroup) fail(STREAM_ERRORS.noGroupForKey(text(argv[3]), text(argv[2])));
  return { h, meta };
}

async function xgroupCreate(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  if (argv.length > 8) fail(SERVER_ERRORS.subcommandSyntax(text(argv[1]), "XGROUP"));
  const { mkstream, entriesRead } = groupOptions(argv, true);
  return await writeSlot(ctx, async (tx, slot) => {
    const entry = await getTyped(tx, slot, argv[2], "stream");
    if (!entry && !mkstream) fail(STREAM_ERRORS.xgroupNoKey);
    const h = handleOf(slot, argv[2], entry);
    const dollar = argv[4].length === 1 && argv[4][0] === 0x24;
    const id = dollar ? streamState(h.meta).last : strictId(argv[4]);
    if (entry && await readGroup(tx, h.meta.g!, argv[3])) return bulkError(STREAM_ERRORS.busyGroup);
    tx.set<GroupMeta>(groupKey(h.meta.g!, argv[3]), {
      meta: { l: idText(id), r: entriesRead, p: 0, c: 0 },
    });
    h.meta.sg += 1;
    h.dirty = true;
    saveStream(tx, h);
    notify(tx, STREAM, "xgroup-create", argv[2]);
    return OK;
  });
}

function bulkError(value: string): Reply {
  return { type: "error", value };
}

async function xgroupSetid(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  if (argv.length !== 5 && argv.length !== 7) {
    fail(SERVER_ERRORS.subcommandSyntax(text(argv[1]), "XGROUP"));
  }
  const { entriesRead } = groupOptions(argv, false);
  await writeSlot(ctx, async (tx, slot) => {
    const { h, meta } = await xgroupTarget(tx, slot, argv, true);
    const dollar = argv[4].length === 1 && argv[4][0] === 0x24;
    const id = dollar ? streamState(h.meta).last : strictId(argv[4]);
    tx.set<GroupMeta>(groupKey(h.meta.g!, argv[3]), {
      meta: { ...meta!, l: idText(id), r: entriesRead },
    });
    notify(tx, STREAM, "xgroup-setid", argv[2]);
  });
  return OK;
}

async function xgroupDestroy(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  const n = await writeSlot(ctx, async (tx, slot) => {
    const { h, meta } = await xgroupTarget(tx, slot, argv, false);
    if (!meta) return 0;
    await destroyGroup(tx, h.meta.g!, argv[3]);
    h.meta.sg -= 1;
    h.dirty = true;
    saveStream(tx, h);
    notify(tx, STREAM, "xgroup-destroy", argv[2]);
    return 1;
  });
  return integer(n);
}

/** Run `fn` on the group XGROUP names (argv[2], argv[3]), saving what it changed. */
async function onGroup(
  ctx: CommandContext,
  argv: Uint8Array[],
  fn: (grp: GroupWrite) => Promise<number>,
): Promise<Reply> {
  const n = await writeSlot(ctx, async (tx, slot) => {
    const { h, meta } = await xgroupTarget(tx, slot, argv, true);
    const grp = new GroupWrite(tx, h.meta.g!, argv[3], { ...meta! });
    const result = await fn(grp);
    saveGroup(tx, argv[2], grp);
    return result;
  });
  return integer(n);
}

function xgroupCreateConsumer(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  return onGroup(ctx, argv, async (grp) => {
    if (await grp.consumer(argv[4], false)) return 0;
    await grp.consumer(argv[4], true);
    return 1;
  });
}

function xgroupDelConsumer(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  return onGroup(ctx, argv, async (grp) => {
    // Redis reports a deleted consumer even when it had nothing pending (reply 0).
    if (!await grp.consumer(argv[4], false)) return 0;
    const pending = await grp.deleteConsumer(argv[4]);
    notify(grp.tx, STREAM, "xgroup-delconsumer", argv[2]);
    return pending;
  });
}

// ---- XREADGROUP ----

async function xreadgroup(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  const args = readArgs(argv, true);
  const group = args.group!;
  const consumer = args.consumer!;
  const limit = args.count > 0 ? args.count : Infinity;
  let retry = false;
  const attempt = () =>
    writeSlot(ctx, async (tx, slot) => {
      const served: [Uint8Array, Reply][] = [];
      const opened: { h: StreamHandle; grp: GroupWrite; id: StreamId | null }[] = [];
      const woken = retry;
      retry = true;
      for (let i = 0; i < args.keys.length; i++) {
        const key = args.keys[i];
        if (woken) await checkStillThere(tx, slot, key, group);
        const target = await openGroup(tx, slot, key, group);
        if (!target) fail(STREAM_ERRORS.noGroupRead(text(key), text(group)));
        const raw = args.ids[i];
        if (raw.length === 1 && raw[0] === 0x24) fail(STREAM_ERRORS.dollarInGroup);
        const id = raw.length === 1 && raw[0] === 0x3e ? null : strictId(raw);
        opened.push({ ...target, id });
      }
      for (const { h, grp, id } of opened) {
        // Redis 7.2 creates (and marks seen) the consumer on every read, served or not.
        const c = (await grp.consumer(consumer, true))!;
        c.s = tx.now;
        c.dirty = true;
        let reply: Reply | null = null;
        if (id) reply = await history(tx, grp, consumer, id, limit);
        else if (compareIds(streamState(h.meta).last, idOf(grp.meta.l)) > 0) {
          reply = await deliverNew(tx, h, grp, consumer, limit, args.noack);
        }
        if (reply) {
          served.push([h.key, reply]);
          c.a = tx.now;
        }
        saveGroup(tx, h.key, grp);
      }
      return served.length > 0 ? readReply(ctx, served) : null;
    });
  if (args.block < 0) return (await attempt()) ?? NULL_ARRAY;
  return serveOrBlock(ctx, { keys: args.keys, timeoutMs: args.block, attempt });
}

/** A woken XREADGROUP's stream and group must still exist (Redis 7.2 unblocks with an error). */
async function checkStillThere(tx: WriteTx, slot: number, key: Uint8Array, group: Uint8Array) {
  const entry = await getKey(tx, slot, key);
  if (entry?.meta?.t !== "stream") fail(STREAM_ERRORS.streamGone);
  if (!await readGroup(tx, entry.meta.g!, group)) fail(STREAM_ERRORS.groupGone);
}

/** A consumer's own pending entries after `after` (deleted ones as [id, nil]). */
async function history(
  tx: WriteTx,
  grp: GroupWrite,
  consumer: Uint8Array,
  after: StreamId,
  limit: number,
): Promise<Reply> {
  const start = nextId(after);
  const mine = start ? await ownPending(tx, grp, consumer, start, limit) : [];
  const entries = await entriesById(tx, grp.g, mine.map((p) => p.id));
  const out: Reply[] = [];
  for (let i = 0; i < mine.length; i++) {
    const e = entries[i];
    if (!e) {
      out.push(array([idReply(mine[i].id), NULL_ARRAY]));
      continue;
    }
    out.push(entryReply(e));
    await grp.setPending(mine[i].id, consumer, mine[i], tx.now, mine[i].n + 1);
  }
  return array(out);
}

/** Pending entries of one consumer from `start`, at most `limit`, scanning the group's PEL. */
async function ownPending(
  tx: WriteTx,
  grp: GroupWrite,
  consumer: Uint8Array,
  start: StreamId,
  limit: number,
) {
  const c = await grp.consumer(consumer, false);
  const want = Math.min(limit, c?.p ?? 0);
  const out = [];
  let from: StreamId | null = start;
  while (from && out.length < want) {
    const page = await listPending(tx, grp.g, grp.name, from, 1000);
    for (const p of page) {
      if (sameName(p.c, consumer)) out.push(p);
      if (out.length >= want) break;
    }
    from = page.length < 1000 ? null : nextId(page[page.length - 1].id);
  }
  return out;
}

function sameName(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Entries after the group's last delivered id, added to the consumer's pending list. */
async function deliverNew(
  tx: WriteTx,
  h: StreamHandle,
  grp: GroupWrite,
  consumer: Uint8Array,
  limit: number,
  noack: boolean,
): Promise<Reply | null> {
  const start = nextId(idOf(grp.meta.l));
  if (!start) return null;
  const entries = await rangeEntries(tx, h.meta.g!, start, MAX_ID, limit);
  if (entries.length === 0) return null;
  const prev = noack ? [] : await grp.pending(entries.map((e) => e.id));
  for (let i = 0; i < entries.length; i++) {
    advanceGroup(h.meta, grp.meta, entries[i].id);
    if (!noack) await grp.setPending(entries[i].id, consumer, prev[i], tx.now, 1);
  }
  grp.dirty = true;
  return array(entries.map(entryReply));
}

// ---- XACK, XPENDING ----

async function xack(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  const ids = argv.slice(3).map((a) => strictId(a));
  const n = await writeSlot(ctx, async (tx, slot) => {
    const target = await openGroup(tx, slot, argv[1], argv[2]);
    if (!target) return 0;
    const { grp } = target;
    const unique = [...new Map(ids.map((id) => [idText(id), id])).values()];
    const prev = await grp.pending(unique);
    let acked = 0;
    for (let i = 0; i < unique.length; i++) {
      if (!prev[i]) continue;
      await grp.dropPending(unique[i], prev[i]!);
      acked++;
    }
    grp.save();
    return acked;
  });
  return integer(n);
}

async function xpending(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  if (argv.length !== 3 && (argv.length < 6 || argv.length > 9)) fail(DATA_ERRORS.syntax);
  let minIdle = 0;
  let start = MIN_ID;
  let end = MAX_ID;
  let count = 0;
  let consumer: Uint8Array | null = null;
  if (argv.length >= 6) {
    let at = 3;
    if (option(argv[3]) === "IDLE") {
      minIdle = longArg(argv[4]);
      if (argv.length < 8) fail(DATA_ERRORS.syntax);
      at += 2;
    }
    count = Math.max(0, longArg(argv[at + 2]));
    start = rangeStart(argv[at]);
    end = rangeEnd(argv[at + 1]);
    if (at + 3 < argv.length) consumer = argv[at + 3];
  }
  return await readSlot(ctx, async (r, slot) => {
    const entry = await getTyped(r, slot, argv[1], "stream");
    const group = entry ? await readGroup(r, entry.meta!.g!, argv[2]) : null;
    if (!entry || !group) fail(STREAM_ERRORS.noGroup(text(argv[1]), text(argv[2])));
    const g = entry.meta!.g!;
    const now = Date.now();
    if (argv.length === 3) {
      if (group.p === 0) return array([integer(0), NULL, NULL, NULL_ARRAY]);
      const [first] = await listPending(r, g, argv[2], MIN_ID, 1);
      const [last] = await listPending(r, g, argv[2], MIN_ID, 1, true);
      const consumers = (await listConsumers(r, g, argv[2])).filter((c) => c.p > 0);
      return array([
        integer(group.p),
        idReply(first.id),
        idReply(last.id),
        array(consumers.map((c) => array([bulk(c.name), bulk(String(c.p))]))),
      ]);
    }
    const out: Reply[] = [];
    let from: StreamId | null = start;
    while (from && count > 0 && compareIds(from, end) <= 0) {
      const page = await listPending(r, g, argv[2], from, 1000, false, end);
      for (const p of page) {
        if (count === 0) break;
        if (consumer && !sameName(p.c, consumer)) continue;
        if (minIdle && now - p.t < minIdle) continue;
        count--;
        out.push(array([idReply(p.id), bulk(p.c), integer(Math.max(0, now - p.t)), integer(p.n)]));
      }
      from = page.length < 1000 ? null : nextId(page[page.length - 1].id);
    }
    return array(out);
  });
}

// ---- XCLAIM, XAUTOCLAIM ----

/** The claiming consumer, created if new and seen now before any claim (Redis 7.2). */
async function touchConsumer(grp: GroupWrite, name: Uint8Array, now: number) {
  const c = (await grp.consumer(name, true))!;
  c.s = now;
  c.dirty = true;
  return c;
}

async function xclaim(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  return await writeSlot(ctx, async (tx, slot) => {
    const target = await openGroup(tx, slot, argv[1], argv[2]);
    if (!target) fail(STREAM_ERRORS.noGroup(text(argv[1]), text(argv[2])));
    const { h, grp } = target;
    const minIdle = Math.max(0, longOr(argv[4], STREAM_ERRORS.claimArg("min-idle-time", "XCLAIM")));
    const ids: StreamId[] = [];
    let j = 5;
    for (; j < argv.length; j++) {
      const id = tryId(argv[j]);
      if (!id) break;
      ids.push(id);
    }
    const now = tx.now;
    let delivery = -1;
    let retry = -1;
    let force = false;
    let justid = false;
    let lastId = MIN_ID;
    for (; j < argv.length; j++) {
      const more = argv.length - 1 - j;
      const opt = option(argv[j]);
      if (opt === "FORCE") force = true;
      else if (opt === "JUSTID") justid = true;
      else if (opt === "IDLE" && more) {
        delivery = now - longOr(argv[++j], STREAM_ERRORS.claimArg("IDLE option", "XCLAIM"));
      } else if (opt === "TIME" && more) {
        delivery = longOr(argv[++j], STREAM_ERRORS.claimArg("TIME option", "XCLAIM"));
      } else if (opt === "RETRYCOUNT" && more) {
        retry = longOr(argv[++j], STREAM_ERRORS.claimArg("RETRYCOUNT option", "XCLAIM"));
      } else if (opt === "LASTID" && more) {
        lastId = strictId(argv[++j]);
      } else fail(STREAM_ERRORS.claimOption(text(argv[j])));
    }
    if (compareIds(lastId, idOf(grp.meta.l)) > 0) {
      grp.meta.l = idText(lastId);
      grp.dirty = true;
    }
    if (delivery === -1 || delivery < 0 || delivery > now) delivery = now;
    const c = await touchConsumer(grp, argv[3], now);
    const entries = await entriesById(tx, h.meta.g!, ids);
    const prev = await grp.pending(ids);
    const out: Reply[] = [];
    const done = new Set<string>();
    for (let i = 0; i < ids.length; i++) {
      const key = idText(ids[i]);
      // A repeated id sees the first claim's result (Redis updates its PEL in place).
      let p = done.has(key) ? (await grp.pending([ids[i]]))[0] : prev[i];
      if (!entries[i]) {
        if (p) await grp.dropPending(ids[i], p);
        continue;
      }
      let forced = false;
      if (force && !p) {
        p = { c: new Uint8Array(), t: now, n: 1 };
        forced = true;
      }
      if (!p) continue;
      if (!forced && minIdle && now - p.t < minIdle) continue;
      const n = retry >= 0 ? retry : justid ? p.n : p.n + 1;
      await grp.setPending(ids[i], argv[3], forced ? null : p, delivery, n);
      done.add(key);
      out.push(justid ? idReply(ids[i]) : entryReply(entries[i]!));
      c.a = now;
    }
    saveGroup(tx, argv[1], grp);
    return array(out);
  });
}

function tryId(arg: Uint8Array): StreamId | null {
  try {
    return strictId(arg);
  } catch {
    return null;
  }
}

function longOr(arg: Uint8Array, message: string): number {
  try {
    return longArg(arg);
  } catch {
    fail(message);
  }
}

/** Attempts per reported entry XAUTOCLAIM scans at most. */
const AUTOCLAIM_ATTEMPTS = 10;

async function xautoclaim(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  return await writeSlot(ctx, async (tx, slot) => {
    const target = await openGroup(tx, slot, argv[1], argv[2]);
    if (!target) fail(STREAM_ERRORS.noGroup(text(argv[1]), text(argv[2])));
    const { h, grp } = target;
    const minIdle = Math.max(
      0,
      longOr(argv[4], STREAM_ERRORS.claimArg("min-idle-time", "XAUTOCLAIM")),
    );
    const start = rangeStart(argv[5]);
    let count = 100;
    let justid = false;
    for (let j = 6; j < argv.length; j++) {
      const opt = option(argv[j]);
      if (opt === "COUNT" && j + 1 < argv.length) {
        const n = tryLong(argv[++j]);
        if (n === null || n < 1 || n > MAX_AUTOCLAIM_COUNT) fail(STREAM_ERRORS.countPositive);
        count = n;
      } else if (opt === "JUSTID") justid = true;
      else fail(DATA_ERRORS.syntax);
    }
    let attempts = count * AUTOCLAIM_ATTEMPTS;
    const now = tx.now;
    const c = await touchConsumer(grp, argv[3], now);
    const scanned = await listPending(tx, h.meta.g!, grp.name, start, attempts + 1);
    const entries = await entriesById(tx, h.meta.g!, scanned.slice(0, attempts).map((p) => p.id));
    const claimed: Reply[] = [];
    const deleted: Reply[] = [];
    let i = 0;
    for (; attempts > 0 && count > 0 && i < scanned.length; i++, attempts--) {
      const p = scanned[i];
      const e = entries[i];
      if (!e) {
        await grp.dropPending(p.id, p);
        deleted.push(idReply(p.id));
        count--;
        continue;
      }
      if (minIdle && now - p.t < minIdle) continue;
      await grp.setPending(p.id, argv[3], p, now, justid ? p.n : p.n + 1);
      claimed.push(justid ? idReply(p.id) : entryReply(e));
      c.a = now;
      count--;
    }
    saveGroup(tx, argv[1], grp);
    const cursor = i < scanned.length ? scanned[i].id : MIN_ID;
    return array([idReply(cursor), array(claimed), array(deleted)]);
  });
}

/** LONG_MAX / max(sizeof(streamID), attempts factor). */
const MAX_AUTOCLAIM_COUNT = Number(2n ** 63n / 16n);

function tryLong(arg: Uint8Array): number | null {
  try {
    return longArg(arg);
  } catch {
    return null;
  }
}

/** Never reached: the command table answers a container without a known subcommand. */
const container: Handler = () => OK;

/** Redis 7.2's XGROUP HELP. */
const XGROUP_HELP = [
  "XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "CREATE <key> <groupname> <id|$> [option]",
  "    Create a new consumer group. Options are:",
  "    * MKSTREAM",
  "      Create the empty stream if it does not exist.",
  "    * ENTRIESREAD entries_read",
  "      Set the group's entries_read counter (internal use).",
  "CREATECONSUMER <key> <groupname> <consumer>",
  "    Create a new consumer in the specified group.",
  "DELCONSUMER <key> <groupname> <consumer>",
  "    Remove the specified consumer.",
  "DESTROY <key> <groupname>",
  "    Remove the specified group.",
  "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
  "    Set the current group ID and entries_read counter.",
  "HELP",
  "    Print this help.",
];

/** The consumer group commands. */
export const COMMANDS: CommandSpec[] = [
  {
    ...command("xgroup", { arity: -2, flags: [] }, container),
    subcommands: [
      command("create", { arity: -5, flags: ["write", "denyoom"], keys: [2, 2, 1] }, xgroupCreate),
      command("setid", { arity: -5, flags: ["write"], keys: [2, 2, 1] }, xgroupSetid),
      command("destroy", { arity: 4, flags: ["write"], keys: [2, 2, 1] }, xgroupDestroy),
      command(
        "createconsumer",
        { arity: 5, flags: ["write", "denyoom"], keys: [2, 2, 1] },
        xgroupCreateConsumer,
      ),
      command("delconsumer", { arity: 5, flags: ["write"], keys: [2, 2, 1] }, xgroupDelConsumer),
      command("help", { arity: 2, flags: ["loading", "stale"] }, help(XGROUP_HELP)),
    ],
  },
  command(
    "xreadgroup",
    { arity: -7, flags: ["write", "blocking", "movablekeys"] },
    xreadgroup,
  ),
  command("xack", { arity: -4, flags: ["write", "fast"], keys: [1, 1, 1] }, xack),
  command("xpending", { arity: -3, flags: ["readonly"], keys: [1, 1, 1] }, xpending),
  command("xclaim", { arity: -6, flags: ["write", "fast"], keys: [1, 1, 1] }, xclaim),
  command("xautoclaim", { arity: -6, flags: ["write", "fast"], keys: [1, 1, 1] }, xautoclaim),
];

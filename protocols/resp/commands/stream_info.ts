/**
 * XINFO STREAM [FULL [COUNT n]] | GROUPS | CONSUMERS (t_stream.c), read from the stream's meta
 * and its group, consumer and pending entries; Redis 7.2's fields in its order.
 * @module
 */
import { command, type CommandContext, type CommandSpec, type Handler } from "../command.ts";
import { DATA_ERRORS, SERVER_ERRORS } from "../errors.ts";
import { ascii } from "../numbers.ts";
import { array, bulk, integer, map, NULL, OK, type Reply } from "../reply.ts";
import type { Access, KeyEntry } from "../storage/db.ts";
import type { KeyMeta } from "../storage/layout.ts";
import {
  groupLag,
  type GroupMeta,
  INVALID_ENTRIES_READ,
  MAX_ID,
  MIN_ID,
  NODE_MAX_ENTRIES,
  rangeEntries,
  streamState,
} from "../storage/stream.ts";
import { listConsumers, listGroups, listPending, readGroup } from "../storage/stream_group.ts";
import { fail, getTyped, help, option, readSlot } from "./common.ts";
import { longArg, STREAM_ERRORS } from "./stream_args.ts";
import { entryReply, idReply } from "./streams.ts";

function field(name: string, value: Reply): [Reply, Reply] {
  return [bulk(name), value];
}

/** The stream at argv[2], or Redis's "no such key". */
async function streamOrFail(r: Access, slot: number, key: Uint8Array): Promise<KeyEntry> {
  const entry = await getTyped(r, slot, key, "stream");
  if (!entry) fail(DATA_ERRORS.noSuchKey);
  return entry;
}

/** Listpack nodes Redis would hold (runs of NODE_MAX_ENTRIES by insertion number). */
function nodeCount(meta: KeyMeta): number {
  const s = streamState(meta);
  if (s.length === 0) return 0;
  const first = Math.min(s.length, NODE_MAX_ENTRIES - ((s.added - s.length) % NODE_MAX_ENTRIES));
  return 1 + Math.ceil((s.length - first) / NODE_MAX_ENTRIES);
}

function header(meta: KeyMeta): [Reply, Reply][] {
  const s = streamState(meta);
  const keys = nodeCount(meta);
  return [
    field("length", integer(s.length)),
    field("radix-tree-keys", integer(keys)),
    field("radix-tree-nodes", integer(keys + 1)),
    field("last-generated-id", idReply(s.last)),
    field("max-deleted-entry-id", idReply(s.maxDeleted)),
    field("entries-added", integer(s.added)),
    field("recorded-first-entry-id", idReply(s.first)),
  ];
}

function entriesRead(group: GroupMeta): Reply {
  return group.r === INVALID_ENTRIES_READ ? NULL : integer(group.r);
}

function lagReply(meta: KeyMeta, group: GroupMeta): Reply {
  const lag = groupLag(meta, group);
  return lag === null ? NULL : integer(lag);
}

async function xinfoStream(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  let full = false;
  let count = 10;
  if (argv.length > 3) {
    const bad = () => fail(SERVER_ERRORS.subcommandSyntax(ascii(argv[1]), "XINFO"));
    if (argv.length !== 4 && argv.length !== 6) bad();
    if (option(argv[3]) !== "FULL") bad();
    full = true;
    if (argv.length === 6) {
      if (option(argv[4]) !== "COUNT") bad();
      count = Math.max(0, longArg(argv[5]));
    }
  }
  return await readSlot(ctx, async (r, slot) => {
    const entry = await streamOrFail(r, slot, argv[2]);
    const meta = entry.meta!;
    const g = meta.g!;
    const limit = count === 0 ? Infinity : count;
    if (!full) {
      const [first] = await rangeEntries(r, g, MIN_ID, MAX_ID, 1);
      const [last] = await rangeEntries(r, g, MIN_ID, MAX_ID, 1, true);
      return map([
        ...header(meta),
        field("groups", integer(streamState(meta).groups)),
        field("first-entry", first ? entryReply(first) : NULL),
        field("last-entry", last ? entryReply(last) : NULL),
      ]);
    }
    const entries = await rangeEntries(r, g, MIN_ID, MAX_ID, limit);
    const groups: Reply[] = [];
    for (const { name, meta: group } of await listGroups(r, g)) {
      const pending = await listPending(r, g, name, MIN_ID, limit);
      const consumers: Reply[] = [];
      for (const c of await listConsumers(r, g, name)) {
        const own = (await listPending(r, g, name, MIN_ID, Infinity))
          .filter((p) => ascii(p.c) === ascii(c.name)).slice(0, limit);
        consumers.push(map([
          field("name", bulk(c.name)),
          field("seen-time", integer(c.s)),
          field("active-time", integer(c.a)),
          field("pel-count", integer(c.p)),
          field(
            "pending",
            array(own.map((p) => array([idReply(p.id), integer(p.t), integer(p.n)]))),
          ),
        ]));
      }
      groups.push(map([
        field("name", bulk(name)),
        field("last-delivered-id", bulk(group.l)),
        field("entries-read", entriesRead(group)),
        field("lag", lagReply(meta, group)),
        field("pel-count", integer(group.p)),
        field(
          "pending",
          array(pending.map((p) => array([idReply(p.id), bulk(p.c), integer(p.t), integer(p.n)]))),
        ),
        field("consumers", array(consumers)),
      ]));
    }
    return map([
      ...header(meta),
      field("entries", array(entries.map(entryReply))),
      field("groups", array(groups)),
    ]);
  });
}

async function xinfoGroups(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  return await readSlot(ctx, async (r, slot) => {
    const entry = await streamOrFail(r, slot, argv[2]);
    const meta = entry.meta!;
    const groups = await listGroups(r, meta.g!);
    return array(groups.map(({ name, meta: group }) =>
      map([
        field("name", bulk(name)),
        field("consumers", integer(group.c)),
        field("pending", integer(group.p)),
        field("last-delivered-id", bulk(group.l)),
        field("entries-read", entriesRead(group)),
        field("lag", lagReply(meta, group)),
      ])
    ));
  });
}

async function xinfoConsumers(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  return await readSlot(ctx, async (r, slot) => {
    const entry = await streamOrFail(r, slot, argv[2]);
    const g = entry.meta!.g!;
    if (!await readGroup(r, g, argv[3])) {
      fail(STREAM_ERRORS.noGroupForKey(ascii(argv[3]), ascii(argv[2])));
    }
    const now = Date.now();
    return array((await listConsumers(r, g, argv[3])).map((c) =>
      map([
        field("name", bulk(c.name)),
        field("pending", integer(c.p)),
        field("idle", integer(Math.max(0, now - c.s))),
        field("inactive", integer(c.a === -1 ? -1 : Math.max(0, now - c.a))),
      ])
    ));
  });
}

/** Never reached: the command table answers a container without a known subcommand. */
const container: Handler = () => OK;

/** Redis 7.2's XINFO HELP (its unbalanced bracket included). */
const XINFO_HELP = [
  "XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "CONSUMERS <key> <groupname>",
  "    Show consumers of <groupname>.",
  "GROUPS <key>",
  "    Show the stream consumer groups.",
  "STREAM <key> [FULL [COUNT <count>]",
  "    Show information about the stream.",
  "HELP",
  "    Print this help.",
];

/** XINFO as a container command. */
export const COMMANDS: CommandSpec[] = [
  {
    ...command("xinfo", { arity: -2, flags: [] }, container),
    subcommands: [
      command("stream", { arity: -3, flags: ["readonly"], keys: [2, 2, 1] }, xinfoStream),
      command("groups", { arity: 3, flags: ["readonly"], keys: [2, 2, 1] }, xinfoGroups),
      command("consumers", { arity: 4, flags: ["readonly"], keys: [2, 2, 1] }, xinfoConsumers),
      command("help", { arity: 2, flags: ["loading", "stale"] }, help(XINFO_HELP)),
    ],
  },
];

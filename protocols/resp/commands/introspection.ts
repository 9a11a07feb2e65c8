/**
 * OBJECT and MEMORY: what Redis 7.2 would report about a key's representation and footprint,
 * derived from the key's meta entry (encodings follow Redis's conversion thresholds).
 * @module
 */
import { command, type CommandContext, type CommandSpec, type Handler } from "../command.ts";
import { parseInt64, parseInteger } from "../numbers.ts";
import { bulk, integer, NULL, OK, type Reply } from "../reply.ts";
import { getKey, type KeyEntry } from "../storage/db.ts";
import { listEncoding } from "../storage/list.ts";
import { setEncoding } from "../storage/set.ts";
import { zsetEncoding } from "../storage/zset.ts";
import { fail, help, option, readSlot } from "./common.ts";
import { DATA_ERRORS } from "../errors.ts";
import { type EncodingLimits, encodingLimits } from "../encoding_limits.ts";

/** Redis's refcount for shared integer objects (OBJ_SHARED_REFCOUNT = INT_MAX). */
const SHARED_REFCOUNT = 2147483647;
/** Integers Redis keeps as shared objects (OBJ_SHARED_INTEGERS). */
const SHARED_INTEGERS = 10000n;
/** The LFU counter Redis gives a new key. */
const LFU_INIT_VAL = 5;

/** Whether maxmemory-policy is an LFU one (OBJECT FREQ answers, IDLETIME refuses). */
function lfu(ctx: CommandContext): boolean {
  return ctx.server.config.value("maxmemory-policy").endsWith("-lfu");
}

/** Largest string Redis embeds in its object header (OBJ_ENCODING_EMBSTR_SIZE_LIMIT). */
const EMBSTR_MAX = 44;
/** Longest string Redis tries to encode as an integer. */
const INT_ENCODING_MAX = 20;

/**
 * OBJECT ENCODING's answer for an entry, as Redis 7.2 would store it under the thresholds in
 * force (`limits`: see ../encoding_limits.ts).
 */
export function encodingOf(entry: KeyEntry, limits: EncodingLimits): string {
  if (entry.meta?.t === "set") return setEncoding(entry.meta);
  if (entry.meta?.t === "zset") return zsetEncoding(entry.meta);
  if (entry.meta?.t === "stream") return "stream";
  if (entry.meta?.t === "hash") {
    const over = (entry.meta.n ?? 0) > limits.hashMaxListpackEntries || entry.meta.big;
    return over ? "hashtable" : "listpack";
  }
  if (entry.meta?.t === "list") return listEncoding(entry.meta);
  if (entry.meta?.enc === "raw") return "raw";
  const intLike = entry.data.length <= INT_ENCODING_MAX && parseInt64(entry.data) !== null;
  if (intLike && entry.meta?.enc !== "str") return "int";
  return entry.data.length <= EMBSTR_MAX ? "embstr" : "raw";
}

/** An estimate of a key's footprint in Redis (object header, key, value, hash overhead). */
function memoryUsage(key: Uint8Array, entry: KeyEntry): number {
  const header = 16 + 24 + key.length + 8;
  if (entry.meta?.t === "list") return header + 32 + (entry.meta.lb ?? 0);
  if (entry.meta?.g) return header + 64 + (entry.meta.n ?? 0) * 32;
  return header + Math.ceil((entry.data.length + 1) / 8) * 8;
}

function lookup(ctx: CommandContext, key: Uint8Array): Promise<KeyEntry | null> {
  return readSlot(ctx, (r, slot) => getKey(r, slot, key));
}

/** An OBJECT subcommand answering from the key's entry (null reply when absent). */
function objectSub(
  name: string,
  answer: (entry: KeyEntry, ctx: CommandContext) => Reply,
): CommandSpec {
  return command(name, { arity: 3, flags: ["readonly"], keys: [2, 2, 1] }, async (ctx, argv) => {
    const entry = await lookup(ctx, argv[2]);
    return entry ? answer(entry, ctx) : NULL;
  });
}

const OBJECT_HELP = [
  "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "ENCODING <key>",
  "    Return the kind of internal representation used in order to store the value",
  "    associated with a <key>.",
  "FREQ <key>",
  "    Return the access frequency index of the <key>. The returned integer is",
  "    proportional to the logarithm of the recent access frequency of the key.",
  "IDLETIME <key>",
  "    Return the idle time of the <key>, that is the approximated number of",
  "    seconds elapsed since the last access to the key.",
  "REFCOUNT <key>",
  "    Return the number of references of the value associated with the specified",
  "    <key>.",
  "HELP",
  "    Print this help.",
];

const MEMORY_HELP = [
  "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "DOCTOR",
  "    Return memory problems reports.",
  "MALLOC-STATS",
  "    Return internal statistics report from the memory allocator.",
  "PURGE",
  "    Attempt to purge dirty pages for reclamation by the allocator.",
  "STATS",
  "    Return information about the memory usage of the server.",
  "USAGE <key> [SAMPLES <count>]",
  "    Return memory in bytes used by <key> and its value. Nested values are",
  "    sampled up to <count> times (default: 5, 0 means sample all).",
  "HELP",
  "    Print this help.",
];

async function memoryUsageCommand(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  if (argv.length > 3) {
    if (argv.length !== 5 || option(argv[3]) !== "SAMPLES") fail(DATA_ERRORS.syntax);
    if (parseInteger(argv[4]) === null) fail(DATA_ERRORS.notInteger);
  }
  const entry = await lookup(ctx, argv[2]);
  return entry ? integer(memoryUsage(argv[2], entry)) : NULL;
}

/** Never reached: the command table answers a container without a known subcommand. */
const container: Handler = () => OK;

/** OBJECT and MEMORY, as container commands. */
export const COMMANDS: CommandSpec[] = [
  {
    ...command("object", { arity: -2, flags: [] }, container),
    subcommands: [
      objectSub("encoding", (entry, ctx) => bulk(encodingOf(entry, encodingLimits(ctx)))),
      // Access is not tracked: a key's counter stays at LFU_INIT_VAL, its idle time at 0.
      objectSub("freq", (_e, ctx) => lfu(ctx) ? integer(LFU_INIT_VAL) : fail(DATA_ERRORS.noLfu)),
      objectSub("idletime", (_e, ctx) => lfu(ctx) ? fail(DATA_ERRORS.lfuIdle) : integer(0)),
      objectSub("refcount", (entry) => {
        const n = entry.meta?.t === "string" ? parseInt64(entry.data) : null;
        return integer(n !== null && n >= 0n && n < SHARED_INTEGERS ? SHARED_REFCOUNT : 1);
      }),
      command("help", { arity: 2, flags: ["loading", "stale"] }, help(OBJECT_HELP)),
    ],
  },
  {
    ...command("memory", { arity: -2, flags: [] }, container),
    subcommands: [
      command("usage", { arity: -3, flags: ["readonly"], keys: [2, 2, 1] }, memoryUsageCommand),
      command("purge", { arity: 2, flags: [] }, () => OK),
      command("help", { arity: 2, flags: ["loading", "stale"] }, help(MEMORY_HELP)),
    ],
  },
];

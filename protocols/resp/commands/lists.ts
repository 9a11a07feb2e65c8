/**
 * Redis list commands (t_list.c), over storage/list.ts: pushes and pops touch only the ends,
 * LINDEX is one read, LRANGE one range read.
 * @module
 */
import type { WriteTx } from "../../../src/store/mod.ts";
import {
  command,
  type CommandContext,
  type CommandSpec,
  ONE_KEY as ONE,
  READONLY as R,
  READONLY_FAST as RF,
} from "../command.ts";
import { parseInteger } from "../numbers.ts";
import { array, bulk, integer, NULL, NULL_ARRAY, OK, type Reply } from "../reply.ts";
import {
  elementAt,
  elementsIn,
  insertElement,
  type ListHandle,
  listLength,
  openList,
  popElements,
  pushElements,
  removeElements,
  resolveIndex,
  saveList,
  setElement,
  type Side,
  trimElements,
  walk,
} from "../storage/list.ts";
import {
  checkKey,
  fail,
  getTyped,
  intArg,
  option,
  readSlot,
  sameBytes,
  writeChunks,
  writeSlot,
} from "./common.ts";
import { DATA_ERRORS } from "../errors.ts";
import { LIST, notify } from "../notify.ts";

/** Largest count Redis accepts (LONG_MAX); JS numbers beyond 2^53 only ever mean "all". */
const LONG_MAX = 2n ** 63n - 1n;

/** Open `key` as a list inside a unit (WRONGTYPE for other types). */
async function openTyped(tx: WriteTx, slot: number, key: Uint8Array): Promise<ListHandle> {
  return openList(slot, key, await getTyped(tx, slot, key, "list"));
}

/** LEFT or RIGHT, else a syntax error. */
export function sideArg(arg: Uint8Array): Side {
  const opt = option(arg);
  if (opt === "LEFT") return "left";
  if (opt === "RIGHT") return "right";
  return fail(DATA_ERRORS.syntax);
}

/** An integer in [min, LONG_MAX], or `message` (Redis's getRangeLongFromObjectOrReply). */
export function rangeArg(arg: Uint8Array, min: number, message: string): number {
  const value = parseInteger(arg);
  if (value === null || value < min || BigInt(value) > LONG_MAX) fail(message);
  return value;
}

/** LPUSH/RPUSH (and the X forms, which push only onto an existing list). */
function push(side: Side, onlyExisting: boolean) {
  const event = side === "left" ? "lpush" : "rpush";
  /** Push `values`; the list's length after, 0 when X found no list. */
  const pushUnit = async (
    tx: WriteTx,
    slot: number,
    key: Uint8Array,
    values: readonly Uint8Array[],
  ) => {
    const l = await openTyped(tx, slot, key);
    if (onlyExisting && !l.entry) return 0;
    pushElements(tx, l, side, values);
    saveList(tx, l);
    notify(tx, LIST, event, key);
    return listLength(l.meta);
  };
  return async (ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> => {
    const key = checkKey(argv[1]);
    const values = argv.slice(2);
    // A shared store's atomics hold few writes: many values go in units queued back to back.
    const lengths = await writeChunks(
      ctx,
      values,
      (tx, slot, part) => pushUnit(tx, slot, key, part),
    );
    return integer(lengths[lengths.length - 1]);
  };
}

/** LPOP/RPOP key [count]. */
function pop(side: Side) {
  return (ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> => {
    if (argv.length > 3) fail(DATA_ERRORS.arity(option(argv[0]).toLowerCase()));
    const count = argv.length === 3 ? rangeArg(argv[2], 0, DATA_ERRORS.mustBePositive) : null;
    return writeSlot(ctx, async (tx, slot) => {
      const entry = await getTyped(tx, slot, argv[1], "list");
      if (!entry) return count === null ? NULL : NULL_ARRAY;
      if (count === 0) return array([]);
      const l = openList(slot, argv[1], entry);
      const values = await popElements(tx, l, side, count ?? 1);
      saveList(tx, l);
      notify(tx, LIST, side === "left" ? "lpop" : "rpop", argv[1]);
      return count === null ? bulk(values[0]) : array(values.map((v) => bulk(v)));
    });
  };
}

async function llen(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  return integer(
    await readSlot(ctx, async (r, slot) => {
      const entry = await getTyped(r, slot, argv[1], "list");
      return entry ? listLength(entry.meta!) : 0;
    }),
  );
}

/** Redis's start/stop clamping (LRANGE, LTRIM): [from, to] or null when nothing is in range. */
function clampRange(n: number, start: number, stop: number): [number, number] | null {
  if (start < 0) start += n;
  if (stop < 0) stop += n;
  if (start < 0) start = 0;
  if (start > stop || start >= n) return null;
  return [start, Math.min(stop, n - 1)];
}

async function lrange(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  const start = intArg(argv[2]);
  const stop = intArg(argv[3]);
  const values = await readSlot(ctx, async (r, slot) => {
    const entry = await getTyped(r, slot, argv[1], "list");
    const range = entry ? clampRange(listLength(entry.meta!), start, stop) : null;
    return range ? await elementsIn(r, entry!.meta!, range[0], range[1] + 1) : [];
  });
  return array(values.map((e) => bulk(e.data)));
}

async function lindex(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  return await readSlot(ctx, async (r, slot) => {
    const entry = await getTyped(r, slot, argv[1], "list");
    if (!entry) return NULL;
    const i = resolveIndex(entry.meta!, intArg(argv[2]));
    const element = i === null ? null : await elementAt(r, entry.meta!, i);
    return element ? bulk(element.data) : NULL;
  });
}

function lset(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  return writeSlot(ctx, async (tx, slot) => {
    const entry = await getTyped(tx, slot, argv[1], "list");
    if (!entry) fail(DATA_ERRORS.noSuchKey);
    const l = openList(slot, argv[1], entry);
    const i = resolveIndex(l.meta, intArg(argv[2]));
    if (i === null) fail(DATA_ERRORS.indexOutOfRange);
    await setElement(tx, l, i, argv[3]);
    saveList(tx, l);
    notify(tx, LIST, "lset", argv[1]);
    return OK;
  });
}

/** Head index of the first element equal to `value`, or null. */
async function findFirst(tx: WriteTx, l: ListHandle, value: Uint8Array): Promise<number | null> {
  let found: number | null = null;
  await walk(tx, l.meta, false, Infinity, (data, i) => {
    if (!sameBytes(data, value)) return true;
    found = i;
    return false;
  });
  return found;
}

function linsert(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  const where = option(argv[2]);
  if (where !== "BEFORE" && where !== "AFTER") fail(DATA_ERRORS.syntax);
  return writeSlot(ctx, async (tx, slot) => {
    const entry = await getTyped(tx, slot, argv[1], "list");
    if (!entry) return integer(0);
    const l = openList(slot, argv[1], entry);
    const pivot = await findFirst(tx, l, argv[3]);
    if (pivot === null) return integer(-1);
    await insertElement(tx, l, where === "BEFORE" ? pivot : pivot + 1, argv[4]);
    saveList(tx, l);
    notify(tx, LIST, "linsert", argv[1]);
    return integer(listLength(l.meta));
  });
}

function lrem(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  const count = intArg(argv[2]);
  return writeSlot(ctx, async (tx, slot) => {
    const entry = await getTyped(tx, slot, argv[1], "list");
    if (!entry) return integer(0);
    const l = openList(slot, argv[1], entry);
    const limit = count === 0 ? Infinity : Math.abs(count);
    const matches: number[] = [];
    await walk(tx, l.meta, count < 0, Infinity, (data, i) => {
      if (sameBytes(data, argv[3])) matches.push(i);
      return matches.length < limit;
    });
    matches.sort((a, b) => a - b);
    await removeElements(tx, l, matches);
    saveList(tx, l);
    if (matches.length > 0) notify(tx, LIST, "lrem", argv[1]);
    return integer(matches.length);
  });
}

function ltrim(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  const start = intArg(argv[2]);
  const stop = intArg(argv[3]);
  return writeSlot(ctx, async (tx, slot) => {
    const entry = await getTyped(tx, slot, argv[1], "list");
    if (!entry) return OK;
    const l = openList(slot, argv[1], entry);
    const range = clampRange(listLength(l.meta), start, stop) ?? [1, 0];
    await trimElements(tx, l, range[0], range[1]);
    saveList(tx, l);
    notify(tx, LIST, "ltrim", argv[1]);
    return OK;
  });
}

interface LposArgs {
  rank: number;
  count: number | null;
  maxlen: number;
}

function lposArgs(argv: Uint8Array[]): LposArgs {
  const args: LposArgs = { rank: 1, count: null, maxlen: 0 };
  for (let j = 3; j < argv.length; j++) {
    const opt = option(argv[j]);
    const more = j + 1 < argv.length;
    if (opt === "RANK" && more) {
      const rank = parseInteger(argv[++j]);
      if (rank === null) fail(DATA_ERRORS.notInteger);
      if (BigInt(rank) < -LONG_MAX) fail(DATA_ERRORS.longRange);
      if (rank === 0) fail(DATA_ERRORS.rankZero);
      args.rank = rank;
    } else if (opt === "COUNT" && more) {
      args.count = rangeArg(argv[++j], 0, DATA_ERRORS.countNegative);
    } else if (opt === "MAXLEN" && more) {
      args.maxlen = rangeArg(argv[++j], 0, DATA_ERRORS.maxlenNegative);
    } else {
      fail(DATA_ERRORS.syntax);
    }
  }
  return args;
}

async function lpos(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  const { rank, count, maxlen } = lposArgs(argv);
  const found = await readSlot(ctx, async (r, slot) => {
    const entry = await getTyped(r, slot, argv[1], "list");
    if (!entry) return null;
    const want = count === null ? 1 : count === 0 ? Infinity : count;
    const out: number[] = [];
    let skip = Math.abs(rank) - 1;
    await walk(r, entry.meta!, rank < 0, maxlen === 0 ? Infinity : maxlen, (data, i) => {
      if (!sameBytes(data, argv[2])) return true;
      if (skip > 0) {
        skip--;
        return true;
      }
      out.push(i);
      return out.length < want;
    });
    return out;
  });
  if (count !== null) return array((found ?? []).map((i) => integer(i)));
  return found && found.length > 0 ? integer(found[0]) : NULL;
}

/**
 * Pop one element from `from` of `source` and push it at `to` of `dest`, in one unit; null when
 * the source is empty. Shared by LMOVE, RPOPLPUSH and their blocking forms.
 */
export function moveElement(
  ctx: CommandContext,
  source: Uint8Array,
  dest: Uint8Array,
  from: Side,
  to: Side,
): Promise<Reply | null> {
  checkKey(dest);
  return writeSlot(ctx, async (tx, slot) => {
    const src = await getTyped(tx, slot, source, "list");
    if (!src) return null;
    const s = openList(slot, source, src);
    const d = sameBytes(source, dest) ? s : await openTyped(tx, slot, dest);
    const [value] = await popElements(tx, s, from, 1);
    pushElements(tx, d, to, [value]);
    if (d !== s) saveList(tx, s);
    saveList(tx, d);
    notify(tx, LIST, to === "left" ? "lpush" : "rpush", dest);
    notify(tx, LIST, from === "left" ? "lpop" : "rpop", source);
    return bulk(value);
  });
}

async function lmove(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  const from = sideArg(argv[3]);
  const to = sideArg(argv[4]);
  return await moveElement(ctx, argv[1], argv[2], from, to) ?? NULL;
}

async function rpoplpush(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  return await moveElement(ctx, argv[1], argv[2], "right", "left") ?? NULL;
}

/** What LMPOP and BLMPOP pop: keys, side and count. */
export interface MpopArgs {
  keys: Uint8Array[];
  side: Side;
  count: number;
}

/** Parse `numkeys key... LEFT|RIGHT [COUNT count]` starting at argv[at]. */
export function mpopArgs(argv: Uint8Array[], at: number): MpopArgs {
  const numkeys = rangeArg(argv[at], 1, DATA_ERRORS.numkeysPositive);
  const whereAt = at + numkeys + 1;
  if (whereAt >= argv.length) fail(DATA_ERRORS.syntax);
  const side = sideArg(argv[whereAt]);
  let count: number | null = null;
  for (let j = whereAt + 1; j < argv.length; j++) {
    if (count === null && option(argv[j]) === "COUNT" && j + 1 < argv.length) {
      count = rangeArg(argv[++j], 1, DATA_ERRORS.countPositive);
    } else {
      fail(DATA_ERRORS.syntax);
    }
  }
  return { keys: argv.slice(at + 1, whereAt), side, count: count ?? 1 };
}

/**
 * Pop from the first non-empty list among `keys` (WRONGTYPE stops at a key of another type):
 * its key and the values, or null when every list is empty. Shared by LMPOP, BLPOP, BLMPOP.
 */
export function popFirst(
  ctx: CommandContext,
  keys: readonly Uint8Array[],
  side: Side,
  count: number,
): Promise<{ key: Uint8Array; values: Uint8Array[] } | null> {
  return writeSlot(ctx, async (tx, slot) => {
    for (const key of keys) {
      const entry = await getTyped(tx, slot, key, "list");
      if (!entry) continue;
      const l = openList(slot, key, entry);
      const values = await popElements(tx, l, side, count);
      saveList(tx, l);
      notify(tx, LIST, side === "left" ? "lpop" : "rpop", key);
      return { key, values };
    }
    return null;
  });
}

/** LMPOP's and BLMPOP's reply: [key, [values]]. */
export function mpopReply(popped: { key: Uint8Array; values: Uint8Array[] }): Reply {
  return array([bulk(popped.key), array(popped.values.map((v) => bulk(v)))]);
}

async function lmpop(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  const { keys, side, count } = mpopArgs(argv, 1);
  const popped = await popFirst(ctx, keys, side, count);
  return popped ? mpopReply(popped) : NULL_ARRAY;
}

const W = ["write"];
const WF = ["write", "denyoom", "fast"];
const TWO: [number, number, number] = [1, 2, 1];

/** The lists command family (non-blocking). */
export const COMMANDS: CommandSpec[] = [
  command("lpush", { arity: -3, flags: WF, keys: ONE }, push("left", false)),
  command("rpush", { arity: -3, flags: WF, keys: ONE }, push("right", false)),
  command("lpushx", { arity: -3, flags: WF, keys: ONE }, push("left", true)),
  command("rpushx", { arity: -3, flags: WF, keys: ONE }, push("right", true)),
  command("lpop", { arity: -2, flags: ["write", "fast"], keys: ONE }, pop("left")),
  command("rpop", { arity: -2, flags: ["write", "fast"], keys: ONE }, pop("right")),
  command("llen", { arity: 2, flags: RF, keys: ONE }, llen),
  command("lrange", { arity: 4, flags: R, keys: ONE }, lrange),
  command("lindex", { arity: 3, flags: R, keys: ONE }, lindex),
  command("lset", { arity: 4, flags: ["write", "denyoom"], keys: ONE }, lset),
  command("linsert", { arity: 5, flags: ["write", "denyoom"], keys: ONE }, linsert),
  command("lrem", { arity: 4, flags: W, keys: ONE }, lrem),
  command("ltrim", { arity: 4, flags: W, keys: ONE }, ltrim),
  command("lpos", { arity: -3, flags: R, keys: ONE }, lpos),
  command("lmove", { arity: 5, flags: ["write", "denyoom"], keys: TWO }, lmove),
  command("rpoplpush", { arity: 3, flags: ["write", "denyoom"], keys: TWO }, rpoplpush),
  command("lmpop", { arity: -4, flags: ["write", "movablekeys"] }, lmpop),
];

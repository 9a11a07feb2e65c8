/**
 * Write hints from the command table: the store keys a single command's write unit will touch
 * (each key's meta entry, and the member entries of a collection whose meta is in memory), so
 * the store fetches them before the unit runs.
 * @module
 */
import type { Entry, Key } from "../../src/store/mod.ts";
import type { CommandSpec } from "./command.ts";
import { option } from "./commands/common.ts";
import { fieldKey, type KeyMeta, metaKey } from "./storage/layout.ts";
import { memberKey as scoreKey } from "./storage/zset.ts";

/** More keys than this are left unhinted: the unit reads the rest itself. */
export const MAX_HINTED_KEYS = 64;

/** What memory alone knows of a store key (Store.peek): undefined when only a read can tell. */
export type Peek = (key: Key) => Entry<unknown> | null | undefined;

/** Where a command's member arguments are, and the entry each names in the collection. */
interface MemberArgs {
  type: KeyMeta["t"];
  /** The first member argument, or a function finding it (ZADD's options come first). */
  first: number | ((argv: readonly Uint8Array[]) => number);
  step: number;
  key: (gen: string, member: Uint8Array) => Key;
}

const ZADD_OPTIONS = new Set(["NX", "XX", "GT", "LT", "CH", "INCR"]);

/** ZADD's first member: past the options, after the first score. */
function zaddFirstMember(argv: readonly Uint8Array[]): number {
  let i = 2;
  while (i < argv.length && argv[i].length <= 4 && ZADD_OPTIONS.has(option(argv[i]))) i++;
  return i + 1;
}

const HASH_PAIRS: MemberArgs = { type: "hash", first: 2, step: 2, key: fieldKey };
const HASH_FIELDS: MemberArgs = { type: "hash", first: 2, step: 1, key: fieldKey };
const SET_MEMBERS: MemberArgs = { type: "set", first: 2, step: 1, key: fieldKey };

/**
 * Write commands whose unit reads the member entries it names (whether a field is new, a
 * member present, its old score): without a hint, a member that is not cached holds the
 * write loop on a store read inside the unit.
 */
const MEMBER_ARGS = new Map<string, MemberArgs>([
  ["hset", HASH_PAIRS],
  ["hmset", HASH_PAIRS],
  ["hsetnx", HASH_PAIRS],
  ["hincrby", HASH_PAIRS],
  ["hincrbyfloat", HASH_PAIRS],
  ["hdel", HASH_FIELDS],
  ["sadd", SET_MEMBERS],
  ["srem", SET_MEMBERS],
  ["zadd", { type: "zset", first: zaddFirstMember, step: 2, key: scoreKey }],
  ["zincrby", { type: "zset", first: 3, step: 1, key: scoreKey }],
  ["zrem", { type: "zset", first: 2, step: 1, key: scoreKey }],
]);

/**
 * The keys to prefetch for a write command, from its key positions; undefined when it names
 * none. The db stands in for its storage slot: they match until FLUSHDB or SWAPDB, and a wrong
 * hint only costs a useless prefetch. With `peek`, a collection command whose key's meta is in
 * memory also names the member entries it will read.
 */
export function writeHints(
  spec: CommandSpec,
  argv: readonly Uint8Array[],
  db: number,
  peek?: Peek,
): Key[] | undefined {
  if (spec.firstKey <= 0 || !spec.flags.includes("write")) return undefined;
  const last = spec.lastKey < 0 ? argv.length + spec.lastKey : spec.lastKey;
  const step = spec.step > 0 ? spec.step : 1;
  // Not the slot map, though every unit reads it: that read keeps it cached, so hinting it cost
  // a second prefetch lookup per command (the prefetch led the store's profile) for nothing.
  const keys: Key[] = [];
  for (let i = spec.firstKey; i <= last && i < argv.length; i += step) {
    if (keys.length >= MAX_HINTED_KEYS) break;
    keys.push(metaKey(db, argv[i]));
  }
  if (keys.length === 0) return undefined;
  const members = peek ? MEMBER_ARGS.get(spec.name) : undefined;
  if (members) addMembers(keys, members, argv, peek!);
  return keys;
}

/** Add the member entries `args` names to `keys`, when the key's meta says its generation. */
function addMembers(keys: Key[], args: MemberArgs, argv: readonly Uint8Array[], peek: Peek): void {
  const meta = peek(keys[0])?.meta as KeyMeta | undefined;
  if (meta?.t !== args.type || meta.g === undefined) return;
  const first = typeof args.first === "number" ? args.first : args.first(argv);
  for (let i = first; i < argv.length && keys.length < MAX_HINTED_KEYS; i += args.step) {
    keys.push(args.key(meta.g, argv[i]));
  }
}

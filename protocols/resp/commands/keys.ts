/**
 * Redis generic key commands: DEL, UNLINK, EXISTS, TYPE, RENAME(NX), COPY, TOUCH, RANDOMKEY,
 * KEYS, SCAN, DBSIZE, FLUSHDB, FLUSHALL, SWAPDB, OBJECT and MEMORY (and, merged in, expiry).
 * @module
 */
import type { CommandContext, CommandSpec } from "../command.ts";
import { DATA_ERRORS } from "../data_errors.ts";
import { globMatch, matchesAll } from "../glob.ts";
import { ascii, parseInt64, parseInteger } from "../numbers.ts";
import { array, bulk, integer, NULL, OK, type Reply, simple } from "../reply.ts";
import { literalPrefix, loadCursor, saveCursor, scanPage } from "../scan.ts";
import { copyValue } from "../storage/copy.ts";
import {
  dropKey,
  flushDbs,
  getKey,
  type KeyEntry,
  putKey,
  slotOf,
  swapDbs,
} from "../storage/db.ts";
import { DATABASES, type KeyMeta, metaKey, ownerKey, slotPrefix } from "../storage/layout.ts";
import { countKeys } from "../keyspace.ts";
import { checkKey, command, fail, option, readSlot, writeSlot } from "./common.ts";
import { COMMANDS as EXPIRE_COMMANDS } from "./expire.ts";

/** Fields a hash may have to stay a listpack (hash-max-listpack-entries). */
export const LISTPACK_MAX_ENTRIES = 128;
/** Keys examined per SCAN call by default. */
const SCAN_DEFAULT_COUNT = 10;
/** Redis's refcount for shared integer objects (OBJ_SHARED_REFCOUNT = INT_MAX). */
const SHARED_REFCOUNT = 2147483647;
/** Integers Redis keeps as shared objects (OBJ_SHARED_INTEGERS). */
const SHARED_INTEGERS = 10000n;
/** Largest string Redis embeds in its object header (OBJ_ENCODING_EMBSTR_SIZE_LIMIT). */
const EMBSTR_MAX = 44;

async function del(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  const keys = argv.slice(1);
  return await writeSlot(ctx, async (tx, slot) => {
    let removed = 0;
    for (const key of keys) {
      const entry = await getKey(tx, slot, key);
      if (!entry) continue;
      dropKey(tx, slot, key, entry);
      removed++;
    }
    return integer(removed);
  });
}

async function exists(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  const keys = argv.slice(1);
  const entries = await readSlot(
    ctx,
    (r, slot) => Promise.all(keys.map((k) => getKey(r, slot, k))),
  );
  return integer(entries.filter((e) => e !== null).length);
}

async function type(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  const entry = await readSlot(ctx, (r, slot) => getKey(r, slot, argv[1]));
  return simple(entry?.meta?.t ?? "none");
}

/** Move a key's meta entry; a hash keeps its generation (its fields do not move). */
function moveKey(
  tx: Parameters<typeof putKey>[0],
  slot: number,
  from: Uint8Array,
  to: Uint8Array,
  entry: KeyEntry,
  old: KeyEntry | null,
): void {
  putKey(tx, slot, to, { meta: entry.meta!, data: entry.data, expiresAt: entry.expiresAt }, old);
  tx.delete(metaKey(slot, from));
  if (entry.meta?.t === "hash" && entry.meta.fx) {
    tx.set(ownerKey(entry.meta.g!), { meta: { slot, key: to } });
  }
}

function renameGeneric(nx: boolean) {
  return async (ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> => {
    const [from, to] = [argv[1], checkKey(argv[2])];
    return await writeSlot(ctx, async (tx, slot) => {
      const entry = await getKey(tx, slot, from);
      if (!entry) fail(DATA_ERRORS.noSuchKey);
      if (sameBytes(from, to)) return nx ? integer(0) : OK;
      const old = await getKey(tx, slot, to);
      if (nx && old) return integer(0);
      moveKey(tx, slot, from, to, entry, old);
      return nx ? integer(1) : OK;
    });
  };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function dbArg(arg: Uint8Array, invalid: string = DATA_ERRORS.notInteger): number {
  const db = parseInteger(arg);
  if (db === null) fail(invalid);
  if (db < 0 || db >= DATABASES) fail(DATA_ERRORS.dbIndex);
  return db;
}

async function copy(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  const [from, to] = [argv[1], checkKey(argv[2])];
  let db = ctx.session.db;
  let replace = false;
  for (let i = 3; i < argv.length; i++) {
    const opt = option(argv[i]);
    if (opt === "REPLACE") replace = true;
    else if (opt === "DB" && i + 1 < argv.length) db = dbArg(argv[++i]);
    else fail(DATA_ERRORS.syntax);
  }
  if (db === ctx.session.db && sameBytes(from, to)) fail(DATA_ERRORS.sameObject);
  return await ctx.write(async (tx) => {
    const source = await slotOf(tx, ctx.session.db);
    const target = await slotOf(tx, db);
    const entry = await getKey(tx, source, from);
    if (!entry) return integer(0);
    const old = await getKey(tx, target, to);
    if (old && !replace) return integer(0);
    putKey(tx, target, to, await copyValue(tx, entry, target, to), old);
    return integer(1);
  });
}

async function randomkey(ctx: CommandContext): Promise<Reply> {
  const key = await readSlot(ctx, async (r, slot) => {
    const probe = crypto.getRandomValues(new Uint8Array(8));
    const after = await r.list({ prefix: slotPrefix(slot), start: metaKey(slot, probe) }, {
      limit: 1,
      keysOnly: true,
    });
    const found = after.length > 0
      ? after
      : await r.list({ prefix: slotPrefix(slot) }, { limit: 1, keysOnly: true });
    return found.length > 0 ? found[0].key[2] as Uint8Array : null;
  });
  return key ? bulk(key) : NULL;
}

async function keys(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  const pattern = argv[1];
  const all = matchesAll(pattern);
  const found = await readSlot(ctx, async (r, slot) => {
    const out: Reply[] = [];
    let after: Uint8Array | null = null;
    const prefix = literalPrefix(pattern);
    while (true) {
      const page: Awaited<ReturnType<typeof scanPage>> = await scanPage(
        r,
        slotPrefix(slot),
        after,
        1000,
        prefix,
      );
      for (const e of page.entries) {
        const key = e.key[2] as Uint8Array;
        if (all || globMatch(pattern, key)) out.push(bulk(key));
      }
      if (!page.next) return out;
      after = page.next;
    }
  });
  return array(found);
}

/** SCAN/HSCAN's shared arguments. */
export interface ScanArgs {
  after: Uint8Array | null;
  pattern: Uint8Array | null;
  count: number;
  type: string | null;
}

/** Parse `cursor [MATCH p] [COUNT n] [TYPE t]` starting at argv[at]; TYPE only for SCAN. */
export function parseScanArgs(argv: Uint8Array[], at: number, allowType: boolean): ScanArgs {
  const cursor = parseCursor(argv[at]);
  const out: ScanArgs = {
    after: loadCursor(cursor),
    pattern: null,
    count: SCAN_DEFAULT_COUNT,
    type: null,
  };
  for (let i = at + 1; i < argv.length; i++) {
    const opt = option(argv[i]);
    const hasNext = i + 1 < argv.length;
    if (opt === "COUNT" && hasNext) {
      const count = parseInteger(argv[++i]);
      if (count === null) fail(DATA_ERRORS.notInteger);
      if (count < 1) fail(DATA_ERRORS.syntax);
      out.count = count;
    } else if (opt === "MATCH" && hasNext) {
      out.pattern = argv[++i];
    } else if (allowType && opt === "TYPE" && hasNext) {
      out.type = ascii(argv[++i]).toLowerCase();
    } else fail(DATA_ERRORS.syntax);
  }
  return out;
}

function parseCursor(arg: Uint8Array): bigint {
  const text = ascii(arg);
  if (!/^[0-9]+$/.test(text)) fail(DATA_ERRORS.invalidCursor);
  const value = BigInt(text);
  if (value >= 2n ** 64n) fail(DATA_ERRORS.invalidCursor);
  return value;
}

const TYPE_NAMES = new Set(["string", "list", "set", "zset", "hash", "stream"]);

async function scan(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  const args = parseScanArgs(argv, 1, true);
  if (args.type !== null && !TYPE_NAMES.has(args.type)) {
    fail(DATA_ERRORS.unknownType(args.type));
  }
  const page = await readSlot(ctx, (r, slot) =>
    scanPage<KeyMeta>(
      r,
      slotPrefix(slot),
      args.after,
      args.count,
      args.pattern ? literalPrefix(args.pattern) : undefined,
    ));
  const out: Reply[] = [];
  for (const e of page.entries) {
    const key = e.key[2] as Uint8Array;
    if (args.pattern && !matchesAll(args.pattern) && !globMatch(args.pattern, key)) continue;
    if (args.type !== null && e.meta?.t !== args.type) continue;
    out.push(bulk(key));
  }
  return array([bulk(page.next ? saveCursor(page.next) : "0"), array(out)]);
}

async function dbsize(ctx: CommandContext): Promise<Reply> {
  return integer(await readSlot(ctx, (r, slot) => countKeys(r, slot)));
}

function flushMode(argv: Uint8Array[]): void {
  if (argv.length > 2) fail(DATA_ERRORS.syntax);
  if (argv.length === 2 && !["ASYNC", "SYNC"].includes(option(argv[1]))) fail(DATA_ERRORS.syntax);
}

async function flushdb(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  flushMode(argv);
  await ctx.write((tx) => flushDbs(tx, [ctx.session.db]));
  return OK;
}

async function flushall(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  flushMode(argv);
  await ctx.write((tx) => flushDbs(tx, Array.from({ length: DATABASES }, (_, i) => i)));
  return OK;
}

async function swapdb(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  const a = dbArg(argv[1], DATA_ERRORS.invalidDbIndex);
  const b = dbArg(argv[2], DATA_ERRORS.invalidSecondDbIndex);
  await ctx.write((tx) => swapDbs(tx, a, b));
  return OK;
}

async function touch(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  return await exists(ctx, argv);
}

/** OBJECT ENCODING's answer for an entry, as Redis 7.2 would store it. */
export function encodingOf(entry: KeyEntry): string {
  if (entry.meta?.t === "hash") {
    return (entry.meta.n ?? 0) > LISTPACK_MAX_ENTRIES || entry.meta.big ? "hashtable" : "listpack";
  }
  if (entry.data.length <= 20 && parseInt64(entry.data) !== null) return "int";
  return entry.data.length <= EMBSTR_MAX ? "embstr" : "raw";
}

function subcommandArity(container: string, sub: string): string {
  return DATA_ERRORS.arity(`${container}|${sub.toLowerCase()}`);
}

function unknownSubcommand(container: string, sub: Uint8Array): never {
  fail(`ERR unknown subcommand '${ascii(sub)}'. Try ${container} HELP.`);
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

async function object(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  const sub = option(argv[1]);
  if (sub === "HELP" && argv.length === 2) return array(OBJECT_HELP.map((l) => simple(l)));
  if (!["ENCODING", "FREQ", "IDLETIME", "REFCOUNT"].includes(sub)) {
    unknownSubcommand("OBJECT", argv[1]);
  }
  if (argv.length !== 3) fail(subcommandArity("object", sub));
  const entry = await readSlot(ctx, (r, slot) => getKey(r, slot, argv[2]));
  if (!entry) return NULL;
  switch (sub) {
    case "ENCODING":
      return bulk(encodingOf(entry));
    case "FREQ":
      return fail(DATA_ERRORS.noLfu);
    case "IDLETIME":
      return integer(0);
    default: {
      const n = entry.meta?.t === "string" ? parseInt64(entry.data) : null;
      const shared = n !== null && n >= 0n && n < SHARED_INTEGERS;
      return integer(shared ? SHARED_REFCOUNT : 1);
    }
  }
}

/** An estimate of a key's footprint in Redis (object header, key, value, hash overhead). */
function memoryUsage(key: Uint8Array, entry: KeyEntry): number {
  const header = 16 + 24 + key.length + 8;
  if (entry.meta?.t === "hash") return header + 64 + (entry.meta.n ?? 0) * 32;
  return header + Math.ceil((entry.data.length + 1) / 8) * 8;
}

async function memory(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  const sub = option(argv[1]);
  if (sub === "PURGE" && argv.length === 2) return OK;
  if (sub !== "USAGE") unknownSubcommand("MEMORY", argv[1]);
  if (argv.length !== 3 && argv.length !== 5) fail(subcommandArity("memory", sub));
  if (argv.length === 5) {
    if (option(argv[3]) !== "SAMPLES") fail(DATA_ERRORS.syntax);
    if (parseInteger(argv[4]) === null) fail(DATA_ERRORS.notInteger);
  }
  const entry = await readSlot(ctx, (r, slot) => getKey(r, slot, argv[2]));
  return entry ? integer(memoryUsage(argv[2], entry)) : NULL;
}

const W = ["write"];
const WF = ["write", "fast"];
const R = ["readonly"];
const RF = ["readonly", "fast"];
const ONE: [number, number, number] = [1, 1, 1];
const ALL: [number, number, number] = [1, -1, 1];

/** The keys command family (generic key commands and expiry). */
export const COMMANDS: CommandSpec[] = [
  command("del", { arity: -2, flags: W, keys: ALL }, del),
  command("unlink", { arity: -2, flags: WF, keys: ALL }, del),
  command("exists", { arity: -2, flags: RF, keys: ALL }, exists),
  command("type", { arity: 2, flags: RF, keys: ONE }, type),
  command("rename", { arity: 3, flags: W, keys: [1, 2, 1] }, renameGeneric(false)),
  command("renamenx", { arity: 3, flags: WF, keys: [1, 2, 1] }, renameGeneric(true)),
  command("copy", { arity: -3, flags: ["write", "denyoom"], keys: [1, 2, 1] }, copy),
  command("touch", { arity: -2, flags: RF, keys: ALL }, touch),
  command("randomkey", { arity: 1, flags: R }, randomkey),
  command("keys", { arity: 2, flags: R }, keys),
  command("scan", { arity: -2, flags: R }, scan),
  command("dbsize", { arity: 1, flags: RF }, dbsize),
  command("flushdb", { arity: -1, flags: W }, flushdb),
  command("flushall", { arity: -1, flags: W }, flushall),
  command("swapdb", { arity: 3, flags: WF }, swapdb),
  command("object", { arity: -2, flags: R, keys: [2, 2, 1] }, object),
  command("memory", { arity: -2, flags: R, keys: [2, 2, 1] }, memory),
  ...EXPIRE_COMMANDS,
];

/**
 * Redis string commands. One generic SET (like setGenericCommand) serves SET, SETNX, SETEX,
 * PSETEX and GETSET; one counter helper serves the INCR family.
 * @module
 */
import { MAX_DATA_BYTES, type WriteTx } from "../../../src/store/mod.ts";
import {
  command,
  type CommandContext,
  type CommandSpec,
  ONE_KEY as ONE,
  READONLY_FAST as RF,
} from "../command.ts";
import { fitsInt64, parseInt64, parseLongDoubleArg } from "../numbers.ts";
import { addLongDouble, formatLongDouble, type LongDouble } from "../long_double.ts";
import { array, bulk, bulkOrNull, integer, NULL, OK, type Reply } from "../reply.ts";
import { dropKey, getKey, type KeyEntry, putKey } from "../storage/db.ts";
import { type KeyMeta, newGeneration } from "../storage/layout.ts";
import {
  checkKey,
  fail,
  getTyped,
  intArg,
  option,
  peekTyped,
  readSlot,
  writeChunks,
  writeSlot,
} from "./common.ts";
import { type ExpiryUnit, rebaseDeadline, setDeadline } from "./expiry_args.ts";
import { COMMANDS as LCS_COMMANDS } from "./lcs.ts";
import { DATA_ERRORS } from "../errors.ts";
import { GENERIC, notify, STRING } from "../notify.ts";

const encoder = new TextEncoder();
const EMPTY = new Uint8Array(0);
const ZERO: LongDouble = { neg: false, m: 0n, e: 0 };

/** Options of one SET-family call, after parsing. */
interface SetOptions {
  nx?: boolean;
  xx?: boolean;
  get?: boolean;
  keepTtl?: boolean;
  /** Absolute deadline, or null for none. */
  expiresAt: number | null;
  /** Set when expiresAt is relative (EX/PX): the clock it was computed from. */
  from?: number;
}

/** The options' deadline on the transaction's clock (see rebaseDeadline). */
function deadline(options: SetOptions, now: number): number | null {
  const { expiresAt, from } = options;
  return expiresAt === null || from === undefined
    ? expiresAt
    : rebaseDeadline(expiresAt, from, now);
}

/** What the generic SET replies when it did (or did not) write. */
interface SetReplies {
  ok: Reply;
  skipped: Reply;
}

const SET_REPLIES: SetReplies = { ok: OK, skipped: NULL };

/** The value of a string entry (strings keep their bytes in the meta entry's data). */
function stringValue(entry: KeyEntry | null): Uint8Array | null {
  return entry ? entry.data : null;
}

/**
 * The meta of every plain string, one object: the read cache then holds no meta of its own per
 * string key, and a SET allocates none. Frozen, since a meta read back is this very object.
 */
const STRING_META: KeyMeta = Object.freeze<KeyMeta>({ t: "string" });

/** A string key's meta record; `enc` records how Redis would have encoded it. */
function stringRecord(data: Uint8Array, expiresAt: number | null, enc?: KeyMeta["enc"]) {
  const meta: KeyMeta = enc ? { t: "string", enc } : STRING_META;
  return { meta, data, expiresAt };
}

/** Write a string value over whatever the key held. */
function storeString(
  tx: WriteTx,
  slot: number,
  key: Uint8Array,
  data: Uint8Array,
  expiresAt: number | null,
  old: KeyEntry | null,
  enc?: KeyMeta["enc"],
): void {
  if (expiresAt !== null && expiresAt <= tx.now) {
    if (old) dropKey(tx, slot, key, old);
    return;
  }
  putKey(tx, { slot, key, record: stringRecord(data, expiresAt, enc), old });
}

/** setGenericCommand: NX/XX conditions, GET of the old value, expiry or KEEPTTL. */
async function setGeneric(
  ctx: CommandContext,
  key: Uint8Array,
  value: Uint8Array,
  options: SetOptions,
  replies: SetReplies,
): Promise<Reply> {
  checkKey(key);
  return await writeSlot(ctx, async (tx, slot) => {
    const old = await getKey(tx, slot, key);
    if (options.get && old && old.meta?.t !== "string") fail(DATA_ERRORS.wrongType);
    const previous = options.get ? bulkOrNull(stringValue(old)) : null;
    if ((options.nx && old) || (options.xx && !old)) return previous ?? replies.skipped;
    const expiresAt = options.keepTtl ? old?.expiresAt ?? null : deadline(options, tx.now);
    storeString(tx, slot, key, value, expiresAt, old);
    notify(tx, STRING, "set", key);
    if (options.expiresAt !== null) notify(tx, GENERIC, "expire", key);
    return previous ?? replies.ok;
  });
}

/** Which options a SET-style parser accepts. */
type ParseMode = "set" | "getex";

/** parseExtendedStringArgumentsOrReply: options from argv[from], syntax errors first. */
function parseSetOptions(argv: Uint8Array[], from: number, mode: ParseMode, now: number) {
  const out: SetOptions & { persist?: boolean } = { expiresAt: null };
  let unit: ExpiryUnit | null = null;
  let expireArg: Uint8Array | null = null;
  for (let i = from; i < argv.length; i++) {
    const opt = option(argv[i]);
    const next = i + 1 < argv.length ? argv[i + 1] : null;
    const hasExpire = unit !== null;
    if (mode === "set" && opt === "NX" && !out.xx) out.nx = true;
    else if (mode === "set" && opt === "XX" && !out.nx) out.xx = true;
    else if (mode === "set" && opt === "GET") out.get = true;
    else if (mode === "set" && opt === "KEEPTTL" && !hasExpire) out.keepTtl = true;
    else if (mode === "getex" && opt === "PERSIST" && !hasExpire) out.persist = true;
    else if (
      (opt === "EX" || opt === "PX" || opt === "EXAT" || opt === "PXAT") &&
      !out.keepTtl && !out.persist && (unit === null || unit === opt) && next
    ) {
      unit = opt;
      expireArg = next;
      i++;
    } else {
      fail(DATA_ERRORS.syntax);
    }
  }
  if (unit && expireArg) {
    out.expiresAt = setDeadline(expireArg, unit, now, mode);
    if (unit === "EX" || unit === "PX") out.from = now;
  }
  return out;
}

async function set(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  const options = parseSetOptions(argv, 3, "set", Date.now());
  return await setGeneric(ctx, argv[1], argv[2], options, SET_REPLIES);
}

async function setnx(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  return await setGeneric(ctx, argv[1], argv[2], { nx: true, expiresAt: null }, {
    ok: integer(1),
    skipped: integer(0),
  });
}

function setWithExpire(unit: ExpiryUnit, name: string) {
  return async (ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> => {
    const from = Date.now();
    const expiresAt = setDeadline(argv[2], unit, from, name);
    return await setGeneric(ctx, argv[1], argv[3], { expiresAt, from }, SET_REPLIES);
  };
}

async function getset(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  return await setGeneric(ctx, argv[1], argv[2], { get: true, expiresAt: null }, SET_REPLIES);
}

/** The hottest command: answered without a promise when memory holds the key. */
function get(ctx: CommandContext, argv: Uint8Array[]): Reply | Promise<Reply> {
  const known = peekTyped(ctx, argv[1], "string");
  return known !== undefined ? bulkOrNull(stringValue(known)) : getStored(ctx, argv);
}

async function getStored(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  const entry = await readSlot(ctx, (r, slot) => getTyped(r, slot, argv[1], "string"));
  return bulkOrNull(stringValue(entry));
}

async function getdel(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  return await writeSlot(ctx, async (tx, slot) => {
    const entry = await getTyped(tx, slot, argv[1], "string");
    if (entry) {
      dropKey(tx, slot, argv[1], entry);
      notify(tx, GENERIC, "del", argv[1]);
    }
    return bulkOrNull(stringValue(entry));
  });
}

async function getex(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  const options = parseSetOptions(argv, 2, "getex", Date.now());
  const touchesTtl = options.persist || options.expiresAt !== null;
  if (!touchesTtl) return await get(ctx, argv);
  return await writeSlot(ctx, async (tx, slot) => {
    const entry = await getTyped(tx, slot, argv[1], "string");
    if (!entry) return NULL;
    const expiresAt = options.persist ? null : deadline(options, tx.now);
    storeString(tx, slot, argv[1], entry.data, expiresAt, entry, entry.meta?.enc);
    if (expiresAt !== null && expiresAt <= tx.now) notify(tx, GENERIC, "del", argv[1]);
    else if (expiresAt !== null) notify(tx, GENERIC, "expire", argv[1]);
    else if (entry.expiresAt !== null) notify(tx, GENERIC, "persist", argv[1]);
    return bulk(entry.data);
  });
}

async function mget(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  const keys = argv.slice(1);
  const entries = await readSlot(
    ctx,
    (r, slot) => Promise.all(keys.map((k) => getKey(r, slot, k))),
  );
  return array(entries.map((e) => e?.meta?.t === "string" ? bulk(e.data) : NULL));
}

/** How long an MSETNX decision flag outlives a crash between its units. */
const MSETNX_FLAG_MS = 60 * 60 * 1000;

type Pairs = readonly [Uint8Array, Uint8Array][];

/** Store key-value pairs; a key given twice keeps its last value, as Redis's setKey calls do. */
async function storePairs(tx: WriteTx, slot: number, pairs: Pairs): Promise<void> {
  const olds = await Promise.all(pairs.map(([k]) => getKey(tx, slot, k)));
  const last = new Map<string, number>();
  pairs.forEach(([k], i) => last.set(k.join(","), i));
  pairs.forEach(([k, v], i) => {
    if (last.get(k.join(",")) === i) storeString(tx, slot, k, v, null, olds[i]);
    notify(tx, STRING, "set", k);
  });
}

/**
 * MSETNX: units that check every key, then units that write the pairs, all queued back to back
 * (no other client's write runs between them); a flag entry carries the decision across them.
 */
async function msetnxPairs(ctx: CommandContext, pairs: Pairs): Promise<boolean> {
  const flag = ["msetnx", newGeneration()];
  const checks = writeChunks(ctx, pairs, async (tx, slot, chunk) => {
    // Units may re-run, so the first chunk is known by identity, not by a counter.
    const initial = chunk[0] === pairs[0];
    const free = initial || (await tx.get<boolean>(flag))?.meta === true;
    const olds = await Promise.all(chunk.map(([k]) => getKey(tx, slot, k)));
    const stillFree = free && olds.every((o) => o === null);
    if (initial || !stillFree) {
      tx.set(flag, { meta: stillFree, expiresAt: tx.now + MSETNX_FLAG_MS });
    }
  });
  const writes = writeChunks(ctx, pairs, async (tx, slot, chunk) => {
    if ((await tx.get<boolean>(flag))?.meta === true) await storePairs(tx, slot, chunk);
  });
  const outcome = ctx.write(async (tx) => {
    const free = (await tx.get<boolean>(flag))?.meta === true;
    tx.delete(flag);
    return free;
  });
  await Promise.all([checks, writes]);
  return await outcome;
}

function msetGeneric(onlyIfNoneExist: boolean) {
  return async (ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> => {
    if (argv.length % 2 === 0) fail(DATA_ERRORS.arity(onlyIfNoneExist ? "msetnx" : "mset"));
    const pairs: [Uint8Array, Uint8Array][] = [];
    for (let i = 1; i < argv.length; i += 2) pairs.push([checkKey(argv[i]), argv[i + 1]]);
    if (onlyIfNoneExist) return integer(await msetnxPairs(ctx, pairs) ? 1 : 0);
    await writeChunks(ctx, pairs, (tx, slot, chunk) => storePairs(tx, slot, chunk));
    return OK;
  };
}

function checkSize(length: number): void {
  if (length > MAX_DATA_BYTES) fail(DATA_ERRORS.stringTooLong);
}

async function append(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  checkKey(argv[1]);
  return await writeSlot(ctx, async (tx, slot) => {
    const old = await getTyped(tx, slot, argv[1], "string");
    const base = stringValue(old) ?? EMPTY;
    checkSize(base.length + argv[2].length);
    const data = new Uint8Array(base.length + argv[2].length);
    data.set(base);
    data.set(argv[2], base.length);
    storeString(tx, slot, argv[1], data, old?.expiresAt ?? null, old, "raw");
    notify(tx, STRING, "append", argv[1]);
    return integer(data.length);
  });
}

async function strlen(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  const entry = await readSlot(ctx, (r, slot) => getTyped(r, slot, argv[1], "string"));
  return integer(entry?.data.length ?? 0);
}

async function getrange(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  let start = intArg(argv[2]);
  let end = intArg(argv[3]);
  const entry = await readSlot(ctx, (r, slot) => getTyped(r, slot, argv[1], "string"));
  const value = stringValue(entry) ?? EMPTY;
  const length = value.length;
  if (start < 0 && end < 0 && start > end) return bulk(EMPTY);
  if (start < 0) start = length + start;
  if (end < 0) end = length + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= length) end = length - 1;
  if (start > end || length === 0) return bulk(EMPTY);
  return bulk(value.slice(start, end + 1));
}

async function setrange(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  checkKey(argv[1]);
  const offset = intArg(argv[2]);
  const patch = argv[3];
  if (offset < 0) fail(DATA_ERRORS.offsetRange);
  return await writeSlot(ctx, async (tx, slot) => {
    const old = await getTyped(tx, slot, argv[1], "string");
    const base = stringValue(old);
    if (patch.length === 0) return integer(base?.length ?? 0);
    checkSize(offset + patch.length);
    const length = Math.max(base?.length ?? 0, offset + patch.length);
    const data = new Uint8Array(length);
    if (base) data.set(base);
    data.set(patch, offset);
    storeString(tx, slot, argv[1], data, old?.expiresAt ?? null, old, "raw");
    notify(tx, STRING, "setrange", argv[1]);
    return integer(length);
  });
}

/** incrDecrCommand: signed 64-bit arithmetic on the text value, keeping the TTL. */
async function incrBy(ctx: CommandContext, key: Uint8Array, delta: bigint): Promise<Reply> {
  checkKey(key);
  return await writeSlot(ctx, async (tx, slot) => {
    const old = await getTyped(tx, slot, key, "string");
    const current = old ? parseInt64(old.data) : 0n;
    if (current === null) fail(DATA_ERRORS.notInteger);
    const next = current + delta;
    if (!fitsInt64(next)) fail(DATA_ERRORS.overflow);
    storeString(tx, slot, key, encoder.encode(next.toString()), old?.expiresAt ?? null, old);
    notify(tx, STRING, "incrby", key);
    return integer(next);
  });
}

function deltaArg(arg: Uint8Array): bigint {
  const value = parseInt64(arg);
  if (value === null) fail(DATA_ERRORS.notInteger);
  return value;
}

/** incrbyfloatCommand: long double arithmetic, printed as Redis's "%.17Lf", keeping the TTL. */
async function incrbyfloat(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  checkKey(argv[1]);
  return await writeSlot(ctx, async (tx, slot) => {
    const old = await getTyped(tx, slot, argv[1], "string");
    const current = old ? parseLongDoubleArg(old.data) : ZERO;
    const delta = current === null ? null : parseLongDoubleArg(argv[2]);
    if (current === null || delta === null) fail(DATA_ERRORS.notFloat);
    const sum = current === "inf" || delta === "inf" ? null : addLongDouble(current, delta);
    if (sum === null) fail(DATA_ERRORS.nanOrInfinity);
    const text = encoder.encode(formatLongDouble(sum));
    storeString(tx, slot, argv[1], text, old?.expiresAt ?? null, old, "str");
    notify(tx, STRING, "incrbyfloat", argv[1]);
    return bulk(text);
  });
}

const W = ["write", "denyoom"];
const WF = ["write", "denyoom", "fast"];

/** The strings command family. */
export const COMMANDS: CommandSpec[] = [
  command("get", { arity: 2, flags: RF, keys: ONE }, get),
  command("set", { arity: -3, flags: W, keys: ONE }, set),
  command("setnx", { arity: 3, flags: WF, keys: ONE }, setnx),
  command("setex", { arity: 4, flags: W, keys: ONE }, setWithExpire("EX", "setex")),
  command("psetex", { arity: 4, flags: W, keys: ONE }, setWithExpire("PX", "psetex")),
  command("getset", { arity: 3, flags: WF, keys: ONE }, getset),
  command("getdel", { arity: 2, flags: ["write", "fast"], keys: ONE }, getdel),
  command("getex", { arity: -2, flags: ["write", "fast"], keys: ONE }, getex),
  command("mget", { arity: -2, flags: RF, keys: [1, -1, 1] }, mget),
  command("mset", { arity: -3, flags: W, keys: [1, -1, 2] }, msetGeneric(false)),
  command("msetnx", { arity: -3, flags: W, keys: [1, -1, 2] }, msetGeneric(true)),
  command("append", { arity: 3, flags: WF, keys: ONE }, append),
  command("strlen", { arity: 2, flags: RF, keys: ONE }, strlen),
  command("getrange", { arity: 4, flags: ["readonly"], keys: ONE }, getrange),
  command("substr", { arity: 4, flags: ["readonly"], keys: ONE }, getrange),
  command("setrange", { arity: 4, flags: W, keys: ONE }, setrange),
  command("incr", { arity: 2, flags: WF, keys: ONE }, (ctx, argv) => incrBy(ctx, argv[1], 1n)),
  command("decr", { arity: 2, flags: WF, keys: ONE }, (ctx, argv) => incrBy(ctx, argv[1], -1n)),
  command(
    "incrby",
    { arity: 3, flags: WF, keys: ONE },
    (ctx, argv) => incrBy(ctx, argv[1], deltaArg(argv[2])),
  ),
  command("decrby", { arity: 3, flags: WF, keys: ONE }, (ctx, argv) => {
    const delta = deltaArg(argv[2]);
    if (delta === -(2n ** 63n)) fail(DATA_ERRORS.decrementOverflow);
    return incrBy(ctx, argv[1], -delta);
  }),
  command("incrbyfloat", { arity: 3, flags: WF, keys: ONE }, incrbyfloat),
  ...LCS_COMMANDS,
];

/**
 * What every data command shares: {@link fail} (throw an error reply; invoke.ts turns it into
 * the reply), argument checks, typed key lookups and write units.
 * @module
 */
import type { WriteTx } from "../../../src/store/mod.ts";
import type { CommandContext, Handler } from "../command.ts";
import { array, simple } from "../reply.ts";
import {
  type Access,
  getKey,
  type KeyEntry,
  peekKey,
  peekSlot,
  putKey,
  slotOf,
} from "../storage/db.ts";
import { DATABASES, type KeyMeta, MAX_REDIS_KEY_BYTES } from "../storage/layout.ts";
import { parseInteger } from "../numbers.ts";
import { DATA_ERRORS, ReplyError } from "../errors.ts";
import { GENERIC, notify } from "../notify.ts";

/** Throw an error reply (also aborts the write unit it is thrown in). */
export function fail(reply: string): never {
  throw new ReplyError(reply);
}

/**
 * The event of a *STORE command (SUNIONSTORE, ZRANGESTORE, SORT STORE, GEOSEARCHSTORE, …): its
 * own event when it stored something, else "del" when it deleted an existing destination.
 */
export function notifyStored(
  tx: WriteTx,
  cls: number,
  event: string,
  key: Uint8Array,
  stored: number,
  old: KeyEntry | null,
): void {
  if (stored > 0) notify(tx, cls, event, key);
  else if (old) notify(tx, GENERIC, "del", key);
}

/** A key (or field) argument checked against the store's key size limit. */
export function checkKey(arg: Uint8Array): Uint8Array {
  if (arg.length > MAX_REDIS_KEY_BYTES) fail(DATA_ERRORS.keyTooLarge);
  return arg;
}

/** An integer argument (string2ll), or Redis's "not an integer" error. */
export function intArg(arg: Uint8Array): number {
  const value = parseInteger(arg);
  if (value === null) fail(DATA_ERRORS.notInteger);
  return value;
}

export { sameBytes } from "../../../src/bytes.ts";

/** A db index argument (0-15); `invalid` is the error for a non-integer. */
export function dbArg(arg: Uint8Array, invalid: string = DATA_ERRORS.notInteger): number {
  const db = parseInteger(arg);
  if (db === null) fail(invalid);
  if (db < 0 || db >= DATABASES) fail(DATA_ERRORS.dbIndex);
  return db;
}

/** ASCII-uppercased text of an option argument. */
export function option(arg: Uint8Array): string {
  let text = "";
  for (const b of arg) text += String.fromCharCode(b >= 0x61 && b <= 0x7a ? b - 32 : b);
  return text;
}

/** A key's entry if it holds `type`, null if absent; WRONGTYPE otherwise. */
export async function getTyped(
  r: Access,
  slot: number,
  key: Uint8Array,
  type: KeyMeta["t"],
): Promise<KeyEntry | null> {
  return ofType(await getKey(r, slot, key), type);
}

/**
 * What {@link getTyped} would answer for a key of the selected db, when memory alone can tell
 * (see CommandContext.peek); undefined when the store must be read.
 */
export function peekTyped(
  ctx: CommandContext,
  key: Uint8Array,
  type: KeyMeta["t"],
): KeyEntry | null | undefined {
  const entry = ctx.peek ? peekKey(ctx.peek, ctx.session.db, key) : undefined;
  return entry === undefined ? undefined : ofType(entry, type);
}

function ofType(entry: KeyEntry | null, type: KeyMeta["t"]): KeyEntry | null {
  if (entry && entry.meta?.t !== type) fail(DATA_ERRORS.wrongType);
  return entry;
}

/** The storage slot of the connection's selected db. */
export function slotFor(ctx: CommandContext, r: Access): Promise<number> {
  return slotOf(r, ctx.session.db);
}

/**
 * Read through the connection's view: resolve its slot, then run `fn`. The slot comes from
 * memory when it can tell (nearly always): a read that misses the cache then costs no extra
 * promise hops for the slot map.
 */
export function readSlot<T>(
  ctx: CommandContext,
  fn: (r: Access, slot: number) => Promise<T>,
): Promise<T> {
  return ctx.read((r) => {
    const db = ctx.session.db;
    const slot = ctx.peek ? peekSlot(ctx.peek, db) : undefined;
    return slot !== undefined ? fn(r, slot) : slotOf(r, db).then((s) => fn(r, s));
  });
}

/** Write through the connection's view: resolve its slot inside the unit, then run `fn`. */
export function writeSlot<T>(
  ctx: CommandContext,
  fn: (tx: WriteTx, slot: number) => Promise<T>,
): Promise<T> {
  return ctx.write(async (tx) => fn(tx, await slotOf(tx, ctx.session.db)));
}

/**
 * Items per write unit for commands whose argument count is unbounded (MSET, DEL, HSET…). On
 * a store this process owns, one unit of any size commits atomically (the store journals units
 * larger than one Deno KV atomic), so the whole command is one unit, as in Redis.
 */
const ITEMS_PER_UNIT = Infinity;
/**
 * With several writers on one store (remote KV), every key a unit reads becomes a commit check
 * and a commit allows 10, so units stay this small: chunks are queued back to back, so no other
 * client's write of this process lands between them, though a reader may see a partial result.
 */
const SHARED_ITEMS_PER_UNIT = 2;

/** Items per write unit on this connection's store. */
export function unitSize(ctx: CommandContext): number {
  return ctx.store.info.exclusive ? ITEMS_PER_UNIT : SHARED_ITEMS_PER_UNIT;
}

/**
 * Run `fn` over `items` in units of {@link unitSize}, queued together, in order. Nearly every
 * command fits one unit: that one runs over `items` itself, with no chunk copy or Promise.all.
 */
export function writeChunks<T, R>(
  ctx: CommandContext,
  items: readonly T[],
  fn: (tx: WriteTx, slot: number, chunk: readonly T[]) => Promise<R>,
): Promise<R[]> {
  const size = unitSize(ctx);
  if (items.length <= size) return writeSlot(ctx, (tx, slot) => fn(tx, slot, items)).then(one);
  const units: Promise<R>[] = [];
  for (let i = 0; i < items.length || i === 0; i += size) {
    const chunk = items.slice(i, i + size);
    units.push(writeSlot(ctx, (tx, slot) => fn(tx, slot, chunk)));
  }
  return Promise.all(units);
}

function one<R>(result: R): R[] {
  return [result];
}

/**
 * Store a string edited in place (SETBIT, BITFIELD, PFADD…) over `old`, keeping its TTL; Redis
 * edits such values as raw sds strings, so OBJECT ENCODING says "raw".
 */
export function saveRawString(
  tx: WriteTx,
  slot: number,
  key: Uint8Array,
  data: Uint8Array,
  old: KeyEntry | null,
): void {
  putKey(tx, {
    slot,
    key,
    record: { meta: { t: "string", enc: "raw" }, data, expiresAt: old?.expiresAt ?? null },
    old,
  });
}

/** A container's HELP: its lines as simple strings, as Redis's addReplyHelp sends them. */
export function help(lines: readonly string[]): Handler {
  return () => array(lines.map((line) => simple(line)));
}

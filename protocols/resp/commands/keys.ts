/**
 * Redis generic key commands: DEL, UNLINK, EXISTS, TYPE, RENAME(NX), MOVE, COPY, TOUCH, RANDOMKEY,
 * KEYS, DBSIZE, FLUSHDB, FLUSHALL, SWAPDB, OBJECT and MEMORY (and, merged in, expiry).
 * @module
 */
import {
  ALL_KEYS as ALL,
  command,
  type CommandContext,
  type CommandSpec,
  ONE_KEY as ONE,
  READONLY as R,
  READONLY_FAST as RF,
} from "../command.ts";
import { globMatch, matchesAll } from "../glob.ts";
import { array, bulk, integer, NULL, OK, type Reply, simple } from "../reply.ts";
import { literalPrefix, type Position, type ScanPage, scanPage } from "../scan.ts";
import {
  dropKey,
  flushDbs,
  getKey,
  type KeyEntry,
  keyName,
  putKey,
  setOwner,
  slotOf,
  swapDbs,
} from "../storage/db.ts";
import { DATABASES, type KeyMeta, metaKey, slotPrefix } from "../storage/layout.ts";
import { slotStats } from "../keyspace.ts";
import type { Access } from "../storage/db.ts";
import {
  checkKey,
  dbArg,
  fail,
  option,
  readSlot,
  sameBytes,
  writeChunks,
  writeSlot,
} from "./common.ts";
import { COMMANDS as COPY_COMMANDS } from "./copy.ts";
import { COMMANDS as EXPIRE_COMMANDS } from "./expire.ts";
import { COMMANDS as INTROSPECTION_COMMANDS } from "./introspection.ts";
import { DATA_ERRORS } from "../errors.ts";
import { parseInt64 } from "../numbers.ts";
import { GENERIC, NEW, notify } from "../notify.ts";

/** Keys KEYS reads per page while matching. */
const KEYS_PAGE = 1000;

async function del(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  const counts = await writeChunks(ctx, argv.slice(1), async (tx, slot, keys) => {
    let removed = 0;
    for (const key of keys) {
      const entry = await getKey(tx, slot, key);
      if (!entry) continue;
      dropKey(tx, slot, key, entry);
      notify(tx, GENERIC, "del", key);
      removed++;
    }
    return removed;
  });
  return integer(counts.reduce((a, b) => a + b, 0));
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

/** Where a key moves to: its name and storage slot, and the db when not the connection's. */
interface MoveTarget {
  slot: number;
  key: Uint8Array;
  db?: number;
}

/**
 * Move a key's meta entry (RENAME within a slot, MOVE across dbs); a collection keeps its
 * generation, so its members do not move.
 */
function moveKey(
  tx: Parameters<typeof putKey>[0],
  slot: number,
  from: Uint8Array,
  to: MoveTarget,
  entry: KeyEntry,
  old: KeyEntry | null,
): void {
  putKey(tx, {
    slot: to.slot,
    key: to.key,
    record: { meta: entry.meta!, data: entry.data, expiresAt: entry.expiresAt },
    old,
    db: to.db,
  });
  tx.delete(metaKey(slot, from));
  if (entry.meta?.t === "hash" && entry.meta.fx) {
    setOwner(tx, entry.meta.g!, to.slot, to.key);
  }
}

/** MOVE key db: 1 when moved, 0 when the key is missing here or present there. */
async function move(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  const value = parseInt64(argv[2]);
  if (value === null) fail(DATA_ERRORS.notInteger);
  if (value < -(2n ** 31n) || value >= 2n ** 31n) fail(DATA_ERRORS.intRange);
  const db = Number(value);
  if (db < 0 || db >= DATABASES) fail(DATA_ERRORS.dbIndex);
  if (db === ctx.session.db) fail(DATA_ERRORS.sameObject);
  return await writeSlot(ctx, async (tx, slot) => {
    const entry = await getKey(tx, slot, argv[1]);
    if (!entry) return integer(0);
    const target = await slotOf(tx, db);
    if (await getKey(tx, target, argv[1])) return integer(0);
    moveKey(tx, slot, argv[1], { slot: target, key: argv[1], db }, entry, null);
    notify(tx, GENERIC, "move_from", argv[1]);
    notify(tx, GENERIC, "move_to", argv[1], db);
    return integer(1);
  });
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
      moveKey(tx, slot, from, { slot, key: to }, entry, old);
      // Redis deletes the destination and adds the key anew: "new" even over an existing one.
      if (old) notify(tx, NEW, "new", to);
      notify(tx, GENERIC, "rename_from", from);
      notify(tx, GENERIC, "rename_to", to);
      return nx ? integer(1) : OK;
    });
  };
}

/** A key at a random position in key order (the first live key at or after a random probe). */
async function randomkey(ctx: CommandContext): Promise<Reply> {
  const key = await readSlot(ctx, async (r, slot) => {
    const probe = crypto.getRandomValues(new Uint8Array(8));
    const after = await scanPage<KeyMeta>(r, {
      parent: slotPrefix(slot),
      after: [probe],
      count: 1,
    });
    const found = after.entries.length > 0
      ? after
      : await scanPage<KeyMeta>(r, { parent: slotPrefix(slot), after: null, count: 1 });
    return found.entries.length > 0 ? keyName(found.entries[0]) : null;
  });
  return key ? bulk(key) : NULL;
}

async function keys(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  const pattern = argv[1];
  const all = matchesAll(pattern);
  const found = await readSlot(ctx, async (r, slot) => {
    const out: Reply[] = [];
    let after: Position | null = null;
    const prefix = literalPrefix(pattern);
    while (true) {
      const page: ScanPage<KeyMeta> = await scanPage<KeyMeta>(r, {
        parent: slotPrefix(slot),
        after,
        count: KEYS_PAGE,
        prefix,
      });
      for (const e of page.entries) {
        const key = keyName(e);
        if (all || globMatch(pattern, key)) out.push(bulk(key));
      }
      if (!page.next) return out;
      after = page.next;
    }
  });
  return array(found);
}

/**
 * DBSIZE from the slot's counter. Inside EXEC or a script the counter does not yet see the
 * transaction's own staged writes, so there (only) the slot is walked through the transaction.
 */
async function dbsize(ctx: CommandContext): Promise<Reply> {
  if (ctx.inTransaction) return integer(await readSlot(ctx, (r, slot) => walkSlot(r, slot)));
  const slot = await readSlot(ctx, (_r, slot) => Promise.resolve(slot));
  return integer((await slotStats(ctx.store, slot)).keys);
}

/** Keys of a slot as a transaction sees them (its staged writes included). */
async function walkSlot(r: Access, slot: number): Promise<number> {
  let count = 0;
  let after: Position | null = null;
  while (true) {
    const page: ScanPage<unknown> = await scanPage(r, {
      parent: slotPrefix(slot),
      after,
      count: KEYS_PAGE,
    });
    count += page.entries.length;
    if (!page.next) return count;
    after = page.next;
  }
}

function flushMode(argv: Uint8Array[]): void {
  if (argv.length > 2) fail(DATA_ERRORS.syntax);
  if (argv.length === 2 && !["ASYNC", "SYNC"].includes(option(argv[1]))) fail(DATA_ERRORS.syntax);
}

async function flushdb(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  flushMode(argv);
  await ctx.write((tx) => flushDbs(tx, [ctx.session.db]));
  ctx.server.tracking.flushed();
  ctx.server.fanout?.shipFlush();
  return OK;
}

async function flushall(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  flushMode(argv);
  await ctx.write((tx) => flushDbs(tx, Array.from({ length: DATABASES }, (_, i) => i)));
  ctx.server.tracking.flushed();
  ctx.server.fanout?.shipFlush();
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

const W = ["write"];
const WF = ["write", "fast"];

/** The keys command family (generic key commands and expiry). */
export const COMMANDS: CommandSpec[] = [
  command("del", { arity: -2, flags: W, keys: ALL }, del),
  command("unlink", { arity: -2, flags: WF, keys: ALL }, del),
  command("exists", { arity: -2, flags: RF, keys: ALL }, exists),
  command("type", { arity: 2, flags: RF, keys: ONE }, type),
  command("rename", { arity: 3, flags: W, keys: [1, 2, 1] }, renameGeneric(false)),
  command("renamenx", { arity: 3, flags: WF, keys: [1, 2, 1] }, renameGeneric(true)),
  command("move", { arity: 3, flags: WF, keys: ONE }, move),
  ...COPY_COMMANDS,
  command("touch", { arity: -2, flags: RF, keys: ALL }, touch),
  command("randomkey", { arity: 1, flags: R }, randomkey),
  command("keys", { arity: 2, flags: R }, keys),
  command("dbsize", { arity: 1, flags: RF }, dbsize),
  command("flushdb", { arity: -1, flags: W }, flushdb),
  command("flushall", { arity: -1, flags: W }, flushall),
  command("swapdb", { arity: 3, flags: WF }, swapdb),
  ...INTROSPECTION_COMMANDS,
  ...EXPIRE_COMMANDS,
];

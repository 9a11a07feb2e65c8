/**
 * MULTI/EXEC and WATCH: a connection's queued commands and watched keys, and running a queue as
 * one store write unit, so its writes commit together and no other client sees part of them.
 * Handlers run unchanged: inside EXEC their `read` and `write` both use the one transaction.
 * @module
 */
import type { WriteTx } from "../../src/store/mod.ts";
import type { CommandContext, CommandSpec, Session } from "./command.ts";
import { invoke } from "./invoke.ts";
import { loadHandler } from "./commands/lazy.ts";
import { array, NULL_ARRAY, type Reply } from "./reply.ts";
import { metaKey } from "./storage/layout.ts";
import { slotOf } from "./storage/db.ts";

/** One queued command. */
export interface Queued {
  spec: CommandSpec;
  argv: Uint8Array[];
}

/** A connection between MULTI and EXEC/DISCARD. */
export interface MultiState {
  queued: Queued[];
  /** A command failed to queue (unknown, arity, refused): EXEC answers EXECABORT. */
  dirty: boolean;
}

/** A watched key: what its meta entry's version was at WATCH (null: absent). */
export interface Watch {
  db: number;
  key: Uint8Array;
  versionstamp: string | null;
}

/** Commands that run at once inside MULTI instead of being queued (Redis's processCommand). */
const RUN_IN_MULTI = new Set(["exec", "discard", "multi", "watch", "quit", "reset"]);

/**
 * The gate for a command that passed lookup: inside MULTI it is queued (true), or refused when
 * Redis refuses it there (a reply); outside MULTI it runs (false).
 */
export function queueInMulti(session: Session, spec: CommandSpec, argv: Uint8Array[]): boolean {
  const multi = session.multi;
  if (multi === null || RUN_IN_MULTI.has(spec.name)) return false;
  multi.queued.push({ spec, argv });
  return true;
}

/** A command refused while queuing makes the whole transaction fail at EXEC. */
export function flagTransaction(session: Session): void {
  if (session.multi !== null) session.multi.dirty = true;
}

/** Forget the watches and any queue. */
export function endTransaction(session: Session): void {
  session.multi = null;
  session.watches = [];
}

/** Record the current version of each key (WATCH). */
export async function watch(ctx: CommandContext, keys: readonly Uint8Array[]): Promise<void> {
  const db = ctx.session.db;
  const fresh = keys.filter((k) =>
    !ctx.session.watches.some((w) => w.db === db && equalBytes(w.key, k))
  );
  const versions = await ctx.read(async (r) => {
    const slot = await slotOf(r, db);
    return Promise.all(fresh.map(async (k) => (await r.get(metaKey(slot, k)))?.versionstamp));
  });
  fresh.forEach((key, i) => {
    ctx.session.watches.push({ db, key: key.slice(), versionstamp: versions[i] ?? null });
  });
}

/** True when no watched key changed (written, deleted, expired, flushed, swapped) since WATCH. */
async function watchesHold(tx: WriteTx, watches: readonly Watch[]): Promise<boolean> {
  for (const w of watches) {
    const entry = await tx.get(metaKey(await slotOf(tx, w.db), w.key));
    if ((entry?.versionstamp ?? null) !== w.versionstamp) return false;
  }
  return true;
}

/**
 * The context handlers run with inside one write unit (EXEC's queue, a script's redis.call):
 * every read and write goes to `tx`, in order, and blocking commands answer at once. What they
 * defer to the commit is pushed onto `after`, which the caller runs once the unit committed.
 */
export function transactionContext(
  ctx: CommandContext,
  tx: WriteTx,
  after: (() => void)[],
): CommandContext {
  let chain: Promise<unknown> = Promise.resolve();
  return {
    ...ctx,
    inTransaction: true,
    afterCommit: (fn) => after.push(fn),
    read: (fn) => fn(tx),
    // The committed state is not the transaction's view.
    peek: undefined,
    write: <T>(fn: (tx: WriteTx) => T | Promise<T>): Promise<T> => {
      const next = chain.then(() => fn(tx));
      chain = next.catch(() => {});
      return next;
    },
  };
}

/**
 * Run `queued` as one write unit (EXEC): null array when a watched key changed, else each
 * command's reply, runtime errors included. The unit may be re-run by the store, so it starts
 * from the session's db each time (SELECT inside the queue moves it, and the move stays).
 */
export function execute(
  ctx: CommandContext,
  queued: readonly Queued[],
  watches: readonly Watch[],
): Promise<Reply> {
  // Families not loaded yet load before the unit: the write loop never waits on an import.
  const loads = queued.map((q) => loadHandler(q.spec)).filter((p) => p !== undefined);
  if (loads.length > 0) return Promise.all(loads).then(() => execute(ctx, queued, watches));
  const db = ctx.session.db;
  let after: (() => void)[] = [];
  return ctx.write(async (tx) => {
    ctx.session.db = db;
    after = []; // a re-run starts over: only the committed run's effects follow
    if (!(await watchesHold(tx, watches))) return NULL_ARRAY;
    const inner = transactionContext(ctx, tx, after);
    const replies: Reply[] = [];
    for (const q of queued) {
      // Keys read inside the transaction are tracked as when read alone (CLIENT TRACKING).
      ctx.server.tracking.observe(ctx.session.id, q.spec, q.argv);
      replies.push(await invoke(q.spec.handler, inner, q.argv, ctx.log));
      // MONITOR clients see each command once the unit commits, with the db it ran in.
      const monitors = ctx.server.monitors;
      if (monitors.active) {
        const ranIn = ctx.session.db;
        after.push(() => monitors.command(q.spec, ranIn, ctx.session.addr, q.argv));
      }
    }
    return array(replies);
  }).then((reply) => runAfterCommit(after, reply));
}

/** Run what a committed unit deferred (in order), then hand on its reply. */
export function runAfterCommit<T>(after: readonly (() => void)[], reply: T): T {
  for (const fn of after) fn();
  return reply;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

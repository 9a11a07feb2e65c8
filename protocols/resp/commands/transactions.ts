/**
 * Transactions: MULTI, EXEC, DISCARD, WATCH and UNWATCH with Redis 7.2's replies (multi.c).
 * Queuing itself happens in the connection loop (transaction.ts's gate).
 * @module
 */
import { command as spec, type CommandContext, type CommandSpec } from "../command.ts";
import { SERVER_ERRORS } from "../errors.ts";
import { error, OK, type Reply } from "../reply.ts";
import { endTransaction, execute, watch } from "../transaction.ts";

function multi(ctx: CommandContext): Reply {
  if (ctx.session.multi !== null) return error(SERVER_ERRORS.multiNested);
  ctx.session.multi = { queued: [], dirty: false };
  return OK;
}

function exec(ctx: CommandContext): Reply | Promise<Reply> {
  const { multi, watches } = ctx.session;
  if (multi === null) return error(SERVER_ERRORS.execWithoutMulti);
  endTransaction(ctx.session);
  if (multi.dirty) return error(SERVER_ERRORS.execAbort);
  return execute(ctx, multi.queued, watches);
}

function discard(ctx: CommandContext): Reply {
  if (ctx.session.multi === null) return error(SERVER_ERRORS.discardWithoutMulti);
  endTransaction(ctx.session);
  return OK;
}

async function watchKeys(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  if (ctx.session.multi !== null) return error(SERVER_ERRORS.watchInMulti);
  await watch(ctx, argv.slice(1));
  return OK;
}

function unwatch(ctx: CommandContext): Reply {
  ctx.session.watches = [];
  return OK;
}

const FLAGS = ["noscript", "loading", "stale", "fast", "allow_busy"];

export const COMMANDS: CommandSpec[] = [
  spec("multi", { arity: 1, flags: FLAGS, summary: "Starts a transaction." }, multi),
  spec("exec", {
    arity: 1,
    flags: ["noscript", "loading", "stale", "skip_slowlog"],
    summary: "Executes all commands in a transaction.",
  }, exec),
  spec("discard", { arity: 1, flags: FLAGS, summary: "Discards a transaction." }, discard),
  spec("watch", {
    arity: -2,
    flags: FLAGS,
    keys: [1, -1, 1],
    summary: "Monitors changes to keys to determine the execution of a transaction.",
  }, watchKeys),
  spec("unwatch", {
    arity: 1,
    flags: FLAGS,
    summary: "Forgets about watched keys of a transaction.",
  }, unwatch),
];

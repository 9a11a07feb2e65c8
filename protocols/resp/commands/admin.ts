/**
 * Persistence and debugging commands: LASTSAVE, SAVE/BGSAVE/BGREWRITEAOF (every write is already
 * durable, so they only record the time), DEBUG SLEEP and MONITOR.
 * @module
 */
import { latin1Text } from "../../../src/bytes.ts";
import { command as spec, type CommandContext, type CommandSpec } from "../command.ts";
import { argText } from "../command_table.ts";
import { ERRORS, SERVER_ERRORS } from "../errors.ts";
import { error, integer, OK, type Reply, simple } from "../reply.ts";

/** Longest DEBUG SLEEP basekv honours, so a typo cannot hang a connection for hours. */
export const MAX_DEBUG_SLEEP_SECONDS = 3600;

function save(ctx: CommandContext): Reply {
  ctx.server.lastSave = Math.floor(Date.now() / 1000);
  return OK;
}

async function debugSleep(seconds: number): Promise<Reply> {
  await new Promise((r) => setTimeout(r, seconds * 1000));
  return OK;
}

function debug(_ctx: CommandContext, argv: Uint8Array[]): Reply | Promise<Reply> {
  const sub = latin1Text(argv[1]).toLowerCase();
  if (sub === "sleep" && argv.length === 3) {
    const seconds = Number(latin1Text(argv[2]));
    if (!Number.isFinite(seconds)) return error(ERRORS.notFloat);
    return debugSleep(Math.min(Math.max(0, seconds), MAX_DEBUG_SLEEP_SECONDS));
  }
  return error(SERVER_ERRORS.debugUnknownSubcommand(argText(argv[1])));
}

/** MONITOR: this client now sees every command the server runs (monitor.ts). */
function monitor(ctx: CommandContext): Reply {
  if (ctx.inTransaction) return error(SERVER_ERRORS.monitorDenyBlocking);
  ctx.server.monitors.add(ctx.session.id, ctx.subscriber);
  const record = ctx.server.clients.get(ctx.session.id);
  if (record) record.monitoring = true;
  return OK;
}

/** The persistence and debugging family. */
export const COMMANDS: CommandSpec[] = [
  spec("lastsave", {
    arity: 1,
    flags: ["loading", "stale", "fast"],
    summary: "Returns the Unix timestamp of the last successful save to disk.",
  }, (ctx) => integer(ctx.server.lastSave)),
  spec("save", {
    arity: 1,
    flags: ["admin", "noscript", "no_async_loading", "no_multi"],
    summary: "Synchronously saves the database(s) to disk.",
  }, save),
  spec("bgsave", {
    arity: -1,
    flags: ["admin", "noscript", "no_async_loading"],
    summary: "Asynchronously saves the database(s) to disk.",
  }, (ctx, argv) => {
    if (
      argv.length > 2 ||
      (argv.length === 2 && latin1Text(argv[1]).toLowerCase() !== "schedule")
    ) {
      return error(ERRORS.syntax);
    }
    save(ctx);
    return simple("Background saving started");
  }),
  spec("bgrewriteaof", {
    arity: 1,
    flags: ["admin", "noscript", "no_async_loading"],
    summary: "Asynchronously rewrites the append-only file to disk.",
  }, () => simple("Background append only file rewriting started")),
  spec("debug", {
    arity: -2,
    flags: ["admin", "noscript", "loading", "stale"],
    summary: "A container for debugging commands.",
  }, debug),
  spec("monitor", {
    arity: 1,
    flags: ["admin", "noscript", "loading", "stale"],
    summary: "Listens for all requests received by the server in real-time.",
  }, monitor),
];

/**
 * Lua scripting: EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT with Redis 7.2's replies and
 * errors (eval.c). Running a script as one write unit is script_run.ts's job.
 * @module
 */
import { command as spec, type CommandContext, type CommandSpec } from "../command.ts";
import { argText, helpSubcommand } from "../command_table.ts";
import { ERRORS } from "../errors.ts";
import { parseInt64 } from "../numbers.ts";
import { array, bulk, error, integer, OK, type Reply } from "../reply.ts";
import { runScript } from "../script_run.ts";
import { SCRIPT_ERRORS } from "../scripting/mod.ts";

/** Length of a SHA1 in hex: EVALSHA with any other length cannot match (evalShaCommand). */
const SHA_LENGTH = 40;

/** KEYS and ARGV from `numkeys` and what follows it, or Redis's error. */
function splitArgs(argv: Uint8Array[]): { keys: Uint8Array[]; args: Uint8Array[] } | Reply {
  const n = parseInt64(argv[2]);
  if (n === null) return error(ERRORS.notInteger);
  if (n > BigInt(argv.length - 3)) return error(SCRIPT_ERRORS.numKeysTooBig);
  if (n < 0n) return error(SCRIPT_ERRORS.numKeysNegative);
  const end = 3 + Number(n);
  return { keys: argv.slice(3, end), args: argv.slice(end) };
}

/**
 * EVAL and EVAL_RO (`ro`): compile (cached by SHA1), check the shebang flags against the
 * command (scriptPrepareForRun), then run.
 */
function evalBody(ro: boolean) {
  return (ctx: CommandContext, argv: Uint8Array[]): Reply | Promise<Reply> => {
    const split = splitArgs(argv);
    if ("type" in split) return split;
    const compiled = ctx.server.scripts.compile(argv[1]);
    if ("error" in compiled) return error(compiled.error);
    const readOnly = readOnlyRun(compiled.flags, ro);
    if (typeof readOnly !== "boolean") return readOnly;
    return runScript(ctx, { target: { sha: compiled.sha }, ...split, readOnly });
  };
}

/** EVALSHA and EVALSHA_RO. */
function evalSha(ro: boolean) {
  return (ctx: CommandContext, argv: Uint8Array[]): Reply | Promise<Reply> => {
    if (argv[1].length !== SHA_LENGTH) return error(SCRIPT_ERRORS.noScript);
    const split = splitArgs(argv);
    if ("type" in split) return split;
    const sha = argText(argv[1]);
    const flags = ctx.server.scripts.flags(sha);
    if (flags === undefined) return error(SCRIPT_ERRORS.noScript);
    const readOnly = readOnlyRun(flags, ro);
    if (typeof readOnly !== "boolean") return readOnly;
    return runScript(ctx, { target: { sha }, ...split, readOnly });
  };
}

/**
 * Whether the run refuses writes: under *_RO, or a shebang script without the no-writes flag
 * is refused outright under *_RO; a no-writes script is read-only under plain EVAL too.
 */
function readOnlyRun(flags: readonly string[] | null, ro: boolean): boolean | Reply {
  if (flags === null) return ro;
  const noWrites = flags.includes("no-writes");
  if (ro && !noWrites) return error(SCRIPT_ERRORS.functionWriteInReadOnly);
  return noWrites;
}

function scriptLoad(ctx: CommandContext, argv: Uint8Array[]): Reply {
  const compiled = ctx.server.scripts.compile(argv[2]);
  return "error" in compiled ? error(compiled.error) : bulk(compiled.sha);
}

function scriptExists(ctx: CommandContext, argv: Uint8Array[]): Reply {
  return array(
    argv.slice(2).map((sha) => integer(ctx.server.scripts.exists(argText(sha)) ? 1 : 0)),
  );
}

/** SCRIPT FLUSH [ASYNC|SYNC]: as a write unit, so it waits for a running script to finish. */
function scriptFlush(ctx: CommandContext, argv: Uint8Array[]): Reply | Promise<Reply> {
  const mode = argv.length === 3 ? argText(argv[2]).toLowerCase() : null;
  if (argv.length > 3 || (mode !== null && mode !== "sync" && mode !== "async")) {
    return error(SCRIPT_ERRORS.flushOption);
  }
  return ctx.write(() => {
    ctx.server.scripts.flush();
    return OK;
  });
}

function scriptKill(ctx: CommandContext): Reply {
  return ctx.server.scripts.kill("eval");
}

const EVAL_FLAGS = ["noscript", "skip_monitor", "may_replicate", "no_mandatory_keys", "stale"];
const EVAL_RO_FLAGS = ["readonly", "noscript", "skip_monitor", "no_mandatory_keys", "stale"];

const SCRIPT_SUBCOMMANDS: CommandSpec[] = [
  spec("load", {
    arity: 3,
    flags: ["noscript", "stale"],
    summary: "Loads a server-side Lua script to the script cache.",
  }, scriptLoad),
  spec("exists", {
    arity: -3,
    flags: ["noscript"],
    summary: "Determines whether server-side Lua scripts exist in the script cache.",
  }, scriptExists),
  spec("flush", {
    arity: -2,
    flags: ["noscript"],
    summary: "Removes all server-side Lua scripts from the script cache.",
  }, scriptFlush),
  spec("kill", {
    arity: 2,
    flags: ["noscript", "allow_busy"],
    summary: "Terminates a server-side Lua script during execution.",
  }, scriptKill),
  helpSubcommand([
    "SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "DEBUG (YES|SYNC|NO)",
    "    Set the debug mode for subsequent scripts executed.",
    "EXISTS <sha1> [<sha1> ...]",
    "    Return information about the existence of the scripts in the script cache.",
    "FLUSH [ASYNC|SYNC]",
    "    Flush the Lua scripts cache. Very dangerous on replicas.",
    "    When called without the optional mode argument, the behavior is determined by the",
    "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
    "    * ASYNC: Asynchronously flush the scripts cache.",
    "    * SYNC: Synchronously flush the scripts cache.",
    "KILL",
    "    Kill the currently executing Lua script.",
    "LOAD <script>",
    "    Load a script into the scripts cache without executing it.",
    "HELP",
    "    Print this help.",
  ]),
];

export const COMMANDS: CommandSpec[] = [
  spec("eval", {
    arity: -3,
    flags: EVAL_FLAGS,
    summary: "Executes a server-side Lua script.",
  }, evalBody(false)),
  spec("evalsha", {
    arity: -3,
    flags: EVAL_FLAGS,
    summary: "Executes a server-side Lua script by SHA1 digest.",
  }, evalSha(false)),
  spec("eval_ro", {
    arity: -3,
    flags: EVAL_RO_FLAGS,
    summary: "Executes a read-only server-side Lua script.",
  }, evalBody(true)),
  spec("evalsha_ro", {
    arity: -3,
    flags: EVAL_RO_FLAGS,
    summary: "Executes a read-only server-side Lua script by SHA1 digest.",
  }, evalSha(true)),
  spec("script", {
    arity: -2,
    flags: [],
    summary: "A container for Lua scripts management commands.",
    subcommands: SCRIPT_SUBCOMMANDS,
  }, () => error(ERRORS.syntax)),
];

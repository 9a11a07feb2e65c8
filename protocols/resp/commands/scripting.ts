/**
 * Lua scripting: EVAL, EVALSHA, EVAL_RO, EVALSHA_RO, SCRIPT, FCALL, FCALL_RO and FUNCTION with
 * Redis 7.2's replies and errors (eval.c, functions.c). Running a script as one write unit is
 * script_run.ts's job; libraries are kept in the store (storage/functions.ts).
 * @module
 */
import {
  command,
  type CommandContext,
  type CommandShape,
  type CommandSpec,
  type Handler,
} from "../command.ts";
import { argText, helpSubcommand } from "../command_table.ts";
import { ERRORS, SERVER_ERRORS } from "../errors.ts";
import { parseInt64 } from "../numbers.ts";
import { globMatch } from "../glob.ts";
import { array, bulk, bulkOrNull, error, integer, NULL, OK, type Reply, simple } from "../reply.ts";
import {
  BadPayload,
  functionsPayload,
  readFunctionsPayload,
  verifyPayload,
} from "../storage/dump_format.ts";
import { functionKey, storeLibraries } from "../storage/functions.ts";
import { runScript } from "../script_run.ts";
import { SCRIPT_ERRORS } from "../scripting/errors.ts";

/**
 * A scripting command: its handler runs once the Lua engine is loaded (on the first scripting
 * command, so a start never pays for it).
 */
function spec(name: string, shape: CommandShape, handler: Handler): CommandSpec {
  return command(
    name,
    shape,
    (ctx, argv) =>
      ctx.server.loadedScripts !== null
        ? handler(ctx, argv)
        : ctx.server.loadScripts().then(() => handler(ctx, argv)),
  );
}

/** Length of a SHA1 in hex: EVALSHA with any other length cannot match (evalShaCommand). */
const SHA_LENGTH = 40;

/** KEYS and ARGV from `numkeys` and what follows it, or Redis's error. */
function splitArgs(
  argv: Uint8Array[],
  badNumber: string = ERRORS.notInteger,
): { keys: Uint8Array[]; args: Uint8Array[] } | Reply {
  const n = parseInt64(argv[2]);
  if (n === null) return error(badNumber);
  if (n > BigInt(argv.length - 3)) return error(SCRIPT_ERRORS.numKeysTooBig);
  if (n < 0n) return error(SCRIPT_ERRORS.numKeysNegative);
  const end = 3 + Number(n);
  return { keys: argv.slice(3, end), args: argv.slice(end) };
}

/**
 * MONITOR shows a script's command before the commands the script runs (they are flagged
 * skip_monitor, so the connection does not show them after), failing ones included.
 */
function showToMonitors(ctx: CommandContext, argv: Uint8Array[]): void {
  ctx.server.monitors.feed(ctx.session.db, ctx.session.addr, argv);
}

/**
 * EVAL and EVAL_RO (`ro`): compile (cached by SHA1), check the shebang flags against the
 * command (scriptPrepareForRun), then run.
 */
function evalBody(ro: boolean) {
  return (ctx: CommandContext, argv: Uint8Array[]): Reply | Promise<Reply> => {
    showToMonitors(ctx, argv);
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
    showToMonitors(ctx, argv);
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

/** SCRIPT/FUNCTION FLUSH take nothing or one of ASYNC|SYNC (both flush at once here). */
function flushModeOk(argv: Uint8Array[]): boolean {
  if (argv.length === 2) return true;
  const mode = argText(argv[2]).toLowerCase();
  return argv.length === 3 && (mode === "sync" || mode === "async");
}

/** SCRIPT FLUSH [ASYNC|SYNC]: as a write unit, so it waits for a running script to finish. */
function scriptFlush(ctx: CommandContext, argv: Uint8Array[]): Reply | Promise<Reply> {
  if (!flushModeOk(argv)) return error(SCRIPT_ERRORS.flushOption);
  return ctx.write(() => {
    ctx.server.scripts.flush();
    return OK;
  });
}

function scriptKill(ctx: CommandContext): Reply {
  return ctx.server.scripts.kill("eval");
}

/** FCALL and FCALL_RO. */
function fcall(ro: boolean) {
  return (ctx: CommandContext, argv: Uint8Array[]): Reply | Promise<Reply> => {
    showToMonitors(ctx, argv);
    const name = argText(argv[1]);
    const flags = ctx.server.scripts.functionFlags(name);
    if (flags === undefined) return error(SCRIPT_ERRORS.functionNotFound);
    const split = splitArgs(argv, SCRIPT_ERRORS.badNumKeys);
    if ("type" in split) return split;
    const readOnly = readOnlyRun(flags, ro);
    if (typeof readOnly !== "boolean") return readOnly;
    return runScript(ctx, { target: { function: name }, ...split, readOnly });
  };
}

/** FUNCTION LOAD [REPLACE] code: loaded, then stored; the reply follows the commit. */
async function functionLoad(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  let replace = false;
  let i = 2;
  for (; i < argv.length - 1; i++) {
    if (argText(argv[i]).toLowerCase() !== "replace") {
      return error(SCRIPT_ERRORS.unknownOption(argText(argv[i])));
    }
    replace = true;
  }
  if (i >= argv.length) return error(SCRIPT_ERRORS.codeMissing);
  const code = argv[i];
  const loaded = ctx.server.scripts.loadLibrary(code, replace);
  if ("error" in loaded) return error(loaded.error);
  await ctx.write((tx) => tx.set(functionKey(loaded.name), { data: code }));
  return bulk(loaded.name);
}

async function functionDelete(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  const name = argText(argv[2]);
  if (!ctx.server.scripts.deleteLibrary(name)) return error(SCRIPT_ERRORS.libraryNotFound);
  await ctx.write((tx) => tx.delete(functionKey(name)));
  return OK;
}

async function functionFlush(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  if (!flushModeOk(argv)) return error(SCRIPT_ERRORS.functionFlushOption);
  ctx.server.scripts.flushLibraries();
  await ctx.write((tx) => storeLibraries(tx, []));
  return OK;
}

function functionDump(ctx: CommandContext): Reply {
  return bulk(functionsPayload(ctx.server.scripts.libraries().map((lib) => lib.code)));
}

const RESTORE_POLICIES = ["append", "replace", "flush"];

/**
 * FUNCTION RESTORE payload [FLUSH|APPEND|REPLACE]: all or nothing; on a failure the libraries
 * loaded before are put back as they were.
 */
async function functionRestore(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  if (argv.length > 4) return error(SERVER_ERRORS.subcommandSyntax(argText(argv[1]), "FUNCTION"));
  const policy = argv.length === 4 ? argText(argv[3]).toLowerCase() : "append";
  if (!RESTORE_POLICIES.includes(policy)) return error(SCRIPT_ERRORS.restorePolicy);
  if (!verifyPayload(argv[2])) return error(SCRIPT_ERRORS.badPayload);
  let codes: Uint8Array[];
  try {
    codes = readFunctionsPayload(argv[2]);
  } catch (e) {
    return error(
      `ERR ${e instanceof BadPayload && e.message ? e.message : "can not read data type"}`,
    );
  }
  const scripts = ctx.server.scripts;
  const before = scripts.libraries();
  if (policy === "flush") scripts.flushLibraries();
  for (const code of codes) {
    const loaded = scripts.loadLibrary(code, policy === "replace");
    if ("error" in loaded) {
      scripts.flushLibraries();
      for (const lib of before) scripts.loadLibrary(lib.code, false);
      const exists = /^ERR Library '(.*)' already exists$/.exec(loaded.error);
      return error(exists ? SCRIPT_ERRORS.restoreLibraryExists(exists[1]) : loaded.error);
    }
  }
  await ctx.write((tx) => storeLibraries(tx, scripts.libraries()));
  return OK;
}

/** FUNCTION LIST [WITHCODE] [LIBRARYNAME pattern]. */
function functionList(ctx: CommandContext, argv: Uint8Array[]): Reply {
  let withCode = false;
  let pattern: Uint8Array | null = null;
  for (let i = 2; i < argv.length; i++) {
    const arg = argText(argv[i]).toLowerCase();
    if (!withCode && arg === "withcode") withCode = true;
    else if (pattern === null && arg === "libraryname") {
      if (i >= argv.length - 1) return error(SCRIPT_ERRORS.libraryNameMissing);
      pattern = argv[++i];
    } else return error(SCRIPT_ERRORS.unknownArgument(argText(argv[i])));
  }
  const enc = new TextEncoder();
  const libraries = ctx.server.scripts.libraries().filter((lib) =>
    pattern === null || globMatch(pattern, enc.encode(lib.name), true)
  );
  return array(libraries.map((lib) => {
    const fields: [Reply, Reply][] = [
      [bulk("library_name"), bulk(lib.name)],
      [bulk("engine"), bulk("LUA")],
      [
        bulk("functions"),
        array([...lib.functions.values()].map((fn) => ({
          type: "map",
          value: [
            [bulk("name"), bulk(fn.name)],
            [bulk("description"), bulkOrNull(fn.description)],
            [bulk("flags"), { type: "set", value: fn.flags.map(simple) }],
          ],
        }))),
      ],
    ];
    if (withCode) fields.push([bulk("library_code"), bulk(lib.code)]);
    return { type: "map", value: fields };
  }));
}

/** FUNCTION STATS: the running function, and the library and function counts. */
function functionStats(ctx: CommandContext): Reply {
  const scripts = ctx.server.scripts;
  const libraries = scripts.libraries();
  const running = scripts.runningKind() === "function"
    ? {
      type: "map",
      value: [
        [bulk("name"), bulk(scripts.runningName() ?? "")],
        [bulk("command"), array([])],
        [bulk("duration_ms"), integer(Math.floor(scripts.runningFor() ?? 0))],
      ],
    } satisfies Reply
    : NULL;
  return {
    type: "map",
    value: [
      [bulk("running_script"), running],
      [bulk("engines"), {
        type: "map",
        value: [[bulk("LUA"), {
          type: "map",
          value: [
            [bulk("libraries_count"), integer(libraries.length)],
            [
              bulk("functions_count"),
              integer(libraries.reduce((n, lib) => n + lib.functions.size, 0)),
            ],
          ],
        }]],
      }],
    ],
  };
}

function functionKill(ctx: CommandContext): Reply {
  return ctx.server.scripts.kill("function");
}

const FUNCTION_SUBCOMMANDS: CommandSpec[] = [
  spec("load", {
    arity: -3,
    flags: ["write", "denyoom", "noscript"],
    summary: "Creates a library.",
  }, functionLoad),
  spec("delete", {
    arity: 3,
    flags: ["write", "noscript"],
    summary: "Deletes a library and its functions.",
  }, functionDelete),
  spec("flush", {
    arity: -2,
    flags: ["write", "noscript"],
    summary: "Deletes all libraries and functions.",
  }, functionFlush),
  spec("list", {
    arity: -2,
    flags: ["noscript"],
    summary: "Returns information about all libraries.",
  }, functionList),
  spec("stats", {
    arity: 2,
    flags: ["noscript", "allow_busy"],
    summary: "Returns information about a function during execution.",
  }, functionStats),
  spec("kill", {
    arity: 2,
    flags: ["noscript", "allow_busy"],
    summary: "Terminates a function during execution.",
  }, functionKill),
  spec("dump", {
    arity: 2,
    flags: ["noscript"],
    summary: "Dumps all libraries into a serialized binary payload.",
  }, functionDump),
  spec("restore", {
    arity: -3,
    flags: ["write", "denyoom", "noscript"],
    summary: "Restores all libraries from a payload.",
  }, functionRestore),
  helpSubcommand([
    "FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "LOAD [REPLACE] <FUNCTION CODE>",
    "    Create a new library with the given library name and code.",
    "DELETE <LIBRARY NAME>",
    "    Delete the given library.",
    "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
    "    Return general information on all the libraries:",
    "    * Library name",
    "    * The engine used to run the Library",
    "    * Library description",
    "    * Functions list",
    "    * Library code (if WITHCODE is given)",
    "    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
    "STATS",
    "    Return information about the current function running:",
    "    * Function name",
    "    * Command used to run the function",
    "    * Duration in MS that the function is running",
    "    If no function is running, return nil",
    "    In addition, returns a list of available engines.",
    "KILL",
    "    Kill the current running function.",
    "FLUSH [ASYNC|SYNC]",
    "    Delete all the libraries.",
    "    When called without the optional mode argument, the behavior is determined by the",
    "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
    "    * ASYNC: Asynchronously flush the libraries.",
    "    * SYNC: Synchronously flush the libraries.",
    "DUMP",
    "    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command",
    "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
    "    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
    "    control how to handle existing libraries (default APPEND):",
    "    * FLUSH: delete all existing libraries.",
    "    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
    "    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
    "      libraries with the new libraries (notice that even on this option there is a chance of failure",
    "      in case of functions name collision with another library).",
    "HELP",
    "    Print this help.",
  ]),
];

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
  spec("fcall", {
    arity: -3,
    flags: EVAL_FLAGS,
    summary: "Invokes a function.",
  }, fcall(false)),
  spec("fcall_ro", {
    arity: -3,
    flags: EVAL_RO_FLAGS,
    summary: "Invokes a read-only function.",
  }, fcall(true)),
  spec("function", {
    arity: -2,
    flags: [],
    summary: "A container for function commands.",
    subcommands: FUNCTION_SUBCOMMANDS,
  }, () => error(ERRORS.syntax)),
  spec("script", {
    arity: -2,
    flags: [],
    summary: "A container for Lua scripts management commands.",
    subcommands: SCRIPT_SUBCOMMANDS,
  }, () => error(ERRORS.syntax)),
];

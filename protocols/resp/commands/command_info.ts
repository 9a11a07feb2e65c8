/**
 * COMMAND and its subcommands: the command table describing itself (COUNT, INFO, DOCS, LIST,
 * GETKEYS), rendered by ../command_reply.ts.
 * @module
 */
import { latin1Text } from "../../../src/bytes.ts";
import { command as spec, type CommandContext, type CommandSpec } from "../command.ts";
import { helpSubcommand } from "../command_table.ts";
import { commandDocs, commandInfo } from "../command_reply.ts";
import { SERVER_ERRORS } from "../errors.ts";
import { array, bulk, error, integer, map, NULL, type Reply } from "../reply.ts";

/** One COMMAND INFO entry, in the group its family belongs to. */
function specInfo(ctx: CommandContext, s: CommandSpec): Reply {
  return commandInfo(s, ctx.commands.group(s.name));
}

function command(ctx: CommandContext): Reply {
  return array(ctx.commands.specs.map((s) => specInfo(ctx, s)));
}

function commandInfoHandler(ctx: CommandContext, argv: Uint8Array[]): Reply {
  if (argv.length === 2) return command(ctx);
  return array(
    argv.slice(2).map((a) => {
      const s = ctx.commands.get(latin1Text(a));
      return s ? specInfo(ctx, s) : NULL;
    }),
  );
}

function commandDocsHandler(ctx: CommandContext, argv: Uint8Array[]): Reply {
  const specs = argv.length === 2
    ? ctx.commands.specs
    : argv.slice(2).map((a) => ctx.commands.get(latin1Text(a))).filter((s) => s !== undefined);
  return map(specs.map((s) => [bulk(s.name), commandDocs(s, ctx.commands.group(s.name))]));
}

function commandGetkeys(ctx: CommandContext, argv: Uint8Array[]): Reply {
  const args = argv.slice(2);
  const found = ctx.commands.lookup(args);
  if ("error" in found) {
    return error(
      ctx.commands.get(latin1Text(args[0]))
        ? SERVER_ERRORS.getkeysArity
        : SERVER_ERRORS.getkeysUnknown,
    );
  }
  const s = found.spec;
  if (s.firstKey <= 0) return error(SERVER_ERRORS.getkeysNoKeys);
  const last = s.lastKey < 0 ? args.length + s.lastKey : s.lastKey;
  const keys: Reply[] = [];
  for (let i = s.firstKey; i <= last && i < args.length; i += Math.max(1, s.step)) {
    keys.push(bulk(args[i]));
  }
  return array(keys);
}

const SUBCOMMANDS: CommandSpec[] = [
  spec("count", {
    arity: 2,
    flags: ["loading", "stale"],
    summary: "Returns a count of commands.",
  }, (ctx) => integer(ctx.commands.specs.length)),
  spec("info", {
    arity: -2,
    flags: ["loading", "stale"],
    summary: "Returns information about one, multiple or all commands.",
  }, commandInfoHandler),
  spec("docs", {
    arity: -2,
    flags: ["loading", "stale"],
    summary: "Returns documentary information about one, multiple or all commands.",
  }, commandDocsHandler),
  spec("list", {
    arity: -2,
    flags: ["loading", "stale"],
    summary: "Returns a list of command names.",
  }, (ctx) => array(ctx.commands.specs.map((s) => bulk(s.name)))),
  spec("getkeys", {
    arity: -3,
    flags: ["loading", "stale"],
    summary: "Extracts the key names from an arbitrary command.",
  }, commandGetkeys),
  helpSubcommand([
    "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "(no subcommand)",
    "    Return details about all Redis commands.",
    "COUNT",
    "    Return the total number of commands in this Redis server.",
    "LIST",
    "    Return a list of all commands in this Redis server.",
    "INFO [<command-name> ...]",
    "    Return details about multiple Redis commands.",
    "DOCS [<command-name> ...]",
    "    Return documentation details about multiple Redis commands.",
    "GETKEYS <full-command>",
    "    Return the keys from a full Redis command.",
    "HELP",
    "    Print this help.",
  ]),
];

/** The COMMAND family. */
export const COMMANDS: CommandSpec[] = [
  spec("command", {
    arity: -1,
    flags: ["loading", "stale"],
    summary: "Returns detailed information about all commands.",
    subcommands: SUBCOMMANDS,
  }, command),
];

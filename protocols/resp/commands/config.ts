/**
 * CONFIG GET/SET/RESETSTAT/REWRITE over the server's parameter table (../config_params.ts).
 * @module
 */
import { latin1Text } from "../../../src/bytes.ts";
import { command as spec, type CommandContext, type CommandSpec } from "../command.ts";
import { argText, helpSubcommand } from "../command_table.ts";
import { ERRORS, SERVER_ERRORS } from "../errors.ts";
import { bulk, error, map, OK, type Reply } from "../reply.ts";

function configGet(ctx: CommandContext, argv: Uint8Array[]): Reply {
  return map(ctx.server.config.get(argv.slice(2)).map(([k, v]) => [bulk(k), bulk(v)]));
}

function configSet(ctx: CommandContext, argv: Uint8Array[]): Reply {
  if (argv.length % 2 !== 0) return error(ERRORS.arity("config|set"));
  const pairs: [string, string][] = [];
  for (let i = 2; i < argv.length; i += 2) {
    pairs.push([argText(argv[i]), latin1Text(argv[i + 1])]);
  }
  const result = ctx.server.config.set(pairs);
  if (result.ok) return OK;
  if (result.error === "unknown") return error(SERVER_ERRORS.configSetUnknown(result.name));
  if (result.error === "immutable") return error(SERVER_ERRORS.configSetImmutable(result.name));
  return error(SERVER_ERRORS.configSetInvalid(result.name, result.error));
}

const SUBCOMMANDS: CommandSpec[] = [
  spec("get", {
    arity: -3,
    flags: ["admin", "noscript", "loading", "stale"],
    summary: "Returns the effective values of configuration parameters.",
  }, configGet),
  spec("set", {
    arity: -4,
    flags: ["admin", "noscript", "loading", "stale"],
    summary: "Sets configuration parameters in-flight.",
  }, configSet),
  spec("resetstat", {
    arity: 2,
    flags: ["admin", "noscript", "loading", "stale"],
    summary: "Resets the server's statistics.",
  }, (ctx) => {
    ctx.server.resetStats();
    return OK;
  }),
  spec("rewrite", {
    arity: 2,
    flags: ["admin", "noscript", "loading", "stale"],
    summary: "Persists the effective configuration to file.",
  }, () => error(SERVER_ERRORS.configRewrite)),
  helpSubcommand([
    "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "GET <pattern>",
    "    Return parameters matching the glob-like <pattern> and their values.",
    "SET <directive> <value>",
    "    Set the configuration <directive> to <value>.",
    "RESETSTAT",
    "    Reset statistics reported by the INFO command.",
    "REWRITE",
    "    Rewrite the configuration file.",
    "HELP",
    "    Print this help.",
  ]),
];

/** The CONFIG family. */
export const COMMANDS: CommandSpec[] = [
  spec("config", {
    arity: -2,
    flags: [],
    summary: "A container for server configuration commands.",
    subcommands: SUBCOMMANDS,
  }, () => error(ERRORS.syntax)),
];

/**
 * Server commands: INFO, TIME, COMMAND (from the command table), CONFIG GET/SET/RESETSTAT,
 * LASTSAVE, SAVE/BGSAVE/BGREWRITEAOF (every write is already durable) and DEBUG SLEEP.
 * @module
 */
import type { CommandSpec, Handler } from "../command.ts";
import {
  argText,
  commandDocs,
  commandInfo,
  type CommandTable,
  helpSubcommand,
  keylessCommand as spec,
} from "../command_table.ts";
import { ERRORS, SERVER_ERRORS } from "../errors.ts";
import { infoSections, infoText, needsKeyspace } from "../info.ts";
import { type DbStats, keyspaceStats } from "../keyspace.ts";
import { array, bulk, error, integer, map, NULL, OK, type Reply, simple } from "../reply.ts";
import type { ServerState } from "../server_state.ts";
import { parseInteger } from "../numbers.ts";

const latin1 = new TextDecoder("latin1");

/** Longest DEBUG SLEEP basekv honours, so a typo cannot hang a connection for hours. */
export const MAX_DEBUG_SLEEP_SECONDS = 3600;

/** Build the server family over the shared state and the (complete) command table. */
export function serverCommands(state: ServerState, table: () => CommandTable): CommandSpec[] {
  const info: Handler = async (ctx, argv) => {
    const sections = infoSections(argv.slice(1).map((a) => latin1.decode(a)));
    const keyspace = needsKeyspace(sections)
      ? await ctx.read(() => keyspaceStats(ctx.store))
      : new Map<number, DbStats>();
    const text = infoText(sections, { state, keyspace, expiredKeys: ctx.store.stats().expired });
    return { type: "verbatim", format: "txt", value: text };
  };

  const time: Handler = () => {
    const us = BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000));
    return array([bulk(String(us / 1_000_000n)), bulk(String(us % 1_000_000n))]);
  };

  const info1 = (s: CommandSpec): Reply => commandInfo(s, table().group(s.name));
  const command: Handler = () => array(table().specs.map(info1));

  const commandInfoHandler: Handler = (_ctx, argv) => {
    if (argv.length === 2) return command(_ctx, argv);
    return array(
      argv.slice(2).map((a) => {
        const s = table().get(latin1.decode(a));
        return s ? info1(s) : NULL;
      }),
    );
  };

  const commandDocsHandler: Handler = (_ctx, argv) => {
    const specs = argv.length === 2
      ? table().specs
      : argv.slice(2).map((a) => table().get(latin1.decode(a))).filter((s) => s !== undefined);
    return map(specs.map((s) => [bulk(s.name), commandDocs(s, table().group(s.name))]));
  };

  const commandGetkeys: Handler = (_ctx, argv) => {
    const args = argv.slice(2);
    const found = table().lookup(args);
    if ("error" in found) {
      return error(
        table().get(latin1.decode(args[0]))
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
  };

  const configGet: Handler = (_ctx, argv) => {
    return map(state.config.get(argv.slice(2)).map(([k, v]) => [bulk(k), bulk(v)]));
  };

  const configSet: Handler = (_ctx, argv) => {
    if (argv.length % 2 !== 0) return error(ERRORS.arity("config|set"));
    const pairs: [string, string][] = [];
    for (let i = 2; i < argv.length; i += 2) {
      pairs.push([argText(argv[i]), latin1.decode(argv[i + 1])]);
    }
    const result = state.config.set(pairs);
    if (result.ok) return OK;
    if (result.error === "unknown") return error(SERVER_ERRORS.configSetUnknown(result.name));
    if (result.error === "immutable") return error(SERVER_ERRORS.configSetImmutable(result.name));
    return error(SERVER_ERRORS.configSetInvalid(result.name, result.error));
  };

  const debugSleep = async (seconds: number): Promise<Reply> => {
    await new Promise((r) => setTimeout(r, seconds * 1000));
    return OK;
  };

  const debug: Handler = (_ctx, argv) => {
    const sub = latin1.decode(argv[1]).toLowerCase();
    if (sub === "sleep" && argv.length === 3) {
      const seconds = Number(latin1.decode(argv[2]));
      if (!Number.isFinite(seconds)) return error(ERRORS.notFloat);
      return debugSleep(Math.min(Math.max(0, seconds), MAX_DEBUG_SLEEP_SECONDS));
    }
    return error(SERVER_ERRORS.debugUnknownSubcommand(argText(argv[1])));
  };

  const commandSubcommands = [
    spec("count", {
      arity: 2,
      flags: ["loading", "stale"],
      summary: "Returns a count of commands.",
    }, () => integer(table().specs.length)),
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
    }, () => array(table().specs.map((s) => bulk(s.name)))),
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

  const configSubcommands = [
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
    }, () => {
      state.resetStats();
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

  /** WAIT: there are no replicas, so none acknowledge; the timeout is validated as Redis does. */
  const wait: Handler = (_ctx, argv) => {
    const replicas = parseInteger(argv[1]);
    const timeout = parseInteger(argv[2]);
    if (replicas === null || timeout === null) return error(ERRORS.notInteger);
    if (timeout < 0) return error(SERVER_ERRORS.timeoutNegative);
    return integer(0);
  };

  /** WAITAOF: every acknowledged write is already fsynced locally; no replicas. */
  const waitaof: Handler = (_ctx, argv) => {
    const local = parseInteger(argv[1]);
    const replicas = parseInteger(argv[2]);
    const timeout = parseInteger(argv[3]);
    if (local === null || replicas === null || timeout === null) return error(ERRORS.notInteger);
    if (timeout < 0) return error(SERVER_ERRORS.timeoutNegative);
    return array([integer(1), integer(0)]);
  };

  const slowlogSubcommands = [
    spec("get", {
      arity: -2,
      flags: ["admin", "loading", "stale"],
      summary: "Returns the slow log's entries.",
    }, (_ctx, argv) => {
      const count = argv.length === 3 ? parseInteger(argv[2]) : 10;
      if (count === null || count < -1) return error(SERVER_ERRORS.slowlogCount);
      return array([]);
    }),
    spec("len", {
      arity: 2,
      flags: ["admin", "loading", "stale"],
      summary: "Returns the number of entries in the slow log.",
    }, () => integer(0)),
    spec("reset", {
      arity: 2,
      flags: ["admin", "loading", "stale"],
      summary: "Clears all entries from the slow log.",
    }, () => OK),
  ];

  const clusterDisabled: Handler = () => error(SERVER_ERRORS.clusterDisabled);

  const save: Handler = () => {
    state.lastSave = Math.floor(Date.now() / 1000);
    return OK;
  };

  return [
    spec("role", {
      arity: 1,
      flags: ["noscript", "loading", "stale", "fast"],
      summary: "Returns the replication role.",
    }, () => array([bulk("master"), integer(0), array([])])),
    spec("wait", {
      arity: 3,
      flags: ["noscript"],
      summary:
        "Blocks until the asynchronous replication of all preceding write commands sent by the connection is completed.",
    }, wait),
    spec("waitaof", {
      arity: 4,
      flags: ["noscript"],
      summary:
        "Blocks until all of the preceding write commands sent by the connection are written to the append-only file of the master and/or replicas.",
    }, waitaof),
    spec("slowlog", {
      arity: -2,
      flags: [],
      summary: "A container for slow log commands.",
      subcommands: slowlogSubcommands,
    }, () => error(ERRORS.syntax)),
    spec(
      "cluster",
      { arity: -2, flags: [], summary: "A container for Redis Cluster commands." },
      clusterDisabled,
    ),
    spec("readonly", {
      arity: 1,
      flags: ["loading", "stale", "fast"],
      summary: "Enables read-only queries for a connection to a Redis Cluster replica node.",
    }, clusterDisabled),
    spec("readwrite", {
      arity: 1,
      flags: ["loading", "stale", "fast"],
      summary: "Enables read-write queries for a connection to a Redis Cluster replica node.",
    }, clusterDisabled),
    spec("info", {
      arity: -1,
      flags: ["loading", "stale"],
      summary: "Returns information and statistics about the server.",
    }, info),
    spec("time", {
      arity: 1,
      flags: ["loading", "stale", "fast"],
      summary: "Returns the server time.",
    }, time),
    spec("command", {
      arity: -1,
      flags: ["loading", "stale"],
      summary: "Returns detailed information about all commands.",
      subcommands: commandSubcommands,
    }, command),
    spec("config", {
      arity: -2,
      flags: [],
      summary: "A container for server configuration commands.",
      subcommands: configSubcommands,
    }, () => error(ERRORS.syntax)),
    spec("lastsave", {
      arity: 1,
      flags: ["loading", "stale", "fast"],
      summary: "Returns the Unix timestamp of the last successful save to disk.",
    }, () => integer(state.lastSave)),
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
      void ctx;
      if (
        argv.length > 2 ||
        (argv.length === 2 && latin1.decode(argv[1]).toLowerCase() !== "schedule")
      ) {
        return error(ERRORS.syntax);
      }
      save(ctx, argv);
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
  ];
}

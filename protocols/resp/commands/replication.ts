/**
 * What a lone master without a slow log answers: ROLE, WAIT, WAITAOF (every acknowledged write
 * is already durable; there are no replicas), SLOWLOG, and the cluster commands (disabled).
 * @module
 */
import { command as spec, type CommandContext, type CommandSpec } from "../command.ts";
import { ERRORS, SERVER_ERRORS } from "../errors.ts";
import { parseInteger } from "../numbers.ts";
import { array, bulk, error, integer, OK, type Reply } from "../reply.ts";

/** WAIT: there are no replicas, so none acknowledge; the timeout is validated as Redis does. */
function wait(_ctx: CommandContext, argv: Uint8Array[]): Reply {
  const replicas = parseInteger(argv[1]);
  const timeout = parseInteger(argv[2]);
  if (replicas === null || timeout === null) return error(ERRORS.notInteger);
  if (timeout < 0) return error(SERVER_ERRORS.timeoutNegative);
  return integer(0);
}

/** WAITAOF: every acknowledged write is already fsynced locally; no replicas. */
function waitaof(_ctx: CommandContext, argv: Uint8Array[]): Reply {
  const local = parseInteger(argv[1]);
  const replicas = parseInteger(argv[2]);
  const timeout = parseInteger(argv[3]);
  if (local === null || replicas === null || timeout === null) return error(ERRORS.notInteger);
  if (timeout < 0) return error(SERVER_ERRORS.timeoutNegative);
  return array([integer(1), integer(0)]);
}

const SLOWLOG_SUBCOMMANDS: CommandSpec[] = [
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

function clusterDisabled(): Reply {
  return error(SERVER_ERRORS.clusterDisabled);
}

/** The replication, cluster and slow-log family. */
export const COMMANDS: CommandSpec[] = [
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
    subcommands: SLOWLOG_SUBCOMMANDS,
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
];

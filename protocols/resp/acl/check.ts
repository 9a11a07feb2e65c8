/**
 * Whether a user may run one command: the command itself, then every key it names (by the
 * command table's key positions, plus the numkeys forms), then every pub/sub channel, in
 * Redis's order. Also the NOPERM texts of each denial.
 * @module
 */
import { latin1Text } from "../../../src/bytes.ts";
import type { CommandSpec } from "../command.ts";
import type { AclUser, CommandNames } from "./user.ts";
import type { DenialReason } from "./registry.ts";

/** A refused command: why, and the command, key or channel refused. */
export interface Denial {
  reason: Exclude<DenialReason, "auth">;
  object: string;
}

/** The error Redis 7.2 answers a refused command with. */
export function noPermError(denial: Denial, username: string): string {
  switch (denial.reason) {
    case "command":
      return `NOPERM User ${username} has no permissions to run the '${denial.object}' command`;
    case "key":
      return "NOPERM No permissions to access a key";
    case "channel":
      return "NOPERM No permissions to access a channel";
  }
}

/** ACL DRYRUN's text for a refused command. */
export function dryRunText(denial: Denial, username: string): string {
  return denial.reason === "command"
    ? `User ${username} has no permissions to run the '${denial.object}' command`
    : `User ${username} has no permissions to access the '${denial.object}' ${denial.reason}`;
}

function count(arg: Uint8Array | undefined): number {
  const n = arg ? Number(latin1Text(arg)) : NaN;
  return Number.isInteger(n) && n > 0 ? n : 0;
}

/**
 * Write commands whose every key spec also reads the value (Redis 7's ACCESS flag beside RW):
 * `%W~` alone does not let a user run them, `%RW~` (or `~`) does. Other write commands need
 * only write access; read-only commands only read access.
 */
const WRITES_AFTER_READING = new Set(
  (
    "blmpop blpop brpop bzmpop bzpopmax bzpopmin decr decrby getdel getex getset hincrby " +
    "hincrbyfloat incr incrby incrbyfloat lmpop lpop migrate move pfdebug pfmerge rpop setbit " +
    "spop xreadgroup zincrby zmpop zpopmax zpopmin"
  ).split(" "),
);

/** Commands whose keys follow a numkeys argument: numkeys' index, and keys before it. */
const NUMKEYS: Readonly<Record<string, [at: number, before: number[]]>> = {
  eval: [2, []],
  evalsha: [2, []],
  eval_ro: [2, []],
  evalsha_ro: [2, []],
  fcall: [2, []],
  fcall_ro: [2, []],
  zunion: [1, []],
  zinter: [1, []],
  zdiff: [1, []],
  zintercard: [1, []],
  sintercard: [1, []],
  lmpop: [1, []],
  zmpop: [1, []],
  blmpop: [2, []],
  bzmpop: [2, []],
  zunionstore: [2, [1]],
  zinterstore: [2, [1]],
  zdiffstore: [2, [1]],
};

/** The keys `argv` names for `spec`. */
export function commandKeys(spec: CommandSpec, argv: readonly Uint8Array[]): Uint8Array[] {
  const numkeys = NUMKEYS[spec.name];
  if (numkeys) {
    const [at, before] = numkeys;
    const n = count(argv[at]);
    return [...before.map((i) => argv[i]), ...argv.slice(at + 1, at + 1 + n)].filter(Boolean);
  }
  if (spec.name === "xread" || spec.name === "xreadgroup") {
    const streams = argv.findIndex((a, i) => i > 0 && latin1Text(a).toLowerCase() === "streams");
    if (streams < 0) return [];
    const rest = argv.slice(streams + 1);
    return rest.slice(0, Math.floor(rest.length / 2));
  }
  if (spec.firstKey <= 0) return [];
  const last = spec.lastKey < 0 ? argv.length + spec.lastKey : spec.lastKey;
  const step = spec.step > 0 ? spec.step : 1;
  const keys: Uint8Array[] = [];
  for (let i = spec.firstKey; i <= last && i < argv.length; i += step) keys.push(argv[i]);
  return keys;
}

/** Channel arguments of pub/sub commands, and whether they are patterns. */
function channels(
  name: string,
  argv: readonly Uint8Array[],
): { list: readonly Uint8Array[]; patterns: boolean } | null {
  switch (name) {
    case "publish":
    case "spublish":
      return { list: argv.slice(1, 2), patterns: false };
    case "subscribe":
    case "ssubscribe":
      return { list: argv.slice(1), patterns: false };
    case "psubscribe":
      return { list: argv.slice(1), patterns: true };
    default:
      return null;
  }
}

/** Why `user` may not run `argv` (spec `spec`, full name `fullName`), or null if it may. */
export function checkCommand(
  user: AclUser,
  spec: CommandSpec,
  fullName: string,
  argv: readonly Uint8Array[],
  names: CommandNames,
): Denial | null {
  if (user.unrestricted) return null;
  // AUTH, HELLO, QUIT and RESET are always allowed, as in Redis.
  if (!spec.flags.includes("no_auth") && !user.canRun(fullName, names)) {
    return { reason: "command", object: fullName };
  }
  if (!user.allKeys) {
    const write = spec.flags.includes("write");
    const read = !write || WRITES_AFTER_READING.has(spec.name);
    for (const key of commandKeys(spec, argv)) {
      if ((write && !user.canAccessKey(key, true)) || (read && !user.canAccessKey(key, false))) {
        return { reason: "key", object: latin1Text(key) };
      }
    }
  }
  if (!user.allChannels) {
    const found = channels(spec.name, argv);
    if (found) {
      for (const channel of found.list) {
        if (!user.canAccessChannel(channel, found.patterns)) {
          return { reason: "channel", object: latin1Text(channel) };
        }
      }
    }
  }
  return null;
}

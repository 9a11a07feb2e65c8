/**
 * ACL and its subcommands (Redis 7.2's acl.c): users, their rules, the denial log, categories,
 * DRYRUN, GENPASS, and the ACL file (LOAD/SAVE with --users).
 * @module
 */
import { latin1Bytes, latin1Text } from "../../../src/bytes.ts";
import { command as spec, type CommandContext, type CommandSpec } from "../command.ts";
import { helpSubcommand } from "../command_table.ts";
import { ERRORS } from "../errors.ts";
import { parseInteger } from "../numbers.ts";
import { array, bulk, double, error, integer, map, NULL, OK, type Reply } from "../reply.ts";
import { CATEGORIES, categoriesOf } from "../acl/categories.ts";
import { checkCommand, dryRunText } from "../acl/check.ts";
import { AclError } from "../acl/registry.ts";

const NO_ACL_FILE = "ERR This Redis instance is not configured to use an ACL file. You may " +
  "want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE " +
  "(assuming you have a Redis configuration file set) in order to store users in the Redis " +
  "configuration.";
const GENPASS_RANGE = "ERR ACL GENPASS argument must be the number of bits for the output " +
  "password, a positive number up to 4096";

function wrongArgs(argv: Uint8Array[]): Reply {
  return error(
    `ERR unknown subcommand or wrong number of arguments for '${
      latin1Text(argv[1])
    }'. Try ACL HELP.`,
  );
}

function aclError(e: unknown): Reply {
  if (e instanceof AclError) return error(`ERR ${e.message}`);
  throw e;
}

async function setUser(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  try {
    await (await ctx.server.loadAcl()).setUser(
      latin1Text(argv[2]),
      argv.slice(3).map((a) => latin1Text(a)),
    );
  } catch (e) {
    return aclError(e);
  }
  return OK;
}

async function delUser(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  const names = argv.slice(2).map((a) => latin1Text(a));
  if (names.includes("default")) return error("ERR The 'default' user cannot be removed");
  const acl = await ctx.server.loadAcl();
  const deleted = await acl.deleteUsers(names);
  // Clients authenticated as a deleted user are disconnected, as Redis does.
  const gone = new Set(names);
  for (const record of ctx.server.clients.values()) {
    if (!gone.has(record.session.user)) continue;
    if (record.session.id === ctx.session.id) record.closeAfterReply = true;
    else record.kill();
  }
  return integer(deleted);
}

async function getUser(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  const acl = await ctx.server.loadAcl();
  await acl.reload();
  const user = acl.get(latin1Text(argv[2]));
  if (!user) return NULL;
  return map([
    [bulk("flags"), array(user.flags().map((f) => bulk(f)))],
    [bulk("passwords"), array(user.passwords.map((p) => bulk(p)))],
    [bulk("commands"), bulk(user.commandRules(acl.names))],
    // Rules and names are bytes held as Latin-1 text: sent as those bytes, not as UTF-8.
    [bulk("keys"), bulk(latin1Bytes(user.keyRules()))],
    [bulk("channels"), bulk(latin1Bytes(user.channelRules()))],
    [bulk("selectors"), array([])],
  ]);
}

async function list(ctx: CommandContext): Promise<Reply> {
  const acl = await ctx.server.loadAcl();
  await acl.reload();
  return array(acl.list().map((line) => bulk(latin1Bytes(line))));
}

async function users(ctx: CommandContext): Promise<Reply> {
  const acl = await ctx.server.loadAcl();
  await acl.reload();
  return array(acl.usernames().map((n) => bulk(latin1Bytes(n))));
}

function cat(ctx: CommandContext, argv: Uint8Array[]): Reply {
  if (argv.length > 3) return wrongArgs(argv);
  if (argv.length === 2) return array(CATEGORIES.map((c) => bulk(c)));
  const category = latin1Text(argv[2]).toLowerCase();
  if (!CATEGORIES.includes(category)) {
    return error(`ERR Unknown category '${latin1Text(argv[2])}'`);
  }
  const out: Reply[] = [];
  for (const s of ctx.commands.specs) {
    const group = ctx.commands.group(s.name);
    const entries: [CommandSpec, string][] = s.subcommands?.length
      ? s.subcommands.map((sub) => [sub, `${s.name}|${sub.name}`])
      : [[s, s.name]];
    for (const [sub, fullName] of entries) {
      if (categoriesOf(sub, fullName, group).includes(category)) out.push(bulk(fullName));
    }
  }
  return array(out);
}

async function log(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  if (argv.length > 3) return wrongArgs(argv);
  const acl = await ctx.server.loadAcl();
  let count = 10;
  if (argv.length === 3) {
    if (latin1Text(argv[2]).toLowerCase() === "reset") {
      acl.log = [];
      return OK;
    }
    const n = parseInteger(argv[2]);
    if (n === null || n < 0) return error(ERRORS.notInteger);
    count = n;
  }
  const now = Date.now();
  return array(
    acl.log.slice(0, count).map((e) =>
      map([
        [bulk("count"), integer(e.count)],
        [bulk("reason"), bulk(e.reason)],
        [bulk("context"), bulk(e.context)],
        [bulk("object"), bulk(latin1Bytes(e.object))],
        [bulk("username"), bulk(latin1Bytes(e.username))],
        [bulk("age-seconds"), double((now - e.createdAt) / 1000)],
        [bulk("client-info"), bulk(e.clientInfo)],
        [bulk("entry-id"), integer(e.entryId)],
        [bulk("timestamp-created"), integer(e.createdAt)],
        [bulk("timestamp-last-updated"), integer(e.updatedAt)],
      ])
    ),
  );
}

function genpass(_ctx: CommandContext, argv: Uint8Array[]): Reply {
  if (argv.length > 3) return wrongArgs(argv);
  let bits = 256;
  if (argv.length === 3) {
    const n = parseInteger(argv[2]);
    if (n === null) return error(ERRORS.notInteger);
    if (n <= 0 || n > 4096) return error(GENPASS_RANGE);
    bits = n;
  }
  const chars = Math.ceil(bits / 4);
  const bytes = crypto.getRandomValues(new Uint8Array(Math.ceil(chars / 2)));
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return bulk(hex.slice(0, chars));
}

async function dryrun(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  const acl = await ctx.server.loadAcl();
  const name = latin1Text(argv[2]);
  const user = acl.get(name);
  if (!user) return error(`ERR User '${name}' not found`);
  const args = argv.slice(3);
  const found = ctx.commands.lookup(args);
  if ("error" in found) {
    if (!found.spec) return error(`ERR Command '${latin1Text(args[0])}' not found`);
    return error(found.error);
  }
  const denial = checkCommand(user, found.spec, found.fullName, args, acl.names);
  return denial ? bulk(dryRunText(denial, name)) : OK;
}

async function save(ctx: CommandContext): Promise<Reply> {
  const acl = await ctx.server.loadAcl();
  if (!acl.file) return error(NO_ACL_FILE);
  try {
    await acl.saveFile();
  } catch (e) {
    return error(
      `ERR There was an error trying to save the ACLs. Please check the server logs ` +
        `for more information (${(e as Error).message})`,
    );
  }
  return OK;
}

async function load(ctx: CommandContext): Promise<Reply> {
  const acl = await ctx.server.loadAcl();
  if (!acl.file) return error(NO_ACL_FILE);
  try {
    await acl.loadFile(true);
  } catch (e) {
    return aclError(e);
  }
  return OK;
}

const ADMIN = ["admin", "noscript", "loading", "stale"];
const PLAIN = ["noscript", "loading", "stale"];

const SUBCOMMANDS: CommandSpec[] = [
  spec("cat", {
    arity: -2,
    flags: PLAIN,
    summary: "Lists the ACL categories, or the commands inside a category.",
  }, cat),
  spec("deluser", {
    arity: -3,
    flags: ADMIN,
    summary: "Deletes ACL users, and terminates their connections.",
  }, delUser),
  spec("dryrun", {
    arity: -4,
    flags: ADMIN,
    summary: "Simulates the execution of a command by a user, without executing the command.",
  }, dryrun),
  spec("genpass", {
    arity: -2,
    flags: PLAIN,
    summary: "Generates a pseudorandom, secure password that can be used to identify ACL users.",
  }, genpass),
  spec("getuser", {
    arity: 3,
    flags: ADMIN,
    summary: "Lists the ACL rules of a user.",
  }, getUser),
  spec("list", {
    arity: 2,
    flags: ADMIN,
    summary: "Dumps the effective rules in ACL file format.",
  }, list),
  spec("load", {
    arity: 2,
    flags: ADMIN,
    summary: "Reloads the rules from the configured ACL file.",
  }, load),
  spec("log", {
    arity: -2,
    flags: ADMIN,
    summary: "Lists recent security events generated due to ACL rules.",
  }, log),
  spec("save", {
    arity: 2,
    flags: ADMIN,
    summary: "Saves the effective ACL rules in the configured ACL file.",
  }, save),
  spec("setuser", {
    arity: -3,
    flags: ADMIN,
    summary: "Creates and modifies an ACL user and its rules.",
  }, setUser),
  spec("users", {
    arity: 2,
    flags: ADMIN,
    summary: "Lists all ACL users.",
  }, users),
  spec("whoami", {
    arity: 2,
    flags: PLAIN,
    summary: "Returns the authenticated username of the current connection.",
  }, (ctx) => bulk(latin1Bytes(ctx.session.user))),
  helpSubcommand([
    "ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "CAT [<category>]",
    "    List all commands that belong to <category>, or all command categories",
    "    when no category is specified.",
    "DELUSER <username> [<username> ...]",
    "    Delete a list of users.",
    "DRYRUN <username> <command> [<arg> ...]",
    "    Returns whether the user can execute the given command without executing the command.",
    "GETUSER <username>",
    "    Get the user's details.",
    "GENPASS [<bits>]",
    "    Generate a secure 256-bit user password. The optional `bits` argument can",
    "    be used to specify a different size.",
    "LIST",
    "    Show users details in config file format.",
    "LOAD",
    "    Reload users from the ACL file.",
    "LOG [<count> | RESET]",
    "    Show the ACL log entries.",
    "SAVE",
    "    Save the current config to the ACL file.",
    "SETUSER <username> <attribute> [<attribute> ...]",
    "    Create or modify a user with the specified attributes.",
    "USERS",
    "    List all the registered usernames.",
    "WHOAMI",
    "    Return the current connection username.",
    "HELP",
    "    Prints this help.",
  ]),
];

/** The ACL family. */
export const COMMANDS: CommandSpec[] = [
  spec("acl", {
    arity: -2,
    flags: [],
    summary: "A container for Access List Control commands.",
    subcommands: SUBCOMMANDS,
  }, () => error("ERR wrong number of arguments for 'acl' command")),
];

/**
 * Connection commands: HELLO, AUTH, PING, ECHO, SELECT, QUIT and RESET, with Redis 7.2's
 * replies and errors (networking.c, acl.c, server.c). CLIENT is in client.ts.
 * @module
 */
import { latin1Text } from "../../../src/bytes.ts";
import { command as spec, type CommandContext, type CommandSpec } from "../command.ts";
import { argText } from "../command_table.ts";
import { ERRORS, SERVER_ERRORS } from "../errors.ts";
import { REDIS_VERSION } from "../info.ts";
import { parseInteger } from "../numbers.ts";
import { array, bulk, error, integer, map, OK, type Reply, simple } from "../reply.ts";
import { DATABASES } from "../storage/layout.ts";
import { endTransaction } from "../transaction.ts";
import { clientLine, clientRecord, lowerOption, validClientText } from "./client_info.ts";

function helloMap(ctx: CommandContext): Reply {
  return map([
    [bulk("server"), bulk("redis")],
    [bulk("version"), bulk(REDIS_VERSION)],
    [bulk("proto"), integer(ctx.session.protocol)],
    [bulk("id"), integer(ctx.session.id)],
    [bulk("mode"), bulk("standalone")],
    [bulk("role"), bulk("master")],
    [bulk("modules"), array([])],
  ]);
}

/**
 * Log in as `username` (AUTH, HELLO AUTH); null on success, else WRONGPASS. A failure is
 * counted, logged without the password, and kept in the ACL LOG.
 */
async function authenticate(
  ctx: CommandContext,
  username: string,
  password: Uint8Array,
  command: "AUTH" | "HELLO",
): Promise<Reply | null> {
  const acl = await ctx.server.loadAcl();
  const user = await acl.authenticate(username, password);
  if (user) {
    ctx.session.user = user.name;
    ctx.session.authenticated = true;
    return null;
  }
  const record = ctx.server.clients.get(ctx.session.id);
  acl.deny(
    "auth",
    ctx.session.multi ? "multi" : "toplevel",
    command,
    username,
    record ? clientLine(record, Date.now()) : "",
  );
  ctx.log.warn(
    `redis: authentication failed for user ${JSON.stringify(username)} from ${ctx.session.addr}`,
  );
  return error(ERRORS.wrongPass);
}

async function hello(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  let version = 0;
  let next = 1;
  if (argv.length >= 2) {
    const v = parseInteger(argv[next++]);
    if (v === null) return error(SERVER_ERRORS.protoNotInteger);
    if (v < 2 || v > 3) return error(SERVER_ERRORS.noProto);
    version = v;
  }
  let password: Uint8Array | null = null;
  let authAt: number | null = null;
  let clientName: Uint8Array | null = null;
  for (let j = next; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    const o = lowerOption(argv[j]);
    if (o === "auth" && more >= 2) {
      authAt = j + 1;
      password = argv[j + 2];
      j += 2;
    } else if (o === "setname" && more >= 1) {
      clientName = argv[j + 1];
      if (!validClientText(clientName)) return error(SERVER_ERRORS.clientName);
      j++;
    } else {
      return error(SERVER_ERRORS.helloOption(argText(argv[j])));
    }
  }
  if (password !== null) {
    const refused = await authenticate(ctx, latin1Text(argv[authAt!]), password, "HELLO");
    if (refused) return refused;
  }
  if (!ctx.session.authenticated) return error(SERVER_ERRORS.helloNoAuth);
  if (clientName !== null) {
    ctx.session.name = clientName.length ? latin1Text(clientName) : null;
  }
  if (version) ctx.session.protocol = version as 2 | 3;
  return helloMap(ctx);
}

async function authCommand(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  if (argv.length > 3) return error(ERRORS.syntax);
  if (argv.length === 2 && (await ctx.server.loadAcl()).get("default")?.nopass) {
    return error(SERVER_ERRORS.authNotConfigured);
  }
  const username = argv.length === 3 ? latin1Text(argv[1]) : "default";
  return await authenticate(ctx, username, argv[argv.length - 1], "AUTH") ?? OK;
}

function ping(ctx: CommandContext, argv: Uint8Array[]): Reply {
  if (argv.length > 2) return error(ERRORS.arity("ping"));
  // A RESP2 connection in subscribed mode answers in the shape of a message.
  if (ctx.session.protocol === 2 && ctx.subscriber.active) {
    return array([bulk("pong"), bulk(argv[1] ?? "")]);
  }
  return argv.length === 2 ? bulk(argv[1]) : simple("PONG");
}

function select(ctx: CommandContext, argv: Uint8Array[]): Reply {
  const db = parseInteger(argv[1]);
  if (db === null || db < -(2 ** 31) || db >= 2 ** 31) return error(ERRORS.notInteger);
  if (db < 0 || db >= DATABASES) return error(ERRORS.dbIndex);
  ctx.session.db = db;
  return OK;
}

function quit(ctx: CommandContext): Reply {
  clientRecord(ctx).closeAfterReply = true;
  return OK;
}

function reset(ctx: CommandContext): Reply {
  const r = clientRecord(ctx);
  const s = ctx.session;
  s.db = 0;
  s.protocol = 2;
  s.name = null;
  s.user = "default";
  s.authenticated = ctx.server.startsLoggedIn();
  r.replyMode = "on";
  r.noEvict = false;
  r.noTouch = false;
  endTransaction(s);
  ctx.server.pubsub.leave(ctx.subscriber);
  ctx.server.fanout?.changed().catch(() => {});
  return simple("RESET");
}

/** The connection family. */
export const COMMANDS: CommandSpec[] = [
  spec("hello", {
    arity: -1,
    flags: ["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"],
    summary: "Handshakes with the Redis server.",
  }, hello),
  spec("auth", {
    arity: -2,
    flags: ["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"],
    summary: "Authenticates the connection.",
  }, authCommand),
  spec("ping", {
    arity: -1,
    flags: ["fast"],
    summary: "Returns the server's liveliness response.",
  }, ping),
  spec(
    "echo",
    { arity: 2, flags: ["fast"], summary: "Returns the given string." },
    (_ctx, argv) => bulk(argv[1]),
  ),
  spec("select", {
    arity: 2,
    flags: ["loading", "stale", "fast"],
    summary: "Changes the selected database.",
  }, select),
  spec("quit", {
    arity: -1,
    flags: ["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"],
    summary: "Closes the connection.",
  }, quit),
  spec("reset", {
    arity: 1,
    flags: ["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"],
    summary: "Resets the connection.",
  }, reset),
];

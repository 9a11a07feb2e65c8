/**
 * CLIENT and its subcommands, over the server's clients registry, with Redis 7.2's replies and
 * errors (networking.c).
 * @module
 */
import { latin1Text } from "../../../src/bytes.ts";
import { command as spec, type CommandContext, type CommandSpec } from "../command.ts";
import { argText, helpSubcommand } from "../command_table.ts";
import { ERRORS, SERVER_ERRORS } from "../errors.ts";
import { parseInteger } from "../numbers.ts";
import { bulkOrNull, error, integer, OK, type Reply } from "../reply.ts";
import {
  clientCaching,
  clientGetredir,
  clientTracking,
  clientTrackinginfo,
} from "./client_tracking.ts";
import type { PauseMode } from "../pause.ts";
import type { ClientRecord } from "../server_state.ts";
import { clientLine, clientRecord, lowerOption, validClientText } from "./client_info.ts";

function verbatim(text: string): Reply {
  return { type: "verbatim", format: "txt", value: text };
}

function onOff(argv: Uint8Array[], apply: (on: boolean) => void): Reply {
  const o = lowerOption(argv[2]);
  if (o !== "on" && o !== "off") return error(ERRORS.syntax);
  apply(o === "on");
  return OK;
}

function clientList(ctx: CommandContext, argv: Uint8Array[]): Reply {
  let clients = [...ctx.server.clients.values()];
  for (let j = 2; j < argv.length; j++) {
    const o = lowerOption(argv[j]);
    if (o === "type" && j + 1 < argv.length) {
      const type = lowerOption(argv[++j]);
      if (!["normal", "master", "replica", "slave", "pubsub"].includes(type)) {
        return error(SERVER_ERRORS.unknownClientType(argText(argv[j])));
      }
      if (type !== "normal") clients = [];
    } else if (o === "id" && j + 1 < argv.length) {
      const ids = new Set<number>();
      for (j++; j < argv.length; j++) {
        const id = parseInteger(argv[j]);
        if (id === null) return error(SERVER_ERRORS.invalidClientId);
        ids.add(id);
      }
      clients = clients.filter((c) => ids.has(c.session.id));
    } else {
      return error(ERRORS.syntax);
    }
  }
  const now = Date.now();
  const tracking = ctx.server.tracking;
  return verbatim(
    clients.map((c) => clientLine(c, now, tracking.of(c.session.id)) + "\n").join(""),
  );
}

function clientKill(ctx: CommandContext, argv: Uint8Array[]): Reply {
  const self = clientRecord(ctx);
  if (argv.length === 3) {
    const addr = latin1Text(argv[2]);
    const target = [...ctx.server.clients.values()].find((c) => c.session.addr === addr);
    if (!target) return error(SERVER_ERRORS.noSuchClient);
    if (target === self) self.closeAfterReply = true;
    else target.kill();
    return OK;
  }
  let skipMe = true;
  const filters: ((c: ClientRecord) => boolean)[] = [];
  for (let j = 2; j < argv.length; j += 2) {
    if (j + 1 >= argv.length) return error(ERRORS.syntax);
    const o = lowerOption(argv[j]);
    const value = latin1Text(argv[j + 1]);
    if (o === "id") {
      const id = parseInteger(argv[j + 1]);
      if (id === null || id <= 0) return error(SERVER_ERRORS.clientIdInvalid);
      filters.push((c) => c.session.id === id);
    } else if (o === "addr") {
      filters.push((c) => c.session.addr === value);
    } else if (o === "laddr") {
      filters.push((c) => c.laddr === value);
    } else if (o === "user") {
      if (!ctx.server.hasUser(value)) {
        return error(`ERR No such user '${value}'`);
      }
      filters.push((c) => c.session.user === value);
    } else if (o === "type") {
      const type = value.toLowerCase();
      if (!["normal", "master", "replica", "slave", "pubsub"].includes(type)) {
        return error(SERVER_ERRORS.unknownClientType(value));
      }
      filters.push(() => type === "normal");
    } else if (o === "skipme") {
      const v = value.toLowerCase();
      if (v !== "yes" && v !== "no") return error(ERRORS.syntax);
      skipMe = v === "yes";
    } else if (o === "maxage") {
      const age = parseInteger(argv[j + 1]);
      if (age === null) return error(ERRORS.syntax);
      filters.push((c) => Date.now() - c.createdAt >= age * 1000);
    } else {
      return error(ERRORS.syntax);
    }
  }
  let killed = 0;
  for (const c of [...ctx.server.clients.values()]) {
    if (!filters.every((f) => f(c))) continue;
    if (c === self) {
      if (skipMe) continue;
      self.closeAfterReply = true;
    } else {
      c.kill();
    }
    killed++;
  }
  return integer(killed);
}

function clientSetname(ctx: CommandContext, argv: Uint8Array[]): Reply {
  if (!validClientText(argv[2])) return error(SERVER_ERRORS.clientName);
  ctx.session.name = argv[2].length ? latin1Text(argv[2]) : null;
  return OK;
}

function clientSetinfo(ctx: CommandContext, argv: Uint8Array[]): Reply {
  const attr = lowerOption(argv[2]);
  if (attr !== "lib-name" && attr !== "lib-ver") {
    return error(SERVER_ERRORS.unrecognizedOption(argText(argv[2])));
  }
  if (!validClientText(argv[3])) return error(SERVER_ERRORS.clientAttr(attr));
  const value = latin1Text(argv[3]);
  if (attr === "lib-name") clientRecord(ctx).libName = value;
  else clientRecord(ctx).libVer = value;
  return OK;
}

function clientReply(ctx: CommandContext, argv: Uint8Array[]): Reply {
  const o = lowerOption(argv[2]);
  if (o !== "on" && o !== "off" && o !== "skip") return error(ERRORS.syntax);
  clientRecord(ctx).replyMode = o;
  return OK;
}

function accept(): Reply {
  return OK;
}

const HELP = [
  "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "ID",
  "    Return the ID of the current connection.",
  "GETNAME",
  "    Return the name of the current connection.",
  "SETNAME <name>",
  "    Assign the name <name> to the current connection.",
  "SETINFO <option> <value>",
  "    Set client meta attr. Options are: LIB-NAME, LIB-VER.",
  "INFO",
  "    Return information about the current client connection.",
  "LIST [TYPE <type>] [ID <id> [<id> ...]]",
  "    Return information about client connections.",
  "KILL <ip:port> | <option> <value> [<option> <value> ...]",
  "    Kill connections matching ID, ADDR, LADDR, USER, TYPE, SKIPME or MAXAGE.",
  "REPLY (ON|OFF|SKIP)",
  "    Control the replies sent to the current connection.",
  "NO-EVICT (ON|OFF)",
  "    Protect current client connection from eviction.",
  "NO-TOUCH (ON|OFF)",
  "    Will not touch LRU/LFU stats when this mode is on.",
  "HELP",
  "    Print this help.",
];

const SUBCOMMANDS: CommandSpec[] = [
  spec("id", {
    arity: 2,
    flags: ["noscript", "loading", "stale"],
    summary: "Returns the unique client ID of the connection.",
  }, (ctx) => integer(ctx.session.id)),
  spec("setname", {
    arity: 3,
    flags: ["noscript", "loading", "stale"],
    summary: "Sets the connection name.",
  }, clientSetname),
  spec("getname", {
    arity: 2,
    flags: ["noscript", "loading", "stale"],
    summary: "Returns the name of the connection.",
  }, (ctx) => bulkOrNull(ctx.session.name)),
  spec("setinfo", {
    arity: 4,
    flags: ["noscript", "loading", "stale"],
    summary: "Sets information specific to the client or connection.",
  }, clientSetinfo),
  spec("info", {
    arity: 2,
    flags: ["noscript", "loading", "stale"],
    summary: "Returns information about the connection.",
  }, (ctx) => {
    const line = clientLine(clientRecord(ctx), Date.now(), ctx.server.tracking.of(ctx.session.id));
    return verbatim(line + "\n");
  }),
  spec("list", {
    arity: -2,
    flags: ["admin", "noscript", "loading", "stale"],
    summary: "Lists open connections.",
  }, clientList),
  spec("kill", {
    arity: -3,
    flags: ["admin", "noscript", "loading", "stale"],
    summary: "Terminates open connections.",
  }, clientKill),
  spec("no-evict", {
    arity: 3,
    flags: ["admin", "noscript", "loading", "stale"],
    summary: "Sets the client eviction mode of the connection.",
  }, (ctx, argv) => onOff(argv, (on) => clientRecord(ctx).noEvict = on)),
  spec("no-touch", {
    arity: 3,
    flags: ["noscript", "loading", "stale"],
    summary: "Controls whether commands sent by the client affect the LRU/LFU of accessed keys.",
  }, (ctx, argv) => onOff(argv, (on) => clientRecord(ctx).noTouch = on)),
  spec("reply", {
    arity: 3,
    flags: ["noscript", "loading", "stale"],
    summary: "Instructs the server whether to reply to commands.",
  }, clientReply),
  spec("tracking", {
    arity: -3,
    flags: ["noscript", "loading", "stale"],
    summary: "Controls server-assisted client-side caching for the connection.",
  }, clientTracking),
  spec("caching", {
    arity: 3,
    flags: ["noscript", "loading", "stale"],
    summary: "Instructs the server whether to track the keys in the next request.",
  }, clientCaching),
  spec("trackinginfo", {
    arity: 2,
    flags: ["noscript", "loading", "stale"],
    summary: "Returns information about server-assisted client-side caching for the connection.",
  }, clientTrackinginfo),
  spec("getredir", {
    arity: 2,
    flags: ["noscript", "loading", "stale"],
    summary:
      "Returns the client ID to which the connection's tracking notifications are redirected.",
  }, clientGetredir),
  spec("pause", {
    arity: -3,
    flags: ["admin", "noscript", "loading", "stale"],
    summary: "Suspends commands processing.",
  }, clientPause),
  spec("unpause", {
    arity: 2,
    flags: ["admin", "noscript", "loading", "stale"],
    summary: "Resumes processing commands from paused clients.",
  }, (ctx) => {
    ctx.server.pause.unpause();
    return OK;
  }),
  spec("unblock", {
    arity: -3,
    flags: ["admin", "noscript", "loading", "stale"],
    summary: "Unblocks a client blocked by a blocking command from a different connection.",
  }, unblock),
  // Not in Redis 7.2; node-redis 6 sends it on connect and fails the handshake on an error.
  spec("maint_notifications", {
    arity: -3,
    flags: ["noscript", "loading", "stale"],
    summary: "Enables maintenance notifications.",
  }, accept),
  helpSubcommand(HELP),
];

/** CLIENT PAUSE timeout-ms [WRITE|ALL]: hold every client's commands (or only writes). */
function clientPause(ctx: CommandContext, argv: Uint8Array[]): Reply {
  if (argv.length > 4) return error(SERVER_ERRORS.subcommandSyntax("pause", "CLIENT"));
  let mode: PauseMode = "all";
  if (argv.length === 4) {
    const o = lowerOption(argv[3]);
    if (o === "write") mode = "write";
    else if (o !== "all") return error(SERVER_ERRORS.pauseMode);
  }
  const ms = parseInteger(argv[2]);
  if (ms === null) return error(SERVER_ERRORS.timeoutNotInteger);
  if (ms < 0) return error(SERVER_ERRORS.timeoutNegative);
  ctx.server.pause.pause(ms, mode);
  return OK;
}

/** CLIENT UNBLOCK id [TIMEOUT|ERROR]: end another client's blocking wait. */
function unblock(ctx: CommandContext, argv: Uint8Array[]): Reply {
  if (argv.length > 4) return error(SERVER_ERRORS.subcommandSyntax("unblock", "CLIENT"));
  let how: "timeout" | "error" = "timeout";
  if (argv.length === 4) {
    const reason = argText(argv[3]).toLowerCase();
    if (reason === "error") how = "error";
    else if (reason !== "timeout") return error(SERVER_ERRORS.unblockReason);
  }
  const id = parseInteger(argv[2]);
  if (id === null) return error(ERRORS.notInteger);
  return integer(ctx.server.blocking.unblock(id, how) ? 1 : 0);
}

/** The CLIENT container. */
export const COMMANDS: CommandSpec[] = [
  spec("client", {
    arity: -2,
    flags: ["sentinel"],
    summary: "A container for client connection commands.",
    subcommands: SUBCOMMANDS,
  }, () => error(ERRORS.syntax)),
];

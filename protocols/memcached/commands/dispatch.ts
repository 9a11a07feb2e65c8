/**
 * The text/meta command table: command name to handler, and the auth gate in front of it.
 * @module
 */
import { type BinaryRequest, encodeBinaryError } from "../codec/binary.ts";
import { STATUS, TEXT } from "../errors.ts";
import { text, type TextCommand } from "../codec/text.ts";
import {
  flushCommand,
  lruCrawlerCommand,
  statsCommand,
  verbosityCommand,
  versionCommand,
  watchCommand,
} from "./admin.ts";
import { arithCommand } from "./arithmetic.ts";
import { line, type Reply, type Session } from "./context.ts";
import { metaArithmetic, metaDebug, metaDelete, metaGet, metaNoop, metaSet } from "./meta.ts";
import { deleteCommand, gatCommand, getCommand, touchCommand } from "./retrieval.ts";
import { storageCommand, tooLargeCommand } from "./storage.ts";

const META = new Set(["mg", "md", "ma", "mn", "me"]);

type LineHandler = (s: Session, tokens: Uint8Array[]) => Reply;

const COMMANDS: Readonly<Record<string, LineHandler>> = {
  get: (s, t) => getCommand(s, t, false),
  gets: (s, t) => getCommand(s, t, true),
  gat: (s, t) => gatCommand(s, t, false),
  gats: (s, t) => gatCommand(s, t, true),
  touch: touchCommand,
  delete: deleteCommand,
  incr: (s, t) => arithCommand(s, t, true),
  decr: (s, t) => arithCommand(s, t, false),
  flush_all: flushCommand,
  version: () => versionCommand(),
  verbosity: (_s, t) => verbosityCommand(t),
  stats: statsCommand,
  mg: metaGet,
  md: metaDelete,
  ma: metaArithmetic,
  mn: () => metaNoop(),
  me: metaDebug,
  lru_crawler: lruCrawlerCommand,
  watch: (s) => watchCommand(s),
  shutdown: () => line(TEXT.SHUTDOWN_DISABLED),
  quit: (s) => {
    s.closing = true;
    return [];
  },
};

/** The reply to a command over the client's --rate-limit (nothing when it asked for none). */
export function textThrottled(cmd: TextCommand): Reply {
  const quiet = cmd.kind === "storage"
    ? cmd.noreply
    : cmd.kind === "line" && cmd.tokens.length > 1 &&
      text(cmd.tokens[cmd.tokens.length - 1]) === "noreply";
  return quiet ? [] : line(TEXT.RATE_LIMITED);
}

/** A binary request over the client's --rate-limit: memcached's "Temporary failure". */
export function binaryThrottled(req: BinaryRequest): Reply {
  return [encodeBinaryError(req, STATUS.TEMPORARY_FAILURE)];
}

/** Run one parsed text command; the reply is in request order with the others. */
export function runText(s: Session, cmd: TextCommand): Reply {
  if (s.watching) return [];
  switch (cmd.kind) {
    case "storage":
      return storageCommand(s, cmd);
    case "reply":
      if (cmd.close) s.closing = true;
      if (cmd.skip > 0) s.shared.counters.storeTooLarge++;
      if (cmd.tooLarge) tooLargeCommand(s, cmd.tooLarge);
      return cmd.reply === null ? [] : line(cmd.reply);
    case "ms":
      if (!s.authenticated) return line(TEXT.UNAUTHENTICATED);
      s.shared.counters.cmdMeta++;
      return metaSet(s, cmd.tokens, cmd.data);
    case "line": {
      const name = cmd.tokens.length > 0 ? text(cmd.tokens[0]) : "";
      const handler = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
      if (!s.authenticated && name !== "quit") return line(TEXT.UNAUTHENTICATED);
      if (!handler) {
        // memcached drops a client that looks like it speaks HTTP.
        const last = cmd.tokens.length > 1 ? text(cmd.tokens[cmd.tokens.length - 1]) : "";
        if (last.startsWith("HTTP/")) s.closing = true;
        return s.closing ? [] : line(TEXT.ERROR);
      }
      if (META.has(name)) s.shared.counters.cmdMeta++;
      return handler(s, cmd.tokens);
    }
  }
}

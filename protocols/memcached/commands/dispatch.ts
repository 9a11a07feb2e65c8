/**
 * Command dispatch: the auth and rate-limit gates, then a lookup in the merged tables of every
 * command family (text/meta by name, binary by opcode).
 * @module
 */
import { type BinaryRequest, encodeBinaryError } from "../codec/binary.ts";
import { hasNoreply, text, type TextCommand } from "../codec/text.ts";
import { STATUS, TEXT } from "../errors.ts";
import { ADMIN_COMMANDS } from "./admin.ts";
import { ARITHMETIC_COMMANDS } from "./arithmetic.ts";
import { SASL_COMMANDS } from "./auth.ts";
import { BINARY_COMMANDS, wellFormed } from "./binary.ts";
import { line, type LineHandler, type Reply, type Session } from "./context.ts";
import { KEY_COMMANDS } from "./keys.ts";
import { META_COMMANDS, metaSet } from "./meta.ts";
import { RETRIEVAL_COMMANDS } from "./retrieval.ts";
import { storageCommand, tooLargeCommand } from "./storage.ts";

/** Every one-line text/meta command by name (storage commands and ms carry data). */
const COMMANDS: Readonly<Record<string, LineHandler>> = {
  ...RETRIEVAL_COMMANDS,
  ...KEY_COMMANDS,
  ...ARITHMETIC_COMMANDS,
  ...ADMIN_COMMANDS,
  ...META_COMMANDS,
};

/** The reply to a command over the client's --rate-limit (nothing when it asked for none). */
export function textThrottled(cmd: TextCommand): Reply {
  const quiet = cmd.kind === "storage"
    ? cmd.noreply
    : cmd.kind === "line" && hasNoreply(cmd.tokens);
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
      if (Object.hasOwn(META_COMMANDS, name)) s.shared.counters.cmdMeta++;
      return handler(s, cmd.tokens);
    }
  }
}

/** Run one binary request. */
export function runBinary(s: Session, req: BinaryRequest): Reply {
  const op = req.opcode;
  if (Object.hasOwn(SASL_COMMANDS, op)) {
    // memcached without SASL configured does not know the SASL opcodes.
    if (!s.shared.ctx.auth.required) return [encodeBinaryError(req, STATUS.UNKNOWN_COMMAND)];
    return SASL_COMMANDS[op](s, req);
  }
  if (!s.authenticated) return [encodeBinaryError(req, STATUS.AUTH_ERROR)];
  if (!wellFormed(req)) {
    // memcached drops a connection that sent a malformed packet.
    s.closing = true;
    return [encodeBinaryError(req, STATUS.INVALID_ARGUMENTS)];
  }
  const handler = Object.hasOwn(BINARY_COMMANDS, op) ? BINARY_COMMANDS[op] : undefined;
  return handler ? handler(s, req) : [encodeBinaryError(req, STATUS.UNKNOWN_COMMAND)];
}

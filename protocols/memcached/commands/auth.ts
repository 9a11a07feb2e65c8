/**
 * Authentication when a password is set: memcached's text-protocol auth (which rides on `set`)
 * and binary SASL PLAIN.
 * @module
 */
import { type BinaryRequest, encodeBinaryError, OP } from "../codec/binary.ts";
import type { StorageCommand } from "../codec/text.ts";
import { STATUS, TEXT } from "../errors.ts";
import { type BinaryHandler, respond } from "./binary.ts";
import { type Chunk, line, type Session } from "./context.ts";

const enc = new TextEncoder();

/** Log a failed attempt with who tried, never the secret. */
function refused(s: Session, user: string): void {
  s.shared.ctx.log.warn(
    `memcached: authentication failed for user ${JSON.stringify(user)} from ${s.addr ?? "?"}`,
  );
}

/** memcached -Y: `set <any> <flags> <exptime> <n>\r\n<user> <password>\r\n`. */
export function textAuth(s: Session, cmd: StorageCommand): Chunk[] {
  const { counters, ctx } = s.shared;
  counters.authCmds++;
  if (cmd.name !== "set") return line(TEXT.UNAUTHENTICATED);
  const text = new TextDecoder().decode(cmd.data);
  const space = text.indexOf(" ");
  if (space <= 0) return line(TEXT.AUTH_FORMAT);
  if (!ctx.auth.verify(text.slice(space + 1))) {
    counters.authErrors++;
    refused(s, text.slice(0, space));
    return line(TEXT.AUTH_FAILURE);
  }
  s.authenticated = true;
  return line(TEXT.STORED);
}

/** SASL PLAIN: `[authzid]\0user\0password`. */
function saslAuth(s: Session, req: BinaryRequest): Chunk[] {
  const { counters, ctx } = s.shared;
  counters.authCmds++;
  const mech = new TextDecoder().decode(req.key);
  const parts = new TextDecoder().decode(req.value).split("\0");
  if (req.opcode !== OP.SASL_AUTH || mech !== "PLAIN" || parts.length !== 3) {
    counters.authErrors++;
    return [encodeBinaryError(req, STATUS.AUTH_ERROR)];
  }
  if (!ctx.auth.verify(parts[2])) {
    counters.authErrors++;
    refused(s, parts[1]);
    return [encodeBinaryError(req, STATUS.AUTH_ERROR)];
  }
  s.authenticated = true;
  return respond(req, { value: enc.encode("Authenticated") });
}

/** The SASL opcodes; they answer before authentication, and only when a password is set. */
export const SASL_COMMANDS: Readonly<Record<number, BinaryHandler>> = {
  [OP.SASL_LIST_MECHS]: (_s, req) => respond(req, { value: enc.encode("PLAIN") }),
  [OP.SASL_AUTH]: saslAuth,
  [OP.SASL_STEP]: saslAuth,
};

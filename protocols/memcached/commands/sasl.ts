/**
 * Binary SASL PLAIN when a password is set (the text protocol's auth is in auth.ts).
 * @module
 */
import { type BinaryRequest, encodeBinaryError, OP } from "../codec/binary.ts";
import { STATUS } from "../errors.ts";
import { refused } from "./auth.ts";
import { type BinaryHandler, respond } from "./binary.ts";
import type { Chunk, Session } from "./context.ts";

const enc = new TextEncoder();

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

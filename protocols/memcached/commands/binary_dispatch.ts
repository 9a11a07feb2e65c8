/**
 * Binary request dispatch: the SASL and auth gates, then a lookup by opcode. The connection loop
 * loads it (and the binary codec) with the first connection that speaks the binary protocol.
 * @module
 */
import { type BinaryRequest, encodeBinaryError } from "../codec/binary.ts";
import { STATUS } from "../errors.ts";
import { BINARY_COMMANDS, wellFormed } from "./binary.ts";
import type { Reply, Session } from "./context.ts";
import { SASL_COMMANDS } from "./sasl.ts";

/** A binary request over the client's --rate-limit: memcached's "Temporary failure". */
export function binaryThrottled(req: BinaryRequest): Reply {
  return [encodeBinaryError(req, STATUS.TEMPORARY_FAILURE)];
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

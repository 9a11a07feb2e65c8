/**
 * Authentication when a password is set: memcached's text-protocol auth (which rides on `set`).
 * Binary SASL PLAIN is in sasl.ts, loaded with the binary protocol.
 * @module
 */
import type { StorageCommand } from "../codec/text.ts";
import { TEXT } from "../errors.ts";
import { type Chunk, line, type Session } from "./context.ts";

/** Log a failed attempt with who tried, never the secret. */
export function refused(s: Session, user: string): void {
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

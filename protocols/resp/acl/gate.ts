/**
 * The per-command ACL gate: a connection whose user has every permission (or a server whose
 * registry has not loaded: only such a default user exists) passes with a lookup and a flag;
 * the rules themselves (check.ts) load with the registry.
 * @module
 */
import type { CommandContext, CommandSpec } from "../command.ts";
import type { AclLogEntry } from "./registry.ts";

/**
 * The NOPERM error when the connection's user may not run `argv`, recorded in the ACL LOG and
 * INFO counters; null when it may (or there are no ACL users, as in unit harnesses).
 */
export function aclRefusal(
  ctx: Pick<CommandContext, "server" | "session">,
  spec: CommandSpec,
  fullName: string,
  argv: readonly Uint8Array[],
  context: AclLogEntry["context"],
): string | null {
  const acl = ctx.server.acl;
  if (!acl) return null;
  const user = acl.get(ctx.session.user);
  if (user?.unrestricted) return null;
  return acl.refusal(ctx, user, spec, fullName, argv, context);
}

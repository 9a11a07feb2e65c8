/**
 * Running one handler: the one place where whatever a handler throws becomes an error reply
 * (a thrown reply, a store failure by its class, or a bug, which is also logged).
 * @module
 */
import type { Logger } from "../../src/log.ts";
import { ConflictError, StoreError } from "../../src/store/mod.ts";
import type { CommandContext, Handler } from "./command.ts";
import { ReplyError, storeErrorText } from "./errors.ts";
import { error, type Reply } from "./reply.ts";

/** A handler's failure as an error reply. */
export function errorReply(e: unknown, log: Pick<Logger, "error">): Reply {
  if (e instanceof ReplyError) return error(e.reply);
  // The store's limits and a full disk are the client's answer; anything else is a bug to log.
  if (e instanceof StoreError && !(e instanceof ConflictError)) return error(storeErrorText(e));
  const message = e instanceof Error ? e.message : String(e);
  log.error(`redis: command failed: ${message}`);
  return e instanceof ConflictError ? error(storeErrorText(e)) : error(`ERR ${message}`);
}

/**
 * Call `handler` and map its failure, thrown or rejected, to a reply. A synchronous reply stays
 * synchronous: the connection loop tells writes from reads by what the handler did before
 * returning.
 */
export function invoke(
  handler: Handler,
  ctx: CommandContext,
  argv: Uint8Array[],
  log: Pick<Logger, "error">,
): Reply | Promise<Reply> {
  try {
    const reply = handler(ctx, argv);
    return reply instanceof Promise ? reply.catch((e) => errorReply(e, log)) : reply;
  } catch (e) {
    return errorReply(e, log);
  }
}

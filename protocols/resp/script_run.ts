/**
 * Running a script against the keyspace: the whole script is one store write unit (as EXEC's
 * queue), its redis.call goes through the command table with Redis's script checks, and other
 * connections get BUSY while it runs past busy-reply-threshold.
 * @module
 */
import type { WriteTx } from "../../src/store/mod.ts";
import type { CommandContext, CommandSpec, Session } from "./command.ts";
import { invoke } from "./invoke.ts";
import { error, type Reply } from "./reply.ts";
import { SCRIPT_ERRORS } from "./scripting/errors.ts";
import type { ScriptBridge } from "./scripting/mod.ts";
import type { ServerState } from "./server_state.ts";
import { runAfterCommit, transactionContext } from "./transaction.ts";
import { aclRefusal } from "./acl/gate.ts";
import { metaKey } from "./storage/layout.ts";
import { MAX_HINTED_KEYS } from "./write_hints.ts";

/** Flags that make a command a write for a script (scriptVerifyWriteCommandAllow). */
const WRITE_FLAGS = ["write", "may_replicate"];

/**
 * The bridge of one run: commands run in `tx` with the caller's db (a SELECT inside moves only
 * the script's), in the protocol the script chose with redis.setresp.
 */
function bridgeFor(
  ctx: CommandContext,
  tx: WriteTx,
  db: number,
  readOnly: boolean,
  after: (() => void)[],
): ScriptBridge {
  const session: Session = { ...ctx.session, db };
  const inner: CommandContext = { ...transactionContext(ctx, tx, after), session };
  let wrote = false;
  return {
    wrote: () => wrote,
    aclCheck(argv: Uint8Array[]): boolean | null {
      const found = ctx.commands.lookup(argv);
      if (!found.spec) return null;
      const acl = ctx.server.acl;
      const user = acl?.get(ctx.session.user);
      if (!acl || !user) return true;
      return acl.check(user, found.spec, found.fullName!, argv) === null;
    },
    call(argv: Uint8Array[], resp: 2 | 3): Reply | Promise<Reply> {
      const found = ctx.commands.lookup(argv);
      if ("error" in found) {
        return error(found.spec ? SCRIPT_ERRORS.wrongArity : SCRIPT_ERRORS.unknownCommand);
      }
      const spec: CommandSpec = found.spec;
      if (spec.flags.includes("noscript")) return error(SCRIPT_ERRORS.notAllowed);
      // A script runs as its caller's ACL user (Redis 7.2 scriptCall's wording).
      const refused = aclRefusal(ctx, spec, found.fullName, argv, "lua");
      if (refused) return error(`ERR ACL failure in script: ${refused.slice("NOPERM ".length)}`);
      const writes = spec.flags.some((f) => WRITE_FLAGS.includes(f));
      if (writes && readOnly) return error(SCRIPT_ERRORS.writeInReadOnly);
      if (writes) wrote = true;
      session.protocol = resp;
      ctx.server.monitors.command(spec, session.db, "lua", argv);
      return invoke(spec.handler, inner, argv, ctx.log);
    },
  };
}

/** What to run: a script (by body or SHA1) or a function, with its keys and arguments. */
export interface ScriptCall {
  target: { body: Uint8Array } | { sha: string } | { function: string };
  keys: Uint8Array[];
  args: Uint8Array[];
  /** EVAL_RO, or a script whose shebang says no-writes: write commands are refused. */
  readOnly: boolean;
}

/**
 * Run a script as one write unit: its writes commit together (also those made before a script
 * error: Redis does not roll back) and the reply resolves after the commit.
 */
export function runScript(ctx: CommandContext, call: ScriptCall): Promise<Reply> {
  const { server } = ctx;
  const db = ctx.session.db;
  // A killed run wrote nothing; if the store re-runs the unit, it stays killed.
  let killed: Reply | null = null;
  // The declared KEYS are what the script will touch: prefetched as a write command's keys are,
  // so the unit does not hold the write loop on a store read per key (write_hints.ts).
  const hints = call.keys.length > 0 && call.keys.length <= MAX_HINTED_KEYS
    ? call.keys.map((key) => metaKey(db, key))
    : undefined;
  let after: (() => void)[] = [];
  return ctx.write(async (tx) => {
    after = []; // a re-run starts over: only the committed run's effects follow
    if (killed) return killed;
    const bridge = bridgeFor(ctx, tx, db, call.readOnly, after);
    server.scriptCaller = ctx.session.id;
    try {
      const { target, keys, args } = call;
      const reply = "function" in target
        ? await server.scripts.callFunction(target.function, keys, args, bridge)
        : await server.scripts.run(target, keys, args, bridge);
      if (reply.type === "error" && reply.value.startsWith(SCRIPT_ERRORS.killed)) killed = reply;
      return reply;
    } finally {
      server.scriptCaller = null;
    }
  }, hints).then((reply) => runAfterCommit(after, reply));
}

/**
 * The BUSY gate of the connection loop: while a script has run past busy-reply-threshold, other
 * connections may only run commands flagged allow_busy (SCRIPT KILL, FUNCTION KILL, …).
 */
export function busyReply(state: ServerState, session: Session, spec: CommandSpec): Reply | null {
  const scripts = state.loadedScripts;
  if (scripts === null || scripts.runningKind() === null || state.scriptCaller === session.id) {
    return null;
  }
  if (spec.flags.includes("allow_busy")) return null;
  const threshold = Number(state.config.value("busy-reply-threshold"));
  return scripts.isBusy(threshold) ? error(scripts.busyError()) : null;
}

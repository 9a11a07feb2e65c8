/**
 * Text/meta command dispatch: the auth and rate-limit gates, then a lookup in the merged tables
 * of every text command family by name (binary.ts dispatches binary requests by opcode).
 * @module
 */
import { hasNoreply, text, type TextCommand } from "../codec/text.ts";
import { loadOnce } from "../../../src/load_once.ts";
import { TEXT } from "../errors.ts";
import { ADMIN_COMMANDS } from "./admin.ts";
import { ARITHMETIC_COMMANDS } from "./arithmetic.ts";
import { line, type LineHandler, type Reply, type Session } from "./context.ts";
import { KEY_COMMANDS } from "./keys.ts";
import { RETRIEVAL_COMMANDS } from "./retrieval.ts";
import { storageCommand, tooLargeCommand } from "./storage.ts";

/**
 * Every one-line text command by name (storage commands carry data); the one-line meta commands
 * join when their module loads.
 */
const COMMANDS: Record<string, LineHandler> = {
  ...RETRIEVAL_COMMANDS,
  ...KEY_COMMANDS,
  ...ARITHMETIC_COMMANDS,
  ...ADMIN_COMMANDS,
};

/**
 * The meta commands (ms, which carries data, and meta.ts's one-line ones): their module loads
 * with the first one a client sends, so a start and clients that never use them skip it.
 */
export const META_NAMES: Readonly<Record<string, true>> = {
  ms: true,
  mg: true,
  md: true,
  ma: true,
  mn: true,
  me: true,
};

/**
 * Thrown by {@link runText} for a command whose module is not loaded yet, before any of it has
 * run: the connection loop waits for `done`, then frames the command again.
 */
export class ModuleLoading extends Error {
  constructor(readonly done: Promise<unknown>) {
    super("a command module is loading");
  }
}

let meta: typeof import("./meta.ts") | null = null;
const loadMeta = loadOnce(() =>
  import("./meta.ts").then((module) => {
    Object.assign(COMMANDS, module.META_COMMANDS);
    meta = module;
  })
);

/** Start loading the meta commands (once); what the connection loop waits for. */
function metaLoading(): ModuleLoading {
  return new ModuleLoading(loadMeta());
}

/** The reply to a command over the client's --rate-limit (nothing when it asked for none). */
export function textThrottled(cmd: TextCommand): Reply {
  const quiet = cmd.kind === "storage"
    ? cmd.noreply
    : cmd.kind === "line" && hasNoreply(cmd.tokens);
  return quiet ? [] : line(TEXT.RATE_LIMITED);
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
      if (meta === null) throw metaLoading();
      s.shared.counters.cmdMeta++;
      return meta.metaSet(s, cmd.tokens, cmd.data);
    case "line": {
      const name = cmd.tokens.length > 0 ? text(cmd.tokens[0]) : "";
      const handler = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
      if (!s.authenticated && name !== "quit") return line(TEXT.UNAUTHENTICATED);
      if (!handler) {
        if (meta === null && Object.hasOwn(META_NAMES, name)) throw metaLoading();
        // memcached drops a client that looks like it speaks HTTP.
        const last = cmd.tokens.length > 1 ? text(cmd.tokens[cmd.tokens.length - 1]) : "";
        if (last.startsWith("HTTP/")) s.closing = true;
        return s.closing ? [] : line(TEXT.ERROR);
      }
      if (Object.hasOwn(META_NAMES, name)) s.shared.counters.cmdMeta++;
      return handler(s, cmd.tokens);
    }
  }
}

/**
 * MONITOR: the clients watching every command the server runs, and the line each command shows
 * them (Redis's replicationFeedMonitors: `<unix s.us> [<db> <addr>] "ARG" "arg"`).
 * @module
 */
import type { CommandSpec } from "./command.ts";
import { PushFrame, type Subscriber } from "./pubsub.ts";
import { simple } from "./reply.ts";
import { latin1Text } from "../../src/bytes.ts";

/** The characters sdscatrepr writes as a backslash escape other than \xHH. */
const ESCAPES: Record<number, string> = {
  0x5c: "\\\\",
  0x22: '\\"',
  0x0a: "\\n",
  0x0d: "\\r",
  0x09: "\\t",
  0x07: "\\a",
  0x08: "\\b",
};

/** An argument as Redis quotes it (sdscatrepr): printable ASCII as is, other bytes escaped. */
export function quoteArg(bytes: Uint8Array): string {
  let out = '"';
  for (const b of bytes) {
    const escape = ESCAPES[b];
    if (escape !== undefined) out += escape;
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else out += "\\x" + b.toString(16).padStart(2, "0");
  }
  return out + '"';
}

const REDACTED = new TextEncoder().encode("(redacted)");

/** The arguments a monitor sees: passwords replaced, as Redis's redactClientCommandArgument. */
function redacted(argv: readonly Uint8Array[]): readonly Uint8Array[] {
  const name = latin1Text(argv[0]).toLowerCase();
  if (name === "auth") return argv.map((a, i) => i === 0 ? a : REDACTED);
  if (name !== "hello") return argv;
  const out = [...argv];
  for (let i = 2; i + 2 < out.length; i++) {
    if (latin1Text(out[i]).toLowerCase() === "auth") {
      out[i + 1] = REDACTED;
      out[i + 2] = REDACTED;
      i += 2;
    }
  }
  return out;
}

/** The clients in MONITOR mode, by client id. */
export class Monitors {
  readonly #watchers = new Map<number, Subscriber>();

  /** Whether any client monitors (checked before anything is formatted). */
  get active(): boolean {
    return this.#watchers.size > 0;
  }

  add(id: number, subscriber: Subscriber): void {
    this.#watchers.set(id, subscriber);
  }

  remove(id: number): void {
    this.#watchers.delete(id);
  }

  /**
   * Show a command that ran, unless Redis hides it: admin commands (CONFIG, ACL, DEBUG, …) and
   * those flagged skip_monitor (the scripting commands show themselves before their script).
   */
  command(spec: CommandSpec, db: number, source: string, argv: readonly Uint8Array[]): void {
    if (!this.active) return;
    if (spec.flags.includes("admin") || spec.flags.includes("skip_monitor")) return;
    this.feed(db, source, argv);
  }

  /** Send every monitor the line of `argv`, run in `db` by `source` ("ip:port" or "lua"). */
  feed(db: number, source: string, argv: readonly Uint8Array[]): void {
    if (!this.active) return;
    const micros = Math.floor((performance.timeOrigin + performance.now()) * 1000);
    const stamp = `${Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, "0")}`;
    const args = redacted(argv).map(quoteArg).join(" ");
    const frame = new PushFrame(simple(`${stamp} [${db} ${source}] ${args}`));
    for (const watcher of this.#watchers.values()) watcher.deliver(frame);
  }
}

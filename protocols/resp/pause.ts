/**
 * CLIENT PAUSE / UNPAUSE: while a pause lasts, other clients' commands (ALL) or only those that
 * may write (WRITE) wait before running until it ends; reads go on.
 * @module
 */
import type { CommandSpec } from "./command.ts";

export type PauseMode = "write" | "all";

/** Commands a WRITE pause holds back (Redis: CMD_WRITE or CMD_MAY_REPLICATE). */
function mayWrite(spec: CommandSpec): boolean {
  return spec.flags.includes("write") || spec.flags.includes("may_replicate") ||
    spec.name === "exec";
}

/** One server's pause state. */
export class Pause {
  #mode: PauseMode = "write";
  #by = 0;
  #end = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #ended: Promise<void> | null = null;
  #release: () => void = () => {};

  /** Pause until `ms` from now; a pause in force is only ever extended or made stricter. */
  pause(clientId: number, ms: number, mode: PauseMode): void {
    const end = Date.now() + ms;
    if (this.#ended === null) {
      this.#ended = new Promise((resolve) => this.#release = resolve);
      this.#mode = mode;
    } else if (mode === "all") {
      this.#mode = "all";
    }
    this.#by = clientId;
    if (end > this.#end || this.#timer === undefined) {
      this.#end = Math.max(end, this.#end);
      clearTimeout(this.#timer);
      this.#timer = setTimeout(() => this.unpause(), Math.min(this.#end - Date.now(), 2 ** 31 - 1));
    }
  }

  /** CLIENT UNPAUSE, or the pause ran out: everyone held back goes on. */
  unpause(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#end = 0;
    const release = this.#release;
    this.#ended = null;
    release();
  }

  /** Null when `spec` may run now for this client, else a promise that settles when it may. */
  hold(clientId: number, spec: CommandSpec): Promise<void> | null {
    if (this.#ended === null || clientId === this.#by) return null;
    if (this.#mode === "write" && !mayWrite(spec)) return null;
    if (spec.name === "unpause") return null;
    return this.#ended;
  }
}

/**
 * CLIENT PAUSE / UNPAUSE: while a pause lasts, every client's commands (ALL, CLIENT UNPAUSE
 * included, as in Redis) or only those that may write (WRITE) wait until it ends; under WRITE,
 * reads go on.
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
  #end = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #ended: Promise<void> | null = null;
  #release: () => void = () => {};

  /** Pause until `ms` from now; a pause in force is only ever extended or made stricter. */
  pause(ms: number, mode: PauseMode): void {
    const end = Date.now() + ms;
    if (this.#ended === null) {
      this.#ended = new Promise((resolve) => this.#release = resolve);
      this.#mode = mode;
    } else if (mode === "all") {
      this.#mode = "all";
    }
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

  /** Null when `spec` may run now, else a promise that settles when the pause ends. */
  hold(spec: CommandSpec): Promise<void> | null {
    if (this.#ended === null) return null;
    if (this.#mode === "write" && !mayWrite(spec)) return null;
    return this.#ended;
  }
}

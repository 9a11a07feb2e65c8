/**
 * Deadlines for request bodies still arriving, checked by one timer for all of them: a timer of
 * its own per request (set, then cleared) cost more than reading a small body.
 * @module
 */
import { every, type Ticker } from "../../src/ticker.ts";

/** How often the pending deadlines are checked: a late body is noticed within this. */
const SWEEP_MS = 250;

interface Pending {
  at: number;
  late: (value: null) => void;
}

/** Bodies being read, each with the time it must have arrived by. */
export class Deadlines {
  #pending = new Set<Pending>();
  #timer: Ticker | undefined;

  /**
   * A promise that resolves to null once `ms` have passed, unless `release` is called first;
   * call `release` when the body is in (or has failed).
   */
  watch(ms: number): { late: Promise<null>; release: () => void } {
    let entry!: Pending;
    const late = new Promise<null>((resolve) => entry = { at: Date.now() + ms, late: resolve });
    this.#pending.add(entry);
    // The project's unref'd tick: pending reads must not keep an idle process alive.
    this.#timer ??= every(SWEEP_MS, () => this.#sweep());
    return { late, release: () => this.#pending.delete(entry) };
  }

  #sweep(): void {
    const now = Date.now();
    for (const entry of this.#pending) {
      if (entry.at > now) continue;
      this.#pending.delete(entry);
      entry.late(null);
    }
    // Stopped while nothing is pending; the next watch starts it again.
    if (this.#pending.size === 0) {
      this.#timer?.stop();
      this.#timer = undefined;
    }
  }
}

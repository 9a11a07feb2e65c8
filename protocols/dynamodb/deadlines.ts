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
   * What `reading` gives, or null once `ms` have passed before it settled. One promise per
   * request: a separate deadline promise raced against the read cost two more and a closure.
   */
  within<T>(reading: Promise<T>, ms: number): Promise<T | null> {
    return new Promise<T | null>((resolve, reject) => {
      const entry: Pending = { at: Date.now() + ms, late: resolve };
      this.#pending.add(entry);
      // The project's unref'd tick: pending reads must not keep an idle process alive.
      this.#timer ??= every(SWEEP_MS, () => this.#sweep());
      reading.then((value) => {
        this.#pending.delete(entry);
        resolve(value);
      }, (error) => {
        this.#pending.delete(entry);
        reject(error);
      });
    });
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

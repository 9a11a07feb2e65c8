/**
 * A gate between readers and the rare multi-atomic apply: readers pass freely (a counter)
 * unless an apply holds the gate; the apply waits for readers in flight, then runs alone.
 * @module
 */

/** Readers share the gate; `exclusive` holds it alone. */
export class ReadGate {
  #readers = 0;
  #drained: (() => void) | null = null;
  #held: Promise<unknown> | null = null;

  /** True when no apply holds the gate: a reader that needs no await may go straight in. */
  get open(): boolean {
    return this.#held === null;
  }

  /** Enter as a reader; returns a promise only when an apply holds the gate. */
  enter(): Promise<void> | void {
    if (this.#held === null) {
      this.#readers++;
      return;
    }
    return this.#held.then(() => this.enter(), () => this.enter());
  }

  /** Leave as a reader. */
  leave(): void {
    this.#readers--;
    if (this.#readers === 0 && this.#drained) this.#drained();
  }

  /** Run `fn` with no reader inside. */
  async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    while (this.#held) await this.#held.catch(() => {});
    const run = (async () => {
      if (this.#readers > 0) await new Promise<void>((r) => this.#drained = r);
      this.#drained = null;
      return await fn();
    })();
    this.#held = run;
    try {
      return await run;
    } finally {
      this.#held = null;
    }
  }

  /** Run a read inside the gate. */
  async read<T>(fn: () => Promise<T>): Promise<T> {
    const wait = this.enter();
    if (wait) await wait;
    try {
      return await fn();
    } finally {
      this.leave();
    }
  }
}

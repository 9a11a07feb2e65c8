/**
 * Per-connection ordering of store operations: writes go to the write loop in request order
 * without waiting for each other, a read waits for the connection's earlier writes, and a write
 * waits for the reads before it (so a pipelined `get` never sees a later `set`).
 * @module
 */

/** Orders one connection's reads and writes. */
export class Sequencer {
  #reads: Promise<unknown>[] = [];
  #lastWrite: Promise<unknown> | null = null;
  #gate: Promise<void> | null = null;
  #lastRead: Promise<unknown> | null = null;

  /** True when none of this connection's operations is in flight: a read may run at once. */
  get idle(): boolean {
    return this.#lastWrite === null && this.#lastRead === null && this.#gate === null;
  }

  /** Submit a write (in order with this connection's other writes). */
  write<T>(fn: () => Promise<T>): Promise<T> {
    let result: Promise<T>;
    if (this.#reads.length === 0 && this.#gate === null) {
      result = fn();
    } else {
      const before = Promise.all([this.#gate, ...this.#reads]);
      let submitted!: () => void;
      const gate = new Promise<void>((resolve) => submitted = resolve);
      result = before.then(() => {
        try {
          return fn();
        } finally {
          submitted();
        }
      });
      this.#gate = gate;
      gate.then(() => {
        if (this.#gate === gate) this.#gate = null;
      });
    }
    this.#reads = [];
    this.#lastWrite = result;
    const done = () => {
      if (this.#lastWrite === result) this.#lastWrite = null;
    };
    result.then(done, done);
    return result;
  }

  /**
   * Run a read after this connection's earlier writes are durable. Reads run concurrently, but
   * each settles only after the previous one, so what callers do with results stays in order.
   */
  read<T>(fn: () => Promise<T>): Promise<T> {
    const wait = this.#lastWrite;
    const started = wait ? wait.then(fn, fn) : fn();
    const previous = this.#lastRead;
    const result = previous ? previous.then(() => started) : started;
    const settled = result.catch(() => {});
    this.#lastRead = settled;
    settled.then(() => {
      if (this.#lastRead === settled) this.#lastRead = null;
    });
    this.#reads.push(settled);
    return result;
  }
}

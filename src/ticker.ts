/**
 * Background ticks that cost a start nothing: Deno's setTimeout and setInterval load its Node
 * timer layer (node:timers and some twenty internal modules) on their first call, which a start
 * would otherwise pay; Atomics.waitAsync's timeout is V8's own, and like an unref'd timer it
 * never keeps the process alive.
 * @module
 */

/** A tick source until stopped. */
export interface Ticker {
  stop(): void;
}

/**
 * Call `fn` once `ms` (> 0) from now, then again every `ms` when `repeat`; `stop` cancels the
 * next call. Never keeps the process alive, as `Deno.unrefTimer` would have it.
 */
function tick(ms: number, repeat: boolean, fn: () => void): Ticker {
  const cell = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
  let stopped = false;
  const arm = () => {
    const wait = Atomics.waitAsync(cell, 0, 0, ms);
    if (!wait.async) throw new RangeError(`ticker: bad interval ${ms} ms`);
    wait.value.then(() => {
      if (stopped) return;
      if (repeat) arm();
      fn();
    });
  };
  arm();
  return {
    stop() {
      stopped = true;
      Atomics.notify(cell, 0);
    },
  };
}

/** Call `fn` every `ms` (> 0) milliseconds, the first time `ms` from now, until stopped. */
export function every(ms: number, fn: () => void): Ticker {
  return tick(ms, true, fn);
}

/** Call `fn` once, `ms` (> 0) milliseconds from now, unless stopped first. */
export function after(ms: number, fn: () => void): Ticker {
  return tick(ms, false, fn);
}

/**
 * Gives memory back once the server goes quiet: under load V8 grows its young generation to
 * the maximum and leaves the old space full of garbage, and glibc keeps the pages it freed,
 * and neither shrinks on its own while Deno sits idle. Idle RSS then follows the load just
 * served instead of the live data (the read cache and a fixed overhead).
 * @module
 */
import process from "node:process";
import v8 from "node:v8";
import vm from "node:vm";

/** How often the heap is looked at. */
const TICK_MS = 500;
/** Quiet ticks in a row that make the process idle. */
const IDLE_TICKS = 2;
/** Heap change between two ticks under which a tick counts as quiet. */
const QUIET_BYTES = 1 << 20;
/**
 * ...and the share of one core the process may have used during it (all threads: the store's
 * too; an idle server uses under 1 %). The heap alone misjudged a loaded server as quiet: under
 * random GETs over 1M keys two ticks in a row saw it move less than 1 MiB, and the reduction's
 * blocking collections (0.3-0.5 s each, two of them) landed in the middle of the load.
 */
const QUIET_CPU_SHARE = 0.03;
/** Reduce only when RSS exceeds what the last reduction left by this much. */
const SLACK_BYTES = 16 << 20;
/**
 * Under load V8 lets the old generation fill with garbage to about four times what its last
 * full collection kept before it collects again, and the pages it grew stay committed until
 * idle (measured: 230-260 MiB of old space for 63 MiB live, RSS 450-500 MiB, under random GETs
 * over 2M keys). A collection once the heap holds this much over twice the smallest size seen
 * since the last one keeps it near twice the live data.
 */
const LOAD_GROWTH_BYTES = 32 << 20;
/**
 * ...and only once the heap holds this much: the collection gc() starts is never incremental
 * (measured with --trace-gc, whatever its options: two full blocking mark-compacts, 0.3-0.8 s
 * together with a 64 MiB cache), so on a small heap it cost a loaded server more CPU than all
 * its other collections, for memory V8's own incremental collections give back anyway. Set at
 * the 2M-key case above (2 × 63 + 32 MiB): the large heaps it was added for are unchanged.
 */
const LOAD_COLLECT_MIN_BYTES = 160 << 20;

/** V8's gc() with the options its gc extension takes. */
export type Gc = (options: {
  type: "major";
  execution: "sync" | "async";
  flavor: "last-resort" | "regular";
}) => void;

/** Tuning, for tests. */
export interface ReducerOptions {
  tickMs?: number;
  slackBytes?: number;
}

/** A running reducer. */
export interface MemoryReducer {
  /** Reductions done so far. */
  readonly reductions: number;
  /** Collections started under load (heap grown past twice its low). */
  readonly collections: number;
  stop(): void;
}

/**
 * V8's gc(), without `--expose-gc` on the command line (so every way basekv runs gets it):
 * the flag is set just long enough to create one context that has it.
 */
export function exposeGc(): Gc | null {
  try {
    v8.setFlagsFromString("--expose-gc");
    const gc = vm.runInNewContext("gc") as Gc;
    v8.setFlagsFromString("--no-expose-gc");
    return typeof gc === "function" ? gc : null;
  } catch {
    return null;
  }
}

/** glibc's malloc_trim(0), when the process may load native code and libc has it. */
function openMallocTrim(): (() => void) | null {
  try {
    if (Deno.build.os !== "linux") return null;
    if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") return null;
    const lib = Deno.dlopen(
      "libc.so.6",
      {
        malloc_trim: { parameters: ["usize"], result: "i32" },
      } as const,
    );
    return () => void lib.symbols.malloc_trim(0n);
  } catch {
    return null;
  }
}

/** CPU time the process has used so far (every thread), in µs. */
function cpuMicros(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

/**
 * Watch the heap; after {@link IDLE_TICKS} quiet ticks, if RSS grew by {@link SLACK_BYTES} since
 * the last reduction, run V8's memory-reducing collection (the one it runs on a low-memory
 * notification: compacts, shrinks the young generation, releases pages) and malloc_trim.
 */
export function startMemoryReducer(options: ReducerOptions = {}): MemoryReducer {
  const slack = options.slackBytes ?? SLACK_BYTES;
  const gc = exposeGc();
  const trim = openMallocTrim();
  const tickMs = options.tickMs ?? TICK_MS;
  let lastUsed = v8.getHeapStatistics().used_heap_size;
  let lastCpu = cpuMicros();
  let lastTick = performance.now();
  let quiet = 0;
  let floor = Deno.memoryUsage().rss;
  let reductions = 0;
  let collections = 0;
  /** The smallest heap seen since the last collection this reducer started: ≈ the live data. */
  let low = Infinity;
  const timer = setInterval(() => {
    const used = v8.getHeapStatistics().used_heap_size;
    const cpu = cpuMicros();
    const now = performance.now();
    const idle = cpu - lastCpu < (now - lastTick) * 1000 * QUIET_CPU_SHARE;
    quiet = idle && Math.abs(used - lastUsed) < QUIET_BYTES ? quiet + 1 : 0;
    lastUsed = used;
    lastCpu = cpu;
    lastTick = now;
    low = Math.min(low, used);
    if (gc && used > LOAD_COLLECT_MIN_BYTES && used > 2 * low + LOAD_GROWTH_BYTES) {
      // Run from a task, not this tick, but still a full blocking pause (see above).
      gc({ type: "major", execution: "async", flavor: "regular" });
      collections++;
      low = Infinity;
    }
    // Growth counts from the lowest RSS seen since the last reduction: memory given back meanwhile
    // by something else (a closed store, a finished worker) does not hide the heap's growth.
    const rss = Deno.memoryUsage().rss;
    floor = Math.min(floor, rss);
    if (quiet < IDLE_TICKS || rss < floor + slack) return;
    gc?.({ type: "major", execution: "sync", flavor: "last-resort" });
    trim?.();
    reductions++;
    lastUsed = v8.getHeapStatistics().used_heap_size;
    // The reduction's own CPU does not make the next tick busy.
    lastCpu = cpuMicros();
    lastTick = performance.now();
    floor = Deno.memoryUsage().rss;
  }, tickMs);
  Deno.unrefTimer(timer);
  return {
    get reductions() {
      return reductions;
    },
    get collections() {
      return collections;
    },
    stop: () => clearInterval(timer),
  };
}

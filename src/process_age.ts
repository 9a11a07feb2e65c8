/**
 * How long this process has been running. Deno starts `performance.now()` some 50-60 ms into its
 * own boot, so the ready line would leave that out; Linux's /proc knows the real start.
 * @module
 */

/** Linux's USER_HZ: /proc counts process start times in these ticks. */
const TICKS_PER_SECOND = 100;

/** Milliseconds since the process started (10 ms resolution on Linux; else since Deno's boot). */
export function processAgeMs(): number {
  try {
    const stat = Deno.readTextFileSync("/proc/self/stat");
    // Fields after "pid (comm) ": state is field 3, so starttime (field 22) is at index 19.
    const startTicks = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19]);
    const uptimeSeconds = Number(Deno.readTextFileSync("/proc/uptime").split(" ")[0]);
    const age = (uptimeSeconds - startTicks / TICKS_PER_SECOND) * 1000;
    if (Number.isFinite(age) && age >= 0) return Math.round(age);
  } catch {
    // Not Linux, or /proc not readable: Deno's own clock is the best left.
  }
  return Math.round(performance.now());
}

/**
 * This process's CPU time, for Redis INFO and memcached stats, without node:process (whose
 * compatibility layer would double the server's start time).
 * @module
 */

/** Microseconds of CPU this process has used, in user and system mode. */
export interface CpuUsage {
  user: number;
  system: number;
}

// Deno has it (node:process's cpuUsage is built on it) but does not declare it in its types.
const denoCpuUsage = (Deno as unknown as { cpuUsage?: () => CpuUsage }).cpuUsage;

/** CPU used so far; zeros where the runtime cannot tell. */
export function cpuUsage(): CpuUsage {
  return denoCpuUsage?.() ?? { user: 0, system: 0 };
}

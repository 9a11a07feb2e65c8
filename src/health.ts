/**
 * Readiness, as CI pipelines poll for it: one report (the enabled protocols and their addresses,
 * the store kind) served as `GET /health` on the HTTP port and written to `--ready-file`.
 * @module
 */
import { VERSION } from "./version.ts";

/** What `GET /health` answers and `--ready-file` holds. */
export interface HealthReport {
  /** "ok" once every enabled protocol listens; "starting" before. */
  status: "ok" | "starting";
  version: string;
  /** Each enabled protocol's address, by name, once it listens. */
  protocols: Record<string, string>;
  /** Where the data lives: "memory", "file" or "remote". */
  store: string;
  /** Milliseconds from process start to ready; null while starting. */
  readyMs: number | null;
}

/** A report of the server as it stands. */
export function healthReport(
  store: string,
  protocols: ReadonlyMap<string, { address: string }>,
  readyMs: number | null,
): HealthReport {
  return {
    status: readyMs === null ? "starting" : "ok",
    version: VERSION,
    protocols: Object.fromEntries([...protocols].map(([name, s]) => [name, s.address])),
    store,
    readyMs,
  };
}

/** The report as an HTTP answer: 200 when ready, 503 while starting. */
export function healthResponse(report: HealthReport): Response {
  return Response.json(report, { status: report.status === "ok" ? 200 : 503 });
}

/**
 * Write the report to `path` so it appears whole: written beside it, then renamed over it.
 * Returns a function that removes it (at exit, so a stale file never claims readiness).
 */
export async function writeReadyFile(path: string, report: HealthReport): Promise<() => void> {
  const partial = `${path}.${Deno.pid}.tmp`;
  await Deno.writeTextFile(partial, JSON.stringify(report) + "\n");
  await Deno.rename(partial, path);
  return () => {
    try {
      Deno.removeSync(path);
    } catch {
      // Already gone.
    }
  };
}

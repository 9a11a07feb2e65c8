/**
 * Shared pieces of the benchmark: run-size knobs, statistics, interleaved rounds, basekv as a
 * child process driven only through main.ts flags and the wire, and small wire probes.
 * @module
 */
import { freePort } from "../tests/helpers/ports.ts";

export { freePort };

/** `BASEKV_BENCH_QUICK=1` shrinks every request count so the harness can be checked in a minute. */
export const QUICK = Deno.env.get("BASEKV_BENCH_QUICK") === "1";

/** A request count: `full` normally, `quick` under BASEKV_BENCH_QUICK=1. */
export function count(full: number, quick: number): number {
  return QUICK ? quick : full;
}

/** Interleaved rounds per workload (A B A B …); medians are taken over them. */
export const ROUNDS = Number(Deno.env.get("BASEKV_BENCH_ROUNDS") ?? 3);

/** Keys the workloads draw from at random (never one hot key). */
export const KEYSPACE = count(100_000, 10_000);

/** Throughput and latency of one workload on one server. */
export interface Stat {
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
}

/** One line of a report table: basekv against its reference, and the issue's target ratio. */
export interface Row {
  workload: string;
  basekv: Stat;
  reference: Stat;
  /** Lowest acceptable basekv/reference ops/s ratio. */
  target: number;
  /** A third server measured in the same rounds (the bare Deno KV floor of a write). */
  floor?: Stat;
}

/** A single figure with its limit from the issues (e.g. start time ≤ 150 ms). */
export interface Figure {
  name: string;
  value: number;
  unit: string;
  max?: number;
  min?: number;
  note?: string;
}

/** One protocol's part of the report. */
export interface Section {
  title: string;
  reference: string;
  rows: Row[];
  figures?: Figure[];
  notes?: string[];
}

export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The q-quantile (0..1) of already sorted values. */
export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** Ops/s and latency quantiles from per-request latencies over `elapsedMs`. */
export function statOf(latenciesMs: number[], ops: number, elapsedMs: number): Stat {
  const sorted = latenciesMs.sort((a, b) => a - b);
  return {
    opsPerSec: ops / (elapsedMs / 1000),
    p50Ms: quantile(sorted, 0.5),
    p99Ms: quantile(sorted, 0.99),
  };
}

/** Field-wise median of several rounds. */
export function medianStat(stats: Stat[]): Stat {
  return {
    opsPerSec: median(stats.map((s) => s.opsPerSec)),
    p50Ms: median(stats.map((s) => s.p50Ms)),
    p99Ms: median(stats.map((s) => s.p99Ms)),
  };
}

/**
 * Run basekv and the reference alternately for ROUNDS rounds so load from elsewhere on the
 * machine hits both alike; returns the row of medians.
 */
export async function interleaved(
  workload: string,
  target: number,
  basekv: () => Promise<Stat>,
  reference: () => Promise<Stat>,
  floor?: () => Promise<Stat>,
): Promise<Row> {
  const ours: Stat[] = [];
  const theirs: Stat[] = [];
  const floors: Stat[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    ours.push(await basekv());
    theirs.push(await reference());
    if (floor) floors.push(await floor());
  }
  const row: Row = { workload, basekv: medianStat(ours), reference: medianStat(theirs), target };
  if (floor) row.floor = medianStat(floors);
  const ratio = row.basekv.opsPerSec / row.reference.opsPerSec;
  console.log(
    `  ${workload.padEnd(28)} basekv ${fmtRate(row.basekv.opsPerSec).padStart(8)}/s  ` +
      `reference ${fmtRate(row.reference.opsPerSec).padStart(8)}/s  ratio ${ratio.toFixed(2)}`,
  );
  return row;
}

export function fmtRate(n: number): string {
  if (!Number.isFinite(n)) return "-";
  return n >= 10_000 ? `${(n / 1000).toFixed(1)}k` : String(Math.round(n));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** How long the idle RSS is waited for: the memory reducer runs once the server is quiet. */
const IDLE_WAIT_MS = 10_000;

/** RSS once it stops falling (the idle reducer has run), waiting at most {@link IDLE_WAIT_MS}. */
export async function idleRss(rss: () => Promise<number>): Promise<number> {
  let last = await rss();
  for (let waited = 0; waited < IDLE_WAIT_MS; waited += 1000) {
    await sleep(1000);
    const now = await rss();
    if (now >= last - 1 && waited >= 3000) return now;
    last = now;
  }
  return last;
}

// ---------------------------------------------------------------------------------------------
// Wire probes

const enc = new TextEncoder();

/** Send `request` on a fresh connection; resolve once `done(reply)` holds. */
export async function ask(
  port: number,
  request: string | Uint8Array,
  done: (reply: string) => boolean,
): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    return await askOn(conn, request, done);
  } finally {
    conn.close();
  }
}

/** Like `ask`, on an open connection. */
export async function askOn(
  conn: Deno.Conn,
  request: string | Uint8Array,
  done: (reply: string) => boolean,
): Promise<string> {
  await conn.write(typeof request === "string" ? enc.encode(request) : request);
  const buf = new Uint8Array(64 * 1024);
  const dec = new TextDecoder();
  let reply = "";
  while (!done(reply)) {
    const n = await conn.read(buf);
    if (n === null) throw new Error(`connection closed; got ${JSON.stringify(reply)}`);
    reply += dec.decode(buf.subarray(0, n), { stream: true });
  }
  return reply;
}

/** One RESP command, encoded. */
export function resp(...args: string[]): string {
  return `*${args.length}\r\n${args.map((a) => `$${enc.encode(a).length}\r\n${a}\r\n`).join("")}`;
}

/** True once a RESP reply that is a simple line or a bulk string is complete. */
export function respComplete(reply: string): boolean {
  if (!reply.includes("\r\n")) return false;
  if (reply[0] !== "$") return true;
  const len = Number(reply.slice(1, reply.indexOf("\r\n")));
  return len < 0 || reply.length >= reply.indexOf("\r\n") + 2 + len + 2;
}

/** Protocol-level "are you there" per port kind: PING, `version`, any HTTP reply. */
const PROBES = {
  redis: { request: resp("PING"), done: (r: string) => r.includes("\r\n") },
  memcached: { request: "version\r\n", done: (r: string) => r.includes("\r\n") },
  http: {
    request: "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
    done: (r: string) => r.includes("\r\n"),
  },
} as const;

export type PortKind = keyof typeof PROBES;

/** Poll until every port answers its protocol's probe; throws after `timeoutMs`. */
export async function waitAnswering(
  ports: Partial<Record<PortKind, number>>,
  timeoutMs = 60_000,
  exited?: () => boolean,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  await Promise.all(
    Object.entries(ports).map(async ([kind, port]) => {
      const probe = PROBES[kind as PortKind];
      while (true) {
        try {
          await ask(port!, probe.request, probe.done);
          return;
        } catch (error) {
          if (exited?.()) throw new Error("server exited before it answered");
          if (performance.now() > deadline) {
            throw new Error(`${kind} port ${port} not answering: ${(error as Error).message}`);
          }
          await sleep(2);
        }
      }
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// basekv as a child process

const MAIN = new URL("../main.ts", import.meta.url).pathname;

/**
 * The V8 flags basekv is served with (deno.json's `serve` task, which `make serve` runs and
 * `deno compile` bakes in): a bench must measure the memory a served basekv takes.
 */
export const SERVE_V8_FLAGS: string[] = (() => {
  const config = JSON.parse(Deno.readTextFileSync(new URL("../deno.json", import.meta.url)));
  return (config.tasks.serve as string).split(" ").filter((a) => a.startsWith("--v8-flags="));
})();

/** A running basekv child. */
export interface Basekv extends AsyncDisposable {
  ports: Record<PortKind, number>;
  /** Milliseconds from spawn to every enabled port answering. */
  startMs: number;
  /** The start time basekv's ready line reports (from its own process start). */
  readyMs: number;
  /** Resident set size now, in MiB. */
  rssMiB(): Promise<number>;
  stop(): Promise<void>;
}

/** Options for one basekv start. */
export interface BasekvOptions {
  /** `--data=PATH`; omitted means `--memory`. */
  data?: string;
  /** `--kv-url=URL` (a shared remote store); wins over `data`. */
  kvUrl?: string;
  protocols?: PortKind[];
  extraArgs?: string[];
}

/** Resident set size of a process in MiB, from /proc. */
export async function rssOf(pid: number): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  const kb = Number(status.match(/VmRSS:\s+(\d+)/)?.[1] ?? NaN);
  return kb / 1024;
}

/** `work`'s result and the highest RSS (MiB) that `rss` read, every `everyMs`, while it ran. */
export async function peakRssDuring<T>(
  rss: () => Promise<number>,
  work: () => Promise<T>,
  everyMs = 200,
): Promise<{ value: T; peakMiB: number }> {
  let peakMiB = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      peakMiB = Math.max(peakMiB, await rss());
      await sleep(everyMs);
    }
  })();
  try {
    return { value: await work(), peakMiB };
  } finally {
    sampling = false;
    await sampler;
  }
}

/** Start main.ts on fresh loopback ports and wait until every enabled port answers. */
export async function startBasekv(options: BasekvOptions = {}): Promise<Basekv> {
  const kinds = options.protocols ?? ["redis", "memcached", "http"];
  const ports = { redis: 0, memcached: 0, http: 0 };
  for (const k of kinds) ports[k] = freePort();
  const protocolNames = kinds.map((k) => k === "http" ? "dynamodb" : k);
  const args = [
    "run",
    "-A",
    "--unstable-kv",
    ...SERVE_V8_FLAGS,
    MAIN,
    options.kvUrl
      ? `--kv-url=${options.kvUrl}`
      : options.data
      ? `--data=${options.data}`
      : "--memory",
    `--protocols=${protocolNames.join(",")}`,
    ...kinds.map((k) => `--${k}-port=${ports[k]}`),
    "--log-level=error",
    ...(options.extraArgs ?? []),
  ];
  const t0 = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = echoed(child.stderr);
  // The ready line comes once every listener is up: wait for it rather than probe in a tight
  // loop, whose connection attempts would take CPU from the start being measured.
  const ready = readyLine(child.stdout);
  let exited = false;
  child.status.then(() => exited = true);
  const enabled = Object.fromEntries(kinds.map((k) => [k, ports[k]]));
  const stop = async () => {
    if (!exited) child.kill("SIGTERM");
    await child.status;
    await stderr;
  };
  let readyMs = NaN;
  try {
    readyMs = Number((await ready).match(/ready in (\d+) ms/)?.[1] ?? NaN);
    await waitAnswering(enabled, 120_000, () => exited);
  } catch (error) {
    await stop();
    throw new Error(`basekv did not start (${(error as Error).message}): ${await stderr}`);
  }
  return {
    ports,
    startMs: performance.now() - t0,
    readyMs,
    rssMiB: () => rssOf(child.pid),
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

/**
 * All of a server's stderr, also echoed to the bench's own as it arrives: an error basekv logs
 * mid-run (a 500's stack) is the first thing to read when a workload fails.
 */
async function echoed(stderr: ReadableStream<Uint8Array>): Promise<string> {
  let text = "";
  for await (const chunk of stderr.pipeThrough(new TextDecoderStream())) {
    text += chunk;
    console.error(chunk.trimEnd().replace(/^/gm, "basekv stderr: "));
  }
  return text;
}

/** The first line of `stdout` (the rest is read and dropped); "" if it ends before one. */
async function readyLine(stdout: ReadableStream<Uint8Array>): Promise<string> {
  const reader = stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) return text;
    text += value;
  }
  (async () => {
    while (!(await reader.read()).done) { /* drain */ }
  })().catch(() => {});
  return text.slice(0, text.indexOf("\n"));
}

/** A reference server child process started from a command line. */
export interface RefServer extends AsyncDisposable {
  port: number;
  pid: number;
  stop(): Promise<void>;
}

/** Spawn `cmd args` and wait until `port` answers as `kind`. */
export async function startRef(
  cmd: string,
  args: string[],
  port: number,
  kind: PortKind,
): Promise<RefServer> {
  const child = new Deno.Command(cmd, { args, stdout: "null", stderr: "null" }).spawn();
  let exited = false;
  child.status.then(() => exited = true);
  const stop = async () => {
    if (!exited) child.kill("SIGTERM");
    await child.status;
  };
  try {
    await waitAnswering({ [kind]: port }, 120_000, () => exited);
  } catch (error) {
    await stop();
    throw new Error(`${cmd} did not start: ${(error as Error).message}`);
  }
  return { port, pid: child.pid, stop, [Symbol.asyncDispose]: stop };
}

/**
 * Median latency in ms of `n` sequential calls of `fn`, fewer (at least one) once they have taken
 * `budgetMs` in all: a slow count query must not stretch the run by minutes.
 */
export async function medianLatency(
  n: number,
  fn: () => Promise<unknown>,
  budgetMs = 5000,
): Promise<number> {
  const times: number[] = [];
  const stopAt = performance.now() + budgetMs;
  for (let i = 0; i < n && (i === 0 || performance.now() < stopAt); i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return median(times);
}

/** The key redis-benchmark's `__rand_int__` expands to for index `i`: 12 digits, zero-padded. */
export function benchKey(prefix: string, i: number): string {
  return `${prefix}${String(i).padStart(12, "0")}`;
}

/**
 * Write keys `prefix000000000000`… (`from` to `to`-1) with `valueBytes`-byte values over
 * `connections` connections, `depth` SETs in flight per connection; returns SETs/s.
 */
export async function loadRedisKeys(
  port: number,
  prefix: string,
  from: number,
  to: number,
  valueBytes: number,
  connections = 50,
  depth = 16,
): Promise<number> {
  const value = "v".repeat(valueBytes);
  let next = from;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: connections }, async () => {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    conn.setNoDelay(true);
    const buf = new Uint8Array(64 * 1024);
    try {
      while (next < to) {
        const start = next;
        const end = Math.min(to, start + depth);
        next = end;
        let batch = "";
        for (let i = start; i < end; i++) batch += resp("SET", benchKey(prefix, i), value);
        await conn.write(enc.encode(batch));
        // Each SET reply is one line ("+OK" or an error): count line ends.
        let lines = 0;
        let lineStart = true;
        while (lines < end - start) {
          const n = await conn.read(buf);
          if (n === null) throw new Error("connection closed during load");
          for (let i = 0; i < n; i++) {
            if (lineStart && buf[i] === 0x2d) {
              throw new Error(`SET failed: ${new TextDecoder().decode(buf.subarray(i, n))}`);
            }
            lineStart = buf[i] === 0x0a;
            if (lineStart) lines++;
          }
        }
      }
    } finally {
      conn.close();
    }
  }));
  return (to - from) / ((performance.now() - t0) / 1000);
}

/** Print figures as they are measured, for the console log of a run. */
export function logFigures(figures: Figure[]): void {
  for (const f of figures) console.log(`  ${f.name}: ${f.value.toFixed(2)} ${f.unit}`);
}

/** First line a program prints for `args` (its version), or "unknown version". */
export async function versionOf(cmd: string, args: string[]): Promise<string> {
  try {
    const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "null" }).output();
    return new TextDecoder().decode(out.stdout).split("\n")[0].trim();
  } catch {
    return "unknown version";
  }
}

/**
 * The bare Deno KV server (bench/kv_floor_server.ts) on file `data`: what any server that commits
 * each write durably to Deno KV can reach on this machine; `basekv` reads a basekv file's strings,
 * `http` takes DynamoDB writes, `memcached` memcached text sets.
 */
export async function startFloor(
  data: string,
  layout?: "basekv" | "http" | "memcached",
): Promise<RefServer> {
  const port = freePort();
  const script = new URL("./kv_floor_server.ts", import.meta.url).pathname;
  const args = ["run", "-A", "--unstable-kv", script, data, String(port)];
  return await startRef(
    Deno.execPath(),
    layout ? [...args, layout] : args,
    port,
    layout === "http" ? "http" : layout === "memcached" ? "memcached" : "redis",
  );
}

/** The floor of a write row, as a figure: its ops/s, its ratio and basekv's share of it. */
export function floorFigure(row: Row, floor: Stat): Figure {
  const ofReference = floor.opsPerSec / row.reference.opsPerSec;
  return {
    name: `${row.workload}: floor server (bench/kv_floor_server.ts)`,
    value: Math.round(floor.opsPerSec),
    unit: "ops/s",
    note: `${ofReference.toFixed(2)} of the reference, so a ratio above it is out of reach for ` +
      `any server built as the floor is; basekv reaches ${
        (row.basekv.opsPerSec / floor.opsPerSec).toFixed(2)
      } of it (p50 ${floor.p50Ms.toFixed(2)} ms)`,
  };
}

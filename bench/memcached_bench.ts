/**
 * Memcached benchmark: get-only, set-only and 90/10 get/set at 16 and 50 connections, against
 * basekv (file store) and Debian's memcached started here, in the same run, with one Deno load
 * generator (one request in flight per connection). Prints ops/s, p50 and the ratio.
 * Run: deno task bench memcached
 * @module
 */
import { freePort, waitForPort } from "../tests/helpers/ports.ts";

/** Seconds each workload runs per server. */
const DURATION_MS = 3000;
const KEYS = 10_000;
const VALUE_BYTES = 100;
const CONCURRENCY = [16, 50] as const;
const WORKLOADS = [
  { name: "get-only", getRatio: 1 },
  { name: "set-only", getRatio: 0 },
  { name: "90% get / 10% set", getRatio: 0.9 },
] as const;

const enc = new TextEncoder();
const VALUE = "v".repeat(VALUE_BYTES);
const END = enc.encode("END\r\n");
const STORED = enc.encode("STORED\r\n");

function endsWith(buf: Uint8Array, n: number, suffix: Uint8Array): boolean {
  if (n < suffix.length) return false;
  for (let i = 0; i < suffix.length; i++) {
    if (buf[n - suffix.length + i] !== suffix[i]) return false;
  }
  return true;
}

/** One request, one reply: read until the reply's terminator. */
async function roundTrip(conn: Deno.TcpConn, req: Uint8Array, done: Uint8Array, buf: Uint8Array) {
  await conn.write(req);
  let n = 0;
  while (!endsWith(buf, n, done)) {
    const r = await conn.read(buf.subarray(n));
    if (r === null) throw new Error("Cannot read reply: connection closed");
    n += r;
  }
}

const GETS = Array.from({ length: KEYS }, (_, i) => enc.encode(`get key:${i}\r\n`));
const SETS = Array.from(
  { length: KEYS },
  (_, i) => enc.encode(`set key:${i} 0 0 ${VALUE_BYTES}\r\n${VALUE}\r\n`),
);

async function preload(port: number): Promise<void> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const buf = new Uint8Array(4096);
  for (let i = 0; i < KEYS; i++) await roundTrip(conn, SETS[i], STORED, buf);
  conn.close();
}

interface Result {
  opsPerSec: number;
  p50Ms: number;
}

async function load(port: number, connections: number, getRatio: number): Promise<Result> {
  const conns = await Promise.all(
    Array.from({ length: connections }, () => Deno.connect({ hostname: "127.0.0.1", port })),
  );
  const latencies: number[] = [];
  let ops = 0;
  const t0 = performance.now();
  const stopAt = t0 + DURATION_MS;
  await Promise.all(conns.map(async (conn) => {
    conn.setNoDelay(true);
    const buf = new Uint8Array(4096);
    while (performance.now() < stopAt) {
      const k = Math.floor(Math.random() * KEYS);
      const start = performance.now();
      if (Math.random() < getRatio) await roundTrip(conn, GETS[k], END, buf);
      else await roundTrip(conn, SETS[k], STORED, buf);
      if ((ops++ & 15) === 0) latencies.push(performance.now() - start);
    }
  }));
  const elapsed = (performance.now() - t0) / 1000;
  for (const c of conns) c.close();
  latencies.sort((a, b) => a - b);
  return { opsPerSec: ops / elapsed, p50Ms: latencies[Math.floor(latencies.length / 2)] ?? 0 };
}

async function withServer<T>(
  cmd: string,
  args: string[],
  port: number,
  fn: () => Promise<T>,
): Promise<T> {
  const child = new Deno.Command(cmd, { args, stdout: "null", stderr: "piped" }).spawn();
  try {
    await waitForPort(port);
    return await fn();
  } finally {
    child.kill("SIGTERM");
    await child.status;
    await child.stderr.cancel();
  }
}

async function runAll(port: number): Promise<Map<string, Result>> {
  await preload(port);
  const out = new Map<string, Result>();
  for (const w of WORKLOADS) {
    for (const c of CONCURRENCY) out.set(`${w.name} c=${c}`, await load(port, c, w.getRatio));
  }
  return out;
}

/** Run the benchmark and print the comparison. */
export async function memcachedBench(): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    const refPort = freePort();
    const memcached = ["/usr/bin/memcached", "memcached"].find((p) => {
      try {
        return Deno.statSync(p).isFile;
      } catch {
        return false;
      }
    }) ?? "memcached";
    const reference = await withServer(
      memcached,
      ["-p", String(refPort), "-l", "127.0.0.1", "-U", "0", "-m", "256", "-u", "nobody"],
      refPort,
      () => runAll(refPort),
    );
    const port = freePort();
    const main = new URL("../main.ts", import.meta.url).pathname;
    const basekv = await withServer(
      Deno.execPath(),
      [
        "run",
        "-A",
        "--unstable-kv",
        main,
        "--protocols=memcached",
        `--memcached-port=${port}`,
        `--data=${dir}/bench.sqlite`,
        "--log-level=error",
      ],
      port,
      () => runAll(port),
    );
    console.log(
      `${"workload".padEnd(26)}${"basekv ops/s".padStart(14)}${"p50 ms".padStart(9)}` +
        `${"memcached ops/s".padStart(17)}${"p50 ms".padStart(9)}${"ratio".padStart(8)}`,
    );
    for (const [name, ours] of basekv) {
      const ref = reference.get(name)!;
      console.log(
        `${name.padEnd(26)}${Math.round(ours.opsPerSec).toString().padStart(14)}` +
          `${ours.p50Ms.toFixed(2).padStart(9)}${
            Math.round(ref.opsPerSec).toString().padStart(17)
          }` +
          `${ref.p50Ms.toFixed(2).padStart(9)}${
            (ours.opsPerSec / ref.opsPerSec).toFixed(2).padStart(8)
          }`,
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) await memcachedBench();

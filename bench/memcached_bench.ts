/**
 * memcached workloads of issue 8: `get` and `set` of random keys over the keyspace (preloaded, so
 * gets hit), 50 connections with one request in flight each, against Debian's memcached 1.6.
 * basekv runs on a file store. A Deno load generator drives both alike.
 * @module
 */
import {
  count,
  type Figure,
  floorFigure,
  freePort,
  interleaved,
  KEYSPACE,
  type Section,
  startBasekv,
  startFloor,
  startRef,
  type Stat,
  statOf,
  versionOf,
} from "./bench_lib.ts";

const CONNECTIONS = 50;
const DURATION_MS = count(3000, 1000);
const VALUE = "v".repeat(100);

const enc = new TextEncoder();
const END = enc.encode("END\r\n");
const STORED = enc.encode("STORED\r\n");
const getRequest = (i: number) => enc.encode(`get key:${i}\r\n`);
const setRequest = (i: number) => enc.encode(`set key:${i} 0 0 ${VALUE.length}\r\n${VALUE}\r\n`);

function endsWith(buf: Uint8Array, n: number, suffix: Uint8Array): boolean {
  if (n < suffix.length) return false;
  for (let i = 0; i < suffix.length; i++) {
    if (buf[n - suffix.length + i] !== suffix[i]) return false;
  }
  return true;
}

/** One request, one reply: read until the reply's terminator. */
async function roundTrip(conn: Deno.Conn, req: Uint8Array, done: Uint8Array, buf: Uint8Array) {
  await conn.write(req);
  let n = 0;
  while (!endsWith(buf, n, done)) {
    const r = await conn.read(buf.subarray(n));
    if (r === null) throw new Error("connection closed");
    n += r;
  }
}

/** Store keys `key:0`… once each: 16 connections, 100 sets per write. */
export async function preloadMemcached(port: number, keys = KEYSPACE): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: 16 }, async () => {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    const buf = new Uint8Array(64 * 1024);
    try {
      while (next < keys) {
        const from = next;
        const to = next = Math.min(keys, from + 100);
        const batch = Array.from({ length: to - from }, (_, j) => setRequest(from + j));
        await conn.write(new Uint8Array(batch.flatMap((b) => [...b])));
        let lines = 0;
        while (lines < to - from) {
          const n = await conn.read(buf);
          if (n === null) throw new Error("connection closed during preload");
          for (let i = 0; i < n; i++) if (buf[i] === 0x0a) lines++;
        }
      }
    } finally {
      conn.close();
    }
  }));
}

/** Drive `CONNECTIONS` connections for DURATION_MS with gets or sets of random keys. */
async function load(port: number, op: "get" | "set"): Promise<Stat> {
  const conns = await Promise.all(
    Array.from({ length: CONNECTIONS }, () => Deno.connect({ hostname: "127.0.0.1", port })),
  );
  const latencies: number[] = [];
  let ops = 0;
  const t0 = performance.now();
  const stopAt = t0 + DURATION_MS;
  await Promise.all(conns.map(async (conn) => {
    conn.setNoDelay(true);
    const buf = new Uint8Array(4096);
    while (performance.now() < stopAt) {
      const k = Math.floor(Math.random() * KEYSPACE);
      const start = performance.now();
      if (op === "get") await roundTrip(conn, getRequest(k), END, buf);
      else await roundTrip(conn, setRequest(k), STORED, buf);
      latencies.push(performance.now() - start);
      ops++;
    }
  }));
  const elapsed = performance.now() - t0;
  for (const c of conns) c.close();
  return statOf(latencies, ops, elapsed);
}

/** Run the memcached workloads against basekv and memcached, interleaved. */
export async function memcachedBench(): Promise<Section> {
  const dir = await Deno.makeTempDir({ prefix: "basekv-bench-memcached-" });
  try {
    await using basekv = await startBasekv({
      data: `${dir}/basekv.sqlite`,
      protocols: ["memcached"],
    });
    const refPort = freePort();
    await using memcached = await startRef(
      "/usr/bin/memcached",
      ["-p", String(refPort), "-l", "127.0.0.1", "-U", "0", "-m", "256", "-u", "nobody"],
      refPort,
      "memcached",
    );
    console.log(`memcached: preloading ${KEYSPACE} keys`);
    await using floor = await startFloor(`${dir}/floor.sqlite`, "memcached");
    await preloadMemcached(basekv.ports.memcached);
    await preloadMemcached(memcached.port);
    const rows = [
      await interleaved(
        "get",
        0.5,
        () => load(basekv.ports.memcached, "get"),
        () => load(memcached.port, "get"),
      ),
      await interleaved(
        "set",
        0.3,
        () => load(basekv.ports.memcached, "set"),
        () => load(memcached.port, "set"),
        () => load(floor.port, "set"),
      ),
    ];
    const figures: Figure[] = rows.flatMap((row) => row.floor ? [floorFigure(row, row.floor)] : []);
    return {
      title: "memcached",
      reference: `${await versionOf("/usr/bin/memcached", ["-V"])} (Debian), \`-m 256\``,
      rows,
      figures,
      notes: [
        `${CONNECTIONS} connections, one request in flight each, ${DURATION_MS} ms per run; ` +
        `100-byte values; keyspace preloaded (gets hit). Deno load generator in this process.`,
        `Deno KV floor: bench/kv_floor_server.ts taking memcached text sets on its own file ` +
        `store, each set one entry, every pending set in one atomic, \`STORED\` after the commit; ` +
        `run in the same rounds as the set row.`,
      ],
    };
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

/**
 * Store benchmark: writes/s through the group-commit loop at 1, 16 and 256 concurrent
 * writers, and reads/s (cached and uncached), on a temp-file store; raw `kv.set` for scale.
 * Then random keys over a 100k keyspace (never one hot key): read-modify-write units with and
 * without write hints, GETs of stored and absent keys, and a counted group's count().
 * Run: deno task bench store
 * @module
 */
import { openStore } from "../src/store/mod.ts";

const enc = new TextEncoder();
const VALUE = enc.encode("x".repeat(100));

async function timed(label: string, ops: number, fn: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  await fn();
  const rate = ops / ((performance.now() - t0) / 1000);
  console.log(`${label.padEnd(44)} ${Math.round(rate).toString().padStart(8)} ops/s`);
  return rate;
}

async function writers(
  store: Awaited<ReturnType<typeof openStore>>,
  concurrency: number,
  total: number,
) {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < total) {
      const i = next++;
      await store.set(["bench", i % 10_000], { data: VALUE });
    }
  }));
}

/** Run the store benchmark and return its figures. */
export async function storeBench(): Promise<Record<string, number>> {
  const dir = await Deno.makeTempDir();
  const out: Record<string, number> = {};
  try {
    const kv = await Deno.openKv(`${dir}/raw.sqlite`);
    out.rawKvSet = await timed("raw kv.set, sequential (reference)", 1000, async () => {
      for (let i = 0; i < 1000; i++) await kv.set(["r", i], VALUE);
    });
    kv.close();
    const store = await openStore({ path: `${dir}/store.sqlite` });
    out.write1 = await timed("store.set, 1 writer", 1000, () => writers(store, 1, 1000));
    out.write16 = await timed("store.set, 16 writers", 20_000, () => writers(store, 16, 20_000));
    out.write256 = await timed("store.set, 256 writers", 50_000, () => writers(store, 256, 50_000));
    out.readCached = await timed("store.get, 16 readers, cached", 50_000, async () => {
      let n = 0;
      await Promise.all(Array.from({ length: 16 }, async () => {
        while (n < 50_000) await store.get(["bench", n++ % 10_000]);
      }));
    });
    await store.close();
    const cold = await openStore({ path: `${dir}/store.sqlite`, cacheMb: 0 });
    out.readUncached = await timed("store.get, 16 readers, cache off", 20_000, async () => {
      let n = 0;
      await Promise.all(Array.from({ length: 16 }, async () => {
        while (n < 20_000) await cold.get(["bench", n++ % 10_000]);
      }));
    });
    await cold.close();
    Object.assign(out, await randomKeys(`${dir}/random.sqlite`));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  return out;
}

const KEYSPACE = 100_000;

function randomKey(): Deno.KvKey {
  return ["k", 0, enc.encode(`key:${Math.floor(Math.random() * KEYSPACE)}`)];
}

/** Units that read then write a random key, as Redis SET does, `hinted` declaring the key. */
function rmwUnits(
  store: Awaited<ReturnType<typeof openStore>>,
  total: number,
  hinted: boolean,
): Promise<void> {
  let next = 0;
  return Promise.all(Array.from({ length: 256 }, async () => {
    while (next++ < total) {
      const key = randomKey();
      await store.write(async (tx) => {
        await tx.get(key);
        tx.set(key, { data: VALUE });
      }, hinted ? { keys: [key] } : undefined);
    }
  })).then(() => {});
}

function readers(store: Awaited<ReturnType<typeof openStore>>, total: number, absent: boolean) {
  let n = 0;
  return Promise.all(Array.from({ length: 50 }, async () => {
    while (n++ < total) {
      await store.get(absent ? ["k", 0, enc.encode(`none:${n}`)] : randomKey());
    }
  })).then(() => {});
}

async function randomKeys(path: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  let store = await openStore({ path });
  await store.countKeys(["k"], 1);
  out.rmw = await timed(
    "read-modify-write units, random keys",
    20_000,
    () => rmwUnits(store, 20_000, false),
  );
  // Reopened, so the cache is cold and most keys exist: the case write hints are for.
  for (const hinted of [false, true]) {
    await store.close();
    store = await openStore({ path });
    const label = hinted ? "same, reopened, with write hints" : "same, reopened (cold cache)";
    out[hinted ? "rmwColdHinted" : "rmwCold"] = await timed(
      label,
      10_000,
      () => rmwUnits(store, 10_000, hinted),
    );
  }
  out.getRandom = await timed(
    "store.get, 50 readers, random keys",
    100_000,
    () => readers(store, 100_000, false),
  );
  out.getAbsent = await timed(
    "store.get, 50 readers, absent keys",
    100_000,
    () => readers(store, 100_000, true),
  );
  await store.countKeys(["k"], 1);
  const t0 = performance.now();
  const { keys } = await store.count(["k", 0]);
  out.countMs = performance.now() - t0;
  console.log(`${`count() of ${keys} keys`.padEnd(44)} ${out.countMs.toFixed(3).padStart(8)} ms`);
  await store.close();
  return out;
}

if (import.meta.main) await storeBench();

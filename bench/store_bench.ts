/**
 * Store benchmark: writes/s through the group-commit loop at 1, 16 and 256 concurrent
 * writers, and reads/s (cached and uncached), on a temp-file store; raw `kv.set` for scale.
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
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  return out;
}

if (import.meta.main) await storeBench();

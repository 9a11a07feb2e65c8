/**
 * Store snapshots and restores: one point in time, back exactly, with the counters, the TTL
 * index, the cache and the existence filter right afterwards.
 * @module
 */
import assert from "node:assert/strict";
import { openStore } from "../../src/store/mod.ts";

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array | undefined) =>
  b === undefined ? undefined : new TextDecoder().decode(b);

for (const kind of ["memory", "file"] as const) {
  Deno.test(`${kind} store: snapshot -> change -> restore; counters, TTLs and reads agree`, async () => {
    const dir = kind === "file" ? await Deno.makeTempDir() : null;
    const store = await openStore(
      dir
        ? { path: `${dir}/s.sqlite3`, sweepIntervalMs: 20 }
        : { memory: true, sweepIntervalMs: 20 },
    );
    const ns = store.scope(["ns"]);
    await ns.countKeys(["k"], 1);
    await ns.write((tx) => {
      for (let i = 0; i < 1200; i++) {
        tx.set(["k", 0, `a${i}`], { data: bytes(`v${i}`), meta: { i } });
      }
    });
    await ns.set(["k", 0, "ttl"], { data: bytes("t"), expiresAt: Date.now() + 5000 });
    await ns.set(["k", 0, "big"], { data: new Uint8Array(200_000).fill(7) });
    const before = await ns.count(["k", 0]);
    const snapshot = await store.snapshot([["ns"]]);
    assert.equal(snapshot.entries.length, 1202);

    // Change: delete, overwrite, add (more than one atomic's worth), and a key outside it.
    await ns.write((tx) => {
      for (let i = 0; i < 1200; i += 2) tx.delete(["k", 0, `a${i}`]);
    });
    await ns.set(["k", 0, "a1"], { data: bytes("changed") });
    await ns.set(["k", 0, "new"], { data: bytes("n") });
    await store.set(["outside"], { data: bytes("o") });
    await store.restore(snapshot);

    assert.deepEqual(await ns.count(["k", 0]), before);
    assert.equal(text((await ns.get(["k", 0, "a0"]))?.data), "v0");
    assert.equal(text((await ns.get(["k", 0, "a1"]))?.data), "v1");
    assert.deepEqual((await ns.get(["k", 0, "a1"]))?.meta, { i: 1 });
    assert.equal(await ns.get(["k", 0, "new"]), null);
    assert.equal((await ns.get(["k", 0, "big"]))?.data.length, 200_000);
    assert.equal(text((await store.get(["outside"]))?.data), "o");
    let n = 0;
    for await (const _ of ns.list({ prefix: ["k"] })) n++;
    assert.equal(n, 1202);

    // The restored deadline still holds: the sweeper removes the entry and the count drops.
    const deadline = snapshot.entries.find((e) => e.key[3] === "ttl")!.expiresAt!;
    assert.equal((await ns.get(["k", 0, "ttl"]))?.expiresAt, deadline);
    await new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now()) + 50));
    assert.equal(await ns.get(["k", 0, "ttl"]), null);
    for (let i = 0; i < 200 && (await ns.count(["k", 0])).keys !== 1201; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal((await ns.count(["k", 0])).keys, 1201);

    // A snapshot restores again after the restored entries were changed.
    await ns.set(["k", 0, "a0"], { data: bytes("again") });
    await store.restore(snapshot);
    assert.equal(text((await ns.get(["k", 0, "a0"]))?.data), "v0");
    // An empty snapshot of a prefix empties it.
    await store.restore({ prefixes: [["ns"]], entries: [], takenAt: Date.now() });
    assert.equal((await ns.count(["k", 0])).keys, 0);
    assert.equal(await ns.get(["k", 0, "a1"]), null);
    await store.close();
    if (dir) await Deno.remove(dir, { recursive: true });
  });
}

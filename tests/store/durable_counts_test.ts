/**
 * Counts and the existence index across restarts, a one-time recount of a store written before
 * counting, and a crash (SIGKILL mid-load); file stores only.
 * @module
 */
import assert from "node:assert/strict";
import { openStore } from "../../src/store/mod.ts";
import { assertCountMatches } from "./count_cases.ts";

const enc = new TextEncoder();
const GROUPS = ["a", "b", "c"];

async function tempPath(): Promise<{ path: string; dir: string }> {
  const dir = await Deno.makeTempDir();
  return { dir, path: `${dir}/db.sqlite` };
}

Deno.test("a store written before counting is recounted exactly, with writes racing the recount", async () => {
  const { dir, path } = await tempPath();
  const first = await openStore({ path });
  for (let i = 0; i < 2500; i += 500) {
    await first.write((tx) => {
      for (let j = i; j < i + 500; j++) {
        tx.set(["c", GROUPS[j % 3], j], { data: enc.encode("x".repeat(j % 7)) });
      }
    });
  }
  await first.close();
  const second = await openStore({ path });
  const ready = second.countKeys(["c"], 1);
  // Rounds of writes, each its own batch, interleave with the recount's pages: they land
  // before it starts, behind its position and ahead of it.
  for (let round = 0; round < 30; round++) {
    await Promise.all(Array.from({ length: 10 }, (_, k) => {
      const i = round * 10 + k;
      const key = ["c", GROUPS[i % 3], (i * 97) % 3000];
      return i % 4 === 0 ? second.delete(key) : second.set(key, { data: enc.encode("racing") });
    }));
  }
  await ready;
  for (const g of GROUPS) await assertCountMatches(second, ["c", g]);
  await second.close();
  const third = await openStore({ path });
  await third.countKeys(["c"], 1);
  for (const g of GROUPS) await assertCountMatches(third, ["c", g]);
  await third.close();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("counts and the existence index are exact after a crash mid-load (child SIGKILLed)", async () => {
  const { dir, path } = await tempPath();
  // A clean close first saves the existence index; the child's open must invalidate it.
  const before = await openStore({ path });
  await before.set(["c", "a", 99_999], { data: enc.encode("kept") });
  await before.close();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("./count_load_child.ts", import.meta.url).pathname, path],
    stdout: "piped",
    stderr: "inherit",
    env: { DENO_NO_PACKAGE_JSON: "1" },
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  // Kill once it has written a few thousand times: mid-load, whatever the machine's speed.
  while ((seen.match(/\n/g)?.length ?? 0) < 12) {
    const { value, done } = await lines.read();
    if (done) break;
    seen += value;
  }
  assert.match(seen, /ready/);
  child.kill("SIGKILL");
  await child.status;
  await lines.cancel().catch(() => {});
  const store = await openStore({ path });
  await store.countKeys(["c"], 1);
  let total = 0;
  for (const g of GROUPS) total += await assertCountMatches(store, ["c", g]);
  assert.ok(total > 0, "the child wrote something");
  assert.notEqual(store.stats().existence, "off");
  while (store.stats().existence !== "ready") await new Promise((r) => setTimeout(r, 10));
  for await (const e of store.list({ prefix: ["c"] })) {
    assert.ok(await store.get(e.key), `${JSON.stringify(e.key)} reported absent`);
  }
  await store.close();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("the existence index never says absent for a stored key, before, during and after its build", async () => {
  const { dir, path } = await tempPath();
  const first = await openStore({ path });
  for (let i = 0; i < 3000; i += 1000) {
    await first.write((tx) => {
      for (let j = i; j < i + 1000; j++) tx.set(["e", j], { data: enc.encode(String(j)) });
    });
  }
  await first.write((tx) => {
    for (let j = 0; j < 3000; j += 3) tx.delete(["e", j]);
  });
  await first.close();
  // Drop the index the clean close saved, so this open builds it while writes come in.
  await (await openStore({ path, shared: true })).close();
  const store = await openStore({ path });
  assert.equal(store.stats().existence, "building");
  const during: Promise<void>[] = [];
  let i = 3000;
  while (store.stats().existence !== "ready") {
    during.push(store.set(["e", i++], { data: enc.encode("new") }));
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(during);
  assert.equal(store.stats().existence, "ready");
  for (let j = 0; j < i; j += 100) {
    const keys = Array.from({ length: Math.min(100, i - j) }, (_, k) => ["e", j + k]);
    const got = await store.getMany(keys);
    got.forEach((e, k) => {
      const n = j + k;
      const stored = n >= 3000 || n % 3 !== 0;
      assert.equal(e !== null, stored, `key ${n}: ${e ? "present" : "absent"}`);
    });
  }
  await store.close();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a clean close saves the existence index and the next open restores it at once", async () => {
  const { dir, path } = await tempPath();
  const first = await openStore({ path });
  await first.write((tx) => {
    for (let j = 0; j < 500; j++) tx.set(["r", j], { data: enc.encode(String(j)) });
  });
  while (first.stats().existence !== "ready") await new Promise((r) => setTimeout(r, 10));
  await first.close();
  const second = await openStore({ path });
  assert.equal(second.stats().existence, "ready");
  const got = await second.getMany(Array.from({ length: 500 }, (_, j) => ["r", j]));
  assert.ok(got.every((e) => e !== null), "a restored index ruled out a stored key");
  await second.set(["r", "new"], { data: enc.encode("n") });
  await second.close();
  // A shared open may let other writers in: it drops the saved index.
  const shared = await openStore({ path, shared: true });
  await shared.close();
  const third = await openStore({ path });
  assert.equal(third.stats().existence, "building");
  assert.ok(await third.get(["r", "new"]));
  await third.close();
  await Deno.remove(dir, { recursive: true });
});

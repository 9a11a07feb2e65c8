/** The journal behind units larger than one atomic: durable first, replayed after a crash. */
import assert from "node:assert/strict";
import { commitJournaled, type Mutation, replayJournals } from "../../src/store/atomic_plan.ts";

Deno.test("replayJournals() applies a journal whose apply was cut short by a crash", async () => {
  using kv = await Deno.openKv(":memory:");
  const mutations: Mutation[] = Array.from(
    { length: 2500 },
    (_, i) => ({ key: ["k", i], value: i }),
  );
  await assert.rejects(() =>
    commitJournaled(kv, "j1", mutations, () => Promise.reject(new Error("crash")))
  );
  assert.equal((await kv.get(["k", 0])).value, null, "nothing applied before the crash");
  assert.equal(await replayJournals(kv), 1);
  assert.equal((await kv.get(["k", 0])).value, 0);
  assert.equal((await kv.get(["k", 2499])).value, 2499);
  const left = [];
  for await (const e of kv.list({ prefix: ["_journal"] })) left.push(e.key);
  assert.deepEqual(left, []);
  assert.equal(await replayJournals(kv), 0);
});

Deno.test("replayJournals() drops a journal whose mark never committed", async () => {
  using kv = await Deno.openKv(":memory:");
  await kv.set(["_journal", "j2", 0], { k: ["x"], v: 1 });
  assert.equal(await replayJournals(kv), 0);
  assert.equal((await kv.get(["x"])).value, null);
  assert.equal((await kv.get(["_journal", "j2", 0])).value, null);
});

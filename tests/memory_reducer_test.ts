/** The idle memory reducer: once the process is quiet it gives back a heap that load grew. */
import assert from "node:assert/strict";
import { startMemoryReducer } from "../src/memory_reducer.ts";

Deno.test("a quiet process gets back the heap its garbage took", async () => {
  const reducer = startMemoryReducer({ tickMs: 100 });
  try {
    let junk: { n: number; s: string }[] = [];
    for (let i = 0; i < 1_000_000; i++) junk.push({ n: i, s: `value ${i}` });
    const grown = Deno.memoryUsage().heapTotal;
    junk = [];
    assert.equal(junk.length, 0);
    // Generous: on a loaded machine the quiet ticks may come late.
    for (let i = 0; i < 600 && reducer.reductions === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(reducer.reductions > 0, "no reduction in 60 s");
    const after = Deno.memoryUsage().heapTotal;
    assert.ok(after < grown / 2, `heap ${after} bytes after, ${grown} before`);
  } finally {
    reducer.stop();
  }
});

Deno.test("a busy process whose heap doubled gets a collection started", async () => {
  const reducer = startMemoryReducer({ tickMs: 50 });
  try {
    const kept: { n: number; s: string }[][] = [];
    // Keep allocating (never quiet) until the heap is well past twice its size at the start.
    for (let round = 0; round < 600 && reducer.collections === 0; round++) {
      const batch: { n: number; s: string }[] = [];
      for (let i = 0; i < 20_000; i++) batch.push({ n: i, s: `value ${round} ${i}` });
      if (kept.length < 200) kept.push(batch);
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.ok(reducer.collections > 0, "no collection while the heap grew");
    assert.ok(kept.length > 0);
  } finally {
    reducer.stop();
  }
});

Deno.test("a busy process whose heap stays level is not taken for a quiet one", async () => {
  // No slack: only the quiet test stands between this process and a reduction.
  const reducer = startMemoryReducer({ tickMs: 50, slackBytes: 0 });
  try {
    let sink = 0;
    const until = performance.now() + 2000;
    while (performance.now() < until) {
      // Busy without allocating (the heap barely moves), yielding so the ticks run.
      const spin = performance.now() + 20;
      while (performance.now() < spin) sink = (sink * 31 + 7) % 1_000_003;
      await new Promise((r) => setTimeout(r, 1));
    }
    assert.ok(sink >= 0);
    assert.equal(reducer.reductions, 0, "reduced while busy");
  } finally {
    reducer.stop();
  }
});

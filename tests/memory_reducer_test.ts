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

/**
 * The existence filter's bit arrays stay within their byte budget whatever the key count, and
 * past it the filter still never rules out a key it was given.
 * @module
 */
import assert from "node:assert/strict";
import { FILTER_MAX_BYTES, KeyFilter } from "../../src/store/key_filter.ts";

Deno.test("the key filter stops adding layers at its byte budget and keeps every key", () => {
  // Layers of 1024, 2048, 4096… keys; each at least 128 KiB of bits: two fit in 256 KiB.
  const maxBytes = 256 * 1024;
  const filter = new KeyFilter(undefined, { firstLayerKeys: 1024, maxBytes });
  const n = 40_000;
  for (let i = 0; i < n; i++) filter.add(`k${i}`);
  assert(filter.bytes <= maxBytes, `${filter.bytes} bytes over the ${maxBytes} budget`);
  assert(filter.bytes > 128 * 1024, "a second layer was added below the budget");
  for (let i = 0; i < n; i++) assert(filter.mayHave(`k${i}`), `k${i} ruled out`);
  // Overfilled, it still rules most absent keys out (it is not all ones).
  let ruledOut = 0;
  for (let i = 0; i < 10_000; i++) if (!filter.mayHave(`absent${i}`)) ruledOut++;
  assert(ruledOut > 9_000, `only ${ruledOut} of 10000 absent keys ruled out`);
});

Deno.test("a restored filter keeps its budget", () => {
  const filter = new KeyFilter(undefined, { firstLayerKeys: 1024, maxBytes: 256 * 1024 });
  for (let i = 0; i < 5_000; i++) filter.add(`k${i}`);
  const restored = new KeyFilter(filter.images(), { maxBytes: 256 * 1024 });
  for (let i = 5_000; i < 20_000; i++) restored.add(`k${i}`);
  assert(restored.bytes <= 256 * 1024);
  for (let i = 0; i < 20_000; i++) assert(restored.mayHave(`k${i}`));
  assert(FILTER_MAX_BYTES >= 30 << 20, "the default holds the 2+4+8+16 MiB layers");
});

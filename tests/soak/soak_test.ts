/**
 * The soak, short: 30 seconds of mixed load on all three protocols; basekv's RSS stays flat after
 * warm-up and p99 stays within 3x of its first window. `make soak` runs it for ten minutes
 * (BASEKV_SOAK_SECONDS); the CSV and PNG land in bench/results/soak/.
 * @module
 */
import assert from "node:assert/strict";
import { runSoak } from "../../bench/soak.ts";

const SECONDS = Number(Deno.env.get("BASEKV_SOAK_SECONDS") ?? "30");
const OUT = new URL("../../bench/results/soak", import.meta.url).pathname;

Deno.test({
  name: `${SECONDS} s of mixed load: RSS flat after warm-up, p99 within 3x of the first window`,
  // ioredis and the AWS SDK keep sockets and timers of their own past disconnect.
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const r = await runSoak(SECONDS, OUT);
    console.log(
      `soak ${SECONDS} s (after ${
        (r.prefillMs / 1000).toFixed(1)
      } s of prefill): ${r.totalOps} ops (${r.totalErrors} errors); RSS ` +
        `${r.rssAfterWarmupMiB.toFixed(1)} -> ${r.rssEndMiB.toFixed(1)} MiB; p99 ` +
        `${r.p99FirstMs.toFixed(1)} -> ${r.p99LastMs.toFixed(1)} ms; ${r.csvPath}, ${r.pngPath}`,
    );
    assert.equal(r.totalErrors, 0, "requests failed under the soak load");
    assert.ok(r.totalOps > 0, "the load completed no request");
    assert.deepEqual(r.failures, []);
  },
});

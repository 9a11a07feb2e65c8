/**
 * src/ticker.ts: ticks repeat until stopped, a one-shot fires once, and a pending tick never
 * keeps a process alive (as an unref'd timer would not).
 * @module
 */
import assert from "node:assert/strict";
import { after, every } from "../src/ticker.ts";

/**
 * Resolves once `check` holds (generous bound for a busy machine). It waits on the global
 * setTimeout: ticks alone do not keep the event loop, or a test, alive.
 */
async function until(check: () => boolean, boundMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > boundMs) throw new Error("condition not reached");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

Deno.test("every repeats until stopped; after fires once unless stopped", async () => {
  let ticks = 0;
  const ticker = every(5, () => ticks++);
  await until(() => ticks >= 3);
  ticker.stop();
  const stoppedAt = ticks;
  let once = 0;
  after(5, () => once++);
  let cancelled = 0;
  after(5, () => cancelled++).stop();
  await until(() => once === 1);
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(ticks, stoppedAt);
  assert.equal(once, 1);
  assert.equal(cancelled, 0);
});

Deno.test("a pending tick does not keep the process alive", async () => {
  const child = await new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      `import { every } from "${new URL("../src/ticker.ts", import.meta.url)}";` +
      `every(60_000, () => {}); console.log("armed");`,
    ],
    stdout: "piped",
  }).output();
  assert.equal(new TextDecoder().decode(child.stdout).trim(), "armed");
  assert.ok(child.success);
});

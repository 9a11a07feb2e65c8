/**
 * What making bytes costs in this runtime, per operation (the fact behind ARCHITECTURE.md's rule
 * on ArrayBuffers): a buffer of its own against a view of one that exists, interleaved rounds,
 * medians. Run: deno run bench/buffer_cost.ts. Measured here (Deno 2.9.6, 2 cores): a 9-byte
 * buffer 1.1 µs on an idle machine, 0.25 µs while the other core is busy (V8 frees buffers on a
 * worker thread; with --no-concurrent-array-buffer-sweeping 0.23, which did not speed up the
 * server's GET or SET), a view 0.03 µs; Node (a small typed array on V8's heap) 0.04 µs.
 * @module
 */
const N = 300_000;
const ROUNDS = 5;
const block = new Uint8Array(64 * 1024);
const encoder = new TextEncoder();
const cases: Record<string, (i: number) => unknown> = {
  "new Uint8Array(9)": () => new Uint8Array(9),
  "new Uint8Array(1024)": () => new Uint8Array(1024),
  "slice() of 9 bytes": (i) => block.slice(i & 1023, (i & 1023) + 9),
  "TextEncoder.encode (8 chars)": () => encoder.encode("user-123"),
  "subarray() of 9 bytes (a view)": (i) => block.subarray(i & 1023, (i & 1023) + 9),
  "new Uint8Array(buffer, at, 9) (a view)": (i) => new Uint8Array(block.buffer, i & 1023, 9),
  "[] of 9 numbers": () => [0, 0, 0, 0, 0, 0, 0, 0, 0],
};
const times: Record<string, number[]> = {};
let sink: unknown;
for (let r = 0; r < ROUNDS; r++) {
  for (const [name, make] of Object.entries(cases)) {
    const t0 = performance.now();
    for (let i = 0; i < N; i++) sink = make(i);
    (times[name] ??= []).push((performance.now() - t0) * 1000 / N);
  }
}
for (const [name, list] of Object.entries(times)) {
  const median = list.sort((a, b) => a - b)[Math.floor(list.length / 2)];
  console.log(`${name.padEnd(40)} ${median.toFixed(3)} µs`);
}
if (sink === undefined) console.log("");

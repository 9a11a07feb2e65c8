/**
 * Shared pieces of the fuzz tests: how many runs (short in `make test`, long with `make fuzz`),
 * input splitting, byte mutation, and the check that a server survives what it was sent.
 * @module
 */
import fc from "fast-check";

/** Runs per property: `BASEKV_FUZZ_RUNS` (make fuzz sets it high), else a short default. */
export const RUNS = Number(Deno.env.get("BASEKV_FUZZ_RUNS") ?? "150");

/** fast-check parameters every property uses. */
export const PARAMS = { numRuns: RUNS };

/** Cut `bytes` at the given offsets (taken modulo its length), in order. */
export function split(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => bytes.length === 0 ? 0 : c % bytes.length))]
    .sort((a, b) => a - b);
  const parts: Uint8Array[] = [];
  let from = 0;
  for (const p of points) {
    parts.push(bytes.subarray(from, p));
    from = p;
  }
  parts.push(bytes.subarray(from));
  return parts;
}

/** Concatenate byte arrays. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** A valid input with a few bytes overwritten, inserted or dropped. */
export function mutated(valid: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> {
  const edit = fc.record({
    at: fc.nat(),
    kind: fc.constantFrom("set", "insert", "drop"),
    byte: fc.integer({ min: 0, max: 255 }),
  });
  return fc.tuple(valid, fc.array(edit, { maxLength: 4 })).map(([bytes, edits]) => {
    const out = [...bytes];
    for (const e of edits) {
      const at = out.length === 0 ? 0 : e.at % out.length;
      if (e.kind === "set" && out.length > 0) out[at] = e.byte;
      else if (e.kind === "insert") out.splice(at, 0, e.byte);
      else out.splice(at, 1);
    }
    return Uint8Array.from(out);
  });
}

/** Random bytes, mostly printable with CR/LF sprinkled in (closer to what parsers branch on). */
export const noise: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.uint8Array({ maxLength: 300 }),
  fc.array(fc.constantFrom(..."*$:+-\r\n 0123456789abcdefgGET\x80\x00"), { maxLength: 200 })
    .map((chars) => new TextEncoder().encode(chars.join(""))),
);

/**
 * Send `chunks` on a fresh connection, then read whatever comes back until the server closes,
 * goes quiet for `quietMs`, or `maxMs` passes: the server may answer or hang up, but never hang.
 */
export async function sendAndDrain(
  port: number,
  chunks: readonly Uint8Array[],
  quietMs = 50,
  maxMs = 2000,
): Promise<Uint8Array> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const received: Uint8Array[] = [];
  const reading = (async () => {
    const buf = new Uint8Array(64 * 1024);
    try {
      while (true) {
        const n = await conn.read(buf);
        if (n === null) return;
        received.push(buf.slice(0, n));
      }
    } catch {
      // Reset by the server after a protocol error: that is an allowed answer.
    }
  })();
  try {
    for (const c of chunks) {
      if (c.length > 0) await conn.write(c);
    }
  } catch {
    // The server may close mid-send after a protocol error.
  }
  const started = Date.now();
  let seen = -1;
  while (Date.now() - started < maxMs) {
    await new Promise((r) => setTimeout(r, quietMs));
    const total = received.reduce((n, p) => n + p.length, 0);
    if (total === seen) break;
    seen = total;
  }
  try {
    conn.close();
  } catch {
    // Already closed by the server.
  }
  await reading;
  return concat(received);
}

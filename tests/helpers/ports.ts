/** Loopback ports for tests and benches: a free one, and waiting for a server to listen on one. */

/** How long to wait for a started server to accept connections. */
const READY_ATTEMPTS = 200;
const READY_POLL_MS = 50;

/** A loopback port nothing listens on right now. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** Resolve once a TCP connection to `port` succeeds; throw after ~10 s. */
export async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < READY_ATTEMPTS; i++) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, READY_POLL_MS));
    }
  }
  throw new Error(`nothing listens on port ${port}: server did not start`);
}

/**
 * A TCP (or TLS) listener that tracks its connections, so shutdown can stop accepting, let
 * in-flight requests finish (bounded), then close what is left. Protocol-agnostic.
 * @module
 */
import type { TlsPair, TlsSource } from "./tls.ts";

/** A connection as handlers see it: plain TCP or TLS, both with network addresses. */
export type NetConn = Deno.Conn<Deno.NetAddr>;

/** Handles one connection until it ends; should stop reading once `signal` aborts. */
export type ConnectionHandler = (conn: NetConn, signal: AbortSignal) => Promise<void>;

/** A running TCP listener. */
export interface TcpServer {
  readonly addr: Deno.NetAddr;
  /** Number of open connections. */
  readonly connections: number;
  /** Stop accepting, wait up to `graceMs` for handlers to finish, then close the rest. */
  close(graceMs?: number): Promise<void>;
}

/** Listen failed: the message names the protocol and address. */
export class ListenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ListenError";
  }
}

/** Turn a listen failure into one clear line naming protocol, host and port. */
export function listenError(protocol: string, host: string, port: number, error: unknown) {
  const reason = error instanceof Deno.errors.AddrInUse
    ? "address already in use"
    : error instanceof Deno.errors.PermissionDenied
    ? "permission denied"
    : (error as Error).message;
  return new ListenError(`Cannot listen for ${protocol} on ${host}:${port}: ${reason}`);
}

/** Start a TCP listener for one protocol; TLS-only when `tls` is given. */
export function serveTcp(
  options: { protocol: string; hostname: string; port: number; tls?: TlsSource | null },
  handler: ConnectionHandler,
): TcpServer {
  const { tls } = options;
  // With TLS the port is bound with SO_REUSEPORT so a reload can bind the new certificate's
  // listener beside the old one before closing it: no moment where connections are refused.
  const bind = (port: number, pair?: TlsPair): Deno.Listener<NetConn> =>
    pair
      ? Deno.listenTls({ hostname: options.hostname, port, reusePort: true, ...pair })
      : Deno.listen({ hostname: options.hostname, port, transport: "tcp" });
  let listener: Deno.Listener<NetConn>;
  try {
    listener = bind(options.port, tls?.pair);
  } catch (error) {
    throw listenError(options.protocol, options.hostname, options.port, error);
  }
  const addr = listener.addr as Deno.NetAddr;
  const controller = new AbortController();
  const open = new Map<NetConn, Promise<void>>();
  const acceptLoops = new Set<Promise<void>>();
  const accept = (from: Deno.Listener<NetConn>) => {
    const loop = (async () => {
      for await (const conn of from) {
        if ("setNoDelay" in conn) (conn as Deno.TcpConn).setNoDelay(true);
        const done = handler(conn, controller.signal)
          .catch(() => {})
          .finally(() => {
            open.delete(conn);
            try {
              conn.close();
            } catch {
              // Already closed by the handler.
            }
          });
        open.set(conn, done);
      }
    })().catch(() => {}).finally(() => acceptLoops.delete(loop));
    acceptLoops.add(loop);
  };
  accept(listener);
  let closing: Promise<void> | null = null;
  // Accepted connections are not the listener's: closing the old one leaves them serving.
  const unsubscribe = tls?.onReload((pair) => {
    if (closing) return;
    const old = listener;
    listener = bind(addr.port, pair);
    accept(listener);
    old.close();
  });

  return {
    addr,
    get connections() {
      return open.size;
    },
    close(graceMs = 2000) {
      closing ??= (async () => {
        unsubscribe?.();
        listener.close();
        await Promise.all(acceptLoops);
        controller.abort();
        let timer: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([
          Promise.all(open.values()),
          new Promise((r) => timer = setTimeout(r, graceMs)),
        ]);
        clearTimeout(timer);
        for (const conn of open.keys()) {
          try {
            conn.close();
          } catch {
            // Closed meanwhile.
          }
        }
        await Promise.all(open.values());
      })();
      return closing;
    },
  };
}

/**
 * A TCP listener that tracks its connections, so shutdown can stop accepting, let in-flight
 * requests finish (bounded), then close what is left. Protocol-agnostic.
 * @module
 */

/** Handles one connection until it ends; should stop reading once `signal` aborts. */
export type ConnectionHandler = (conn: Deno.TcpConn, signal: AbortSignal) => Promise<void>;

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

/** Start a TCP listener for one protocol. */
export function serveTcp(
  options: { protocol: string; hostname: string; port: number },
  handler: ConnectionHandler,
): TcpServer {
  let listener: Deno.TcpListener;
  try {
    listener = Deno.listen({ hostname: options.hostname, port: options.port, transport: "tcp" });
  } catch (error) {
    throw listenError(options.protocol, options.hostname, options.port, error);
  }
  const controller = new AbortController();
  const open = new Map<Deno.TcpConn, Promise<void>>();
  const accepting = (async () => {
    for await (const conn of listener) {
      conn.setNoDelay(true);
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
  })().catch(() => {});

  let closing: Promise<void> | null = null;
  return {
    addr: listener.addr,
    get connections() {
      return open.size;
    },
    close(graceMs = 2000) {
      closing ??= (async () => {
        listener.close();
        await accepting;
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

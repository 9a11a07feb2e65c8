/**
 * A TCP (or TLS) listener that tracks its connections, so shutdown can stop accepting, let
 * in-flight requests finish (bounded), then close what is left. Protocol-agnostic.
 * @module
 */
import { every } from "./ticker.ts";
import { RELOAD_GRACE_MS, type TlsPair, type TlsSource } from "./tls.ts";

/**
 * A connection as handlers see it: what `Deno.TcpConn` and `Deno.TlsConn` offer and the
 * client-certificate listener's adapter (src/tls_client_auth.ts) implements.
 */
export interface NetConn {
  readonly remoteAddr: Deno.NetAddr;
  readonly localAddr: Deno.NetAddr;
  /** Bytes read into `p`, or null at the end; resolves only when something arrived. */
  read(p: Uint8Array): Promise<number | null>;
  /** Resolves once the bytes are handed to the socket, so a client that does not read waits. */
  write(p: Uint8Array): Promise<number>;
  closeWrite(): Promise<void>;
  close(): void;
}

/** A bound listener: its connections, as `Deno.Listener` yields them. */
export interface NetListener extends AsyncIterable<NetConn> {
  readonly addr: Deno.NetAddr;
  close(): void;
  /** Serve a new pair to new connections in place, for listeners that can (else: rebind). */
  reload?(pair: TlsPair): void;
}

/** Handles one connection until it ends; should stop reading once `signal` aborts. */
export type ConnectionHandler = (
  conn: NetConn,
  signal: AbortSignal,
  watch: ConnWatch,
) => Promise<void>;

/**
 * What a handler tells the listener about its connection, for the timeouts: when it last heard
 * from the client, whether part of a request is waiting for the rest, and whether it may sit
 * idle (a blocked or subscribed client waits on the server, not the other way round).
 */
export class ConnWatch {
  lastActive = Date.now();
  partialSince: number | null = null;
  /** Whether the idle timeout spares the connection right now. */
  exempt: () => boolean = () => false;

  /**
   * Bytes arrived and were parsed: `completed` requests came out whole, `leftover` says part of
   * one is still buffered. The request clock restarts on progress, so a busy pipeline whose reads
   * always end mid-request is never taken for a client that stopped half-way. `now` is the
   * clock the caller just read, if it did.
   */
  heard(completed: number, leftover: boolean, now: number = Date.now()): void {
    this.lastActive = now;
    if (!leftover) this.partialSince = null;
    else if (completed > 0 || this.partialSince === null) this.partialSince = now;
  }
}

/** Write all of `bytes` (a write may take only part). */
export async function writeAll(conn: NetConn, bytes: Uint8Array): Promise<void> {
  if (bytes.length === 0) return;
  // The whole buffer first: a short write is rare, and a view per write is garbage per reply.
  let off = await conn.write(bytes);
  while (off < bytes.length) off += await conn.write(bytes.subarray(off));
}

/** Connection limits a listener enforces; each read live, so CONFIG SET applies at once. */
export interface TcpLimits {
  /** Most open connections; 0 = no limit. */
  maxConnections(): number;
  /** Told the connection over the limit before it is closed (the protocol's error line). */
  rejected?(conn: NetConn): Promise<void>;
  /** Close a connection silent this long, unless exempt; 0 = never (Redis `timeout`). */
  idleTimeoutMs(): number;
  /** Close a connection whose request has stayed incomplete this long; 0 = never. */
  requestTimeoutMs(): number;
}

/** Wait for `task` to settle, but no longer than `ms`; its failure is not this wait's concern. */
export async function settleWithin(task: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([task.catch(() => {}), new Promise((r) => timer = setTimeout(r, ms))]);
  clearTimeout(timer);
}

/** How often the timeouts are checked. */
const SWEEP_MS = 1000;

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
  // node:net (the client-certificate listener) reports these by code.
  const code = (error as { code?: string })?.code;
  const reason = error instanceof Deno.errors.AddrInUse || code === "EADDRINUSE"
    ? "address already in use"
    : error instanceof Deno.errors.PermissionDenied || code === "EACCES"
    ? "permission denied"
    : (error as Error).message;
  return new ListenError(`Cannot listen for ${protocol} on ${host}:${port}: ${reason}`);
}

/**
 * Start a TCP listener for one protocol; TLS-only when `tls` is given, asking clients for
 * certificates when its pair has a CA.
 */
export async function serveTcp(
  options: {
    protocol: string;
    hostname: string;
    port: number;
    tls?: TlsSource | null;
    limits?: TcpLimits;
  },
  handler: ConnectionHandler,
): Promise<TcpServer> {
  const { limits } = options;
  const { tls } = options;
  const { hostname } = options;
  // With TLS the port is bound with SO_REUSEPORT so a reload can bind the new certificate's
  // listener beside the old one before closing it: no moment where connections are refused.
  const bind = async (port: number, pair?: TlsPair): Promise<NetListener> => {
    if (!pair) return Deno.listen({ hostname, port, transport: "tcp" });
    const { cert, key, ca } = pair;
    if (ca === undefined) return Deno.listenTls({ hostname, port, reusePort: true, cert, key });
    // Client certificates need node:tls; loaded only then, so the plain start stays as fast.
    const { listenClientAuth } = await import("./tls_client_auth.ts");
    return await listenClientAuth({
      hostname,
      port,
      pair,
      required: tls?.requireClientCert ?? true,
      handshakeMs: limits?.requestTimeoutMs() ?? 0,
    });
  };
  let listener: NetListener;
  try {
    listener = await bind(options.port, tls?.pair);
  } catch (error) {
    throw listenError(options.protocol, hostname, options.port, error);
  }
  const addr = listener.addr;
  const controller = new AbortController();
  const open = new Map<NetConn, Promise<void>>();
  const watches = new Map<NetConn, ConnWatch>();
  const closeQuietly = (conn: NetConn) => {
    try {
      conn.close();
    } catch {
      // Already closed.
    }
  };
  const acceptLoops = new Set<Promise<void>>();
  const accept = (from: NetListener) => {
    const loop = (async () => {
      for await (const conn of from) {
        if ("setNoDelay" in conn) (conn as Deno.TcpConn).setNoDelay(true);
        const max = limits?.maxConnections() ?? 0;
        if (max > 0 && open.size >= max) {
          // Over the cap: the protocol's error line (bounded in time), then close.
          const told = limits?.rejected?.(conn) ?? Promise.resolve();
          settleWithin(told, SWEEP_MS).finally(() => closeQuietly(conn));
          continue;
        }
        const watch = new ConnWatch();
        watches.set(conn, watch);
        // A TLS handshake is a request like any other: one left half-done times out.
        const tlsConn = "handshake" in conn ? conn as Deno.TlsConn : null;
        if (tlsConn) watch.partialSince = Date.now();
        const ready = tlsConn
          ? tlsConn.handshake().then(() => watch.partialSince = null)
          : Promise.resolve();
        const done = ready.then(() => handler(conn, controller.signal, watch))
          .catch(() => {})
          .finally(() => {
            open.delete(conn);
            watches.delete(conn);
            closeQuietly(conn);
          });
        open.set(conn, done);
      }
    })().catch(() => {}).finally(() => acceptLoops.delete(loop));
    acceptLoops.add(loop);
  };
  accept(listener);
  let closing: Promise<void> | null = null;
  // One timer for all connections: closing one makes its handler's pending read fail.
  const sweeper = limits && every(SWEEP_MS, () => {
    const idle = limits.idleTimeoutMs();
    const request = limits.requestTimeoutMs();
    if (idle <= 0 && request <= 0) return;
    const now = Date.now();
    for (const [conn, w] of watches) {
      const silent = idle > 0 && !w.exempt() && now - w.lastActive > idle;
      const slow = request > 0 && w.partialSince !== null && now - w.partialSince > request;
      if (silent || slow) {
        watches.delete(conn);
        closeQuietly(conn);
      }
    }
  });
  // Accepted connections are not the listener's: closing the old one leaves them serving.
  const retiring = new Set<NetListener>();
  const unsubscribe = tls?.onReload(async (pair) => {
    if (closing) return;
    if (listener.reload) return listener.reload(pair);
    const old = listener;
    listener = await bind(addr.port, pair);
    accept(listener);
    retiring.add(old);
    await new Promise((r) => setTimeout(r, RELOAD_GRACE_MS));
    if (retiring.delete(old)) old.close();
  });

  return {
    addr,
    get connections() {
      return open.size;
    },
    close(graceMs = 2000) {
      closing ??= (async () => {
        unsubscribe?.();
        if (sweeper) sweeper.stop();
        listener.close();
        for (const old of retiring) old.close();
        retiring.clear();
        await Promise.all(acceptLoops);
        controller.abort();
        await settleWithin(Promise.all(open.values()), graceMs);
        for (const conn of open.keys()) closeQuietly(conn);
        await Promise.all(open.values());
      })();
      return closing;
    },
  };
}

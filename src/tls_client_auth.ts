/**
 * A TLS listener that verifies client certificates (`--tls-ca`): `Deno.listenTls` cannot ask for
 * one, `node:tls` can. Its sockets are wrapped into the small {@link NetConn} the handlers use.
 * Loaded only when a CA is configured.
 * @module
 */
import type net from "node:net";
import tls from "node:tls";
import type { NetConn, NetListener } from "./tcp.ts";
import type { TlsPair } from "./tls.ts";

/** Incoming bytes buffered beyond this pause the socket until the handler reads them. */
const READ_AHEAD = 64 * 1024;

/** A node TLS socket as a {@link NetConn}. */
class NodeTlsConn implements NetConn {
  readonly remoteAddr: Deno.NetAddr;
  readonly localAddr: Deno.NetAddr;
  #socket: tls.TLSSocket;
  #chunks: Uint8Array[] = [];
  #queued = 0;
  #ended = false;
  #waiting: (() => void) | null = null;

  constructor(socket: tls.TLSSocket) {
    this.#socket = socket;
    this.remoteAddr = {
      transport: "tcp",
      hostname: socket.remoteAddress ?? "",
      port: socket.remotePort ?? 0,
    };
    this.localAddr = {
      transport: "tcp",
      hostname: socket.localAddress ?? "",
      port: socket.localPort ?? 0,
    };
    socket.setNoDelay(true);
    const wake = () => {
      const waiting = this.#waiting;
      this.#waiting = null;
      waiting?.();
    };
    socket.on("data", (chunk: Uint8Array) => {
      this.#chunks.push(chunk);
      this.#queued += chunk.length;
      // A client that sends faster than the handler reads is held back by TCP, not memory.
      if (this.#queued > READ_AHEAD) socket.pause();
      wake();
    });
    const end = () => {
      this.#ended = true;
      wake();
    };
    socket.on("end", end);
    socket.on("close", end);
    // A reset or a bad record ends the stream; the handler sees the end of input.
    socket.on("error", end);
  }

  async read(p: Uint8Array): Promise<number | null> {
    while (this.#chunks.length === 0) {
      if (this.#ended) return null;
      await new Promise<void>((resolve) => this.#waiting = resolve);
    }
    let n = 0;
    while (n < p.length && this.#chunks.length > 0) {
      const chunk = this.#chunks[0];
      const take = Math.min(chunk.length, p.length - n);
      p.set(chunk.subarray(0, take), n);
      n += take;
      if (take === chunk.length) this.#chunks.shift();
      else this.#chunks[0] = chunk.subarray(take);
    }
    this.#queued -= n;
    if (this.#queued <= READ_AHEAD && this.#socket.isPaused()) this.#socket.resume();
    return n;
  }

  /**
   * Resolves once the socket has taken the bytes (its write callback), as `Deno.Conn.write`
   * does: a client that does not read holds the writer back, and the caller may reuse `p`.
   */
  write(p: Uint8Array): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#socket.write(p, (error?: Error | null) => error ? reject(error) : resolve(p.length));
    });
  }

  closeWrite(): Promise<void> {
    return new Promise((resolve) => this.#socket.end(resolve));
  }

  close(): void {
    this.#socket.destroy();
    this.#ended = true;
  }
}

/**
 * Listen on `hostname:port` with `pair`, asking every client for a certificate signed by
 * `pair.ca`: required when `required`, else verified only when one is sent (Redis's
 * `tls-auth-clients yes|optional`). A handshake longer than `handshakeMs` (0 = no limit) is cut.
 */
export async function listenClientAuth(options: {
  hostname: string;
  port: number;
  pair: TlsPair;
  required: boolean;
  handshakeMs: number;
}): Promise<NetListener> {
  const { pair, required } = options;
  const server = tls.createServer({
    key: pair.key,
    cert: pair.cert,
    ca: pair.ca,
    requestCert: true,
    rejectUnauthorized: required,
  });
  guardClientAuth(server, options.handshakeMs);
  const ready: NetConn[] = [];
  let waiting: (() => void) | null = null;
  let closed = false;
  const wake = () => {
    const w = waiting;
    waiting = null;
    w?.();
  };
  server.on("secureConnection", (socket: tls.TLSSocket) => {
    if (closed) socket.destroy();
    if (socket.destroyed) return;
    ready.push(new NodeTlsConn(socket));
    wake();
  });
  const addr = await listenOn(server, options.hostname, options.port);
  return {
    addr,
    close() {
      closed = true;
      server.close();
      // Handshaken but never taken by the accept loop: nobody else will close them.
      for (const conn of ready.splice(0)) conn.close();
      wake();
    },
    reload(next: TlsPair) {
      // New handshakes use the new pair and CA; connections already made keep theirs.
      server.setSecureContext({ key: next.key, cert: next.cert, ca: next.ca });
    },
    async *[Symbol.asyncIterator]() {
      while (true) {
        const conn = ready.shift();
        if (conn) {
          yield conn;
          continue;
        }
        if (closed) return;
        await new Promise<void>((resolve) => waiting = resolve);
      }
    },
  };
}

/** Bind `server` (a node:net server); resolves its address, rejects if the bind fails. */
export async function listenOn(
  server: net.Server,
  hostname: string,
  port: number,
): Promise<Deno.NetAddr> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, hostname, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const bound = server.address() as { address: string; port: number };
  return { transport: "tcp", hostname: bound.address, port: bound.port };
}

/** Whether the client presented a certificate at all. */
function hasCertificate(socket: tls.TLSSocket): boolean {
  const cert = socket.getPeerCertificate();
  return cert !== null && cert !== undefined && Object.keys(cert).length > 0;
}

/**
 * What every client-certificate server (this listener, the https one) adds to `node:tls`:
 * optional mode still refuses a certificate that was sent and does not verify; a failed
 * handshake only ends its socket; and a handshake not done within `handshakeMs` (0 = no limit)
 * is cut, as Deno's node:tls does not apply its own `handshakeTimeout`.
 */
export function guardClientAuth(server: tls.Server, handshakeMs: number): void {
  // Pending handshakes by client address: the TLS socket is not the raw one the timer holds.
  const handshaking = new Map<string, ReturnType<typeof setTimeout>>();
  const clientOf = (s: net.Socket) => `${s.remoteAddress}:${s.remotePort}`;
  server.on("connection", (raw: net.Socket) => {
    if (handshakeMs <= 0) return;
    const client = clientOf(raw);
    const timer = setTimeout(() => raw.destroy(), handshakeMs);
    handshaking.set(client, timer);
    raw.once("close", () => {
      clearTimeout(timer);
      if (handshaking.get(client) === timer) handshaking.delete(client);
    });
  });
  server.on("secureConnection", (socket: tls.TLSSocket) => {
    const client = clientOf(socket);
    clearTimeout(handshaking.get(client));
    handshaking.delete(client);
    if (!socket.authorized && hasCertificate(socket)) socket.destroy();
  });
  server.on("tlsClientError", () => {});
}

/**
 * The HTTP service over `node:http` / `node:https`, where `Deno.serve` falls short: client
 * certificates (`--tls-ca`), and a connection cap with a timeout for headers that trickle in.
 * Requests reach the same handler `Deno.serve` calls, as web `Request`s. Loaded only when needed.
 * @module
 */
import http from "node:http";
import https from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type net from "node:net";
import type { Logger } from "./log.ts";
import { settleWithin } from "./tcp.ts";
import type { TlsPair } from "./tls.ts";
import { guardClientAuth, listenOn } from "./tls_client_auth.ts";

/** What `Deno.serve` would call. */
export type HttpHandler = (
  req: Request,
  info: Deno.ServeHandlerInfo<Deno.NetAddr>,
) => Response | Promise<Response>;

/** How to serve. */
export interface NodeHttpOptions {
  hostname: string;
  port: number;
  /**
   * Serve https with this pair; with `pair.ca` every client is asked for a certificate that CA
   * signed: required when `requireClientCert`, else verified only when one is sent. Null: http.
   */
  tls: { pair: TlsPair; requireClientCert: boolean } | null;
  /** Connections beyond this are closed as they arrive; 0 = no cap. */
  maxConnections: number;
  /**
   * A TLS handshake, or a request's headers and body, not whole within this is cut (408 once
   * the handshake is done); a connection that sends nothing counts from its opening. 0 = none.
   */
  requestTimeoutMs: number;
  /** A larger request line and header block is answered 431 and closed. */
  maxHeaderBytes: number;
  log: Logger;
}

/** A running server. */
export interface NodeHttpServer {
  addr: Deno.NetAddr;
  /** New handshakes use `pair` (certificate, key and CA); open connections keep theirs. */
  reload(pair: TlsPair): void;
  /** Stop accepting, let requests in flight finish (up to `graceMs`), then close the rest. */
  close(graceMs?: number): Promise<void>;
}

/** How often node looks for requests past their timeout (its default is 30 s). */
const TIMEOUT_CHECK_MS = 1000;

/**
 * The body of a node request as a web stream, read as the handler pulls (one chunk ahead). Not
 * `Readable.toWeb`: the rest of a body the handler did not read must be discarded as node does
 * for a request nobody consumes, so the connection can carry the next request; a cancelled
 * `toWeb` stream destroys the socket instead.
 */
function bodyStream(req: IncomingMessage): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      req.pause();
      req.on("data", (chunk: Uint8Array) => {
        controller.enqueue(chunk);
        if ((controller.desiredSize ?? 0) <= 0) req.pause();
      });
      req.once("end", () => controller.close());
      req.once("error", (error) => controller.error(error));
    },
    pull() {
      req.resume();
    },
    cancel() {
      discardBody(req);
    },
  });
}

/** Read and drop what is left of `req`'s body (node's requestTimeout bounds how long). */
function discardBody(req: IncomingMessage): void {
  if (req.complete) return;
  req.removeAllListeners("data");
  req.on("data", () => {});
  req.resume();
}

/** The web Request of a node request. */
function webRequest(req: IncomingMessage, scheme: string, host: string): Request {
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) headers.append(raw[i], raw[i + 1]);
  const bodyless = req.method === "GET" || req.method === "HEAD";
  return new Request(`${scheme}://${req.headers.host ?? host}${req.url ?? "/"}`, {
    method: req.method,
    headers,
    // Streamed, so the handler can refuse an oversized body before it is read.
    body: bodyless ? null : bodyStream(req),
    // @ts-ignore: `duplex` (required for a stream body) is missing from Deno's RequestInit.
    duplex: "half",
  });
}

/**
 * Write a web Response to a node response: a body that is one chunk (every DynamoDB reply) goes
 * out with its length, as Deno.serve sends it; a longer stream is sent chunked, waiting on the
 * socket when it is full.
 */
async function writeResponse(res: ServerResponse, response: Response): Promise<void> {
  const headers: Record<string, string> = {};
  for (const [name, value] of response.headers) headers[name] = value;
  const reader = response.body?.getReader();
  const first = await reader?.read();
  const second = first && !first.done ? await reader!.read() : undefined;
  if (!second || second.done) {
    const body = first?.value;
    headers["content-length"] ??= String(body?.length ?? 0);
    res.writeHead(response.status, headers);
    await new Promise<void>((resolve) => body ? res.end(body, resolve) : res.end(resolve));
    return;
  }
  res.writeHead(response.status, headers);
  const send = async (chunk: Uint8Array) => {
    if (!res.write(chunk)) await new Promise((r) => res.once("drain", r));
  };
  await send(first!.value!);
  await send(second.value);
  for (let next = await reader!.read(); !next.done; next = await reader!.read()) {
    await send(next.value);
  }
  await new Promise<void>((resolve) => res.end(resolve));
}

/** Serve `handler` on `hostname:port` as `options` say. */
export async function serveNodeHttp(
  options: NodeHttpOptions,
  handler: HttpHandler,
): Promise<NodeHttpServer> {
  const { tls, log } = options;
  const scheme = tls ? "https" : "http";
  const host = `${options.hostname}:${options.port}`;
  const timeout = options.requestTimeoutMs;
  const settings: http.ServerOptions = {
    maxHeaderSize: options.maxHeaderBytes,
    // node's own defaults are 60 s for headers and 300 s for the whole request, checked every
    // 30 s; here both are the request timeout, checked often enough for a short one to hold.
    headersTimeout: timeout,
    requestTimeout: timeout,
    connectionsCheckingInterval: timeout > 0 ? Math.min(TIMEOUT_CHECK_MS, timeout) : undefined,
  };
  const serveRequest = async (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket;
    const remoteAddr: Deno.NetAddr = {
      transport: "tcp",
      hostname: socket.remoteAddress ?? "",
      port: socket.remotePort ?? 0,
    };
    const done = Promise.withResolvers<void>();
    try {
      let response: Response;
      try {
        response = await handler(webRequest(req, scheme, host), {
          remoteAddr,
          completed: done.promise,
        });
      } catch (error) {
        log.error(`http: handler failed: ${(error as Error)?.stack ?? error}`);
        response = new Response(null, { status: 500 });
      }
      await writeResponse(res, response);
      // A body refused unread (413): keep the connection, as Deno.serve does.
      discardBody(req);
    } catch {
      // The client went away mid-reply.
      res.destroy();
    } finally {
      done.resolve();
    }
  };
  let server: http.Server;
  if (tls) {
    const { pair } = tls;
    const secure = https.createServer({
      ...settings,
      key: pair.key,
      cert: pair.cert,
      ...(pair.ca === undefined
        ? {}
        : { ca: pair.ca, requestCert: true, rejectUnauthorized: tls.requireClientCert }),
    }, serveRequest);
    guardClientAuth(secure, timeout);
    server = secure;
  } else {
    server = http.createServer(settings, serveRequest);
  }
  if (options.maxConnections > 0) server.maxConnections = options.maxConnections;
  const addr = await listenOn(server as net.Server, options.hostname, options.port);
  return {
    addr,
    reload(next) {
      (server as https.Server).setSecureContext({
        key: next.key,
        cert: next.cert,
        ...(next.ca === undefined ? {} : { ca: next.ca }),
      });
    },
    async close(graceMs = 2000) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await settleWithin(closed, graceMs);
      server.closeAllConnections();
      await closed;
    },
  };
}

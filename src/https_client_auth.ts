/**
 * An https server that verifies client certificates (`--tls-ca`), for the HTTP service:
 * `Deno.serve` cannot ask for one, `node:https` can. Requests reach the same handler
 * `Deno.serve` calls, as web `Request`s. Loaded only when a CA is configured.
 * @module
 */
import https from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";
import type tls from "node:tls";
import type { Logger } from "./log.ts";
import type { TlsPair } from "./tls.ts";
import { guardClientAuth, listenOn } from "./tls_client_auth.ts";

/** What `Deno.serve` would call. */
export type HttpHandler = (
  req: Request,
  info: Deno.ServeHandlerInfo<Deno.NetAddr>,
) => Response | Promise<Response>;

/** A running server. */
export interface ClientAuthHttpServer {
  addr: Deno.NetAddr;
  /** New handshakes use `pair` (certificate, key and CA); open connections keep theirs. */
  reload(pair: TlsPair): void;
  /** Stop accepting, let requests in flight finish (up to `graceMs`), then close the rest. */
  close(graceMs?: number): Promise<void>;
}

/** The web Request of a node request. */
function webRequest(req: IncomingMessage, host: string): Request {
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) headers.append(raw[i], raw[i + 1]);
  const bodyless = req.method === "GET" || req.method === "HEAD";
  return new Request(`https://${req.headers.host ?? host}${req.url ?? "/"}`, {
    method: req.method,
    headers,
    // Streamed, so the handler can refuse an oversized body before it is read.
    body: bodyless ? null : Readable.toWeb(req) as ReadableStream<Uint8Array>,
    // @ts-ignore: `duplex` (required for a stream body) is missing from Deno's RequestInit.
    duplex: "half",
  });
}

/** Write a web Response to a node response, waiting on the socket when it is full. */
async function writeResponse(res: ServerResponse, response: Response): Promise<void> {
  const headers: Record<string, string> = {};
  for (const [name, value] of response.headers) headers[name] = value;
  res.writeHead(response.status, headers);
  if (response.body) {
    for await (const chunk of response.body) {
      if (!res.write(chunk)) await new Promise((r) => res.once("drain", r));
    }
  }
  await new Promise<void>((resolve) => res.end(resolve));
}

/**
 * Serve `handler` over https on `hostname:port`, asking every client for a certificate signed
 * by `pair.ca`: required when `required`, else verified only when one is sent.
 */
export async function serveClientAuthHttps(
  options: {
    hostname: string;
    port: number;
    pair: TlsPair;
    required: boolean;
    /** A TLS handshake not done within this is cut; 0 = no limit. */
    handshakeMs: number;
    log: Logger;
  },
  handler: HttpHandler,
): Promise<ClientAuthHttpServer> {
  const { pair, log } = options;
  const host = `${options.hostname}:${options.port}`;
  const server = https.createServer({
    key: pair.key,
    cert: pair.cert,
    ca: pair.ca,
    requestCert: true,
    rejectUnauthorized: options.required,
  }, async (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket as tls.TLSSocket;
    const remoteAddr: Deno.NetAddr = {
      transport: "tcp",
      hostname: socket.remoteAddress ?? "",
      port: socket.remotePort ?? 0,
    };
    const done = Promise.withResolvers<void>();
    try {
      let response: Response;
      try {
        response = await handler(webRequest(req, host), { remoteAddr, completed: done.promise });
      } catch (error) {
        log.error(`https: handler failed: ${(error as Error)?.stack ?? error}`);
        response = new Response(null, { status: 500 });
      }
      await writeResponse(res, response);
    } catch {
      // The client went away mid-reply.
      res.destroy();
    } finally {
      done.resolve();
    }
  });
  guardClientAuth(server, options.handshakeMs);
  const addr = await listenOn(server, options.hostname, options.port);
  return {
    addr,
    reload(next) {
      server.setSecureContext({ key: next.key, cert: next.cert, ca: next.ca });
    },
    async close(graceMs = 2000) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([closed, new Promise((r) => timer = setTimeout(r, graceMs))]);
      clearTimeout(timer);
      server.closeAllConnections();
      await closed;
    },
  };
}

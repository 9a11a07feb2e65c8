/**
 * The DynamoDB service: an HTTP endpoint (Deno.serve; node:http(s) when client certificates or a
 * connection cap are asked for) speaking DynamoDB's JSON 1.0 API over the store's `dynamodb`
 * namespace.
 * @module
 */
import type { Service, ServiceContext } from "../../src/server.ts";
import { listenError } from "../../src/tcp.ts";
import { loadOnce } from "../../src/load_once.ts";
import { RELOAD_GRACE_MS, type TlsPair, type TlsSource } from "../../src/tls.ts";
import type { Engine } from "./engine.ts";
import { AWS_CREDENTIALS_FLAG, loadCredentials } from "./credentials.ts";

/** The service flag: seconds an expired item stays readable before the sweeper may delete it. */
const TTL_DELAY_FLAG = "dynamodb-ttl-delay";
/** The connection cap; 0 = none (and Deno.serve, which has no connection hooks). */
const MAX_CONNECTIONS_FLAG = "dynamodb-max-connections";
/** The request line and header block Deno.serve's HTTP layer takes (measured); node:http too. */
const MAX_HEADER_BYTES = 64 * 1024;

/** The DynamoDB service. */
export const dynamodbService: Service = {
  name: "dynamodb",
  port: { flag: "http-port", default: 8000, help: "DynamoDB HTTP port" },
  flags: {
    [TTL_DELAY_FLAG]: {
      default: "2",
      min: 0,
      help: "seconds an item past its TTL stays readable before deletion (0 = next sweep)",
    },
    [AWS_CREDENTIALS_FLAG]: {
      default: "",
      help: "file of access key ids and secrets requests must be signed with (AWS INI or " +
        "'KEY SECRET' lines)",
    },
    [MAX_CONNECTIONS_FLAG]: {
      default: "0",
      min: 0,
      help: "most DynamoDB connections, 0 = no cap; a cap serves through node:http, which " +
        "also cuts headers that trickle in, at 1.1-1.5x the CPU per request",
    },
  },
  async start(ctx, listen) {
    const credentials = loadCredentials(
      String(ctx.config.serviceFlags[AWS_CREDENTIALS_FLAG] ?? ""),
    );
    const pending = new Set<Promise<unknown>>();
    function background(task: Promise<unknown>) {
      const tracked = task.catch((error) =>
        ctx.log.error(`dynamodb background task failed: ${error}`)
      ).finally(() => pending.delete(tracked));
      pending.add(tracked);
    }
    const ttlDelayMs = Number(ctx.config.serviceFlags[TTL_DELAY_FLAG] ?? 2) * 1000;
    let engine: Engine | null = null;
    let starting: Promise<Engine> | null = null;
    const loadEngine = loadOnce(() =>
      import("./engine.ts")
        .then((m) => m.startEngine(ctx, { credentials, ttlDelayMs, background }))
        .then((started) => engine = started)
    );
    const load = (): Promise<Engine> => starting = loadEngine();
    // A store with data starts the engine now: it repairs what a crash left and sweeps TTLs.
    // A memory store starts empty, so its engine (most of the DynamoDB code) loads with the
    // first request that needs it, and a readiness probe does not wait for it.
    if (ctx.store.info.kind !== "memory") await load();
    const stopEngine = () => starting?.then((started) => started.stop(), () => {});
    const handler: Handler = (req, info) =>
      engine
        ? engine.handler(req, info)
        : isHealthProbe(req)
        ? Promise.resolve(ctx.health())
        : load().then((started) => started.handler(req, info));
    let server: HttpListening;
    try {
      const maxConnections = Number(ctx.config.serviceFlags[MAX_CONNECTIONS_FLAG] ?? 0);
      server = ctx.tls?.pair.ca !== undefined || maxConnections > 0
        ? await listenNode(ctx, listen, maxConnections, handler)
        : listenDeno(ctx.tls, listen, handler);
    } catch (error) {
      await stopEngine();
      throw error;
    }
    return {
      seed: async (section, path, part) => await (await load()).seed(section, path, part),
      exportFixture: async () => await (await load()).exportFixture(),
      resetPart: async (param, value) => await (await load()).resetPart(param, value),
      partPrefixes: async (param, value) => await (await load()).partPrefixes(param, value),
      address: `${ctx.tls ? "https" : "http"}://${listen.hostname}:${server.port}`,
      port: server.port,
      close: async () => {
        await server.close();
        await stopEngine();
        await Promise.all(pending);
      },
    };
  },
};

/**
 * `GET /health` from a non-browser (an Origin asks for CORS headers, which the engine's
 * handler adds): basekv's readiness, answered before the engine has loaded.
 */
function isHealthProbe(req: Request): boolean {
  return req.method === "GET" && !req.headers.has("origin") &&
    new URL(req.url).pathname === "/health";
}

/** A bound HTTP server of the service. */
interface HttpListening {
  port: number;
  /** Stop accepting, let requests in flight finish, close the connections. */
  close(): Promise<void>;
}

type Handler = Engine["handler"];

/** Serve with Deno.serve (plain, or TLS without client certificates). */
function listenDeno(
  tls: TlsSource | null,
  listen: { hostname: string; port: number },
  handler: Handler,
): HttpListening {
  // Deno.serve binds before it returns, so a bind failure throws here.
  const serve = (port: number, pair: TlsPair | null): Deno.HttpServer<Deno.NetAddr> => {
    try {
      return Deno.serve({
        hostname: listen.hostname,
        port,
        // With TLS a reload binds the new certificate beside the old server before shutting
        // that one down, so no connection attempt is refused meanwhile.
        ...(pair ? { cert: pair.cert, key: pair.key, reusePort: true } : {}),
        onListen: () => {},
      }, handler);
    } catch (error) {
      throw listenError("dynamodb", listen.hostname, port, error);
    }
  };
  let server = serve(listen.port, tls?.pair ?? null);
  const port = server.addr.port;
  let closing = false;
  // The old server's shutdown lets its in-flight requests finish, then closes its idle
  // keep-alive connections; clients open the next one on the new certificate.
  const retiring = new Set<Deno.HttpServer<Deno.NetAddr>>();
  const unsubscribe = tls?.onReload(async (pair) => {
    if (closing) return;
    const old = server;
    server = serve(port, pair);
    retiring.add(old);
    await new Promise((r) => setTimeout(r, RELOAD_GRACE_MS));
    if (retiring.delete(old)) await old.shutdown();
  });
  return {
    port,
    close: async () => {
      closing = true;
      unsubscribe?.();
      await Promise.all([server, ...retiring].map((s) => s.shutdown()));
      retiring.clear();
    },
  };
}

/**
 * Serve through node:http, or node:https with TLS (loaded only then): Deno.serve can neither ask
 * for a client certificate (`--tls-ca`) nor cap connections or time out headers. A reload swaps
 * the certificate (and CA) in place.
 */
async function listenNode(
  ctx: ServiceContext,
  listen: { hostname: string; port: number },
  maxConnections: number,
  handler: Handler,
): Promise<HttpListening> {
  const tls = ctx.tls;
  const { serveNodeHttp } = await import("../../src/node_http.ts");
  let server;
  try {
    server = await serveNodeHttp({
      ...listen,
      tls: tls ? { pair: tls.pair, requireClientCert: tls.requireClientCert } : null,
      maxConnections,
      requestTimeoutMs: ctx.config.requestTimeoutMs,
      maxHeaderBytes: MAX_HEADER_BYTES,
      log: ctx.log,
    }, handler);
  } catch (error) {
    throw listenError("dynamodb", listen.hostname, listen.port, error);
  }
  const unsubscribe = tls?.onReload((pair) => server.reload(pair));
  return {
    port: server.addr.port,
    close: async () => {
      unsubscribe?.();
      await server.close();
    },
  };
}

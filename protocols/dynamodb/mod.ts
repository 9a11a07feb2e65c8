/**
 * The DynamoDB service: an HTTP endpoint (Deno.serve; node:http(s) when client certificates or a
 * connection cap are asked for) speaking DynamoDB's JSON 1.0 API over the store's `dynamodb`
 * namespace.
 * @module
 */
import type { Service, ServiceContext } from "../../src/server.ts";
import { listenError } from "../../src/tcp.ts";
import { RELOAD_GRACE_MS, type TlsPair, type TlsSource } from "../../src/tls.ts";
import { createHandler } from "./server.ts";
import { startTtlSweeper, TTL_DELAY_FLAG } from "./ttl_sweeper.ts";
import { countTables } from "./storage/tables.ts";
import { backfillLegacyIndexes } from "./storage/index_backfill.ts";
import { dropUnfinishedBackups } from "./storage/backups.ts";
import { recoverRestores } from "./storage/restore_recovery.ts";
import type { OperationContext } from "./context.ts";
import { AWS_CREDENTIALS_FLAG, loadCredentials } from "./credentials.ts";
import { clearTables, exportDynamo, itemPrefixes, seedDynamo, tableFilter } from "./fixtures.ts";

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
    // DescribeTable's ItemCount and sizes read counters kept in the same commits as the items.
    countTables(ctx.store);
    // A memory store starts empty: no older build or crash left anything to repair.
    if (ctx.store.info.kind !== "memory") {
      const filled = await backfillLegacyIndexes(ctx.store);
      if (filled > 0) ctx.log.info(`dynamodb: built the entries of ${filled} older index(es)`);
      const dropped = await dropUnfinishedBackups(ctx.store);
      if (dropped > 0) {
        ctx.log.warn(`dynamodb: removed ${dropped} backup(s) a crash left unfinished`);
      }
      const [resumed, removed] = await recoverRestores(ctx.store, background);
      if (resumed + removed > 0) {
        ctx.log.warn(`dynamodb: restores cut short: ${resumed} resumed, ${removed} removed`);
      }
    }
    const delay = Number(ctx.config.serviceFlags[TTL_DELAY_FLAG] ?? 2) * 1000;
    const ttl = startTtlSweeper(ctx.store, delay, ctx.log);
    const handler = createHandler(ctx, background, ttl, credentials);
    const opCtx: OperationContext = {
      store: ctx.store,
      region: "us-east-1",
      log: ctx.log,
      background,
    };
    const admin = {
      seed: (section: unknown, path: string, part?: { param: string; value: string }) =>
        seedDynamo(
          opCtx,
          section,
          path,
          part ? tableFilter(part.param, part.value) ?? undefined : undefined,
        ),
      exportFixture: () => exportDynamo(opCtx),
      async resetPart(param: string, value: string) {
        const only = tableFilter(param, value);
        if (only === null) return false;
        await clearTables(ctx.store, only);
        return true;
      },
      partPrefixes(param: string, value: string) {
        const only = tableFilter(param, value);
        return only === null ? Promise.resolve(null) : itemPrefixes(ctx.store, only);
      },
    };
    let server: HttpListening;
    try {
      const maxConnections = Number(ctx.config.serviceFlags[MAX_CONNECTIONS_FLAG] ?? 0);
      server = ctx.tls?.pair.ca !== undefined || maxConnections > 0
        ? await listenNode(ctx, listen, maxConnections, handler)
        : listenDeno(ctx.tls, listen, handler);
    } catch (error) {
      ttl.stop();
      throw error;
    }
    return {
      ...admin,
      address: `${ctx.tls ? "https" : "http"}://${listen.hostname}:${server.port}`,
      port: server.port,
      close: async () => {
        await server.close();
        await ttl.stop();
        await Promise.all(pending);
      },
    };
  },
};

/** A bound HTTP server of the service. */
interface HttpListening {
  port: number;
  /** Stop accepting, let requests in flight finish, close the connections. */
  close(): Promise<void>;
}

type Handler = ReturnType<typeof createHandler>;

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

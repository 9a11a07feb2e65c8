/**
 * The Memcached front-end: text, meta and binary protocols, byte-exact with memcached 1.6.18,
 * over the store's `memcached` namespace. This module declares the service and how it listens.
 * @module
 */
import type { Service, ServiceContext } from "../../src/server.ts";
import { serveTcp, type TcpServer } from "../../src/tcp.ts";
import type { Shared } from "./commands/context.ts";
import { serveConnection } from "./server.ts";
import { Counters } from "./stats.ts";
import { TEXT } from "./errors.ts";
import { Items } from "./storage/items.ts";

/** The flag setting the largest item (memcached's -I). */
export const ITEM_MAX_FLAG = "memcached-item-max";
/** memcached's -c and -R. */
const MAX_CONNS_FLAG = "memcached-max-connections";
const REQS_PER_EVENT_FLAG = "memcached-reqs-per-event";
/** What memcached 1.6 (maxconns_fast) writes to a connection over -c before closing it. */
const TOO_MANY = new TextEncoder().encode(`${TEXT.TOO_MANY_CONNECTIONS}\r\n`);

/** A running memcached listener. */
export interface MemcachedServer {
  tcp: TcpServer;
  shared: Shared;
}

/** Load the items' state and start listening. */
export async function startMemcachedServer(
  ctx: ServiceContext,
  listen: { hostname: string; port: number },
): Promise<MemcachedServer> {
  const items = new Items(ctx.store, Number(ctx.config.serviceFlags[ITEM_MAX_FLAG]));
  await items.open();
  const limits = {
    maxConns: Number(ctx.config.serviceFlags[MAX_CONNS_FLAG]),
    reqsPerEvent: Number(ctx.config.serviceFlags[REQS_PER_EVENT_FLAG]),
  };
  const shared: Shared = { items, counters: new Counters(), ctx, port: listen.port, limits };
  const tcp = await serveTcp(
    {
      protocol: "memcached",
      ...listen,
      tls: ctx.tls,
      limits: {
        maxConnections: () => limits.maxConns,
        rejected: async (conn) => {
          shared.counters.rejectedConnections++;
          await conn.write(TOO_MANY);
        },
        // memcached's idle_timeout is off by default, as here; a half-sent request is not.
        idleTimeoutMs: () => 0,
        requestTimeoutMs: () => ctx.config.requestTimeoutMs,
      },
    },
    (conn, signal, watch) => serveConnection(conn, signal, shared, watch),
  );
  shared.port = tcp.addr.port;
  return { tcp, shared };
}

/** The memcached service. */
export const memcachedService: Service = {
  name: "memcached",
  port: { flag: "memcached-port", default: 11211, help: "Memcached port" },
  flags: {
    [ITEM_MAX_FLAG]: { default: "1048576", min: 1024, help: "largest memcached item in bytes" },
    [MAX_CONNS_FLAG]: { default: "1024", min: 1, help: "most memcached connections (-c)" },
    [REQS_PER_EVENT_FLAG]: {
      default: "20",
      min: 1,
      help: "memcached requests per connection before others run (-R)",
    },
  },
  async start(ctx, listen) {
    const { tcp, shared } = await startMemcachedServer(ctx, listen);
    return {
      // Fixtures load with their first use (the admin API, --seed).
      seed: async (section, path) =>
        (await import("./fixtures.ts")).seedMemcached(shared.items, section, path),
      exportFixture: async () => (await import("./fixtures.ts")).exportMemcached(shared.items),
      address: `${listen.hostname}:${tcp.addr.port}`,
      port: tcp.addr.port,
      close: () => tcp.close(),
    };
  },
};

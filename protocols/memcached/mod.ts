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
import { Items } from "./storage/items.ts";
import { exportMemcached, seedMemcached } from "./fixtures.ts";

/** The flag setting the largest item (memcached's -I). */
export const ITEM_MAX_FLAG = "memcached-item-max";

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
  const shared: Shared = { items, counters: new Counters(), ctx, port: listen.port };
  const tcp = serveTcp(
    { protocol: "memcached", ...listen },
    (conn, signal) => serveConnection(conn, signal, shared),
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
  },
  async start(ctx, listen) {
    const { tcp, shared } = await startMemcachedServer(ctx, listen);
    return {
      seed: (section, path) => seedMemcached(shared.items, section, path),
      exportFixture: () => exportMemcached(shared.items),
      address: `${listen.hostname}:${tcp.addr.port}`,
      port: tcp.addr.port,
      close: () => tcp.close(),
    };
  },
};

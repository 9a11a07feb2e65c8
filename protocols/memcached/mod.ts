/**
 * The Memcached front-end: text, meta and binary protocols, byte-exact with memcached 1.6.18,
 * over the store's `memcached` namespace.
 * @module
 */
import type { Service } from "../../src/server.ts";
import { ITEM_MAX_FLAG, startMemcachedServer } from "./server.ts";

/** The memcached service. */
export const memcachedService: Service = {
  name: "memcached",
  port: { flag: "memcached-port", default: 11211, help: "Memcached port" },
  flags: {
    [ITEM_MAX_FLAG]: { default: "1048576", min: 1024, help: "largest memcached item in bytes" },
  },
  async start(ctx, listen) {
    const { tcp } = await startMemcachedServer(ctx, listen);
    return {
      address: `${listen.hostname}:${tcp.addr.port}`,
      port: tcp.addr.port,
      close: () => tcp.close(),
    };
  },
};

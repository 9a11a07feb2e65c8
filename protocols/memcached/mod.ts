/**
 * The Memcached front-end: text, meta and binary protocols, byte-exact with memcached 1.6.18,
 * over the store's `memcached` namespace.
 * @module
 */
import type { Service } from "../../src/server.ts";
import { startMemcachedServer } from "./server.ts";

/** The memcached service. */
export const memcachedService: Service = {
  name: "memcached",
  async start(ctx, listen) {
    const { tcp } = await startMemcachedServer(ctx, listen);
    return {
      address: `${listen.hostname}:${tcp.addr.port}`,
      port: tcp.addr.port,
      close: () => tcp.close(),
    };
  },
};

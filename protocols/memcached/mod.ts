/**
 * The Memcached front-end (stub until the memcached issue lands): answers `version`.
 * @module
 */
import type { Service } from "../../src/server.ts";
import { serveTcp } from "../../src/tcp.ts";

const VERSION_REPLY = new TextEncoder().encode("VERSION 1.6.18\r\n");
const ERROR = new TextEncoder().encode("ERROR\r\n");

/** The memcached service. */
export const memcachedService: Service = {
  name: "memcached",
  start(_ctx, listen) {
    const server = serveTcp({ protocol: "memcached", ...listen }, async (conn, signal) => {
      const buf = new Uint8Array(4096);
      while (!signal.aborted) {
        const n = await conn.read(buf);
        if (n === null) return;
        const line = new TextDecoder().decode(buf.subarray(0, n)).trim();
        await conn.write(line === "version" ? VERSION_REPLY : ERROR);
      }
    });
    return Promise.resolve({
      address: `${listen.hostname}:${server.addr.port}`,
      port: server.addr.port,
      close: () => server.close(),
    });
  },
};

/**
 * The Redis RESP front-end (stub until the RESP issue lands): answers PING over TCP.
 * @module
 */
import type { Service } from "../../src/server.ts";
import { serveTcp } from "../../src/tcp.ts";

const PONG = new TextEncoder().encode("+PONG\r\n");
const UNKNOWN = new TextEncoder().encode("-ERR unknown command\r\n");

/** The Redis service. */
export const redisService: Service = {
  name: "redis",
  start(_ctx, listen) {
    const server = serveTcp({ protocol: "redis", ...listen }, async (conn, signal) => {
      const buf = new Uint8Array(4096);
      while (!signal.aborted) {
        const n = await conn.read(buf);
        if (n === null) return;
        const text = new TextDecoder().decode(buf.subarray(0, n)).toUpperCase();
        await conn.write(text.includes("PING") ? PONG : UNKNOWN);
      }
    });
    return Promise.resolve({
      address: `${listen.hostname}:${server.addr.port}`,
      port: server.addr.port,
      close: () => server.close(),
    });
  },
};

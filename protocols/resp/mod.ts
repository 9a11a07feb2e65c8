/**
 * The Redis RESP service: builds the command table from every family (commands/mod.ts),
 * listens on the RESP port and serves each connection with the pipelined connection loop.
 * @module
 */
import type { Service } from "../../src/server.ts";
import { serveTcp } from "../../src/tcp.ts";
import { CommandTable } from "./command_table.ts";
import { FAMILIES } from "./commands/mod.ts";
import { ConfigParams } from "./config_params.ts";
import { serveConnection } from "./server.ts";
import { ServerState } from "./server_state.ts";
import { installReclaimer } from "./storage/reclaim.ts";
import { localClient } from "./local_client.ts";
import { exportRedis, seedRedis } from "./fixtures.ts";
import { DATABASES } from "./storage/layout.ts";

/** The Redis service. */
export const redisService: Service = {
  name: "redis",
  port: { flag: "redis-port", default: 6380, help: "Redis RESP port" },
  start(ctx, listen) {
    // Expiry events drive the reclaiming of hash fields: listen before any connection is served.
    installReclaimer(ctx.store);
    const state = new ServerState(
      new ConfigParams({ port: listen.port, password: ctx.config.password }),
    );
    // Blocked clients are retried after commits: subscribed before any connection is served.
    const unblock = state.blocking.attach(ctx.store);
    const table = new CommandTable(FAMILIES);
    const deps = {
      store: ctx.store,
      auth: ctx.auth,
      limiter: ctx.limiter,
      rateLimit: ctx.config.rateLimit,
      log: ctx.log,
      state,
      table,
    };
    const server = serveTcp(
      { protocol: "redis", ...listen },
      (conn, signal) => serveConnection(conn, signal, deps),
    );
    state.port = server.addr.port;
    state.config.setInternal("port", String(server.addr.port));
    state.config.setInternal("bind", listen.hostname);
    const call = localClient({ store: ctx.store, state, table, auth: ctx.auth });
    return Promise.resolve({
      seed: (section, path, part) => seedRedis(call, section, path, part?.value),
      exportFixture: () => exportRedis(call),
      async resetPart(param, value) {
        if (param !== "db") return false;
        const db = Number(value);
        if (!/^\d+$/.test(value) || db >= DATABASES) {
          throw new RangeError(`db: expected a database number 0-${DATABASES - 1}`);
        }
        await call(db, "FLUSHDB");
        return true;
      },
      address: `${listen.hostname}:${server.addr.port}`,
      port: server.addr.port,
      close: async () => {
        await server.close();
        unblock();
      },
    });
  },
};

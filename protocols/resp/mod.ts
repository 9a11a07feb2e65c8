/**
 * The Redis RESP service: builds the command table from every family (commands/mod.ts),
 * listens on the RESP port and serves each connection with the pipelined connection loop.
 * @module
 */
import type { Service } from "../../src/server.ts";
import { serveTcp } from "../../src/tcp.ts";
import { CommandTable } from "./command_table.ts";
import { families } from "./commands/mod.ts";
import { ConfigParams } from "./config_params.ts";
import { SERVER_ERRORS } from "./errors.ts";
import { serveConnection } from "./server.ts";
import { ServerState } from "./server_state.ts";
import { loadStoredFunctions } from "./storage/functions.ts";
import { countSlots } from "./keyspace.ts";
import { installReclaimer } from "./storage/reclaim.ts";
import { attachExpiry } from "./notify.ts";
import { holdZsets } from "./storage/zset_held.ts";

/** Flags for Redis's maxclients and timeout. */
const MAXCLIENTS_FLAG = "redis-maxclients";
const TIMEOUT_FLAG = "redis-timeout";
const FANOUT_POLL_FLAG = "redis-fanout-poll-ms";
/** How often a following front-end polls the others' heads, by default (`--redis-fanout-poll-ms`). */
const FOLLOW_POLL_MS = 5;
/** The ACL file (Redis's aclfile): its users are loaded at start, ACL LOAD and ACL SAVE use it. */
const USERS_FLAG = "users";
/** Share of the read-cache budget small sorted sets may be held in (storage/zset_held.ts). */
const HELD_SHARE_OF_CACHE = 1 / 4;
/** What Redis writes to a client over maxclients before closing it (networking.c). */
const MAXCLIENTS_REPLY = new TextEncoder().encode(`-${SERVER_ERRORS.maxClients}\r\n`);
import { localClient } from "./local_client.ts";
import { DATABASES } from "./storage/layout.ts";

/** The admin API's `?db=` value as a database number; a bad one throws naming the parameter. */
function dbNumber(value: string): number {
  const db = Number(value);
  if (!/^\d+$/.test(value) || db >= DATABASES) {
    throw new RangeError(`db: expected a database number 0-${DATABASES - 1}`);
  }
  return db;
}
import type { AclRegistry } from "./acl/registry.ts";

/** The Redis service. */
export const redisService: Service = {
  name: "redis",
  port: { flag: "redis-port", default: 6380, help: "Redis RESP port" },
  flags: {
    [MAXCLIENTS_FLAG]: {
      default: "10000",
      min: 1,
      help: "most Redis clients (maxclients; CONFIG SET maxclients)",
    },
    [USERS_FLAG]: {
      default: "",
      help: "Redis ACL users file (aclfile format: user <name> on >password ~keys +@category)",
    },
    [TIMEOUT_FLAG]: {
      default: "0",
      min: 0,
      help: "close Redis clients idle this many seconds, 0 = never (timeout)",
    },
    [FANOUT_POLL_FLAG]: {
      default: String(FOLLOW_POLL_MS),
      min: 1,
      help: "shared store: how often a front-end with subscribers polls the others' messages",
    },
  },
  async start(ctx, listen) {
    // Expiry events drive the reclaiming of hash fields: listen before any connection is served.
    installReclaimer(ctx.store);
    // DBSIZE and INFO keyspace read per-slot counters kept in the same commits as the keys.
    countSlots(ctx.store);
    const state = new ServerState(
      new ConfigParams({ port: listen.port, password: ctx.config.password }),
      ctx.log,
    );
    // A memory store starts empty: no library or ACL user was stored before this start.
    const stored = ctx.store.info.kind !== "memory";
    // Libraries FUNCTION LOAD stored, before any FCALL can arrive.
    if (stored) await loadStoredFunctions(ctx.store, () => state.loadScripts());
    state.config.setInternal("maxclients", String(ctx.config.serviceFlags[MAXCLIENTS_FLAG]));
    state.config.setInternal("timeout", String(ctx.config.serviceFlags[TIMEOUT_FLAG]));
    // Small sorted sets held in memory, kept exact by commits from the first one on.
    holdZsets(ctx.store, ctx.config.cacheMb * HELD_SHARE_OF_CACHE * 1024 * 1024);
    // Blocked clients are retried after commits: subscribed before any connection is served.
    const unblock = state.blocking.attach(ctx.store);
    // Expired keys become "expired" events and tracking invalidations.
    const unexpire = attachExpiry(state, ctx.store);
    // Other front-ends on the same store: their clients hear this one's messages and events.
    if (!ctx.store.info.exclusive) {
      const pollMs = Number(ctx.config.serviceFlags[FANOUT_POLL_FLAG]);
      // Only a shared store has other front-ends: a local one never loads the fan-out.
      const { Fanout } = await import("./fanout.ts");
      state.fanout = new Fanout(ctx.store, state, pollMs);
      await state.fanout.start();
    }
    const table = new CommandTable(families());
    const password = ctx.config.password;
    const usersFile = String(ctx.config.serviceFlags[USERS_FLAG] ?? "") || null;
    const makeAcl = async (): Promise<AclRegistry> => {
      const [{ AclRegistry }, { tableNames }] = await Promise.all([
        import("./acl/registry.ts"),
        import("./acl/categories.ts"),
      ]);
      return new AclRegistry(ctx.store, tableNames(table), password, usersFile);
    };
    if (stored || password !== null || usersFile !== null) {
      // Stored users, a users file or a password: users and rules apply from the first command.
      state.acl = await makeAcl();
      await state.acl.start(stored);
    } else {
      // Only the default user, with every permission and no password, until an ACL command or
      // AUTH needs the registry (ServerState.loadAcl): a start does not load the ACL machinery.
      state.aclLoader = makeAcl;
    }
    const deps = {
      store: ctx.store,
      auth: ctx.auth,
      limiter: ctx.limiter,
      rateLimit: ctx.config.rateLimit,
      log: ctx.log,
      state,
      table,
    };
    const server = await serveTcp(
      {
        protocol: "redis",
        ...listen,
        tls: ctx.tls,
        limits: {
          maxConnections: () => state.config.connection.maxClients,
          rejected: async (conn) => {
            state.stats.rejectedConnections++;
            await conn.write(MAXCLIENTS_REPLY);
          },
          idleTimeoutMs: () => state.config.connection.idleTimeoutMs,
          requestTimeoutMs: () => ctx.config.requestTimeoutMs,
        },
      },
      (conn, signal, watch) => serveConnection(conn, signal, deps, watch),
    );
    state.port = server.addr.port;
    state.config.setInternal("port", String(server.addr.port));
    state.config.setInternal("bind", listen.hostname);
    const call = localClient({ store: ctx.store, state, table, auth: ctx.auth });
    return {
      // Fixtures and snapshots of one db load with their first use (the admin API, --seed).
      seed: async (section, path, part) =>
        (await import("./fixtures.ts")).seedRedis(call, section, path, part?.value),
      exportFixture: async () => (await import("./fixtures.ts")).exportRedis(call),
      async resetPart(param, value) {
        if (param !== "db") return false;
        await call(dbNumber(value), "FLUSHDB");
        return true;
      },
      async snapshotPart(param, value) {
        if (param !== "db") return null;
        const db = dbNumber(value);
        const { copyDb, restoreDb } = await import("./storage/db_snapshot.ts");
        const copy = await copyDb(ctx.store, db);
        const members = [...copy.generations.values()].reduce((n, g) => n + g.length, 0);
        return {
          entries: copy.keys.length + members,
          takenAt: copy.takenAt,
          restore: () => restoreDb(ctx.store, db, copy),
        };
      },
      address: `${listen.hostname}:${server.addr.port}`,
      port: server.addr.port,
      close: async () => {
        await server.close();
        await state.fanout?.close();
        unblock();
        unexpire();
      },
    };
  },
};

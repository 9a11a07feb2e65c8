/**
 * Socket.IO's Redis adapter, unchanged, on basekv: three Socket.IO servers on loopback share
 * basekv; a broadcast (and a room broadcast) from one reaches clients on all three, and the
 * adapter's request/response traffic (fetchSockets, serverSideEmit) works. Both the classic
 * adapter over ioredis (PUBLISH/PSUBSCRIBE, PUBSUB NUMSUB) and the sharded adapter over
 * node-redis (SPUBLISH/SSUBSCRIBE, PUBSUB SHARDNUMSUB).
 * @module
 */
import assert from "node:assert/strict";
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createAdapter, createShardedAdapter } from "@socket.io/redis-adapter";
import { Server, type ServerOptions } from "socket.io";
import { io as connectClient, type Socket as ClientSocket } from "socket.io-client";
import { appTest, type ErrorTrap, ioredisFor, nodeRedisFor, until } from "./target.ts";

const SERVERS = 3;
const CLIENTS_PER_SERVER = 2;

type Adapter = NonNullable<ServerOptions["adapter"]>;

/** Three Socket.IO servers, each with clients, torn down by dispose. */
class Cluster implements AsyncDisposable {
  readonly servers: Server[] = [];
  readonly http: HttpServer[] = [];
  readonly clients: ClientSocket[][] = [];
  readonly teardown: (() => unknown)[] = [];

  constructor(readonly trap: ErrorTrap) {}

  async add(adapter: Adapter): Promise<void> {
    const http = createServer();
    const server = new Server(http, { adapter });
    const index = this.servers.length;
    server.on("connection", (socket) => {
      socket.join(`server-${index}`);
      socket.on("join", (room: string, ack: () => void) => {
        socket.join(room);
        ack();
      });
    });
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
    this.servers.push(server);
    this.http.push(http);
    const port = (http.address() as AddressInfo).port;
    const clients: ClientSocket[] = [];
    for (let i = 0; i < CLIENTS_PER_SERVER; i++) {
      const client = connectClient(`http://127.0.0.1:${port}`, {
        transports: ["websocket"],
        reconnection: false,
      });
      client.on("connect_error", this.trap.record);
      clients.push(client);
    }
    this.clients.push(clients);
    await until("clients to connect", () => clients.every((c) => c.connected));
  }

  /** Every client's received values for `event`, collected from now on. */
  listen(event: string): unknown[][][] {
    return this.clients.map((clients) =>
      clients.map((c) => {
        const got: unknown[] = [];
        c.on(event, (value: unknown) => got.push(value));
        return got;
      })
    );
  }

  async [Symbol.asyncDispose](): Promise<void> {
    for (const clients of this.clients) for (const c of clients) c.disconnect();
    for (const s of this.servers) await new Promise((r) => s.close(r));
    for (const t of this.teardown) await t();
  }
}

/**
 * The checks both adapters must pass, once `subscribed()` says every server's adapter has
 * subscribed (the adapters subscribe in the background; a message published before is lost).
 */
async function exercise(cluster: Cluster, subscribed: () => Promise<boolean>): Promise<void> {
  await until("the adapters' subscriptions", subscribed);
  const all = cluster.listen("news");
  cluster.servers[0].emit("news", "hello from 0");
  await until("every client to get the broadcast", () => all.flat().every((g) => g.length === 1));
  assert.deepEqual(all.flat(), Array(SERVERS * CLIENTS_PER_SERVER).fill(["hello from 0"]));

  // A room with one client on server 1 and one on server 2, broadcast from server 0.
  await new Promise((r) => cluster.clients[1][0].emit("join", "room-a", r));
  await new Promise((r) => cluster.clients[2][1].emit("join", "room-a", r));
  const room = cluster.listen("room-news");
  cluster.servers[0].to("room-a").emit("room-news", 42);
  await until("room members to get the broadcast", () => room.flat().flat().length === 2);
  assert.deepEqual(room.map((server) => server.map((got) => got.length)), [
    [0, 0],
    [1, 0],
    [0, 1],
  ]);

  // Request/response through the adapter: every server answers fetchSockets.
  const sockets = await cluster.servers[2].fetchSockets();
  assert.equal(sockets.length, SERVERS * CLIENTS_PER_SERVER);
  const inRoom = await cluster.servers[0].in("room-a").fetchSockets();
  assert.equal(inRoom.length, 2);

  // serverSideEmit with acknowledgements from the two other servers.
  for (const s of cluster.servers) {
    s.on("ping-servers", (n: number, ack: (v: number) => void) => ack(n + 1));
  }
  const replies = await cluster.servers[1].serverSideEmitWithAck("ping-servers", 10);
  assert.deepEqual(replies, [11, 11]);
}

appTest(
  "socket.io redis adapter (ioredis, PUBLISH/PSUBSCRIBE): fan-out to 3 servers",
  async (port, trap) => {
    await using cluster = new Cluster(trap);
    for (let i = 0; i < SERVERS; i++) {
      const [pub, sub] = [ioredisFor(port, trap), ioredisFor(port, trap)];
      // QUIT, not disconnect: closing a Socket.IO server makes its adapter unsubscribe in the
      // background, and a disconnect fails that command with an uncaught "Connection is closed."
      // (seen under load); QUIT answers what was sent before it.
      cluster.teardown.push(() => pub.quit(), () => sub.quit());
      await cluster.add(createAdapter(pub, sub, { requestsTimeout: 20_000 }));
    }
    const probe = ioredisFor(port, trap);
    cluster.teardown.push(() => probe.quit());
    await exercise(cluster, async () => {
      const [, requests] = await probe.pubsub("NUMSUB", "socket.io-request#/#") as [string, number];
      // Each adapter PSUBSCRIBEs before it SUBSCRIBEs on one connection: its SUBSCRIBE counting
      // means its pattern is in place too (NUMPAT counts distinct patterns, not subscribers).
      return requests === SERVERS;
    });
  },
);

appTest(
  "socket.io sharded redis adapter (node-redis, SPUBLISH/SSUBSCRIBE): fan-out to 3 servers",
  async (port, trap) => {
    await using cluster = new Cluster(trap);
    for (let i = 0; i < SERVERS; i++) {
      const [pub, sub] = [await nodeRedisFor(port, trap), await nodeRedisFor(port, trap)];
      cluster.teardown.push(() => pub.close(), () => sub.close());
      await cluster.add(createShardedAdapter(pub, sub));
    }
    const probe = await nodeRedisFor(port, trap);
    cluster.teardown.push(() => probe.close());
    await exercise(cluster, async () => {
      const counts = await probe.pubSubShardNumSub("socket.io#/#");
      return counts["socket.io#/#"] === SERVERS;
    });
  },
);

/**
 * Crash safety: a mixed write load on all three protocols, SIGKILL at a random moment, restart
 * on the same file, and every acknowledged write is there: values, counters (at least every
 * acknowledged increment, at most every sent one), no half transaction, no torn large value.
 * `make test` kills three times; `make crash` twenty (BASEKV_CRASH_KILLS).
 * @module
 */
import assert from "node:assert/strict";
import { Redis } from "ioredis";
import { DynamoDBClient, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { TransactWriteItemsCommand, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { RawClient } from "../helpers/net.ts";
import { type ChildServer, type Ports, startChild } from "../helpers/server.ts";

const KILLS = Number(Deno.env.get("BASEKV_CRASH_KILLS") ?? "3");
/** The large value: past one Deno KV entry, so it is chunked and flipped by a pointer. */
const BIG_BYTES = 5 * 1024 * 1024;
const WORKERS = 4;

/** What the load sent and what was acknowledged, per round. */
interface Ledger {
  /** Keys whose write was acknowledged, with the value written. */
  acked: Map<string, string>;
  counters: Map<string, { acked: number; sent: number }>;
  /** Transaction ids sent (each writes two items). */
  transactions: string[];
  /** Generations of the big value sent, and the last acknowledged. */
  bigSent: number[];
  bigAcked: number;
}

function newLedger(): Ledger {
  return { acked: new Map(), counters: new Map(), transactions: [], bigSent: [], bigAcked: -1 };
}

function count(l: Ledger, name: string, field: "acked" | "sent"): void {
  const c = l.counters.get(name) ?? { acked: 0, sent: 0 };
  c[field]++;
  l.counters.set(name, c);
}

function redisClient(port: number): Redis {
  // No retries and no offline queue: a command is acknowledged by this server or by nobody.
  const client = new Redis({
    port,
    host: "127.0.0.1",
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
    lazyConnect: true,
  });
  // The kill resets every connection; the failed commands already tell the load to stop.
  client.on("error", () => {});
  return client;
}

function dynamo(port: number): DynamoDBClient {
  return new DynamoDBClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: "us-east-1",
    credentials: { accessKeyId: "crash", secretAccessKey: "crash" },
    maxAttempts: 1,
  });
}

/** One memcached text command, its reply line awaited. */
async function mc(c: RawClient, request: string): Promise<string> {
  await c.send(request);
  return (await c.readText("\r\n", 5000)).trim();
}

/** Run `op` in a loop until `stop` resolves; failures after the kill are expected. */
async function loop(stop: { done: boolean }, op: (i: number) => Promise<void>): Promise<void> {
  for (let i = 0; !stop.done; i++) {
    try {
      await op(i);
    } catch {
      return;
    }
  }
}

function bigValue(gen: number): Uint8Array {
  return new Uint8Array(BIG_BYTES).fill(gen % 251);
}

async function load(ports: Ports, round: number, l: Ledger, stop: { done: boolean }) {
  const redis = Array.from({ length: WORKERS }, () => redisClient(ports.redis));
  await Promise.all(redis.map((r) => r.connect()));
  const memcached = await Promise.all(
    Array.from({ length: 2 }, () => RawClient.connect(ports.memcached)),
  );
  const ddb = dynamo(ports.http);
  await mc(memcached[0], `set mc:${round} 0 0 1\r\n0\r\n`);
  const jobs: Promise<void>[] = [];
  redis.forEach((r, w) => {
    jobs.push(loop(stop, async (i) => {
      const key = `r:${round}:${w}:${i}`;
      await r.set(key, `v${i}`);
      l.acked.set(key, `v${i}`);
      count(l, `cnt:${round}`, "sent");
      await r.incr(`cnt:${round}`);
      count(l, `cnt:${round}`, "acked");
      await r.hset(`h:${round}`, `${w}:${i}`, `v${i}`);
      l.acked.set(`h:${round}/${w}:${i}`, `v${i}`);
    }));
  });
  jobs.push(loop(stop, async (i) => {
    l.bigSent.push(i);
    await redis[0].set(`big`, Buffer.from(bigValue(i)));
    l.bigAcked = i;
  }));
  memcached.forEach((c, w) => {
    jobs.push(loop(stop, async (i) => {
      const key = `m:${round}:${w}:${i}`;
      const value = `v${i}`;
      assert.equal(await mc(c, `set ${key} 7 0 ${value.length}\r\n${value}\r\n`), "STORED");
      l.acked.set(key, value);
      count(l, `mc:${round}`, "sent");
      await mc(c, `incr mc:${round} 1\r\n`);
      count(l, `mc:${round}`, "acked");
    }));
  });
  jobs.push(loop(stop, async (i) => {
    const pk = `d:${round}:${i}`;
    await ddb.send(new PutItemCommand({ TableName: "crash", Item: { pk: { S: pk } } }));
    l.acked.set(pk, "item");
    count(l, `dc:${round}`, "sent");
    await ddb.send(
      new UpdateItemCommand({
        TableName: "crash",
        Key: { pk: { S: `dc:${round}` } },
        UpdateExpression: "ADD n :one",
        ExpressionAttributeValues: { ":one": { N: "1" } },
      }),
    );
    count(l, `dc:${round}`, "acked");
    const id = `t:${round}:${i}`;
    l.transactions.push(id);
    await ddb.send(
      new TransactWriteItemsCommand({
        TransactItems: ["a", "b"].map((side) => ({
          Put: { TableName: "crash", Item: { pk: { S: `${id}:${side}` } } },
        })),
      }),
    );
  }));
  return async () => {
    stop.done = true;
    await Promise.all(jobs);
    for (const r of redis) r.disconnect();
    for (const c of memcached) c[Symbol.dispose]();
    ddb.destroy();
  };
}

/** Check round `round`'s ledger; the large value only for the latest round (later ones rewrite it). */
async function verify(ports: Ports, round: number, l: Ledger, latest: boolean): Promise<void> {
  const redis = redisClient(ports.redis);
  await redis.connect();
  const memcached = await RawClient.connect(ports.memcached);
  const ddb = dynamo(ports.http);
  try {
    for (const [key, value] of l.acked) {
      if (key.startsWith("r:")) assert.equal(await redis.get(key), value, key);
      else if (key.startsWith("h:")) {
        const [hash, field] = key.split("/");
        assert.equal(await redis.hget(hash, field), value, key);
      } else if (key.startsWith("m:")) {
        assert.equal(await mc(memcached, `get ${key}\r\n`), `VALUE ${key} 7 ${value.length}`);
        assert.equal((await memcached.readText("END\r\n", 5000)).trim(), `${value}\r\nEND`);
      } else {
        const got = await ddb.send(
          new GetItemCommand({ TableName: "crash", Key: { pk: { S: key } } }),
        );
        assert.ok(got.Item, `acknowledged item ${key} is missing`);
      }
    }
    const within = (name: string, value: number) => {
      const c = l.counters.get(name) ?? { acked: 0, sent: 0 };
      assert.ok(
        c.acked <= value && value <= c.sent,
        `${name}=${value}, acked ${c.acked}, sent ${c.sent}`,
      );
    };
    within(`cnt:${round}`, Number(await redis.get(`cnt:${round}`) ?? 0));
    const mcLine = await mc(memcached, `get mc:${round}\r\n`);
    const mcValue = mcLine.startsWith("VALUE")
      ? Number((await memcached.readText("END\r\n", 5000)).split("\r\n")[0])
      : 0;
    within(`mc:${round}`, mcValue);
    const dc = await ddb.send(
      new GetItemCommand({ TableName: "crash", Key: { pk: { S: `dc:${round}` } } }),
    );
    within(`dc:${round}`, Number(dc.Item?.n?.N ?? 0));
    for (const id of l.transactions) {
      const sides = await Promise.all(
        ["a", "b"].map((side) =>
          ddb.send(new GetItemCommand({ TableName: "crash", Key: { pk: { S: `${id}:${side}` } } }))
        ),
      );
      assert.equal(!!sides[0].Item, !!sides[1].Item, `transaction ${id} is half applied`);
    }
    const big = latest ? await redis.getBuffer("big") : null;
    if (latest && (l.bigAcked >= 0 || big !== null)) {
      assert.ok(big, "the acknowledged large value is gone");
      assert.equal(big.length, BIG_BYTES, "the large value is torn");
      const fill = big[0];
      assert.ok(big.every((b) => b === fill), "the large value mixes two writes");
      const gens = l.bigSent.filter((g) => g % 251 === fill && g >= l.bigAcked);
      assert.ok(gens.length > 0 || l.bigAcked < 0, `large value ${fill} is older than acked`);
    }
  } finally {
    redis.disconnect();
    memcached[Symbol.dispose]();
    ddb.destroy();
  }
}

const PORTS = ["--redis-port=0", "--memcached-port=0", "--http-port=0", "--log-level=error"];

Deno.test({
  name: `${KILLS} SIGKILLs under mixed load lose no acknowledged write`,
  // ioredis and the AWS SDK keep sockets and timers of their own past disconnect.
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "basekv-crash-" });
    const args = [`--data=${dir}/basekv.sqlite`, ...PORTS];
    try {
      let server: ChildServer = await startChild(args);
      const setup = dynamo(server.ports.http);
      await setup.send(
        new (await import("@aws-sdk/client-dynamodb")).CreateTableCommand({
          TableName: "crash",
          AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
          KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
          BillingMode: "PAY_PER_REQUEST",
        }),
      );
      setup.destroy();
      const ledgers: Ledger[] = [];
      for (let round = 0; round < KILLS; round++) {
        const ledger = newLedger();
        ledgers.push(ledger);
        const stop = { done: false };
        const finish = await load(server.ports, round, ledger, stop);
        await new Promise((r) => setTimeout(r, 300 + Math.random() * 1200));
        await server.stop("SIGKILL");
        await finish();
        server = await startChild(args);
        // Every earlier round's writes must still be there too.
        for (let r = 0; r <= round; r++) {
          await verify(server.ports, r, ledgers[r], r === round);
        }
        assert.ok(ledger.acked.size > 0, "the load acknowledged nothing before the kill");
      }
      await server.stop();
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

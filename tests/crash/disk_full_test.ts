/**
 * Disk full: basekv on a small tmpfs, filled through Redis SET, memcached set and DynamoDB
 * PutItem until each answers its disk-full error; reads keep working; deletes still work (basekv
 * gives back its disk reserve); writes resume after deletes and once space is freed outside, the
 * reserve comes back, and every acknowledged write is there.
 * @module
 */
import assert from "node:assert/strict";
import { Redis } from "ioredis";
import {
  CreateTableCommand,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from "@aws-sdk/client-dynamodb";
import { RawClient } from "../helpers/net.ts";
import { sdkClient } from "../dynamodb/client.ts";
import { type Ports, startChild } from "../helpers/server.ts";
import { smallFs } from "../helpers/small_fs.ts";
import { RESERVE_BYTES } from "../../src/store/disk_reserve.ts";

/** The filesystem: small enough to fill in seconds, large enough for SQLite's WAL to cycle. */
const FS_BYTES = 32 * 1024 * 1024;
/** Space taken from outside before the load, and given back to recover (room for the reserve). */
const BALLAST_BYTES = 16 * 1024 * 1024;
/** Keys per protocol deleted while the disk is full. */
const DELETES = 10;
const VALUE_BYTES = 48 * 1024;
/** Far more writes than fit: the loop stops at the first error of each protocol. */
const MAX_WRITES = 4 * FS_BYTES / VALUE_BYTES;
const TABLE = "full";

const FULL = {
  redis: "ERR database or disk is full",
  memcached: "SERVER_ERROR out of memory storing object",
  dynamodb: "InternalServerError: database or disk is full",
};
type Protocol = keyof typeof FULL;

/** One connection per protocol. */
interface Clients extends Disposable {
  redis: Redis;
  mc: RawClient;
  ddb: DynamoDBClient;
}

async function connect(ports: Ports): Promise<Clients> {
  // No retries: each command is answered once, by this server.
  const redis = new Redis({
    port: ports.redis,
    host: "127.0.0.1",
    maxRetriesPerRequest: 0,
    lazyConnect: true,
  });
  await redis.connect();
  const mc = await RawClient.connect(ports.memcached);
  const ddb = sdkClient(ports.http);
  return {
    redis,
    mc,
    ddb,
    [Symbol.dispose]: () => {
      redis.disconnect();
      mc.close();
      ddb.destroy();
    },
  };
}

function valueOf(i: number): string {
  return `${i}:`.padEnd(VALUE_BYTES, "x");
}

/** Write value `i` on `protocol`; null when acknowledged, else the error as the client sees it. */
async function write(c: Clients, protocol: Protocol, i: number): Promise<string | null> {
  const key = `${protocol}:${i}`;
  const value = valueOf(i);
  try {
    if (protocol === "redis") await c.redis.set(key, value);
    else if (protocol === "memcached") {
      await c.mc.send(`set ${key} 0 0 ${value.length}\r\n${value}\r\n`);
      const line = (await c.mc.readText("\r\n", 30_000)).trim();
      if (line !== "STORED") return line;
    } else {
      await c.ddb.send(
        new PutItemCommand({ TableName: TABLE, Item: { pk: { S: key }, v: { S: value } } }),
      );
    }
    return null;
  } catch (error) {
    const e = error as Error;
    return protocol === "dynamodb" ? `${e.name}: ${e.message}` : e.message;
  }
}

/** Delete `key`; null when acknowledged, else the error. */
async function remove(c: Clients, key: string): Promise<string | null> {
  const protocol = key.split(":")[0] as Protocol;
  try {
    if (protocol === "redis") assert.equal(await c.redis.del(key), 1);
    else if (protocol === "memcached") {
      await c.mc.send(`delete ${key}\r\n`);
      const line = (await c.mc.readText("\r\n", 30_000)).trim();
      if (line !== "DELETED") return line;
    } else {
      await c.ddb.send(new DeleteItemCommand({ TableName: TABLE, Key: { pk: { S: key } } }));
      const got = await c.ddb.send(
        new GetItemCommand({ TableName: TABLE, Key: { pk: { S: key } } }),
      );
      assert.equal(got.Item, undefined, key);
    }
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

/** Read back every acknowledged write. */
async function verify(c: Clients, acked: Map<string, number>): Promise<void> {
  for (const [key, i] of acked) {
    const protocol = key.split(":")[0] as Protocol;
    const value = valueOf(i);
    if (protocol === "redis") assert.equal(await c.redis.get(key), value, key);
    else if (protocol === "memcached") {
      await c.mc.send(`get ${key}\r\n`);
      const reply = await c.mc.readText("END\r\n", 30_000);
      assert.equal(reply, `VALUE ${key} 0 ${value.length}\r\n${value}\r\nEND\r\n`, key);
    } else {
      const got = await c.ddb.send(
        new GetItemCommand({ TableName: TABLE, Key: { pk: { S: key } } }),
      );
      assert.equal(got.Item?.v?.S, value, key);
    }
  }
}

Deno.test({
  name: "a full disk: clear errors on every protocol, reads and deletes go on, writes resume",
  // ioredis and the AWS SDK keep sockets and timers of their own past disconnect.
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async (t) => {
    const fs = await smallFs(FS_BYTES);
    if (typeof fs === "string") {
      console.warn(`disk-full test skipped: ${fs}`);
      await t.step({ name: "mount a small tmpfs", ignore: true, fn: () => {} });
      return;
    }
    await using _fs = fs;
    await using server = await startChild(
      [`--data=${fs.dir}/basekv.sqlite`, "--redis-port=0", "--memcached-port=0", "--http-port=0"],
      undefined,
      {},
      fs.prefix,
    );
    const ballast = `${fs.view(server.pid)}/ballast`;
    await Deno.writeFile(ballast, new Uint8Array(BALLAST_BYTES));
    using c = await connect(server.ports);
    await c.ddb.send(
      new CreateTableCommand({
        TableName: TABLE,
        AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
        KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
        BillingMode: "PAY_PER_REQUEST",
      }),
    );

    const acked = new Map<string, number>();
    const errors: Partial<Record<Protocol, string>> = {};
    const protocols = Object.keys(FULL) as Protocol[];
    for (let i = 0; i < MAX_WRITES && protocols.some((p) => !errors[p]); i++) {
      for (const p of protocols.filter((p) => !errors[p])) {
        const error = await write(c, p, i);
        if (error === null) acked.set(`${p}:${i}`, i);
        else errors[p] = error;
      }
    }
    assert.deepEqual(errors, FULL, `each protocol's first failure (${fs.how})`);
    assert.ok(acked.size > 3 * DELETES, `only ${acked.size} writes fit before the disk was full`);

    // Full: every acknowledged write reads back, and writes still fail the same way.
    await verify(c, acked);
    for (const p of protocols) assert.equal(await write(c, p, MAX_WRITES), FULL[p], p);

    // Deletes still commit (on the space of the reserve basekv gave back) ...
    for (const p of protocols) {
      for (let i = 0; i < DELETES; i++) {
        assert.equal(await remove(c, `${p}:${i}`), null, `delete ${p}:${i} on a full disk`);
        acked.delete(`${p}:${i}`);
      }
    }
    assert.equal(await c.redis.exists("redis:0"), 0);
    // A whole-database flush too.
    assert.equal(await c.redis.flushdb(), "OK");
    assert.equal(await c.redis.dbsize(), 0);
    for (const key of acked.keys()) if (key.startsWith("redis:")) acked.delete(key);
    // ... and writes fit again in the room they made.
    for (const p of protocols) {
      assert.equal(await write(c, p, MAX_WRITES + 1), null, `${p} write after deletes`);
      acked.set(`${p}:${MAX_WRITES + 1}`, MAX_WRITES + 1);
    }
    await verify(c, acked);

    // The operator frees space outside basekv: the reserve comes back (tried at most once a
    // second), writes go on, nothing acknowledged is lost.
    await Deno.remove(ballast);
    await new Promise((r) => setTimeout(r, 1100));
    for (const p of protocols) {
      assert.equal(await write(c, p, MAX_WRITES + 2), null, `${p} write after freeing space`);
      acked.set(`${p}:${MAX_WRITES + 2}`, MAX_WRITES + 2);
    }
    const reserve = await Deno.stat(`${fs.view(server.pid)}/basekv.sqlite.reserve`);
    assert.equal(reserve.size, RESERVE_BYTES, "the disk reserve is held again");
    await verify(c, acked);
  },
});

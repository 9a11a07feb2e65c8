/**
 * The admin API over real clients: reset of everything, a namespace, a table, a table-name
 * prefix and a Redis database; snapshot -> change -> restore across all three protocols;
 * the password; memcached's flush generation and Redis SCAN across a restore; snapshots of a
 * table, a table-name prefix and one Redis database.
 * @module
 */
import assert from "node:assert/strict";
import { GetItemCommand, PutItemCommand, ScanCommand } from "@aws-sdk/client-dynamodb";
import { admin, mcGet, startAll } from "./admin_client.ts";
import { createTable } from "../dynamodb/client.ts";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { Redis } from "ioredis";

async function put(ddb: DynamoDBClient, table: string, pk: string, v = "x") {
  await ddb.send(new PutItemCommand({ TableName: table, Item: { pk: { S: pk }, v: { S: v } } }));
}

async function scanKeys(ddb: DynamoDBClient, table: string): Promise<string[]> {
  const out = await ddb.send(new ScanCommand({ TableName: table }));
  return (out.Items ?? []).map((i) => i.pk.S!).sort();
}

Deno.test("reset: everything, one namespace, one table, a table-name prefix, one Redis db", async () => {
  await using s = await startAll();
  const fill = async () => {
    await s.redis.set("a", "1");
    await s.redis.select(3);
    await s.redis.set("b", "2");
    await s.redis.select(0);
    await s.mc.set("m", "v", {});
    for (const t of ["w1_orders", "w1_users", "w2_orders"]) {
      // After a namespace reset the tables are gone; after a table reset they stay.
      await createTable({ client: s.ddb }, t, { pk: "S" }).catch((e) =>
        assert.equal(e.name, "ResourceInUseException")
      );
      await put(s.ddb, t, "k1");
    }
  };
  await fill();

  // One table: items gone, definition kept, other tables untouched.
  let r = await admin(s.http, "POST", "reset?table=w1_orders");
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(await scanKeys(s.ddb, "w1_orders"), []);
  assert.deepEqual(await scanKeys(s.ddb, "w1_users"), ["k1"]);
  await put(s.ddb, "w1_orders", "k2");
  assert.deepEqual(await scanKeys(s.ddb, "w1_orders"), ["k2"]);

  // A table-name prefix: only that worker's tables.
  r = await admin(s.http, "POST", "reset?prefix=w1_");
  assert.equal(r.status, 200);
  assert.deepEqual(await scanKeys(s.ddb, "w1_orders"), []);
  assert.deepEqual(await scanKeys(s.ddb, "w1_users"), []);
  assert.deepEqual(await scanKeys(s.ddb, "w2_orders"), ["k1"]);

  // One Redis database.
  r = await admin(s.http, "POST", "reset?db=3");
  assert.equal(r.status, 200);
  assert.equal(await s.redis.get("a"), "1");
  await s.redis.select(3);
  assert.equal(await s.redis.get("b"), null);
  assert.equal(await s.redis.dbsize(), 0);
  await s.redis.select(0);

  // One namespace.
  r = await admin(s.http, "POST", "reset?namespace=redis");
  assert.equal(r.status, 200);
  assert.equal(await s.redis.get("a"), null);
  assert.equal(await s.redis.dbsize(), 0);
  assert.equal(await mcGet(s.mc, "m"), "v");
  r = await admin(s.http, "POST", "reset?namespace=memcached");
  assert.equal(await mcGet(s.mc, "m"), null);
  assert.deepEqual(await scanKeys(s.ddb, "w2_orders"), ["k1"]);
  r = await admin(s.http, "POST", "reset?namespace=dynamodb");
  await assert.rejects(scanKeys(s.ddb, "w2_orders"), /ResourceNotFound|not found/);

  // Everything, and the server still serves each protocol afterwards.
  await fill();
  r = await admin(s.http, "POST", "reset");
  assert.deepEqual(r.body, { reset: ["redis", "memcached", "dynamodb"] });
  assert.equal(await s.redis.dbsize(), 0);
  assert.equal(await mcGet(s.mc, "m"), null);
  assert.deepEqual(
    await s.ddb.send(new ScanCommand({ TableName: "w1_orders" })).catch((e) => e.name),
    "ResourceNotFoundException",
  );
  await fill();
  assert.equal(await s.redis.get("a"), "1");

  // Bad requests.
  assert.equal((await admin(s.http, "POST", "reset?namespace=nope")).status, 400);
  assert.equal((await admin(s.http, "POST", "reset?db=99")).status, 400);
  assert.equal((await admin(s.http, "POST", "reset?colour=red")).status, 400);
  assert.equal((await admin(s.http, "GET", "nothing")).status, 404);
});

Deno.test("snapshot -> change -> restore gives back the exact earlier state of all three protocols", async () => {
  await using s = await startAll();
  await createTable({ client: s.ddb }, "tbl", { pk: "S" });
  for (let i = 0; i < 50; i++) await put(s.ddb, "tbl", `k${i}`, `v${i}`);
  await s.redis.set("str", "hello", "PX", 600_000);
  await s.redis.hset("h", { f1: "a", f2: "b" });
  await s.redis.rpush("l", "1", "2", "3");
  await s.redis.sadd("s", "x", "y");
  await s.mc.set("m", "before", { expires: 0 });
  const before = await admin(s.http, "GET", "export");
  assert.equal(before.status, 200);

  const taken = await admin(s.http, "POST", "snapshot?name=base");
  assert.equal(taken.status, 200, JSON.stringify(taken.body));

  // Change everything: new, changed and deleted data, a new table, flush_all, FLUSHALL.
  await put(s.ddb, "tbl", "k0", "changed");
  await put(s.ddb, "tbl", "new");
  await createTable({ client: s.ddb }, "tbl2", { pk: "S" });
  await s.redis.flushall();
  await s.redis.set("other", "1");
  await s.mc.flush();
  await s.mc.set("m2", "after", {});
  assert.equal(await mcGet(s.mc, "m"), null);

  const restored = await admin(s.http, "POST", "restore?name=base");
  assert.equal(restored.status, 200, JSON.stringify(restored.body));
  const after = await admin(s.http, "GET", "export");
  // TTLs count down between the two exports: compare them apart.
  const ttl = (e: typeof before) => e.body.redis["0"].str.ttl as number;
  assert.ok(Math.abs(ttl(before) - ttl(after)) < 60, `${ttl(before)} vs ${ttl(after)}`);
  delete before.body.redis["0"].str.ttl;
  delete after.body.redis["0"].str.ttl;
  assert.deepEqual(after.body, before.body);

  // Through the clients: memcached's flush generation followed the restore, Redis reads agree.
  assert.equal(await mcGet(s.mc, "m"), "before");
  assert.equal(await mcGet(s.mc, "m2"), null);
  assert.equal(await s.redis.get("str"), "hello");
  assert.equal(await s.redis.get("other"), null);
  assert.deepEqual(await s.redis.lrange("l", 0, -1), ["1", "2", "3"]);
  assert.equal(await s.redis.dbsize(), 4);
  const [cursor, names] = await s.redis.scan("0", "COUNT", "100");
  assert.equal(cursor, "0");
  assert.deepEqual(names.sort(), ["h", "l", "s", "str"]);
  const got = await s.ddb.send(new GetItemCommand({ TableName: "tbl", Key: { pk: { S: "k0" } } }));
  assert.equal(got.Item?.v.S, "v0");
  assert.deepEqual((await scanKeys(s.ddb, "tbl")).length, 50);
  // New writes after a restore work as usual.
  await s.mc.set("m", "again", {});
  assert.equal(await mcGet(s.mc, "m"), "again");

  // One namespace of a whole-store snapshot, and the listing and deletion of snapshots.
  await s.redis.set("str", "changed");
  await s.mc.set("m", "changed", {});
  const one = await admin(s.http, "POST", "restore?name=base&namespace=redis");
  assert.equal(one.status, 200);
  assert.equal(await s.redis.get("str"), "hello");
  assert.equal(await mcGet(s.mc, "m"), "changed");
  const list = await admin(s.http, "GET", "snapshots");
  assert.deepEqual(list.body.map((x: { name: string }) => x.name), ["base"]);
  assert.equal((await admin(s.http, "DELETE", "snapshots/base")).status, 200);
  assert.equal((await admin(s.http, "DELETE", "snapshots/base")).status, 404);
  assert.equal((await admin(s.http, "POST", "restore?name=base")).status, 400);
});

Deno.test("a namespace snapshot restores that namespace only", async () => {
  await using s = await startAll();
  await s.redis.set("k", "1");
  await s.mc.set("m", "1", {});
  assert.equal((await admin(s.http, "POST", "snapshot?name=r&namespace=redis")).status, 200);
  await s.redis.set("k", "2");
  await s.mc.set("m", "2", {});
  await admin(s.http, "POST", "restore?name=r");
  assert.equal(await s.redis.get("k"), "1");
  assert.equal(await mcGet(s.mc, "m"), "2");
});

Deno.test("with --password the admin API wants it, as a Bearer token or basic auth (any user)", async () => {
  await using s = await startAll({ password: "pw" });
  const none = await admin(s.http, "GET", "snapshots");
  assert.equal(none.status, 401);
  const wrong = await admin(s.http, "GET", "snapshots", {
    headers: { authorization: "Bearer no" },
  });
  assert.equal(wrong.status, 401);
  const bearer = await admin(s.http, "GET", "snapshots", {
    headers: { authorization: "Bearer pw" },
  });
  assert.equal(bearer.status, 200);
  const basic = await admin(s.http, "POST", "reset", {
    headers: { authorization: `Basic ${btoa("anyone:pw")}` },
  });
  assert.equal(basic.status, 200);
});

Deno.test("a snapshot of one table or a table-name prefix restores those tables' items only", async () => {
  await using s = await startAll();
  for (const t of ["w1_a", "w1_b", "w2_a"]) {
    await createTable({ client: s.ddb }, t, { pk: "S" });
    await put(s.ddb, t, "k1");
  }
  assert.equal((await admin(s.http, "POST", "snapshot?name=w1&prefix=w1_")).status, 200);
  assert.equal((await admin(s.http, "POST", "snapshot?name=one&table=w2_a")).status, 200);
  for (const t of ["w1_a", "w1_b", "w2_a"]) await put(s.ddb, t, "k2");
  await s.redis.set("untouched", "1");
  assert.equal((await admin(s.http, "POST", "restore?name=w1")).status, 200);
  assert.deepEqual(await scanKeys(s.ddb, "w1_a"), ["k1"]);
  assert.deepEqual(await scanKeys(s.ddb, "w1_b"), ["k1"]);
  assert.deepEqual(await scanKeys(s.ddb, "w2_a"), ["k1", "k2"]);
  assert.equal(await s.redis.get("untouched"), "1");
  assert.equal((await admin(s.http, "POST", "restore?name=one")).status, 200);
  assert.deepEqual(await scanKeys(s.ddb, "w2_a"), ["k1"]);
  assert.equal((await admin(s.http, "POST", "snapshot?name=x&shard=1")).status, 400);
});

/** Db `db`'s keys with each one's type, value and whether it has a TTL, sorted by name. */
async function dbState(redis: Redis, db: number): Promise<string[]> {
  await redis.select(db);
  const out = [];
  for (const key of (await redis.keys("*")).sort()) {
    const type = await redis.type(key);
    const value = type === "string"
      ? await redis.get(key)
      : type === "hash"
      ? Object.entries(await redis.hgetall(key)).sort()
      : type === "list"
      ? await redis.lrange(key, 0, -1)
      : type === "set"
      ? (await redis.smembers(key)).sort()
      : type === "zset"
      ? await redis.zrange(key, "0", "-1", "WITHSCORES")
      : await redis.xrange(key, "-", "+");
    const ttl = (await redis.pttl(key)) > 0 ? "ttl" : "-";
    out.push(`${key} ${type} ${JSON.stringify(value)} ${ttl}`);
  }
  return out;
}

Deno.test("a snapshot of one Redis db restores that db only, also after FLUSHDB and SWAPDB moved it", async () => {
  await using s = await startAll();
  const r = s.redis;
  await r.select(1);
  await r.set("s", "one", "EX", 3600);
  await r.hset("h", Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`f${i}`, `v${i}`])));
  await r.rpush("l", "a", "b", "c");
  await r.sadd("set", "x", "y");
  await r.zadd("z", 1, "m1", 2, "m2");
  await r.xadd("st", "1-1", "f", "v");
  await r.expire("h", 3600);
  await r.select(2);
  await r.set("other", "before");
  const before = await dbState(r, 1);
  assert.equal(before.length, 6);
  const snap = await admin(s.http, "POST", "snapshot?name=db1&db=1");
  assert.equal(snap.status, 200);
  assert.deepEqual(snap.body.namespaces, ["redis"]);
  assert.ok(snap.body.entries >= 6);
  const listed = await admin(s.http, "GET", "snapshots");
  assert.deepEqual(listed.body.map((x: { name: string }) => x.name), ["db1"]);

  // Change db 1 in place, then move it twice; change db 2 too.
  await r.select(1);
  await r.set("s", "two");
  await r.hdel("h", "f1");
  await r.lpop("l");
  await r.set("new", "1");
  await r.select(2);
  await r.set("other", "after");
  assert.equal((await admin(s.http, "POST", "restore?name=db1")).status, 200);
  assert.deepEqual(await dbState(r, 1), before);
  assert.deepEqual(await dbState(r, 2), ['other string "after" -']);

  await r.select(1);
  await r.flushdb();
  await r.set("after-flush", "1");
  await r.swapdb(1, 3);
  assert.equal((await admin(s.http, "POST", "restore?name=db1")).status, 200);
  assert.deepEqual(await dbState(r, 1), before);
  assert.deepEqual(await dbState(r, 3), ['after-flush string "1" -']);
  await r.select(1);
  assert.equal(await r.dbsize(), 6);
  assert.equal(await r.hget("h", "f1"), "v1");
  // The slots FLUSHDB and the restores left are reclaimed in the background; db 1 keeps its data.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  assert.deepEqual(await dbState(r, 1), before);
  assert.equal((await admin(s.http, "POST", "snapshot?name=x&db=16")).status, 400);
});

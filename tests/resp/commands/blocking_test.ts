/**
 * Blocking list pops across connections: woken by another client's push, FIFO between waiters,
 * timeouts, a client leaving or killed while blocked, CLIENT UNBLOCK, pushes in group commits,
 * and pipelined commands waiting behind a blocked one.
 * @module
 */
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { Redis as Redis5 } from "ioredis5";
import { createClient } from "redis";
import { startTestServer } from "../../helpers/server.ts";
import { DATA_ERRORS, SERVER_ERRORS } from "../../../protocols/resp/errors.ts";
import { command, RespClient } from "../resp_client.ts";
import { decodeReply } from "../reply_decoder.ts";

function client(port: number): Redis5 {
  return new Redis5({ port, host: "127.0.0.1", maxRetriesPerRequest: 0 });
}

/** Send one command without reading its reply. */
function send(c: RespClient, ...args: string[]): Promise<void> {
  return c.send(command(...args));
}

/** The next reply's exact bytes. */
async function next(c: RespClient, timeoutMs = 10_000): Promise<string> {
  const bytes = await c.raw.readUntil((buf) => decodeReply(buf)?.used ?? 0, timeoutMs);
  return new TextDecoder("latin1").decode(bytes);
}

/** Wait until the server reports `n` blocked clients (polling INFO, bounded). */
async function blockedClients(r: Redis5, n: number): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const info = await r.info("clients");
    if (info.includes(`blocked_clients:${n}\r\n`)) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`never saw ${n} blocked clients`);
}

Deno.test("BLPOP is woken by another client's push; BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP too", async () => {
  await using s = await startTestServer({ protocols: ["redis"] });
  const r = client(s.ports.redis);
  const waiter = client(s.ports.redis);
  try {
    const popped = waiter.blpop("q", 0);
    await blockedClients(r, 1);
    assertEquals(await r.rpush("q", "a"), 1);
    assertEquals(await popped, ["q", "a"]);
    assertEquals(await r.exists("q"), 0);

    const right = waiter.brpop("x", "q", 0);
    await blockedClients(r, 1);
    await r.rpush("q", "1", "2");
    assertEquals(await right, ["q", "2"]);

    const moved = waiter.blmove("m", "d", "LEFT", "RIGHT", 0);
    await blockedClients(r, 1);
    await r.lpush("m", "v");
    assertEquals(await moved, "v");
    assertEquals(await r.lrange("d", 0, -1), ["v"]);

    const rpl = waiter.brpoplpush("m", "d", 0);
    await blockedClients(r, 1);
    await r.rpush("m", "w");
    assertEquals(await rpl, "w");
    assertEquals(await r.lrange("d", 0, -1), ["w", "v"]);

    // A key overwritten with another type leaves the waiter blocked, as in Redis.
    const typed = waiter.blpop("t", 0);
    await blockedClients(r, 1);
    await r.set("t", "string");
    await r.del("t");
    await r.rpush("t", "late");
    assertEquals(await typed, ["t", "late"]);

    const mpop = waiter.blmpop(0, 2, "x", "y", "RIGHT", "COUNT", 2);
    await blockedClients(r, 1);
    await r.rpush("y", "1", "2", "3");
    assertEquals(await mpop, ["y", ["3", "2"]]);
    assertEquals(await r.info("clients").then((i) => i.includes("blocked_clients:0")), true);
  } finally {
    r.disconnect();
    waiter.disconnect();
  }
});

Deno.test("three waiters on one key are served first come, first served", async () => {
  await using s = await startTestServer({ protocols: ["redis"] });
  const r = client(s.ports.redis);
  const waiters = [client(s.ports.redis), client(s.ports.redis), client(s.ports.redis)];
  try {
    const got: Promise<[string, string] | null>[] = [];
    for (const [i, w] of waiters.entries()) {
      got.push(w.blpop("q", 0));
      await blockedClients(r, i + 1);
    }
    await r.rpush("q", "a", "b");
    assertEquals(await got[0], ["q", "a"]);
    assertEquals(await got[1], ["q", "b"]);
    await blockedClients(r, 1);
    await r.rpush("q", "c", "d");
    assertEquals(await got[2], ["q", "c"]);
    assertEquals(await r.lrange("q", 0, -1), ["d"]);
  } finally {
    r.disconnect();
    for (const w of waiters) w.disconnect();
  }
});

Deno.test("timeouts: fractional seconds give a null array (RESP3 null), bad timeouts fail", async () => {
  await using s = await startTestServer({ protocols: ["redis"] });
  using c = await RespClient.connect(s.ports.redis);
  await send(c, "BLPOP", "q", "0.05");
  assertEquals(await next(c), "*-1\r\n");
  await send(c, "BLMOVE", "q", "d", "LEFT", "LEFT", "0.05");
  assertEquals(await next(c), "*-1\r\n");
  await send(c, "BLMPOP", "0.05", "1", "q", "LEFT");
  assertEquals(await next(c), "*-1\r\n");
  await send(c, "BLPOP", "q", "-1");
  assertEquals(await next(c), `-${DATA_ERRORS.timeoutNegative}\r\n`);
  await send(c, "BLPOP", "q", "abc");
  assertEquals(await next(c), `-${DATA_ERRORS.timeoutNotFloat}\r\n`);
  await send(c, "SET", "str", "v");
  assertEquals(await next(c), "+OK\r\n");
  await send(c, "BLPOP", "str", "0");
  assertEquals(await next(c), `-${DATA_ERRORS.wrongType}\r\n`);
  await send(c, "HELLO", "3");
  await next(c);
  await send(c, "BRPOP", "q", "0.05");
  assertEquals(await next(c), "_\r\n");
});

Deno.test("a client that disconnects or is killed while blocked is gone: a later push stays", async () => {
  await using s = await startTestServer({ protocols: ["redis"] });
  const r = client(s.ports.redis);
  try {
    const leaving = await RespClient.connect(s.ports.redis);
    await send(leaving, "BLPOP", "q", "0");
    await blockedClients(r, 1);
    leaving.close();
    await blockedClients(r, 0);
    assertEquals(await r.rpush("q", "kept"), 1);

    using killed = await RespClient.connect(s.ports.redis);
    await send(killed, "CLIENT", "ID");
    const id = (await next(killed)).slice(1, -2);
    await send(killed, "BLPOP", "other", "0");
    await blockedClients(r, 1);
    assertEquals(await r.client("KILL", "ID", id), 1);
    await blockedClients(r, 0);
    assertEquals(await r.rpush("other", "x"), 1);
    assertEquals(await r.lrange("q", 0, -1), ["kept"]);
  } finally {
    r.disconnect();
  }
});

Deno.test("CLIENT UNBLOCK ends a wait with a timeout or the UNBLOCKED error", async () => {
  await using s = await startTestServer({ protocols: ["redis"] });
  const r = client(s.ports.redis);
  using c = await RespClient.connect(s.ports.redis);
  try {
    await send(c, "CLIENT", "ID");
    const id = (await next(c)).slice(1, -2);
    await send(c, "BLPOP", "q", "0");
    await blockedClients(r, 1);
    assertEquals(await r.client("UNBLOCK", id), 1);
    assertEquals(await next(c), "*-1\r\n");
    await send(c, "BRPOPLPUSH", "q", "d", "0");
    await blockedClients(r, 1);
    assertEquals(await r.client("UNBLOCK", id, "ERROR"), 1);
    assertEquals(await next(c), `-${DATA_ERRORS.unblocked}\r\n`);
    assertEquals(await r.client("UNBLOCK", id), 0);
    await r.call("CLIENT", "UNBLOCK", id, "LATER").then(
      () => ok(false, "expected an error"),
      (e: Error) => assertEquals(e.message, SERVER_ERRORS.unblockReason),
    );
  } finally {
    r.disconnect();
  }
});

Deno.test("pushes inside group commits (many concurrent pushers) wake every waiter once", async () => {
  await using s = await startTestServer({ protocols: ["redis"] });
  const r = client(s.ports.redis);
  const WAITERS = 8;
  const PUSHERS = 40;
  const waiters = Array.from({ length: WAITERS }, () => client(s.ports.redis));
  const pushers = Array.from({ length: PUSHERS }, () => client(s.ports.redis));
  try {
    const got = waiters.map((w) => w.blpop("jobs", 0));
    await blockedClients(r, WAITERS);
    const lengths = await Promise.all(pushers.map((p, i) => p.rpush("jobs", `job${i}`)));
    ok(lengths.every((n) => n >= 1));
    const served = (await Promise.all(got)).map((g) => g![1]);
    assertEquals(new Set(served).size, WAITERS);
    const left = await r.lrange("jobs", 0, -1);
    assertEquals(left.length, PUSHERS - WAITERS);
    assertEquals(new Set([...served, ...left]).size, PUSHERS);
    await blockedClients(r, 0);
  } finally {
    r.disconnect();
    for (const c of [...waiters, ...pushers]) c.disconnect();
  }
});

Deno.test("a blocked client's pipelined commands wait behind it; earlier replies come first", async () => {
  await using s = await startTestServer({ protocols: ["redis"] });
  const r = client(s.ports.redis);
  using c = await RespClient.connect(s.ports.redis);
  try {
    await c.send(
      new Uint8Array([
        ...command("RPUSH", "mine", "1"),
        ...command("BLPOP", "q", "0"),
        ...command("LPOP", "mine"),
      ]),
    );
    assertEquals(await next(c), ":1\r\n");
    await blockedClients(r, 1);
    // Another connection is not held up by the blocked one.
    assertEquals(await r.lrange("mine", 0, -1), ["1"]);
    await r.rpush("q", "go");
    assertEquals(await next(c), "*2\r\n$1\r\nq\r\n$2\r\ngo\r\n");
    assertEquals(await next(c), "$1\r\n1\r\n");
  } finally {
    r.disconnect();
  }
});

Deno.test("node-redis 6 on RESP3: BLPOP in db 1 woken by a push in db 1 only", async () => {
  await using s = await startTestServer({ protocols: ["redis"] });
  const waiter = createClient({ url: `redis://127.0.0.1:${s.ports.redis}/1`, RESP: 3 });
  const pusher = createClient({ url: `redis://127.0.0.1:${s.ports.redis}/1`, RESP: 3 });
  const r = client(s.ports.redis);
  await waiter.connect();
  await pusher.connect();
  try {
    const popped = waiter.blPop("q", 0);
    await blockedClients(r, 1);
    assertEquals(await r.rpush("q", "db0"), 1);
    await blockedClients(r, 1);
    await pusher.rPush("q", "db1");
    assertEquals(await popped, { key: "q", element: "db1" });
    assertEquals(await r.lrange("q", 0, -1), ["db0"]);
  } finally {
    r.disconnect();
    await waiter.close();
    await pusher.close();
  }
});

Deno.test("BZPOPMIN, BZPOPMAX and BZMPOP are woken by another client's ZADD", async () => {
  await using s = await startTestServer({ protocols: ["redis"] });
  const r = client(s.ports.redis);
  const waiter = client(s.ports.redis);
  try {
    const min = waiter.bzpopmin("z", 0);
    await blockedClients(r, 1);
    assertEquals(await r.zadd("z", 2, "b", 1, "a"), 2);
    assertEquals(await min, ["z", "a", "1"]);
    const max = waiter.bzpopmax("none", "z", 0);
    assertEquals(await max, ["z", "b", "2"], "a set already non-empty answers at once");
    const multi = waiter.call("BZMPOP", "0", "1", "m", "MAX", "COUNT", "2");
    await blockedClients(r, 1);
    await r.zadd("m", 1, "x", 2, "y", 3, "z");
    assertEquals(await multi, ["m", [["z", "3"], ["y", "2"]]]);
    assertEquals(await waiter.bzpopmin("nothing", 0.05), null);
  } finally {
    r.disconnect();
    waiter.disconnect();
  }
});

/**
 * Streams through stock clients: ioredis 6 (RESP3) and 5 (RESP2), node-redis 6 (RESP3) and 4
 * (RESP2), and raw sockets for the reply shapes and blocking edge cases.
 */
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { Redis } from "ioredis";
import { Redis as Redis5 } from "ioredis5";
import { createClient as createClient6 } from "redis";
import { createClient as createClient4 } from "redis4";
import { startTestServer } from "../../helpers/server.ts";
import { RawClient } from "../../helpers/net.ts";
import { command, rawReply } from "../resp_client.ts";
import { decodeReply } from "../reply_decoder.ts";

const IOREDIS: [string, (port: number) => Redis][] = [
  ["ioredis 6", (port) => new Redis({ port, host: "127.0.0.1", maxRetriesPerRequest: 0 })],
  [
    "ioredis 5",
    (port) => new Redis5({ port, host: "127.0.0.1", maxRetriesPerRequest: 0 }) as unknown as Redis,
  ],
];

type Entries = [string, string[]][];

for (const [name, make] of IOREDIS) {
  Deno.test(`${name}: XADD, ranges, trimming and XINFO`, async () => {
    await using s = await startTestServer({ protocols: ["redis"] });
    const r = make(s.ports.redis);
    try {
      const auto = await r.xadd("s", "*", "a", "1") as string;
      ok(/^\d+-0$/.test(auto));
      assertEquals(
        await r.xadd("s", `${BigInt(auto.split("-")[0]) + 5n}-*`, "b", "2"),
        `${BigInt(auto.split("-")[0]) + 5n}-0`,
      );
      await r.del("s");
      for (let i = 1; i <= 250; i++) await r.xadd("s", `${i}-1`, "n", String(i));
      assertEquals(await r.xlen("s"), 250);
      assertEquals(await r.xrange("s", "-", "+", "COUNT", 2), [["1-1", ["n", "1"]], [
        "2-1",
        ["n", "2"],
      ]]);
      assertEquals(await r.xrevrange("s", "+", "(249-1", "COUNT", 1), [["250-1", ["n", "250"]]]);
      assertEquals(await r.xrange("s", "(3-1", "5"), [["4-1", ["n", "4"]], ["5-1", ["n", "5"]]]);
      // "~" trims whole nodes of 100 entries only; "=" trims exactly.
      assertEquals(await r.xtrim("s", "MAXLEN", "~", 120), 100);
      assertEquals(await r.xtrim("s", "MAXLEN", "=", 120), 30);
      assertEquals(await r.xtrim("s", "MINID", 200), 69);
      assertEquals((await r.xrange("s", "-", "+", "COUNT", 1))[0][0], "200-1");
      assertEquals(await r.xadd("s", "MAXLEN", "2", "300-1", "x", "y"), "300-1");
      assertEquals(await r.xlen("s"), 2);
      assertEquals(await r.xdel("s", "250-1", "999-1"), 1);
      const info = await r.xinfo("STREAM", "s") as unknown[];
      const fields = Object.fromEntries(
        Array.from({ length: info.length / 2 }, (_, i) => [info[2 * i], info[2 * i + 1]]),
      );
      assertEquals(fields["length"], 1);
      assertEquals(fields["last-generated-id"], "300-1");
      assertEquals(fields["max-deleted-entry-id"], "250-1");
      assertEquals(fields["entries-added"], 251);
      assertEquals(fields["first-entry"], ["300-1", ["x", "y"]]);
      assertEquals(await r.type("s"), "stream");
      assertEquals(await r.object("ENCODING", "s"), "stream");
      await r.set("str", "v");
      await r.xadd("str", "*", "a", "b").then(
        () => ok(false),
        (e: Error) => ok(/WRONGTYPE/.test(e.message)),
      );
      await r.xadd("s", "1-1", "a", "b").then(
        () => ok(false),
        (e: Error) => ok(/equal or smaller than the target stream top item/.test(e.message)),
      );
    } finally {
      r.disconnect();
    }
  });

  Deno.test(`${name}: blocking XREADGROUP woken by another client's XADD`, async () => {
    await using s = await startTestServer({ protocols: ["redis"] });
    const reader = make(s.ports.redis);
    const writer = make(s.ports.redis);
    try {
      assertEquals(await writer.xgroup("CREATE", "jobs", "workers", "$", "MKSTREAM"), "OK");
      const waiting = reader.xreadgroup(
        "GROUP",
        "workers",
        "w1",
        "BLOCK",
        0,
        "STREAMS",
        "jobs",
        ">",
      );
      // The reader is blocked once the server counts it (no sleeps: poll INFO).
      while (!/blocked_clients:1/.test(await writer.info("clients"))) {
        await new Promise((res) => setTimeout(res, 10));
      }
      assertEquals(await writer.xadd("jobs", "1-1", "job", "a"), "1-1");
      const got = await waiting as [string, Entries][];
      assertEquals(got, [["jobs", [["1-1", ["job", "a"]]]]]);
      // XREAD BLOCK with "$" sees only entries added after it blocked.
      const plain = reader.xread("BLOCK", 0, "STREAMS", "jobs", "$");
      while (!/blocked_clients:1/.test(await writer.info("clients"))) {
        await new Promise((res) => setTimeout(res, 10));
      }
      await writer.xadd("jobs", "2-1", "job", "b");
      assertEquals(await plain, [["jobs", [["2-1", ["job", "b"]]]]]);
      assertEquals(await reader.xread("BLOCK", 50, "STREAMS", "jobs", "$"), null);
    } finally {
      reader.disconnect();
      writer.disconnect();
    }
  });

  Deno.test(`${name}: XPENDING, XCLAIM and XAUTOCLAIM after a consumer dies`, async () => {
    await using s = await startTestServer({ protocols: ["redis"] });
    const r = make(s.ports.redis);
    try {
      await r.xgroup("CREATE", "q", "g", "0", "MKSTREAM");
      for (let i = 1; i <= 5; i++) await r.xadd("q", `${i}-0`, "job", String(i));
      // "dead" reads three jobs and never acks them; "live" reads and acks the rest.
      const dead = await r.xreadgroup("GROUP", "g", "dead", "COUNT", 3, "STREAMS", "q", ">");
      assertEquals((dead as [string, Entries][])[0][1].length, 3);
      const live = await r.xreadgroup("GROUP", "g", "live", "STREAMS", "q", ">");
      assertEquals((live as [string, Entries][])[0][1].map((e) => e[0]), ["4-0", "5-0"]);
      assertEquals(await r.xack("q", "g", "4-0", "5-0"), 2);
      assertEquals(await r.xpending("q", "g"), [3, "1-0", "3-0", [["dead", "3"]]]);
      const ext = await r.xpending("q", "g", "-", "+", 10, "dead") as [
        string,
        string,
        number,
        number,
      ][];
      assertEquals(ext.map((p) => [p[0], p[1], p[3]]), [["1-0", "dead", 1], ["2-0", "dead", 1], [
        "3-0",
        "dead",
        1,
      ]]);
      // History of the dead consumer: its own pending entries.
      const hist = await r.xreadgroup("GROUP", "g", "dead", "STREAMS", "q", "0");
      assertEquals((hist as [string, Entries][])[0][1].map((e) => e[0]), ["1-0", "2-0", "3-0"]);
      // Nothing is idle for an hour yet; with 0 min-idle "live" takes one job over.
      assertEquals(await r.xclaim("q", "g", "live", 3600000, "1-0"), []);
      assertEquals(await r.xclaim("q", "g", "live", 0, "1-0"), [["1-0", ["job", "1"]]]);
      const moved = await r.xpending("q", "g", "-", "+", 1) as [string, string, number, number][];
      assertEquals([moved[0][1], moved[0][3]], ["live", 3]);
      // A deleted entry leaves the PEL when claimed and is reported by XAUTOCLAIM.
      await r.xdel("q", "2-0");
      const auto = await r.xautoclaim("q", "g", "live", 0, "0", "COUNT", 10);
      assertEquals(auto, ["0-0", [["1-0", ["job", "1"]], ["3-0", ["job", "3"]]], ["2-0"]]);
      assertEquals(await r.xpending("q", "g"), [2, "1-0", "3-0", [["live", "2"]]]);
      assertEquals(await r.xgroup("DELCONSUMER", "q", "g", "dead"), 0);
      const groups = await r.xinfo("GROUPS", "q") as unknown[][];
      assertEquals(groups[0].slice(0, 8), [
        "name",
        "g",
        "consumers",
        1,
        "pending",
        2,
        "last-delivered-id",
        "5-0",
      ]);
      await r.xreadgroup("GROUP", "nope", "c", "STREAMS", "q", ">").then(
        () => ok(false),
        (e: Error) => ok(/^NOGROUP No such key 'q' or consumer group 'nope'/.test(e.message)),
      );
    } finally {
      r.disconnect();
    }
  });
}

Deno.test("node-redis 6 (RESP3) and 4 (RESP2): streams and consumer groups", async () => {
  await using s = await startTestServer({ protocols: ["redis"] });
  const c6 = createClient6({ url: `redis://127.0.0.1:${s.ports.redis}/1`, RESP: 3 });
  const c4 = createClient4({ url: `redis://127.0.0.1:${s.ports.redis}/2` });
  await c6.connect();
  await c4.connect();
  try {
    for (const c of [c6, c4]) {
      assertEquals(await c.xAdd("s", "1-1", { a: "1" }), "1-1");
      assertEquals(await c.xAdd("s", "2-1", { b: "2" }), "2-1");
      assertEquals(await c.xLen("s"), 2);
      const range = await c.xRange("s", "-", "+");
      assertEquals(range!.map((e) => [e!.id, { ...e!.message }]), [["1-1", { a: "1" }], ["2-1", {
        b: "2",
      }]]);
      assertEquals(await c.xGroupCreate("s", "g", "0"), "OK");
      const read = await c.xReadGroup("g", "c", { key: "s", id: ">" }, { COUNT: 1 });
      ok(read !== null);
      const flat = JSON.stringify(read);
      ok(flat.includes("1-1") && !flat.includes("2-1"), flat);
      assertEquals(await c.xAck("s", "g", "1-1"), 1);
      const pending = await c.xPending("s", "g");
      assertEquals(pending.pending, 0);
      assertEquals(await c.xTrim("s", "MAXLEN", 1), 1);
      const groups = await c.xInfoGroups("s");
      assertEquals(groups.length, 1);
    }
  } finally {
    await c6.close();
    await c4.quit();
  }
});

const raw = rawReply;

Deno.test("raw sockets: XREAD is an array in RESP2, a map in RESP3; blocking edge cases", async () => {
  await using s = await startTestServer({ protocols: ["redis"] });
  using c = await RawClient.connect(s.ports.redis);
  await raw(c, "XADD", "s", "1-1", "f", "v");
  const entry = "*1\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n";
  assertEquals(await raw(c, "XREAD", "STREAMS", "s", "0"), `*1\r\n*2\r\n$1\r\ns\r\n${entry}`);
  assertEquals(await raw(c, "XREAD", "STREAMS", "s", "$"), "*-1\r\n");
  assertEquals(await raw(c, "XREAD", "BLOCK", "20", "STREAMS", "s", "$"), "*-1\r\n");
  assertEquals(await raw(c, "XADD", "nokey", "NOMKSTREAM", "*", "f", "v"), "$-1\r\n");
  assertEquals(await raw(c, "XRANGE", "s", "(1-1", "+"), "*0\r\n");
  assertEquals(
    await raw(c, "XADD", "s", "0-0", "f", "v"),
    "-ERR The ID specified in XADD must be greater than 0-0\r\n",
  );
  assertEquals(
    await raw(c, "XREAD", "STREAMS", "s", ">"),
    "-ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.\r\n",
  );
  // Inside MULTI a blocking read answers at once.
  await raw(c, "XGROUP", "CREATE", "s", "g", "$");
  assertEquals(await raw(c, "MULTI"), "+OK\r\n");
  assertEquals(
    await raw(c, "XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">"),
    "+QUEUED\r\n",
  );
  assertEquals(await raw(c, "EXEC"), "*1\r\n*-1\r\n");
  await raw(c, "HELLO", "3");
  assertEquals(await raw(c, "XREAD", "STREAMS", "s", "0"), `%1\r\n$1\r\ns\r\n${entry}`);
  assertEquals(await raw(c, "XREAD", "STREAMS", "s", "$"), "_\r\n");
  assertEquals(await raw(c, "XINFO", "GROUPS", "s").then((r) => r.slice(0, 4)), "*1\r\n");
  assertEquals(await raw(c, "PING"), "+PONG\r\n");
});

Deno.test("raw sockets: a blocked XREADGROUP is told when its group or stream goes", async () => {
  await using s = await startTestServer({ protocols: ["redis"] });
  using reader = await RawClient.connect(s.ports.redis);
  using other = await RawClient.connect(s.ports.redis);
  const blockedRead = async () => {
    await reader.send(
      command("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "gs", ">"),
    );
    while (!(await raw(other, "INFO", "clients")).includes("blocked_clients:1")) {
      await new Promise((res) => setTimeout(res, 10));
    }
  };
  const reply = async () =>
    new TextDecoder().decode(await reader.readUntil((buf) => decodeReply(buf)?.used ?? 0));
  assertEquals(await raw(reader, "XGROUP", "CREATE", "gs", "g", "$", "MKSTREAM"), "+OK\r\n");
  await blockedRead();
  assertEquals(await raw(other, "XGROUP", "DESTROY", "gs", "g"), ":1\r\n");
  assertEquals(
    await reply(),
    "-NOGROUP the consumer group this client was blocked on no longer exists\r\n",
  );
  assertEquals(await raw(reader, "XGROUP", "CREATE", "gs", "g", "$"), "+OK\r\n");
  await blockedRead();
  assertEquals(await raw(other, "DEL", "gs"), ":1\r\n");
  assertEquals(await reply(), "-UNBLOCKED the stream key no longer exists\r\n");
});

Deno.test("raw sockets: XINFO HELP and XGROUP HELP answer Redis 7.2's help lines", async () => {
  await using s = await startTestServer({ protocols: ["redis"] });
  using c = await RawClient.connect(s.ports.redis);
  const lines = (...l: string[]) => `*${l.length}\r\n${l.map((x) => `+${x}\r\n`).join("")}`;
  const helpTail = ["HELP", "    Print this help."];
  assertEquals(
    await raw(c, "XINFO", "HELP"),
    lines(
      "XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "CONSUMERS <key> <groupname>",
      "    Show consumers of <groupname>.",
      "GROUPS <key>",
      "    Show the stream consumer groups.",
      "STREAM <key> [FULL [COUNT <count>]",
      "    Show information about the stream.",
      ...helpTail,
    ),
  );
  const xgroup = await raw(c, "XGROUP", "help");
  ok(xgroup.startsWith("*17\r\n+XGROUP <subcommand> [<arg> [value] [opt] ...]."), xgroup);
  ok(xgroup.endsWith(lines(...helpTail).slice(4)), xgroup);
  assertEquals(
    await raw(c, "XINFO", "HELP", "extra"),
    "-ERR wrong number of arguments for 'xinfo|help' command\r\n",
  );
  assertEquals(
    await raw(c, "XINFO", "NOPE"),
    "-ERR unknown subcommand 'NOPE'. Try XINFO HELP.\r\n",
  );
});

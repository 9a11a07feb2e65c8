/**
 * Connection-level behaviour over real sockets: protocol errors, pipelining, HELLO/AUTH, exact
 * dispatch errors, CLIENT, SELECT, QUIT/RESET and rate limiting.
 * @module
 */
import assert from "node:assert/strict";
import { startTestServer } from "../helpers/server.ts";
import { command, replyInteger, replyItems, replyText, RespClient } from "./resp_client.ts";
import { ERRORS, SERVER_ERRORS } from "../../protocols/resp/errors.ts";

const enc = new TextEncoder();

Deno.test("a protocol error is replied, then only that connection is closed", async () => {
  await using s = await startTestServer({ protocols: ["redis"] });
  const cases: [string, string][] = [
    ["*x\r\n", "-ERR Protocol error: invalid multibulk length\r\n"],
    ["*1\r\n$x\r\n", "-ERR Protocol error: invalid bulk length\r\n"],
    ["*1\r\nx\r\n", "-ERR Protocol error: expected '$', got 'x'\r\n"],
    ['SET "a\r\n', "-ERR Protocol error: unbalanced quotes in request\r\n"],
  ];
  using other = await RespClient.connect(s.ports.redis);
  for (const [input, expected] of cases) {
    using c = await RespClient.connect(s.ports.redis);
    await c.send("PING\r\n" + input + "PING\r\n");
    assert.equal(await c.raw.readText(expected), "+PONG\r\n" + expected);
    assert.ok(await c.raw.closedWithin(2000), `closed after ${JSON.stringify(input)}`);
    assert.deepEqual(await other.call("PING"), { type: "simple", value: "PONG" });
  }
});

Deno.test("a pipeline split into single bytes gets every reply in order", async () => {
  await using s = await startTestServer({ protocols: ["redis"] });
  using c = await RespClient.connect(s.ports.redis);
  const bytes = enc.encode("*2\r\n$4\r\nECHO\r\n$3\r\na\r\n\r\nPING\r\n*1\r\n$4\r\nPING\r\n");
  for (const byte of bytes) await c.send(Uint8Array.of(byte));
  assert.equal(
    await c.raw.readText("+PONG\r\n+PONG\r\n"),
    "$3\r\na\r\n\r\n+PONG\r\n+PONG\r\n",
  );
});

Deno.test("a 1000-command pipeline is answered in order", async () => {
  await using s = await startTestServer({ protocols: ["redis"] });
  using c = await RespClient.connect(s.ports.redis);
  const parts = Array.from({ length: 1000 }, (_, i) => command("ECHO", `v${i}`));
  await c.send(new Uint8Array(parts.flatMap((p) => [...p])));
  for (let i = 0; i < 1000; i++) assert.equal(replyText(await c.reply()), `v${i}`);
});

Deno.test("ECHO returns 5 MiB and all 256 byte values unchanged", async () => {
  await using s = await startTestServer({ protocols: ["redis"] });
  using c = await RespClient.connect(s.ports.redis);
  const all = Uint8Array.from({ length: 256 }, (_, i) => i);
  assert.deepEqual(await c.call("ECHO", all), { type: "bulk", value: all });
  const big = new Uint8Array(5 * 1024 * 1024).map((_, i) => (i * 31) & 255);
  const reply = await c.call("ECHO", big);
  assert.equal(reply.type, "bulk");
  assert.deepEqual(reply.value, big);
});

Deno.test("unknown commands, subcommands and wrong arity get Redis's exact errors", async () => {
  await using s = await startTestServer({ protocols: ["redis"] });
  using c = await RespClient.connect(s.ports.redis);
  assert.equal(
    await c.callRaw(
      ["foo", "a", "b"],
      "-ERR unknown command 'foo', with args beginning with: 'a' 'b' \r\n",
    ),
    "-ERR unknown command 'foo', with args beginning with: 'a' 'b' \r\n",
  );
  assert.equal(
    replyText(await c.call("FOO")),
    "ERR unknown command 'FOO', with args beginning with: ",
  );
  const long = "x".repeat(200);
  assert.equal(
    replyText(await c.call("nope", long, "y")),
    `ERR unknown command 'nope', with args beginning with: '${"x".repeat(128)}' `,
  );
  assert.equal(
    replyText(await c.call("CLIENT", "bogus")),
    "ERR unknown subcommand 'bogus'. Try CLIENT HELP.",
  );
  assert.equal(
    replyText(await c.call("config", "Nope")),
    "ERR unknown subcommand 'Nope'. Try CONFIG HELP.",
  );
  assert.equal(replyText(await c.call("ECHO")), "ERR wrong number of arguments for 'echo' command");
  assert.equal(
    replyText(await c.call("PING", "a", "b")),
    "ERR wrong number of arguments for 'ping' command",
  );
  assert.equal(
    replyText(await c.call("CLIENT")),
    "ERR wrong number of arguments for 'client' command",
  );
  assert.equal(
    replyText(await c.call("client", "SETNAME")),
    "ERR wrong number of arguments for 'client|setname' command",
  );
  assert.equal(
    replyText(await c.call("CONFIG", "SET", "maxmemory")),
    "ERR wrong number of arguments for 'config|set' command",
  );
});

Deno.test("HELLO 3 then HELLO 2 switch reply shapes", async () => {
  await using s = await startTestServer({ protocols: ["redis"] });
  using c = await RespClient.connect(s.ports.redis);
  const hello = await c.call("HELLO", "3");
  assert.equal(hello.type, "map");
  const fields = new Map(hello.value.map(([k, v]) => [replyText(k), v]));
  assert.deepEqual([...fields.keys()], [
    "server",
    "version",
    "proto",
    "id",
    "mode",
    "role",
    "modules",
  ]);
  assert.equal(replyText(fields.get("server")!), "redis");
  assert.match(replyText(fields.get("version")!), /^7\.2\.\d+$/);
  assert.deepEqual(fields.get("proto"), { type: "integer", value: 3 });
  assert.equal(replyText(fields.get("mode")!), "standalone");
  assert.equal(replyText(fields.get("role")!), "master");
  assert.deepEqual(fields.get("modules"), { type: "array", value: [] });
  assert.deepEqual(await c.call("CLIENT", "GETNAME"), { type: "null" });
  assert.equal((await c.call("CONFIG", "GET", "databases")).type, "map");
  assert.equal((await c.call("INFO", "server")).type, "verbatim");
  const hello2 = await c.call("HELLO", "2");
  assert.equal(hello2.type, "array");
  assert.equal(hello2.value.length, 14);
  assert.deepEqual(hello2.value[5], { type: "integer", value: 2 });
  assert.equal(
    await c.callRaw(["CLIENT", "GETNAME"], "$-1\r\n"),
    "$-1\r\n",
  );
  assert.deepEqual(await c.call("CONFIG", "GET", "databases"), {
    type: "array",
    value: [{ type: "bulk", value: enc.encode("databases") }, {
      type: "bulk",
      value: enc.encode("16"),
    }],
  });
  assert.equal(replyText(await c.call("HELLO", "4")), "NOPROTO unsupported protocol version");
  assert.equal(replyText(await c.call("HELLO", "x")), SERVER_ERRORS.protoNotInteger);
  assert.equal(
    replyText(await c.call("HELLO", "3", "bogus")),
    "ERR Syntax error in HELLO option 'bogus'",
  );
  assert.equal((await c.call("HELLO", "3", "SETNAME", "me")).type, "map");
  assert.equal(replyText(await c.call("CLIENT", "GETNAME")), "me");
});

Deno.test("NOAUTH until AUTH or HELLO AUTH; WRONGPASS for a bad password", async () => {
  await using s = await startTestServer({ protocols: ["redis"], password: "pw" });
  using c = await RespClient.connect(s.ports.redis);
  assert.equal(
    await c.callRaw(["PING"], "-NOAUTH Authentication required.\r\n"),
    "-NOAUTH Authentication required.\r\n",
  );
  assert.equal(
    replyText(await c.call("foo")),
    "ERR unknown command 'foo', with args beginning with: ",
  );
  assert.equal(replyText(await c.call("HELLO", "3")), SERVER_ERRORS.helloNoAuth);
  assert.equal(
    await c.callRaw(["AUTH", "nope"], `-${ERRORS.wrongPass}\r\n`),
    "-WRONGPASS invalid username-password pair or user is disabled.\r\n",
  );
  assert.equal(replyText(await c.call("HELLO", "3", "AUTH", "default", "nope")), ERRORS.wrongPass);
  assert.deepEqual(await c.call("AUTH", "pw"), { type: "simple", value: "OK" });
  assert.deepEqual(await c.call("PING"), { type: "simple", value: "PONG" });
  assert.deepEqual(await c.call("RESET"), { type: "simple", value: "RESET" });
  assert.equal(replyText(await c.call("PING")), ERRORS.noAuth);
  assert.equal((await c.call("HELLO", "3", "AUTH", "default", "pw")).type, "map");
  assert.deepEqual(await c.call("AUTH", "default", "pw"), { type: "simple", value: "OK" });
  assert.equal(replyText(await c.call("AUTH", "a", "b", "c")), ERRORS.syntax);
});

Deno.test("AUTH without a configured password gives Redis's error", async () => {
  await using s = await startTestServer({ protocols: ["redis"] });
  using c = await RespClient.connect(s.ports.redis);
  assert.equal(
    replyText(await c.call("AUTH", "x")),
    "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?",
  );
  assert.deepEqual(await c.call("AUTH", "default", "anything"), { type: "simple", value: "OK" });
});

Deno.test("SELECT accepts 0-15 only", async () => {
  await using s = await startTestServer({ protocols: ["redis"] });
  using c = await RespClient.connect(s.ports.redis);
  assert.deepEqual(await c.call("SELECT", "15"), { type: "simple", value: "OK" });
  assert.equal(replyText(await c.call("SELECT", "16")), "ERR DB index is out of range");
  assert.equal(replyText(await c.call("SELECT", "-1")), "ERR DB index is out of range");
  assert.equal(
    replyText(await c.call("SELECT", "x")),
    "ERR value is not an integer or out of range",
  );
  const info = replyText(await c.call("CLIENT", "INFO"));
  assert.match(info, / db=15 /);
});

Deno.test("CLIENT SETNAME/GETNAME/ID/SETINFO/INFO/LIST/NO-EVICT/NO-TOUCH", async () => {
  await using s = await startTestServer({ protocols: ["redis"] });
  using c = await RespClient.connect(s.ports.redis);
  using d = await RespClient.connect(s.ports.redis);
  const id = await c.call("CLIENT", "ID");
  assert.equal(id.type, "integer");
  assert.deepEqual(await c.call("CLIENT", "SETNAME", "worker-1"), { type: "simple", value: "OK" });
  assert.equal(replyText(await c.call("CLIENT", "GETNAME")), "worker-1");
  assert.equal(replyText(await c.call("CLIENT", "SETNAME", "a b")), SERVER_ERRORS.clientName);
  assert.deepEqual(await c.call("CLIENT", "SETINFO", "LIB-NAME", "mylib"), {
    type: "simple",
    value: "OK",
  });
  assert.deepEqual(await c.call("CLIENT", "SETINFO", "lib-ver", "1.2.3"), {
    type: "simple",
    value: "OK",
  });
  assert.equal(
    replyText(await c.call("CLIENT", "SETINFO", "color", "x")),
    "ERR Unrecognized option 'color'",
  );
  assert.deepEqual(await c.call("CLIENT", "NO-EVICT", "on"), { type: "simple", value: "OK" });
  assert.deepEqual(await c.call("CLIENT", "NO-TOUCH", "ON"), { type: "simple", value: "OK" });
  assert.equal(replyText(await c.call("CLIENT", "NO-TOUCH", "maybe")), ERRORS.syntax);
  const info = replyText(await c.call("CLIENT", "INFO"));
  assert.match(
    info,
    new RegExp(
      `^id=${id.value} addr=127\\.0\\.0\\.1:\\d+ laddr=127\\.0\\.0\\.1:${s.ports.redis} .* name=worker-1 .*flags=eT .*cmd=client\\|info user=default .*resp=2 lib-name=mylib lib-ver=1\\.2\\.3\\n$`,
    ),
  );
  assert.deepEqual(await d.call("PING"), { type: "simple", value: "PONG" });
  const list = replyText(await d.call("CLIENT", "LIST")).trimEnd().split("\n");
  assert.equal(list.length, 2);
  assert.ok(list.some((l) => l.includes("name=worker-1")));
  const byId = replyText(await d.call("CLIENT", "LIST", "ID", String(id.value)));
  assert.equal(byId.trimEnd().split("\n").length, 1);
  assert.equal(replyText(await d.call("CLIENT", "LIST", "TYPE", "pubsub")), "");
});

Deno.test("CLIENT KILL closes the other connection; QUIT replies then closes", async () => {
  await using s = await startTestServer({ protocols: ["redis"] });
  using victim = await RespClient.connect(s.ports.redis);
  using c = await RespClient.connect(s.ports.redis);
  const id = replyInteger(await victim.call("CLIENT", "ID"));
  assert.deepEqual(await c.call("CLIENT", "KILL", "ID", String(id)), { type: "integer", value: 1 });
  assert.ok(await victim.raw.closedWithin(2000));
  assert.deepEqual(await c.call("CLIENT", "KILL", "ID", String(id)), { type: "integer", value: 0 });
  assert.equal(replyText(await c.call("CLIENT", "KILL", "1.2.3.4:5")), "ERR No such client");
  await c.send("QUIT\r\nPING\r\n");
  assert.equal(await c.raw.readText("\r\n"), "+OK\r\n");
  assert.ok(await c.raw.closedWithin(2000));
});

Deno.test("CLIENT REPLY OFF/SKIP/ON silence replies as Redis does", async () => {
  await using s = await startTestServer({ protocols: ["redis"] });
  using c = await RespClient.connect(s.ports.redis);
  await c.send("CLIENT REPLY OFF\r\nECHO a\r\nCLIENT REPLY ON\r\nECHO b\r\n");
  assert.equal(await c.raw.readText("$1\r\nb\r\n"), "+OK\r\n$1\r\nb\r\n");
  await c.send("CLIENT REPLY SKIP\r\nECHO c\r\nECHO d\r\n");
  assert.equal(await c.raw.readText("$1\r\nd\r\n"), "$1\r\nd\r\n");
});

Deno.test("a read after a failed write in a pipeline sees the writes before it", async () => {
  await using s = await startTestServer({ protocols: ["redis"] });
  using c = await RespClient.connect(s.ports.redis);
  await c.call("SET", "text", "abc");
  // redis-py's pipeline(transaction=False) with an error in the middle: the failing INCRBY and
  // LPUSH were rejected before the SET committed, and the GET after them answered nil.
  for (let i = 0; i < 20; i++) {
    await c.call("DEL", "p");
    const script = [
      ["SET", "p", String(i)],
      ["INCRBY", "text", "1"],
      ["LPUSH", "p", "x"],
      ["GET", "p"],
    ];
    await c.send(new Uint8Array(script.flatMap((args) => [...command(...args)])));
    const got: string[] = [];
    for (let j = 0; j < script.length; j++) {
      const r = await c.reply();
      got.push(r.type === "null" ? "(nil)" : replyText(r));
    }
    assert.deepEqual(got, [
      "OK",
      "ERR value is not an integer or out of range",
      "WRONGTYPE Operation against a key holding the wrong kind of value",
      String(i),
    ]);
  }
});

Deno.test("CONFIG GET globs, CONFIG SET validates, COMMAND describes the table", async () => {
  await using s = await startTestServer({ protocols: ["redis"] });
  using c = await RespClient.connect(s.ports.redis);
  const all = await c.call("CONFIG", "GET", "maxmemory*", "save", "appendonly");
  assert.equal(all.type, "array");
  const pairs = new Map<string, string>();
  for (let i = 0; i < all.value.length; i += 2) {
    pairs.set(replyText(all.value[i]), replyText(all.value[i + 1]));
  }
  assert.equal(pairs.get("maxmemory-policy"), "noeviction");
  assert.equal(pairs.get("maxmemory"), "0");
  assert.equal(pairs.get("appendonly"), "yes");
  assert.ok(pairs.has("save"));
  assert.deepEqual(await c.call("CONFIG", "SET", "maxmemory-policy", "allkeys-lru"), {
    type: "simple",
    value: "OK",
  });
  const changed = await c.call("CONFIG", "GET", "maxmemory-policy");
  assert.equal(replyText(replyItems(changed)[1]), "allkeys-lru");
  assert.equal(
    replyText(await c.call("CONFIG", "SET", "foo", "bar")),
    "ERR Unknown option or number of arguments for CONFIG SET - 'foo'",
  );
  assert.equal(
    replyText(await c.call("CONFIG", "SET", "databases", "3")),
    "ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config",
  );
  assert.deepEqual(await c.call("CONFIG", "RESETSTAT"), { type: "simple", value: "OK" });
  const count = await c.call("COMMAND", "COUNT");
  assert.equal(count.type, "integer");
  const info = await c.call("COMMAND", "INFO", "client", "nosuch");
  assert.equal(info.type, "array");
  assert.deepEqual(info.value[1], { type: "null" });
  const client = info.value[0];
  assert.equal(client.type, "array");
  assert.equal(replyText(client.value[0]), "client");
  assert.deepEqual(client.value[1], { type: "integer", value: -2 });
  const subs = client.value[9];
  assert.equal(subs.type, "array");
  assert.ok(
    subs.value.some((sc) => sc.type === "array" && replyText(sc.value[0]) === "client|setname"),
  );
  const all2 = await c.call("COMMAND");
  assert.equal(all2.type, "array");
  assert.equal(all2.value.length, count.value);
  const docs = await c.call("COMMAND", "DOCS", "ping");
  assert.equal(docs.type, "array");
  assert.equal(replyText(docs.value[0]), "ping");
});

Deno.test("TIME, LASTSAVE, SAVE, BGSAVE and DEBUG SLEEP answer as Redis", async () => {
  await using s = await startTestServer({ protocols: ["redis"] });
  using c = await RespClient.connect(s.ports.redis);
  const time = await c.call("TIME");
  assert.equal(time.type, "array");
  const secs = Number(replyText(time.value[0]));
  assert.ok(Math.abs(secs - Date.now() / 1000) < 5);
  assert.ok(Number(replyText(time.value[1])) < 1_000_000);
  assert.equal((await c.call("LASTSAVE")).type, "integer");
  assert.deepEqual(await c.call("SAVE"), { type: "simple", value: "OK" });
  assert.deepEqual(await c.call("BGSAVE"), { type: "simple", value: "Background saving started" });
  const started = Date.now();
  assert.deepEqual(await c.call("DEBUG", "SLEEP", "0.05"), { type: "simple", value: "OK" });
  assert.ok(Date.now() - started >= 45);
});

Deno.test("INFO prints every default section with the fields clients parse", async () => {
  await using s = await startTestServer({ protocols: ["redis"] });
  using c = await RespClient.connect(s.ports.redis);
  const text = replyText(await c.call("INFO"));
  for (
    const title of [
      "Server",
      "Clients",
      "Memory",
      "Persistence",
      "Stats",
      "Replication",
      "Keyspace",
    ]
  ) {
    assert.match(text, new RegExp(`(^|\\r\\n)# ${title}\\r\\n`));
  }
  for (
    const field of [
      /\r\nredis_version:7\.2\.\d+\r\n/,
      /\r\nredis_mode:standalone\r\n/,
      new RegExp(`\\r\\ntcp_port:${s.ports.redis}\\r\\n`),
      /\r\nconnected_clients:1\r\n/,
      /\r\nused_memory:\d+\r\n/,
      /\r\nmaxmemory_policy:noeviction\r\n/,
      /\r\nloading:0\r\n/,
      /\r\naof_enabled:1\r\n/,
      /\r\nrole:master\r\n/,
      /\r\nos:\S+/,
    ]
  ) assert.match(text, field);
  const only = replyText(await c.call("INFO", "clients", "replication"));
  assert.match(only, /^# Clients\r\n[^#]*\r\n# Replication\r\n/);
  assert.doesNotMatch(only, /# Server/);
});

Deno.test("rate limiting answers an error once a client exceeds its rate", async () => {
  await using s = await startTestServer({ protocols: ["redis"], rateLimit: 5 });
  using c = await RespClient.connect(s.ports.redis);
  await c.send("PING\r\n".repeat(8));
  const replies = [];
  for (let i = 0; i < 8; i++) replies.push(await c.reply());
  assert.deepEqual(replies.slice(0, 5).map(replyText), Array(5).fill("PONG"));
  assert.equal(replyText(replies[7]), SERVER_ERRORS.rateLimited(5));
});

Deno.test("a pipeline of reads and writes on one key answers as if run one by one", async () => {
  await using s = await startTestServer({ protocols: ["redis"] });
  using c = await RespClient.connect(s.ports.redis);
  using other = await RespClient.connect(s.ports.redis);
  const script: string[][] = [];
  const expected: string[] = [];
  for (let i = 0; i < 50; i++) {
    script.push(["GET", "k"], ["SET", "k", String(i)], ["GET", "k"], ["GET", "k"], ["INCR", "k"]);
    expected.push(i === 0 ? "(nil)" : String(i), "OK", String(i), String(i), String(i + 1));
  }
  await c.send(new Uint8Array(script.flatMap((args) => [...command(...args)])));
  const got: string[] = [];
  for (let i = 0; i < script.length; i++) {
    const r = await c.reply();
    got.push(r.type === "null" ? "(nil)" : r.type === "integer" ? String(r.value) : replyText(r));
  }
  assert.deepEqual(got, expected);
  assert.equal(replyText(await other.call("GET", "k")), "50");
});

Deno.test("reads answered from memory see every commit, as a store read would", async () => {
  await using s = await startTestServer({ protocols: ["redis"] });
  using c = await RespClient.connect(s.ports.redis);
  using other = await RespClient.connect(s.ports.redis);
  const get = async (key: string) => {
    const r = await c.call("GET", key);
    return r.type === "null" ? null : replyText(r);
  };
  assert.equal(await get("k"), null);
  await other.call("SET", "k", "v1");
  assert.equal(await get("k"), "v1");
  await other.call("SET", "k", "v2");
  await other.call("DEL", "k");
  assert.equal(await get("k"), null);
  await other.call("RPUSH", "k", "x");
  assert.deepEqual(await c.call("GET", "k"), { type: "error", value: ERRORS.wrongType });
  await other.call("SET", "t", "v", "PX", "1");
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(await get("t"), null);
  // Inside EXEC a read sees the transaction's own writes, not the committed state.
  await c.call("SET", "m", "old");
  await c.call("MULTI");
  await c.call("SET", "m", "new");
  await c.call("GET", "m");
  assert.deepEqual(replyItems(await c.call("EXEC")).map(replyText), ["OK", "new"]);
  // One pipeline whose reads and writes interleave, with an argument large enough to make the
  // connection grow its buffer half-way: every reply is the one a serial run gives.
  const big = "b".repeat(200_000);
  const script: string[][] = [];
  const expected: string[] = [];
  for (let i = 0; i < 200; i++) {
    const value = i === 100 ? big : `value-${i}`;
    script.push(["SET", `p${i}`, value], ["GET", `p${i}`], ["GET", `p${i - 1}`]);
    expected.push("OK", value, i === 0 ? "(nil)" : i === 101 ? big : `value-${i - 1}`);
  }
  await c.send(new Uint8Array(script.flatMap((args) => [...command(...args)])));
  const got: string[] = [];
  for (let i = 0; i < script.length; i++) {
    const r = await c.reply();
    got.push(r.type === "null" ? "(nil)" : replyText(r));
  }
  assert.deepEqual(got, expected);
});

Deno.test("INFO keyspace counts keys and expiries per selected db", async () => {
  await using s = await startTestServer({ protocols: ["redis"] });
  using c = await RespClient.connect(s.ports.redis);
  await c.call("SELECT", "3");
  await c.call("SET", "a", "1");
  await c.call("SET", "b", "2", "EX", "100");
  const text = replyText(await c.call("INFO", "keyspace"));
  assert.match(text, /^# Keyspace\r\ndb3:keys=2,expires=1,avg_ttl=\d+\r\n$/);
  const stats = replyText(await c.call("INFO", "stats"));
  assert.match(stats, /total_commands_processed:[1-9]\d*\r\n/);
});

Deno.test("shutdown closes idle connections at once and lets a running batch finish", async () => {
  const s = await startTestServer({ protocols: ["redis"] });
  using idle = await RespClient.connect(s.ports.redis);
  using busy = await RespClient.connect(s.ports.redis);
  assert.deepEqual(await idle.call("PING"), { type: "simple", value: "PONG" });
  await busy.send("DEBUG SLEEP 0.2\r\n");
  await new Promise((r) => setTimeout(r, 50));
  const started = Date.now();
  await s.server.close();
  assert.ok(Date.now() - started < 1500, `took ${Date.now() - started} ms`);
  assert.ok(await idle.raw.closedWithin(1000));
  assert.equal(await busy.raw.readText("\r\n"), "+OK\r\n");
});

Deno.test("ROLE, WAIT, WAITAOF, SLOWLOG and cluster commands answer as a lone durable master", async () => {
  await using s = await startTestServer({ protocols: ["redis"] });
  using c = await RespClient.connect(s.ports.redis);
  assert.equal(
    await c.callRaw(["ROLE"], "*3\r\n$6\r\nmaster\r\n:0\r\n*0\r\n"),
    "*3\r\n$6\r\nmaster\r\n:0\r\n*0\r\n",
  );
  assert.deepEqual(await c.call("WAIT", "1", "0"), { type: "integer", value: 0 });
  assert.equal(replyText(await c.call("WAIT", "0", "-1")), "ERR timeout is negative");
  assert.equal(
    await c.callRaw(["WAITAOF", "1", "0", "0"], "*2\r\n:1\r\n:0\r\n"),
    "*2\r\n:1\r\n:0\r\n",
  );
  assert.deepEqual(await c.call("SLOWLOG", "GET"), { type: "array", value: [] });
  assert.deepEqual(await c.call("SLOWLOG", "LEN"), { type: "integer", value: 0 });
  assert.equal(
    replyText(await c.call("SLOWLOG", "GET", "x")),
    "ERR count should be greater than or equal to -1",
  );
  assert.equal(replyText(await c.call("CLUSTER", "INFO")), SERVER_ERRORS.clusterDisabled);
  assert.equal(replyText(await c.call("READONLY")), SERVER_ERRORS.clusterDisabled);
});

/**
 * Redis ACL users over real sockets: ACL SETUSER rules with Redis 7.2's NOPERM and SETUSER
 * errors byte for byte, AUTH user pass from ioredis, node-redis and redis-cli, users surviving a
 * restart through the store, the --users file with ACL SAVE/LOAD, ACL LOG and INFO counters.
 * @module
 */
import assert from "node:assert/strict";
import { Redis } from "ioredis";
import { createClient } from "redis";
import { startTestServer, testConfig } from "../helpers/server.ts";
import { RawClient } from "../helpers/net.ts";
import { startKvConnectServer } from "../helpers/kv_connect_server.ts";
import { rawReply, replyItems, replyText, RespClient } from "./resp_client.ts";

/** Client libraries keep timers and sockets the test sanitizers would flag after quit. */
const clientTest = { sanitizeOps: false, sanitizeResources: false };

const WRONGPASS = "-WRONGPASS invalid username-password pair or user is disabled.\r\n";

/** A RESP2 bulk string's bytes. */
function bulk(text: string): string {
  return `$${text.length}\r\n${text}\r\n`;
}

/** Send commands as the same connection, each reply's exact bytes. */
async function exchange(c: RawClient, ...commands: string[][]): Promise<string[]> {
  const out: string[] = [];
  for (const args of commands) out.push(await rawReply(c, ...args));
  return out;
}

function redisFlags(path: string): Record<string, string | number> {
  return { ...testConfig().serviceFlags, users: path };
}

Deno.test("SETUSER rules: NOPERM for commands, keys and channels, as Redis 7.2 words them", async () => {
  await using s = await startTestServer({ protocols: ["redis"] });
  using c = await RawClient.connect(s.ports.redis);
  assert.deepEqual(
    await exchange(
      c,
      [
        "ACL",
        "SETUSER",
        "carol",
        "on",
        ">pw",
        "~k:*",
        "%R~r:*",
        "&ch:*",
        "+@read",
        "+set",
        "-keys",
      ],
      ["ACL", "GETUSER", "carol"],
      ["ACL", "LIST"],
    ),
    [
      "+OK\r\n",
      "*12\r\n$5\r\nflags\r\n*1\r\n$2\r\non\r\n$9\r\npasswords\r\n*1\r\n$64\r\n" +
      "30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4\r\n" +
      "$8\r\ncommands\r\n" + bulk("-@all +@read +set -keys") + "$4\r\nkeys\r\n" +
      bulk("~k:* %R~r:*") +
      "$8\r\nchannels\r\n$5\r\n&ch:*\r\n$9\r\nselectors\r\n*0\r\n",
      "*2\r\n$135\r\nuser carol on " +
      "#30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4 ~k:* %R~r:* " +
      "resetchannels &ch:* -@all +@read +set -keys\r\n" +
      "$34\r\nuser default on nopass ~* &* +@all\r\n",
    ],
  );
  assert.deepEqual(
    await exchange(
      c,
      ["AUTH", "carol", "pw"],
      ["GET", "k:1"],
      ["GET", "x"],
      ["SET", "r:1", "v"],
      ["SET", "k:1", "v"],
      ["GET", "r:1"],
      ["KEYS", "*"],
      ["DEL", "k:1"],
      ["PUBLISH", "ch:1", "m"],
      ["CLIENT", "LIST"],
      ["ACL", "WHOAMI"],
      ["MGET", "k:1", "x"],
      ["AUTH", "carol", "bad"],
      ["AUTH", "nobody", "x"],
      ["AUTH", "a", "b", "c"],
    ),
    [
      "+OK\r\n",
      "$-1\r\n",
      "-NOPERM No permissions to access a key\r\n",
      "-NOPERM No permissions to access a key\r\n",
      "+OK\r\n",
      "$-1\r\n",
      "-NOPERM User carol has no permissions to run the 'keys' command\r\n",
      "-NOPERM User carol has no permissions to run the 'del' command\r\n",
      "-NOPERM User carol has no permissions to run the 'publish' command\r\n",
      "-NOPERM User carol has no permissions to run the 'client|list' command\r\n",
      "-NOPERM User carol has no permissions to run the 'acl|whoami' command\r\n",
      "-NOPERM No permissions to access a key\r\n",
      WRONGPASS,
      WRONGPASS,
      "-ERR syntax error\r\n",
    ],
  );
  // Channels: a user allowed PUBLISH but only on ch:*.
  using d = await RawClient.connect(s.ports.redis);
  assert.deepEqual(
    await exchange(
      d,
      [
        "ACL",
        "SETUSER",
        "pub",
        "on",
        "nopass",
        "&ch:*",
        "+publish",
        "+subscribe",
        "+multi",
        "+exec",
      ],
      ["AUTH", "pub", "any"],
      ["PUBLISH", "ch:1", "m"],
      ["PUBLISH", "other", "m"],
      ["MULTI"],
      ["GET", "k"],
      ["EXEC"],
    ),
    [
      "+OK\r\n",
      "+OK\r\n",
      ":0\r\n",
      "-NOPERM No permissions to access a channel\r\n",
      "+OK\r\n",
      "-NOPERM User pub has no permissions to run the 'get' command\r\n",
      "-EXECABORT Transaction discarded because of previous errors.\r\n",
    ],
  );
});

Deno.test("SETUSER modifiers: Redis's errors, password and pattern rules, reset", async () => {
  await using s = await startTestServer({ protocols: ["redis"] });
  using c = await RawClient.connect(s.ports.redis);
  const modifierError = (m: string, why: string) =>
    `-ERR Error in ACL SETUSER modifier '${m}': ${why}\r\n`;
  const badHash = "The password hash must be exactly 64 characters and contain only " +
    "lowercase hexadecimal characters";
  assert.deepEqual(
    await exchange(
      c,
      ["ACL", "SETUSER", "x", "bad"],
      ["ACL", "SETUSER", "x", "<nope"],
      ["ACL", "SETUSER", "x", "#abc"],
      ["ACL", "SETUSER", "x", "+client|nosuch"],
      ["ACL", "SETUSER", "x", "+@nosuch"],
      ["ACL", "SETUSER", "x", "%X~k"],
      ["ACL", "SETUSER", "x", "allchannels", "&x"],
      ["ACL", "SETUSER", "x", "allkeys", "~x"],
      ["ACL", "SETUSER", "x", "~a b"],
      ["ACL", "SETUSER", "a b"],
      ["ACL", "USERS"],
    ),
    [
      modifierError("bad", "Syntax error"),
      modifierError(
        "<nope",
        "The password you are trying to remove from the user does not exist",
      ),
      modifierError("#abc", badHash),
      modifierError("+client|nosuch", "Unknown command or category name in ACL"),
      modifierError("+@nosuch", "Unknown command or category name in ACL"),
      modifierError("%X~k", "Syntax error"),
      modifierError(
        "&x",
        "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and " +
          "does not have any effect. Try 'resetchannels' to start with an empty list of channels",
      ),
      modifierError(
        "~x",
        "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does " +
          "not have any effect. Try 'resetkeys' to start with an empty list of patterns",
      ),
      modifierError("~a b", "Syntax error"),
      "-ERR Usernames can't contain spaces or null characters\r\n",
      // A failing SETUSER creates nothing.
      "*1\r\n$7\r\ndefault\r\n",
    ],
  );
  assert.deepEqual(
    await exchange(
      c,
      ["ACL", "SETUSER", "x", "on", ">a", ">b", ">a", "<a", "+@all", "-@dangerous", "~k:1"],
      ["ACL", "SETUSER", "x", "%R~k:1", "%W~k:2"],
      ["ACL", "LIST"],
      ["ACL", "SETUSER", "x", "reset"],
      ["ACL", "LIST"],
      ["ACL", "DRYRUN", "x", "get", "k"],
      ["ACL", "SETUSER", "x", "allcommands", "-flushall", "allkeys"],
      ["ACL", "DRYRUN", "x", "flushall"],
      ["ACL", "DRYRUN", "x", "get", "k"],
      ["ACL", "DRYRUN", "x", "get"],
      ["ACL", "DRYRUN", "nobody", "get", "x"],
      ["ACL", "DRYRUN", "x", "nosuch"],
      ["ACL", "DELUSER", "default"],
      ["ACL", "DELUSER", "x", "nobody"],
      ["ACL", "GETUSER", "x"],
    ),
    [
      "+OK\r\n",
      "+OK\r\n",
      "*2\r\n$34\r\nuser default on nopass ~* &* +@all\r\n" +
      bulk(
        "user x on #3e23e8160039594a33894f6564e1b1348bbd7a0088d42c4acb73eeaed59c009d " +
          "~k:1 %W~k:2 resetchannels +@all -@dangerous",
      ),
      "+OK\r\n",
      "*2\r\n$34\r\nuser default on nopass ~* &* +@all\r\n" +
      bulk("user x off sanitize-payload resetchannels -@all"),
      "$50\r\nUser x has no permissions to run the 'get' command\r\n",
      "+OK\r\n",
      "$55\r\nUser x has no permissions to run the 'flushall' command\r\n",
      "+OK\r\n",
      "-ERR wrong number of arguments for 'get' command\r\n",
      "-ERR User 'nobody' not found\r\n",
      "-ERR Command 'nosuch' not found\r\n",
      "-ERR The 'default' user cannot be removed\r\n",
      ":1\r\n",
      "$-1\r\n",
    ],
  );
  assert.deepEqual(
    await exchange(
      c,
      ["ACL", "CAT", "nosuch"],
      ["ACL", "CAT", "a", "b"],
      ["ACL", "LOG", "1", "2"],
      ["ACL", "GENPASS", "0"],
      ["ACL", "SAVE"],
      ["ACL", "FOO"],
      ["CLIENT", "KILL", "USER", "nobody"],
      ["CLIENT", "KILL", "USER", "default", "SKIPME", "yes"],
    ),
    [
      "-ERR Unknown category 'nosuch'\r\n",
      "-ERR unknown subcommand or wrong number of arguments for 'CAT'. Try ACL HELP.\r\n",
      "-ERR unknown subcommand or wrong number of arguments for 'LOG'. Try ACL HELP.\r\n",
      "-ERR ACL GENPASS argument must be the number of bits for the output password, a " +
      "positive number up to 4096\r\n",
      "-ERR This Redis instance is not configured to use an ACL file. You may want to specify " +
      "users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a " +
      "Redis configuration file set) in order to store users in the Redis configuration.\r\n",
      "-ERR unknown subcommand 'FOO'. Try ACL HELP.\r\n",
      "-ERR No such user 'nobody'\r\n",
      ":0\r\n",
    ],
  );
  assert.match(await rawReply(c, "ACL", "GENPASS"), /^\$64\r\n[0-9a-f]{64}\r\n$/);
  assert.match(await rawReply(c, "ACL", "GENPASS", "5"), /^\$2\r\n[0-9a-f]{2}\r\n$/);
});

Deno.test("ACL CAT and COMMAND INFO agree on Redis's categories", async () => {
  await using s = await startTestServer({ protocols: ["redis"] });
  using c = await RespClient.connect(s.ports.redis);
  const cats = replyItems(await c.call("ACL", "CAT")).map(replyText);
  assert.deepEqual(cats.slice(0, 4), ["keyspace", "read", "write", "set"]);
  assert.equal(cats.length, 21);
  const dangerous = replyItems(await c.call("ACL", "CAT", "dangerous")).map(replyText);
  for (const name of ["flushall", "keys", "config|set", "acl|setuser", "client|kill"]) {
    assert.ok(dangerous.includes(name), name);
  }
  assert.ok(!dangerous.includes("get"));
  const info = (name: string) =>
    c.call("COMMAND", "INFO", name).then((r) =>
      replyItems(replyItems(replyItems(r)[0])[6]).map(replyText)
    );
  assert.deepEqual(await info("get"), ["@read", "@string", "@fast"]);
  assert.deepEqual(await info("flushall"), ["@keyspace", "@write", "@slow", "@dangerous"]);
  assert.deepEqual(await info("hset"), ["@write", "@hash", "@fast"]);
});

Deno.test({
  name: "ioredis and node-redis log in as an ACL user and get NOPERM",
  ...clientTest,
  async fn() {
    await using s = await startTestServer({ protocols: ["redis"], password: "adminpw" });
    {
      using admin = await RespClient.connect(s.ports.redis);
      await admin.call("AUTH", "adminpw");
      assert.equal(
        replyText(
          await admin.call(
            "ACL",
            "SETUSER",
            "app",
            "on",
            ">apppw",
            "~app:*",
            "+@read",
            "+@write",
            "-@dangerous",
            "+acl|whoami",
          ),
        ),
        "OK",
      );
    }
    const io = new Redis({
      host: "127.0.0.1",
      port: s.ports.redis,
      username: "app",
      password: "apppw",
      lazyConnect: true,
      enableReadyCheck: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    try {
      await io.connect();
      assert.equal(await io.set("app:1", "v"), "OK");
      assert.equal(await io.get("app:1"), "v");
      await assert.rejects(
        () => io.get("other"),
        /^ReplyError: NOPERM No permissions to access a key$/,
      );
      await assert.rejects(
        () => io.flushall(),
        /NOPERM User app has no permissions to run the 'flushall' command/,
      );
      assert.equal(await io.call("ACL", "WHOAMI"), "app");
    } finally {
      io.disconnect();
    }
    const nr = createClient({
      url: `redis://app:apppw@127.0.0.1:${s.ports.redis}`,
      socket: { reconnectStrategy: false },
    });
    await nr.connect();
    try {
      assert.equal(await nr.get("app:1"), "v");
      await assert.rejects(() => nr.get("secret"), /NOPERM No permissions to access a key/);
      await assert.rejects(
        () => nr.sendCommand(["CONFIG", "GET", "port"]),
        /NOPERM User app has no permissions to run the 'config\|get' command/,
      );
    } finally {
      await nr.quit();
    }
    const wrong = createClient({
      url: `redis://app:nope@127.0.0.1:${s.ports.redis}`,
      socket: { reconnectStrategy: false },
    });
    wrong.on("error", () => {});
    await assert.rejects(() => wrong.connect(), /WRONGPASS/);
    await wrong.disconnect().catch(() => {});
    using admin = await RespClient.connect(s.ports.redis);
    await admin.call("AUTH", "default", "adminpw");
    const stats = replyText(await admin.call("INFO", "stats"));
    assert.match(stats, /\r\nacl_access_denied_auth:1\r\n/);
    // FLUSHALL and CONFIG GET, plus what the clients send on connect (CLIENT SETINFO, INFO).
    assert.ok(Number(/\r\nacl_access_denied_cmd:(\d+)\r\n/.exec(stats)?.[1]) >= 2, stats);
    assert.match(stats, /\r\nacl_access_denied_key:2\r\n/);
    const log = replyItems(await admin.call("ACL", "LOG"));
    const first = replyItems(log[0]).map((r) =>
      r.type === "integer" ? Number(r.value) : replyText(r)
    );
    assert.deepEqual(first.slice(0, 10), [
      "count",
      1,
      "reason",
      "auth",
      "context",
      "toplevel",
      "object",
      first[7] === "HELLO" ? "HELLO" : "AUTH",
      "username",
      "app",
    ]);
    assert.equal(replyText(await admin.call("ACL", "LOG", "RESET")), "OK");
    assert.deepEqual(replyItems(await admin.call("ACL", "LOG")), []);
  },
});

Deno.test("redis-cli --user logs in; the default user keeps --password's requirepass", async () => {
  await using s = await startTestServer({ protocols: ["redis"], password: "pw" });
  const port = String(s.ports.redis);
  const cli = async (...args: string[]) => {
    const r = await new Deno.Command("redis-cli", {
      args: ["-p", port, "--no-auth-warning", ...args],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const dec = new TextDecoder();
    return (dec.decode(r.stdout) + dec.decode(r.stderr)).trim();
  };
  assert.equal(
    await cli("-a", "pw", "ACL", "SETUSER", "ro", "on", ">ropw", "allkeys", "+@read"),
    "OK",
  );
  assert.equal(
    await cli("--user", "ro", "--pass", "ropw", "ACL", "WHOAMI"),
    "NOPERM User ro has no permissions to run the 'acl|whoami' command",
  );
  assert.equal(await cli("--user", "ro", "--pass", "ropw", "GET", "k"), "");
  assert.equal(
    await cli("--user", "ro", "--pass", "ropw", "SET", "k", "v"),
    "NOPERM User ro has no permissions to run the 'set' command",
  );
  assert.match(await cli("--user", "ro", "--pass", "bad", "GET", "k"), /WRONGPASS/);
  assert.equal(await cli("-a", "pw", "ACL", "WHOAMI"), "default");
  assert.match(await cli("PING"), /NOAUTH Authentication required\./);
  using c = await RawClient.connect(s.ports.redis);
  const [refused, hello] = await exchange(
    c,
    ["HELLO", "3", "AUTH", "ro", "bad"],
    ["HELLO", "2", "AUTH", "default", "pw"],
  );
  assert.equal(refused, WRONGPASS);
  assert.match(hello, /^\*14\r\n\$6\r\nserver\r\n/);
});

Deno.test("ACL users live in the store: they survive a restart", async () => {
  const dir = await Deno.makeTempDir();
  const data = `${dir}/acl.sqlite`;
  try {
    {
      await using s = await startTestServer({ protocols: ["redis"], memory: false, data });
      using c = await RespClient.connect(s.ports.redis);
      await c.call("ACL", "SETUSER", "keep", "on", ">kpw", "~k:*", "+get");
    }
    await using s = await startTestServer({ protocols: ["redis"], memory: false, data });
    using c = await RawClient.connect(s.ports.redis);
    assert.deepEqual(
      await exchange(c, ["AUTH", "keep", "kpw"], ["GET", "k:1"], ["SET", "k:1", "v"]),
      [
        "+OK\r\n",
        "$-1\r\n",
        "-NOPERM User keep has no permissions to run the 'set' command\r\n",
      ],
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("--users loads an ACL file; ACL SAVE writes it and ACL LOAD reads it back", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/users.acl`;
  await Deno.writeTextFile(
    file,
    "# basekv users\nuser default on nopass ~* &* +@all\n" +
      "user reader on >rpw ~* resetchannels -@all +@read\n",
  );
  try {
    await using s = await startTestServer({ protocols: ["redis"], serviceFlags: redisFlags(file) });
    using c = await RawClient.connect(s.ports.redis);
    assert.deepEqual(
      await exchange(
        c,
        ["AUTH", "reader", "rpw"],
        ["GET", "k"],
        ["SET", "k", "v"],
        ["AUTH", "default", "x"],
        ["ACL", "SETUSER", "writer", "on", ">wpw", "~w:*", "+@write"],
        ["ACL", "SAVE"],
      ),
      [
        "+OK\r\n",
        "$-1\r\n",
        "-NOPERM User reader has no permissions to run the 'set' command\r\n",
        "+OK\r\n",
        "+OK\r\n",
        "+OK\r\n",
      ],
    );
    assert.equal(
      await Deno.readTextFile(file),
      "user default on nopass ~* &* +@all\n" +
        `user reader on #${await sha256Hex("rpw")} ~* resetchannels -@all +@read\n` +
        `user writer on #${await sha256Hex("wpw")} ~w:* resetchannels -@all +@write\n`,
    );
    // A bad file changes nothing.
    await Deno.writeTextFile(file, "user default on nopass ~* &* +@all\nuser bad on +@bogus\n");
    assert.deepEqual(await exchange(c, ["ACL", "LOAD"], ["ACL", "USERS"]), [
      `-ERR ${file}:2: Unknown command or category name in ACL. WARNING: ACL errors detected, ` +
      "no change to the previously active ACL rules was performed\r\n",
      "*3\r\n$7\r\ndefault\r\n$6\r\nreader\r\n$6\r\nwriter\r\n",
    ]);
    // ACL LOAD replaces every user with the file's.
    await Deno.writeTextFile(file, "user default on nopass ~* &* +@all\n");
    assert.deepEqual(await exchange(c, ["ACL", "LOAD"], ["ACL", "USERS"]), [
      "+OK\r\n",
      "*1\r\n$7\r\ndefault\r\n",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

Deno.test("a script runs as its caller's ACL user", async () => {
  await using s = await startTestServer({ protocols: ["redis"] });
  using c = await RawClient.connect(s.ports.redis);
  assert.deepEqual(
    await exchange(
      c,
      ["ACL", "SETUSER", "s", "on", "nopass", "~*", "+eval", "+get"],
      ["AUTH", "s", "x"],
      ["EVAL", "return redis.call('set','k','v')", "0"],
      ["EVAL", "return redis.pcall('set','k','v')", "0"],
      ["EVAL", "return redis.call('get','k')", "0"],
      ["EVAL", "return redis.acl_check_cmd('set','k','v')", "0"],
      ["EVAL", "return redis.acl_check_cmd('get','k')", "0"],
      ["EVAL", "return redis.acl_check_cmd('nosuch')", "0"],
    ),
    [
      "+OK\r\n",
      "+OK\r\n",
      "-ERR ACL failure in script: User s has no permissions to run the 'set' command script: " +
      "d223ed8c7345b684e8ed044ed472601f536fa58b, on @user_script:1.\r\n",
      "-ERR ACL failure in script: User s has no permissions to run the 'set' command\r\n",
      "$-1\r\n",
      "$-1\r\n",
      ":1\r\n",
      "-ERR Invalid command passed to redis.acl_check_cmd() script: " +
      "d2491587bab5149c93be0dce4426f7a06ba9e1a1, on @user_script:1.\r\n",
    ],
  );
});

Deno.test("%R~ and %W~: reads need read access, writes write access, INCR both", async () => {
  await using s = await startTestServer({ protocols: ["redis"] });
  using c = await RawClient.connect(s.ports.redis);
  const key = "-NOPERM No permissions to access a key\r\n";
  assert.deepEqual(
    await exchange(
      c,
      ["ACL", "SETUSER", "rw", "on", "nopass", "+@all", "%R~r:*", "%W~w:*", "~b:*"],
      ["AUTH", "rw", "x"],
      ["SET", "w:1", "1"],
      ["GET", "w:1"],
      ["INCR", "w:1"],
      ["GET", "r:1"],
      ["SET", "r:1", "1"],
      ["INCR", "b:1"],
      ["LPUSH", "w:2", "a"],
    ),
    ["+OK\r\n", "+OK\r\n", "+OK\r\n", key, key, "$-1\r\n", key, ":1\r\n", ":1\r\n"],
  );
});

Deno.test("front-ends sharing one store share their ACL users", async () => {
  await using kv = await startKvConnectServer();
  Deno.env.set("DENO_KV_ACCESS_TOKEN", kv.token);
  await using one = await startTestServer({ protocols: ["redis"], kvUrl: kv.url });
  await using two = await startTestServer({ protocols: ["redis"], kvUrl: kv.url });
  using a = await RawClient.connect(one.ports.redis);
  using b = await RawClient.connect(two.ports.redis);
  assert.equal(
    await rawReply(a, "ACL", "SETUSER", "shared", "on", ">spw", "~*", "+get"),
    "+OK\r\n",
  );
  assert.deepEqual(
    await exchange(b, ["AUTH", "shared", "spw"], ["GET", "k"], ["SET", "k", "v"]),
    ["+OK\r\n", "$-1\r\n", "-NOPERM User shared has no permissions to run the 'set' command\r\n"],
  );
  assert.equal(await rawReply(a, "ACL", "DELUSER", "shared"), ":1\r\n");
  using c = await RawClient.connect(two.ports.redis);
  assert.deepEqual(await exchange(c, ["AUTH", "shared", "spw"], ["ACL", "USERS"]), [
    WRONGPASS,
    "*1\r\n$7\r\ndefault\r\n",
  ]);
  // The deleted user's connection there can do nothing once that front-end has reloaded.
  assert.equal(
    await rawReply(b, "GET", "k"),
    "-NOPERM User shared has no permissions to run the 'get' command\r\n",
  );
});

Deno.test("before anything loads the ACL users, only an all-permitted default user exists", async () => {
  // A start without --users or --password loads the ACL registry on first use: the commands
  // that ask about users before then answer as the registry would.
  await using s = await startTestServer({ protocols: ["redis"] });
  using c = await RawClient.connect(s.ports.redis);
  assert.deepEqual(
    await exchange(
      c,
      ["CLIENT", "KILL", "USER", "nobody"],
      ["CLIENT", "KILL", "USER", "default", "SKIPME", "yes"],
      ["RESET"],
      ["SET", "k", "v"],
      ["ACL", "LOG"],
      ["ACL", "WHOAMI"],
      ["ACL", "DRYRUN", "default", "GET", "k"],
      ["ACL", "USERS"],
    ),
    [
      "-ERR No such user 'nobody'\r\n",
      ":0\r\n",
      "+RESET\r\n",
      "+OK\r\n",
      "*0\r\n",
      "$7\r\ndefault\r\n",
      "+OK\r\n",
      "*1\r\n$7\r\ndefault\r\n",
    ],
  );
});

Deno.test("key and channel patterns hold any byte: 0x80-0x9f match themselves, not windows-1252's chars", async () => {
  await using s = await startTestServer({ protocols: ["redis"] });
  const admin = new Redis({ port: s.ports.redis, lazyConnect: true });
  const user = new Redis({ port: s.ports.redis, lazyConnect: true });
  try {
    await admin.connect();
    // "~\x80*": windows-1252 reads 0x80 as "€" (U+20AC), whose low byte is 0xAC.
    const rule = (sigil: string) => Buffer.from([sigil.charCodeAt(0), 0x80, 0x2a]);
    await admin.call("ACL", "SETUSER", "hi", "on", "nopass", rule("~"), rule("&"), "+@all");
    await user.connect();
    await user.call("AUTH", "hi", "x");
    assert.equal(await user.get(Buffer.from([0x80, 0x61])), null);
    await assert.rejects(user.get(Buffer.from([0xac, 0x61])), /NOPERM/);
    assert.equal(await user.publish(Buffer.from([0x80, 0x63]), "m"), 0);
    await assert.rejects(user.publish(Buffer.from([0xac, 0x63]), "m"), /NOPERM/);
  } finally {
    admin.disconnect();
    user.disconnect();
  }
});

Deno.test("non-ASCII passwords and patterns are bytes: --password, the users file, ACL LIST and GETUSER", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/users.acl`;
  const bytes = (...parts: (string | number[])[]) =>
    new Uint8Array(
      parts.flatMap((p) => typeof p === "string" ? [...new TextEncoder().encode(p)] : p),
    );
  // A UTF-8 password and a key pattern with the byte 0x80, as redis-server reads such a file.
  await Deno.writeFile(file, bytes("user u on >pässword ~", [0x80], "* +@all\n"));
  try {
    await using s = await startTestServer({
      protocols: ["redis"],
      password: "pässword",
      serviceFlags: redisFlags(file),
    });
    // redis-cli and the clients send a password's UTF-8 bytes.
    const io = new Redis({ port: s.ports.redis, password: "pässword", lazyConnect: true });
    const u = new Redis({
      port: s.ports.redis,
      username: "u",
      password: "pässword",
      lazyConnect: true,
    });
    try {
      await io.connect();
      assert.equal(await io.ping(), "PONG");
      await u.connect();
      assert.equal(await u.get(Buffer.from([0x80, 0x61])), null);
      await assert.rejects(u.get("a"), /NOPERM/);
      // As redis-server 7.2 answers (checked against it): the pattern's byte, not its UTF-8.
      const keys = await io.callBuffer("ACL", "GETUSER", "u") as Buffer[];
      assert.deepEqual([...keys[7]], [0x7e, 0x80, 0x2a]);
      const list = await io.callBuffer("ACL", "LIST") as Buffer[];
      assert.ok(list[1].includes(Buffer.from([0x7e, 0x80, 0x2a, 0x20])));
      assert.equal(await io.call("ACL", "SAVE"), "OK");
      assert.ok((await Deno.readFile(file)).join(",").includes("126,128,42,"));
    } finally {
      io.disconnect();
      u.disconnect();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

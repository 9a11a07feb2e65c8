/**
 * Debian's redis-cli (7.0) in the modes CI scripts use, against basekv: --pipe mass insertion,
 * -x, --eval, --scan, --bigkeys/--memkeys, --hotkeys, the output formats (--raw, --no-raw, --csv,
 * --json, -3), -r/-i, -n, --user/--pass, -e, --latency, --stat, MONITOR and CLIENT KILL of itself.
 * Each expected output is what redis-server 7.0 printed for the same commands (run ids, timings,
 * memory figures and SCAN order aside), so these assert basekv's exact output.
 * @module
 */
import assert from "node:assert/strict";
import { startTestServer } from "../helpers/server.ts";

/** Every redis-cli run is bounded: a hang fails the test instead of stalling the suite. */
const CLI_TIMEOUT_SECONDS = "30";

interface CliResult {
  code: number;
  out: string;
  err: string;
}

/** Run redis-cli against `port` with `args`, `stdin` fed to it (nothing by default). */
async function cli(port: number, args: string[], stdin = ""): Promise<CliResult> {
  const child = new Deno.Command("timeout", {
    args: [CLI_TIMEOUT_SECONDS, "redis-cli", "-p", String(port), ...args],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(stdin));
  await writer.close();
  const r = await child.output();
  const dec = new TextDecoder();
  return { code: r.code, out: dec.decode(r.stdout), err: dec.decode(r.stderr) };
}

/** Run redis-cli and return its stdout, failing on a non-zero exit. */
async function out(port: number, ...args: string[]): Promise<string> {
  const r = await cli(port, args);
  assert.equal(r.code, 0, `redis-cli ${args.join(" ")}: ${r.err}`);
  return r.out;
}

/** A few keys of every type (the fixture --scan, --bigkeys and the formats read). */
async function seed(port: number): Promise<void> {
  await out(port, "mset", "a:1", "1", "a:2", "2", "b:1", "3");
  await out(port, "rpush", "a:list", "x", "y", "z");
  await out(port, "hset", "a:hash", "f", "v", "g", "w");
  await out(port, "sadd", "a:set", "m", "n");
  await out(port, "zadd", "a:zset", "1", "m", "2", "n", "3", "o");
  await out(port, "xadd", "a:stream", "1-1", "f", "v");
}

Deno.test("redis-cli --pipe: RESP and inline commands, one failing, are all answered", async () => {
  await using s = await startTestServer({ protocols: ["redis"] });
  const lines: string[] = [];
  for (let i = 0; i < 2000; i++) {
    const k = `key:${i}`;
    const v = `val${i}`;
    lines.push(`*3\r\n$3\r\nSET\r\n$${k.length}\r\n${k}\r\n$${v.length}\r\n${v}\r\n`);
  }
  for (let i = 0; i < 1000; i++) lines.push(`RPUSH list:${i % 10} item${i}\r\n`);
  lines.push("INCR key:1\r\n");
  const r = await cli(s.ports.redis, ["--pipe"], lines.join(""));
  // redis-cli ends with an ECHO of a random marker; replies counts every command but the ECHO.
  assert.equal(r.err, "ERR value is not an integer or out of range\n");
  assert.equal(
    r.out,
    "All data transferred. Waiting for the last reply...\n" +
      "Last reply received from server.\n" +
      "errors: 1, replies: 3001\n",
  );
  assert.equal(r.code, 1);
  assert.equal(await out(s.ports.redis, "dbsize"), "2010\n");
  assert.equal(
    await out(s.ports.redis, "lrange", "list:3", "0", "3"),
    "item3\nitem13\nitem23\nitem33\n",
  );
});

Deno.test("redis-cli -x takes the last argument from stdin; --eval splits keys and args", async () => {
  await using s = await startTestServer({ protocols: ["redis"] });
  const port = s.ports.redis;
  assert.equal((await cli(port, ["-x", "set", "xkey"], "hello\nworld\n")).out, "OK\n");
  assert.equal(await out(port, "--no-raw", "get", "xkey"), '"hello\\nworld\\n"\n');
  assert.equal((await cli(port, ["-x", "hset", "xh", "f"], "abc")).out, "1\n");
  assert.equal(await out(port, "hgetall", "xh"), "f\nabc\n");

  const dir = await Deno.makeTempDir({ prefix: "basekv-cli-" });
  try {
    const script = `${dir}/s.lua`;
    await Deno.writeTextFile(
      script,
      "redis.call('SET', KEYS[1], ARGV[1])\n" +
        "return {KEYS[1], ARGV[1], redis.call('GET', KEYS[1]), 3, redis.status_reply('OK'), false}\n",
    );
    assert.equal(await out(port, "--eval", script, "ek1", ",", "av1"), "ek1\nav1\nav1\n3\nOK\n\n");
    assert.equal(
      await out(port, "--eval", script, "ek1", "ek2", ",", "av1", "av2"),
      "ek1\nav1\nav1\n3\nOK\n\n",
    );
    const failing = `${dir}/e.lua`;
    await Deno.writeTextFile(failing, "return redis.error_reply('boom')\n");
    assert.equal(await out(port, "--eval", failing), "ERR boom\n\n");
    await Deno.writeTextFile(failing, "return redis.call('nosuch')\n");
    assert.equal(
      await out(port, "--eval", failing),
      "ERR Unknown Redis command called from script script: " +
        "00d0cc3c94712dd7ca7046b1c0ccf051acfb2604, on @user_script:1.\n\n",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("redis-cli --scan --pattern, --bigkeys and --memkeys walk every type", async () => {
  await using s = await startTestServer({ protocols: ["redis"] });
  const port = s.ports.redis;
  await seed(port);
  const scanned = (await out(port, "--scan", "--pattern", "a:*")).trim().split("\n").sort();
  assert.deepEqual(scanned, [
    "a:1",
    "a:2",
    "a:hash",
    "a:list",
    "a:set",
    "a:stream",
    "a:zset",
  ]);
  // --type and --count arrived in redis-cli 7.2: 7.0 refuses them before connecting.
  const typed = await cli(port, ["--scan", "--type", "hash"]);
  assert.equal(typed.code, 1);
  assert.equal(typed.err, "Unrecognized option or bad number of args for: '--type'\n");

  const big = await out(port, "--bigkeys");
  // The "found so far" lines follow SCAN order (unordered in Redis); the summary does not.
  const summary = big.slice(big.indexOf("-------- summary -------"));
  assert.equal(
    summary,
    "-------- summary -------\n\n" +
      "Sampled 8 keys in the keyspace!\n" +
      "Total key length in bytes is 40 (avg len 5.00)\n\n" +
      "Biggest   list found '\"a:list\"' has 3 items\n" +
      "Biggest   hash found '\"a:hash\"' has 2 fields\n" +
      "Biggest string found '\"a:1\"' has 1 bytes\n" +
      "Biggest stream found '\"a:stream\"' has 1 entries\n" +
      "Biggest    set found '\"a:set\"' has 2 members\n" +
      "Biggest   zset found '\"a:zset\"' has 3 members\n\n" +
      "1 lists with 3 items (12.50% of keys, avg size 3.00)\n" +
      "1 hashs with 2 fields (12.50% of keys, avg size 2.00)\n" +
      "3 strings with 3 bytes (37.50% of keys, avg size 1.00)\n" +
      "1 streams with 1 entries (12.50% of keys, avg size 1.00)\n" +
      "1 sets with 2 members (12.50% of keys, avg size 2.00)\n" +
      "1 zsets with 3 members (12.50% of keys, avg size 3.00)\n",
  );
  assert.equal(big.match(/Biggest \w+ +found so far/g)?.length, 6);

  const mem = await out(port, "--memkeys");
  assert.match(mem, /Sampled 8 keys in the keyspace!/);
  for (const type of ["list", "hash", "string", "stream", "set", "zset"]) {
    assert.match(mem, new RegExp(`Biggest +${type} found '"a:\\w+"' has \\d+ bytes`));
  }
  assert.match(mem, /3 strings with \d+ bytes \(37\.50% of keys, avg size \d+\.\d\d\)/);
});

Deno.test("redis-cli --hotkeys: refused without an LFU policy, counters with one", async () => {
  await using s = await startTestServer({ protocols: ["redis"] });
  const port = s.ports.redis;
  await out(port, "set", "hot:1", "v");
  const refused = await cli(port, ["--hotkeys"]);
  assert.equal(refused.code, 1);
  assert.equal(
    refused.err,
    "Error: ERR An LFU maxmemory policy is not selected, access frequency not tracked. " +
      "Please note that when switching between policies at runtime LRU and LFU data will take " +
      "some time to adjust.\n",
  );
  await out(port, "config", "set", "maxmemory-policy", "allkeys-lfu");
  const hot = await out(port, "--hotkeys");
  assert.match(
    hot,
    /Sampled 1 keys in the keyspace!\nhot key found with counter: 5\tkeyname: "hot:1"\n/,
  );
});

Deno.test("redis-cli output formats: --raw, --no-raw, --csv, --json and -3", async () => {
  await using s = await startTestServer({ protocols: ["redis"] });
  const port = s.ports.redis;
  await seed(port);
  await out(port, "hset", "h2", "a", "1", "b", "x y");
  await out(port, "set", "f", "3.5");
  const cases: [string[], string][] = [
    [["--no-raw", "hgetall", "h2"], '1) "a"\n2) "1"\n3) "b"\n4) "x y"\n'],
    [["--csv", "hgetall", "h2"], '"a","1","b","x y"\n'],
    // --json speaks RESP3 unless -2 is given.
    [["--json", "hgetall", "h2"], '{"a":"1","b":"x y"}\n'],
    [["-2", "--json", "hgetall", "h2"], '["a","1","b","x y"]\n'],
    [["-3", "hgetall", "h2"], "a 1\nb x y\n"],
    [["-3", "--no-raw", "hgetall", "h2"], '1# "a" => "1"\n2# "b" => "x y"\n'],
    [["-3", "--json", "hgetall", "h2"], '{"a":"1","b":"x y"}\n'],
    [["-3", "--csv", "hgetall", "h2"], '"a","1","b","x y"\n'],
    [["-3", "--no-raw", "hgetall", "nokey"], "(empty hash)\n"],
    [["-3", "--json", "hgetall", "nokey"], "{}\n"],
    [["-3", "--no-raw", "smembers", "a:set"], '1~ "m"\n2~ "n"\n'],
    [["-3", "--json", "smembers", "a:set"], '["m","n"]\n'],
    [["--no-raw", "get", "nokey"], "(nil)\n"],
    [["-3", "--no-raw", "get", "nokey"], "(nil)\n"],
    [["-3", "--json", "get", "nokey"], "null\n"],
    [["-3", "--csv", "memory", "usage", "nokey"], "NULL\n"],
    [["-3", "--no-raw", "zscore", "a:zset", "n"], "(double) 2\n"],
    [["-3", "--json", "zscore", "a:zset", "n"], "2\n"],
    [["--no-raw", "zscore", "a:zset", "n"], '"2"\n'],
    [["-3", "--no-raw", "incrbyfloat", "f", "0.25"], '"3.75"\n'],
    [
      ["-3", "--no-raw", "zrange", "a:zset", "0", "-1", "withscores"],
      '1) 1) "m"\n   2) (double) 1\n2) 1) "n"\n   2) (double) 2\n3) 1) "o"\n   2) (double) 3\n',
    ],
    [["--csv", "xrange", "a:stream", "-", "+"], '"1-1","f","v"\n'],
    [["--json", "xrange", "a:stream", "-", "+"], '[["1-1",["f","v"]]]\n'],
    // INFO is a verbatim string under RESP3: redis-cli drops its "txt:" prefix.
    [["-3", "--no-raw", "info", "keyspace"], "# Keyspace\r\ndb0:keys=10,expires=0,avg_ttl=0\r\n"],
    [["-3", "--json", "info", "keyspace"], "# Keyspace\r\ndb0:keys=10,expires=0,avg_ttl=0\r\n"],
    [
      ["--no-raw", "incr", "a:list"],
      "(error) WRONGTYPE Operation against a key holding the wrong kind of value\n",
    ],
    [
      ["--raw", "incr", "a:list"],
      "WRONGTYPE Operation against a key holding the wrong kind of value\n\n",
    ],
  ];
  for (const [args, want] of cases) {
    assert.equal((await cli(port, args)).out, want, `redis-cli ${args.join(" ")}`);
  }
});

Deno.test("redis-cli -r/-i repeats, -n selects a db, --user/--pass log in, -e exits 1", async () => {
  await using s = await startTestServer({ protocols: ["redis"] });
  const port = s.ports.redis;
  assert.equal(await out(port, "-r", "3", "-i", "0.1", "incr", "ctr"), "1\n2\n3\n");
  assert.equal(
    await out(port, "-r", "3", "-i", "0.1", "--no-raw", "incr", "ctr"),
    "(integer) 4\n(integer) 5\n(integer) 6\n",
  );
  assert.equal(await out(port, "-n", "5", "set", "dbk", "v5"), "OK\n");
  assert.equal(await out(port, "-n", "5", "get", "dbk"), "v5\n");
  assert.equal(await out(port, "get", "dbk"), "\n");
  const bad = await cli(port, ["-n", "16", "ping"]);
  assert.equal(bad.err, "SELECT 16 failed: ERR DB index is out of range\n");
  assert.equal(bad.out, "PONG\n");

  await out(port, "acl", "setuser", "ci", "on", ">s3cret", "~ci:*", "+@all");
  const login = ["--user", "ci", "--pass", "s3cret", "--no-auth-warning"];
  assert.equal(await out(port, ...login, "acl", "whoami"), "ci\n");
  assert.equal(await out(port, ...login, "set", "ci:a", "1"), "OK\n");
  const denied = await cli(port, [...login, "-e", "set", "other", "1"]);
  assert.equal(denied.code, 1);
  assert.equal(denied.out + denied.err, "NOPERM No permissions to access a key\n");
  const wrong = await cli(port, ["--user", "ci", "--pass", "nope", "ping"]);
  assert.equal(
    wrong.err,
    "Warning: Using a password with '-a' or '-u' option on the command line interface may not be safe.\n" +
      "AUTH failed: WRONGPASS invalid username-password pair or user is disabled.\n",
  );

  const failed = await cli(port, ["-e", "incr", "ci:a", "x"]);
  assert.equal(failed.code, 1);
  assert.equal(failed.out + failed.err, "ERR wrong number of arguments for 'incr' command\n");
  const unknown = await cli(port, ["-e", "nosuchcmd"]);
  assert.equal(unknown.code, 1);
  assert.equal(
    unknown.out + unknown.err,
    "ERR unknown command 'nosuchcmd', with args beginning with: \n",
  );
  const plain = await cli(port, ["nosuchcmd"]);
  assert.equal(plain.code, 0);
});

Deno.test("redis-cli --latency (raw, one interval) and --stat (stopped by SIGINT)", async () => {
  await using s = await startTestServer({ protocols: ["redis"] });
  const port = s.ports.redis;
  await out(port, "set", "k", "v");
  // With --raw, --latency prints "min max avg samples" once after the interval and exits.
  const latency = await out(port, "--latency", "--raw", "-i", "0.3");
  assert.match(latency, /^\d+ \d+ \d+\.\d\d \d+\n$/);

  const stat = await new Deno.Command("timeout", {
    args: ["-s", "INT", "3", "stdbuf", "-o0", "redis-cli", "-p", String(port), "--stat", "-i", "1"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(stat.stdout);
  const lines = text.split("\n");
  assert.equal(
    lines[0].trim(),
    "------- data ------ --------------------- load -------------------- - child -",
  );
  assert.match(lines[1], /^keys +mem +clients +blocked +requests +connections/);
  // First sample: 1 key, this client connected.
  assert.match(lines[2], /^1 +[\d.]+[KMG]? +1 +0 +\d+ \(\+0\) +\d+/);
});

/** Lines of a MONITOR stream with the timestamp and client port replaced. */
function normalised(text: string): string[] {
  return text.split("\n").filter((l) => l !== "").map((l) =>
    l.replace(/^\d+\.\d{6} /, "TS ").replace(/127\.0\.0\.1:\d+/, "ADDR")
  );
}

Deno.test("redis-cli monitor prints the commands other clients send", async () => {
  await using s = await startTestServer({ protocols: ["redis"] });
  const port = s.ports.redis;
  const monitor = new Deno.Command("timeout", {
    args: ["-s", "INT", "30", "stdbuf", "-o0", "redis-cli", "-p", String(port), "monitor"],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const reader = monitor.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  const readUntil = async (want: string) => {
    while (!seen.includes(want)) {
      const { value, done } = await reader.read();
      if (done) break;
      seen += value;
    }
  };
  try {
    await readUntil("OK\n");
    // CLIENT LIST (an admin subcommand: not shown to the monitor) flags the monitor O.
    assert.match(await out(port, "client", "list"), /flags=O db=0 .* cmd=monitor /);
    await out(port, "-n", "2", "set", "mk", 'a b"c');
    await out(port, "hset", "mh", "f", "x\\y");
    await out(port, "eval", "return redis.call('get', KEYS[1])", "1", "mk");
    await out(port, "config", "get", "port");
    await cli(port, [], "MULTI\nSET m1 1\nINCR m1\nEXEC\nAUTH x\nGETX\nINCR mh\nSELECT 3\n");
    await out(port, "set", "bin", "a\x01\x7f\tb");
    await readUntil('"bin"');
  } finally {
    monitor.kill("SIGINT");
    await reader.cancel();
    await monitor.status;
  }
  assert.deepEqual(normalised(seen), [
    "OK",
    'TS [2 ADDR] "SELECT" "2"',
    'TS [2 ADDR] "set" "mk" "a b\\"c"',
    'TS [0 ADDR] "hset" "mh" "f" "x\\\\y"',
    'TS [0 ADDR] "eval" "return redis.call(\'get\', KEYS[1])" "1" "mk"',
    'TS [0 lua] "get" "mk"',
    // CONFIG is an admin command: not shown. redis-cli asks COMMAND DOCS for its hints.
    'TS [0 ADDR] "COMMAND" "DOCS"',
    'TS [0 ADDR] "MULTI"',
    'TS [0 ADDR] "SET" "m1" "1"',
    'TS [0 ADDR] "INCR" "m1"',
    'TS [0 ADDR] "EXEC"',
    'TS [0 ADDR] "AUTH" "(redacted)"',
    // GETX (unknown) is refused before running: not shown; INCR failing as it runs is.
    'TS [0 ADDR] "INCR" "mh"',
    'TS [3 ADDR] "SELECT" "3"',
    'TS [0 ADDR] "set" "bin" "a\\x01\\x7f\\tb"',
  ]);
});

Deno.test("redis-cli CLIENT KILL of its own connection: the reply, then the closed socket", async () => {
  await using s = await startTestServer({ protocols: ["redis"] });
  const r = await cli(s.ports.redis, [], "CLIENT SETNAME selfkill\nCLIENT KILL SKIPME no\nPING\n");
  assert.equal(r.out, "OK\n1\n");
  assert.equal(r.err, "Error: Server closed the connection\n");
  assert.equal(r.code, 0);
});

/**
 * The script engine driven directly through a fake command bridge (EVAL is not wired into the
 * server yet): Lua↔RESP conversions, Redis 7's error texts, the sandbox, the 5.1 number rules,
 * the script cache, and SCRIPT KILL of a busy loop while the event loop stays responsive.
 * Expected values were taken from redis-server 7.0.15 where the behaviour is version-independent.
 * @module
 */
import assert from "node:assert/strict";
import { SCRIPT_ERRORS, ScriptEngine } from "../../../protocols/resp/scripting/mod.ts";
import { FakeBridge, type Plain, plain } from "./fake_bridge.ts";

const enc = new TextEncoder();
const sha = (s: string) => new ScriptEngine().compile(enc.encode(s)) as { sha: string };

async function evalScript(
  script: string,
  keys: string[] = [],
  argv: string[] = [],
  engine = new ScriptEngine(),
  bridge = new FakeBridge(),
): Promise<Plain> {
  const reply = await engine.run(
    { body: enc.encode(script) },
    keys.map((k) => enc.encode(k)),
    argv.map((a) => enc.encode(a)),
    bridge,
  );
  return plain(reply);
}

/** Runs each [script, expected] pair on one engine and bridge. */
async function expectAll(cases: [string, Plain][]): Promise<void> {
  const engine = new ScriptEngine();
  const bridge = new FakeBridge();
  for (const [script, expected] of cases) {
    assert.deepEqual(await evalScript(script, ["k1"], ["v1"], engine, bridge), expected, script);
  }
}

Deno.test("Lua values become Redis replies by Redis's rules", async () => {
  await expectAll([
    ["return 1", 1],
    ["return 3.99", 3],
    ["return -3.9", -3],
    ["return 7/2", 3],
    ["return 1e20", -9223372036854775808n],
    ["return 'x'", "x"],
    ["return true", 1],
    ["return false", null],
    ["return nil", null],
    ["return {1, 'a', {2, false, 3}, true}", [1, "a", [2, null, 3], 1]],
    ["return {1, 2, 3, nil, 4}", [1, 2, 3]],
    ["return {ok = 'fine'}", { ok: "fine" }],
    ["return {ok = 'two\\r\\nlines'}", { ok: "two  lines" }],
    ["return {err = 'MY error'}", { err: "MY error" }],
    ["return redis.status_reply('fine')", { ok: "fine" }],
    ["return redis.error_reply('boom')", { err: "ERR boom" }],
    ["return redis.error_reply('-MY boom')", { err: "MY boom" }],
    ["return redis.status_reply()", { err: "ERR wrong number or type of arguments" }],
    ["return {double = 3.5}", { double: 3.5 }],
    ["return {big_number = '123456789012345678901234567890'}", {
      big: 123456789012345678901234567890n,
    }],
    ["return {map = {a = 1}}", { map: [["a", 1]] }],
    ["return {set = {x = true}}", { set: ["x"] }],
    ["redis.setresp(3) return true", true],
    ["redis.setresp(3) return false", false],
    ["return KEYS[1] .. ARGV[1] .. #KEYS .. #ARGV", "k1v111"],
  ]);
});

Deno.test("command replies become Lua values under RESP2 and RESP3", async () => {
  await expectAll([
    ["return redis.call('set', KEYS[1], ARGV[1])", { ok: "OK" }],
    ["return redis.call('get', KEYS[1])", "v1"],
    ["return redis.call('get', 'missing') == false", 1],
    ["return type(redis.call('incr', 'n'))", "number"],
    ["redis.call('hset', 'h', 'f', 'v') return redis.call('hgetall', 'h')", ["f", "v"]],
    ["return redis.call('zscore', 'z', 'm')", "1.5"],
    ["return redis.call('exists', 'nokey')", 0],
    ["redis.setresp(3) return redis.call('hgetall', 'h')", { map: [["f", "v"]] }],
    ["redis.setresp(3) return redis.call('zscore', 'z', 'm')", { double: 1.5 }],
    ["redis.setresp(3) return redis.call('get', 'missing') == nil", true],
    ["redis.setresp(3) return redis.call('exists', 'nokey')", false],
    ["return redis.call('ping')['ok']", "PONG"],
  ]);
});

Deno.test("redis.call arguments: numbers as %.17g, binary-safe strings", async () => {
  const bridge = new FakeBridge();
  const engine = new ScriptEngine();
  await evalScript(
    "redis.call('set', 'f', 0.1) redis.call('set', 'i', 42)",
    [],
    [],
    engine,
    bridge,
  );
  assert.deepEqual(bridge.calls.slice(-2), [["set", "f", "0.10000000000000001"], [
    "set",
    "i",
    "42",
  ]]);
  const binary = Uint8Array.from([0, 255, 13, 10, 128]);
  const reply = await engine.run(
    { body: enc.encode("redis.call('set', KEYS[1], ARGV[1]) return redis.call('get', KEYS[1])") },
    [Uint8Array.from([1, 0, 2])],
    [binary],
    bridge,
  );
  assert.deepEqual(reply, { type: "bulk", value: binary });
});

Deno.test("script errors carry Redis 7's texts", async () => {
  const s = (script: string) => sha(script).sha;
  await expectAll([
    ["a = 1", {
      err: `ERR user_script:1: Attempt to modify a readonly table script: ${
        s("a = 1")
      }, on @user_script:1.`,
    }],
    ["return b", {
      err: `ERR user_script:1: Script attempted to access nonexistent global variable 'b' script: ${
        s("return b")
      }, on @user_script:1.`,
    }],
    ["\n\nerror('oops')", {
      err: `ERR user_script:3: oops script: ${s("\n\nerror('oops')")}, on @user_script:3.`,
    }],
    ["return redis.call('nope')", {
      err: `ERR Unknown Redis command called from script script: ${
        s("return redis.call('nope')")
      }, on @user_script:1.`,
    }],
    ["return redis.call()", {
      err: `ERR Please specify at least one argument for this redis lib call script: ${
        s("return redis.call()")
      }, on @user_script:1.`,
    }],
    ["return redis.call('set', 'x', {})", {
      err: `ERR Lua redis lib command arguments must be strings or integers script: ${
        s("return redis.call('set', 'x', {})")
      }, on @user_script:1.`,
    }],
    ["redis.call('set','k','abc') return redis.pcall('incr','k')", {
      err: "ERR value is not an integer or out of range",
    }],
    ["redis.call('set','k','abc') redis.call('incr','k')", {
      err: `ERR value is not an integer or out of range script: ${
        s("redis.call('set','k','abc') redis.call('incr','k')")
      }, on @user_script:1.`,
    }],
    ["return redis.pcall('nope')", { err: "ERR Unknown Redis command called from script" }],
    [
      "local ok, e = pcall(redis.call, 'nope') return e",
      "ERR Unknown Redis command called from script",
    ],
    ["return redis.setresp(4)", {
      err: `ERR RESP version must be 2 or 3. script: ${
        s("return redis.setresp(4)")
      }, on @user_script:1.`,
    }],
    ["return redis.sha1hex()", {
      err: `ERR wrong number of arguments script: ${
        s("return redis.sha1hex()")
      }, on @user_script:1.`,
    }],
    ["coroutine.yield()", {
      err: `ERR attempt to yield across metamethod/C-call boundary script: ${
        s("coroutine.yield()")
      }, on @user_script:1.`,
    }],
    ["return 1 +", {
      err:
        "ERR Error compiling script (new function): user_script:1: unexpected symbol near '<eof>'",
    }],
  ]);
  const engine = new ScriptEngine();
  const missing = await engine.run({ sha: "0".repeat(40) }, [], [], new FakeBridge());
  assert.deepEqual(missing, { type: "error", value: SCRIPT_ERRORS.noScript });
  assert.deepEqual(
    engine.compile(enc.encode("#!python\nreturn 1")),
    { error: "ERR Unexpected engine in script shebang: #!python" },
  );
  assert.deepEqual(
    engine.compile(enc.encode("#!lua flags=bogus\nreturn 1")),
    { error: "ERR Unexpected flag in script shebang: bogus" },
  );
});

Deno.test("the sandbox and Lua 5.1 semantics match Redis", async () => {
  await expectAll([
    ["return tostring(7/2)", "3.5"],
    ["return tostring(6/2)", "3"],
    ["return tostring(100000 * 100000)", "10000000000"],
    ["return tostring(2^53)", "9.007199254741e+15"],
    ["return tostring(2^31)", "2147483648"],
    ["return tostring(0xffffffff)", "4294967295"],
    ["return tostring(1e15)", "1e+15"],
    ["return tostring(123456789012345)", "1.2345678901234e+14"],
    ["return tostring(2.5)", "2.5"],
    ["return tostring(0/0)", "-nan"],
    ["return tostring(1/0)", "inf"],
    ["return tostring(-0)", "-0"],
    ["return tostring(5 % 0)", "-nan"],
    ["return tostring(-7 % 3)", "2"],
    ["return string.format('%d', 3.7)", "3"],
    ["return string.format('%d', 2^40)", "1099511627776"],
    [
      "return string.format('%5.1f|%-5d|%05d|%x|%X|%s', 3.14159, 42, 42, 255, 255, 'x')",
      "  3.1|42   |00042|ff|FF|x",
    ],
    ["return math.pow(2, 10)", 1024],
    ["return math.floor(-3.5)", -4],
    ["return tostring(math.huge)", "inf"],
    ["return unpack({1, 2})", 1],
    ["return select('#', unpack({1, 2, 3}))", 3],
    ["return table.getn({1, 2, 3})", 3],
    ["return table.maxn({1, 2, [10] = 3})", 10],
    ["return loadstring('return 2^31 + 1')()", 2147483649],
    ["return tonumber('10') * 1000000000", 10000000000],
    ["local t = {} t[1.0] = 'x' return t[1]", "x"],
    ["return #'abc'", 3],
    ["return _VERSION", "Lua 5.1"],
    ["return type(os.clock())", "number"],
    ["return table.concat({1, 2.5, 3}, ',')", "1,2.5,3"],
    ["return redis.REDIS_VERSION", "7.2.4"],
    ["return redis.REDIS_VERSION_NUM", 0x070204],
    ["return redis.sha1hex('')", "da39a3ee5e6b4b0d3255bfef95601890afd80709"],
    ["return redis.replicate_commands()", 1],
    ["return redis.set_repl(redis.REPL_ALL)", null],
    ["redis.log(redis.LOG_WARNING, 'from a script') return 1", 1],
  ]);
  for (
    const name of [
      "setfenv",
      "getfenv",
      "print",
      "dofile",
      "loadfile",
      "require",
      "debug",
      "io",
      "newproxy",
      "module",
    ]
  ) {
    const reply = await evalScript(`return type(${name})`);
    assert.match(
      JSON.stringify(reply),
      /Script attempted to access nonexistent global variable/,
      name,
    );
  }
  for (
    const name of [
      "loadstring",
      "load",
      "gcinfo",
      "unpack",
      "pcall",
      "xpcall",
      "coroutine",
      "cjson",
      "cmsgpack",
      "bit",
      "struct",
    ]
  ) {
    assert.notDeepEqual(await evalScript(`return type(${name})`), "nil", name);
  }
});

Deno.test("the script cache: compile, exists, flush, shebang flags", async () => {
  const engine = new ScriptEngine();
  const bridge = new FakeBridge();
  const compiled = engine.compile(enc.encode("return ARGV[1]"));
  assert.ok("sha" in compiled);
  assert.match(compiled.sha, /^[0-9a-f]{40}$/);
  assert.equal(engine.exists(compiled.sha), true);
  assert.equal(engine.exists(compiled.sha.toUpperCase()), true);
  assert.deepEqual(
    plain(await engine.run({ sha: compiled.sha }, [], [enc.encode("a")], bridge)),
    "a",
  );
  engine.flush();
  assert.equal(engine.exists(compiled.sha), false);
  const ro = engine.compile(enc.encode("#!lua flags=no-writes,allow-oom\nreturn 1"));
  assert.deepEqual(ro, { sha: (ro as { sha: string }).sha, flags: ["no-writes", "allow-oom"] });
  const shebangError = await evalScript("#!lua\n\nerror('x')");
  assert.match(JSON.stringify(shebangError), /user_script:3: x/);
});

Deno.test("SCRIPT KILL stops a busy loop; the event loop keeps turning meanwhile", async () => {
  const engine = new ScriptEngine({ tickMs: 5 });
  const bridge = new FakeBridge();
  assert.deepEqual(engine.kill(), { type: "error", value: SCRIPT_ERRORS.notBusy });
  let sawRunning = false;
  const timer = setInterval(() => sawRunning ||= engine.runningFor() !== null, 1);
  const script = "local i = 0 while true do i = i + 1 end";
  const running = engine.run({ body: enc.encode(script) }, [], [], bridge);
  while (!engine.isBusy(30)) await new Promise((r) => setTimeout(r, 5));
  assert.equal(engine.runningKind(), "eval");
  assert.equal(engine.busyError(), SCRIPT_ERRORS.busyEval);
  assert.deepEqual(engine.kill("function"), { type: "error", value: SCRIPT_ERRORS.busyEval });
  assert.deepEqual(engine.kill(), { type: "simple", value: "OK" });
  const reply = plain(await running);
  clearInterval(timer);
  assert.match(
    (reply as { err: string }).err,
    new RegExp(
      `^ERR Script killed by user with SCRIPT KILL\\.\\.\\. script: ${
        sha(script).sha
      }, on @user_script:1\\.$`,
    ),
  );
  // The loop never ends by itself: reaching kill() at all proved the event loop turned.
  assert.ok(sawRunning, "a timer ran while the script was running");
  assert.equal(engine.runningFor(), null);
  assert.deepEqual(plain(await engine.run({ body: enc.encode("return 2") }, [], [], bridge)), 2);
});

Deno.test("a killed script cannot escape with pcall; a script that wrote is unkillable", async () => {
  const engine = new ScriptEngine({ tickMs: 5 });
  const bridge = new FakeBridge();
  const running = engine.run(
    { body: enc.encode("while true do pcall(function() while true do end end) end") },
    [],
    [],
    bridge,
  );
  while (!engine.isBusy(20)) await new Promise((r) => setTimeout(r, 5));
  assert.deepEqual(engine.kill(), { type: "simple", value: "OK" });
  assert.match(JSON.stringify(plain(await running)), /Script killed by user/);

  const writer = engine.run(
    {
      body: enc.encode(
        "redis.call('set', 'a', '1') local i = 0 while i < 2e6 do i = i + 1 end return i",
      ),
    },
    [],
    [],
    bridge,
  );
  while (!engine.isBusy(1)) await new Promise((r) => setTimeout(r, 1));
  assert.deepEqual(engine.kill(), { type: "error", value: SCRIPT_ERRORS.unkillable });
  assert.deepEqual(plain(await writer), 2000000);
});

Deno.test("scripts run one at a time", async () => {
  const engine = new ScriptEngine();
  const bridge = new FakeBridge();
  const script = enc.encode(
    "local v = redis.call('incr', 'n') redis.call('set', 'last', v) return v",
  );
  const replies = await Promise.all(
    Array.from({ length: 20 }, () => engine.run({ body: script }, [], [], bridge)),
  );
  assert.deepEqual(replies.map(plain), Array.from({ length: 20 }, (_, i) => i + 1));
});

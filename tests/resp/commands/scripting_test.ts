/**
 * EVAL/EVALSHA/SCRIPT through stock clients: the compare-and-delete lock release, Redis's error
 * texts, NOSCRIPT and the script cache, keys outside KEYS, atomicity against a concurrent
 * reader, and SCRIPT KILL of a busy loop while other clients get BUSY.
 * @module
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { Redis } from "ioredis";
import { createClient } from "redis";
import { startChild, startTestServer } from "../../helpers/server.ts";
import { replyItems, replyText, RespClient } from "../resp_client.ts";
import { SCRIPT_ERRORS, sha1hex } from "../../../protocols/resp/scripting/mod.ts";

const sha = (script: string) => sha1hex(new TextEncoder().encode(script));

const clientTest = { sanitizeOps: false, sanitizeResources: false };

function ioredis(port: number): Redis {
  return new Redis({ port, host: "127.0.0.1", maxRetriesPerRequest: 1, retryStrategy: () => null });
}

/** The redlock / node-redis docs' release: delete the lock only while we still own it. */
const RELEASE = `if redis.call("get", KEYS[1]) == ARGV[1] then
  return redis.call("del", KEYS[1])
else
  return 0
end`;
const RELEASE_SHA = sha(RELEASE);

async function errorOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error("expected an error reply");
}

/** PING until the server answers with an error (BUSY once the script passes the threshold). */
async function firstBusyError(client: Redis): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const busy = await client.ping().then(() => "", (e: Error) => e.message);
    if (busy !== "") return busy;
    await new Promise((r) => setTimeout(r, 20));
  }
  return "";
}

Deno.test({
  name: "ioredis: compare-and-delete lock release by EVAL and EVALSHA; SCRIPT LOAD/EXISTS/FLUSH",
  ...clientTest,
  async fn() {
    await using s = await startTestServer({ protocols: ["redis"] });
    const r = ioredis(s.ports.redis);
    try {
      await r.set("lock", "me");
      assert.equal(await r.eval(RELEASE, 1, "lock", "other"), 0);
      assert.equal(await r.get("lock"), "me", "someone else's token leaves the lock");
      assert.equal(await r.eval(RELEASE, 1, "lock", "me"), 1);
      assert.equal(await r.get("lock"), null);
      // EVAL cached the script: EVALSHA finds it, in either case.
      await r.set("lock", "me");
      assert.deepEqual(await r.script("EXISTS", RELEASE_SHA, "0".repeat(40)), [1, 0]);
      assert.equal(await r.evalsha(RELEASE_SHA.toUpperCase(), 1, "lock", "me"), 1);
      assert.equal(await r.script("FLUSH"), "OK");
      assert.deepEqual(await r.script("EXISTS", RELEASE_SHA), [0]);
      assert.equal(await errorOf(r.evalsha(RELEASE_SHA, 1, "lock", "me")), SCRIPT_ERRORS.noScript);
      assert.equal(await errorOf(r.evalsha("abc", 0)), SCRIPT_ERRORS.noScript);
      assert.equal(await r.script("LOAD", RELEASE), RELEASE_SHA);
      await r.set("lock", "me");
      assert.equal(await r.evalsha(RELEASE_SHA, 1, "lock", "me"), 1);
      // ioredis's defineCommand: EVALSHA first, EVAL on NOSCRIPT.
      r.defineCommand("release", { numberOfKeys: 1, lua: RELEASE });
      await r.script("FLUSH", "SYNC");
      await r.set("lock", "me");
      // deno-lint-ignore no-explicit-any
      assert.equal(await (r as any).release("lock", "me"), 1);
      assert.equal(await r.get("lock"), null);
    } finally {
      r.disconnect();
    }
  },
});

Deno.test({
  name: "script errors and argument errors carry Redis 7.2's texts",
  ...clientTest,
  async fn() {
    await using s = await startTestServer({ protocols: ["redis"] });
    using raw = await RespClient.connect(s.ports.redis);
    const text = async (...args: string[]) => replyText(await raw.call(...args));
    await raw.call("SET", "str", "abc");
    const incr = "return redis.call('incr', KEYS[1])";
    assert.equal(
      await text("EVAL", incr, "1", "str"),
      `ERR value is not an integer or out of range script: ${sha(incr)}, on @user_script:1.`,
    );
    const unknown = "return redis.call('nosuch')";
    assert.equal(
      await text("EVAL", unknown, "0"),
      `${SCRIPT_ERRORS.unknownCommand} script: ${sha(unknown)}, on @user_script:1.`,
    );
    const arity = "return redis.call('get')";
    assert.equal(
      await text("EVAL", arity, "0"),
      `${SCRIPT_ERRORS.wrongArity} script: ${sha(arity)}, on @user_script:1.`,
    );
    const multi = "return redis.call('multi')";
    assert.equal(
      await text("EVAL", multi, "0"),
      `${SCRIPT_ERRORS.notAllowed} script: ${sha(multi)}, on @user_script:1.`,
    );
    const write = "return redis.call('set', 'k', 'v')";
    assert.equal(
      await text("EVAL_RO", write, "0"),
      `${SCRIPT_ERRORS.writeInReadOnly} script: ${sha(write)}, on @user_script:1.`,
    );
    assert.equal(await text("EVAL", "#!lua\nreturn 'x'", "0"), "x");
    const noWrites = "#!lua flags=no-writes\nreturn redis.call('set', 'k', 'v')";
    assert.equal(
      await text("EVAL", noWrites, "0"),
      `${SCRIPT_ERRORS.writeInReadOnly} script: ${sha(noWrites)}, on @user_script:2.`,
    );
    assert.equal(
      await text("EVAL_RO", "#!lua\nreturn 1", "0"),
      SCRIPT_ERRORS.functionWriteInReadOnly,
    );
    assert.equal(await text("EVAL", "return 1", "2", "a"), SCRIPT_ERRORS.numKeysTooBig);
    assert.equal(await text("EVAL", "return 1", "-1"), SCRIPT_ERRORS.numKeysNegative);
    assert.equal(
      await text("EVAL", "return 1", "x"),
      "ERR value is not an integer or out of range",
    );
    assert.match(
      await text("EVAL", "return +", "0"),
      /^ERR Error compiling script \(new function\): user_script:1: /,
    );
    assert.equal(await text("SCRIPT", "FLUSH", "LATER"), SCRIPT_ERRORS.flushOption);
    assert.equal(await text("SCRIPT", "KILL"), SCRIPT_ERRORS.notBusy);
    assert.equal(
      await text("EVAL"),
      "ERR wrong number of arguments for 'eval' command",
    );
    // Writes made before a script error stay (Redis does not roll back).
    const partial = "redis.call('set', 'before', '1'); return redis.call('incr', 'str')";
    assert.match(await text("EVAL", partial, "0"), /^ERR value is not an integer/);
    assert.equal(await text("GET", "before"), "1");
    assert.equal(replyItems(await raw.call("SCRIPT", "HELP")).length, 17);
  },
});

Deno.test({
  name: "a script runs on one clock: SET EX/PX, SETEX, GETEX, HPEXPIRE then PTTL read exact TTLs",
  ...clientTest,
  async fn() {
    await using s = await startTestServer({ protocols: ["redis"] });
    const r = ioredis(s.ports.redis);
    try {
      // Time passes before the writes (rate-limiter-flexible's script saw PTTL 1001 after EX 1).
      const script = "local x = 0 for i = 1, 300000 do x = x + i end " +
        "redis.call('set', 'a', 0, 'EX', 1) redis.call('set', 'b', 0, 'PX', 1500) " +
        "redis.call('setex', 'c', 2, 0) redis.call('psetex', 'd', 2500, 0) " +
        "redis.call('set', 'e', 0) redis.call('getex', 'e', 'PX', 3000) " +
        "redis.call('hset', 'h', 'f', 0) redis.call('hpexpire', 'h', 3500, 'FIELDS', 1, 'f') " +
        "local out = {} for _, k in ipairs({'a', 'b', 'c', 'd', 'e'}) do " +
        "out[#out + 1] = redis.call('pttl', k) end " +
        "out[#out + 1] = redis.call('hpttl', 'h', 'FIELDS', 1, 'f')[1] return out";
      assert.deepEqual(await r.eval(script, 0), [1000, 1500, 2000, 2500, 3000, 3500]);
    } finally {
      r.disconnect();
    }
  },
});

Deno.test({
  name: "a script may touch keys not in KEYS, in the caller's db; its SELECT stays its own",
  ...clientTest,
  async fn() {
    await using s = await startTestServer({ protocols: ["redis"] });
    const r = ioredis(s.ports.redis);
    try {
      await r.select(3);
      const script = "redis.call('set', 'undeclared', ARGV[1]); redis.call('select', 5); " +
        "redis.call('set', 'there', 'x'); return redis.call('get', 'undeclared')";
      assert.equal(await r.eval(script, 0, "v"), null, "after SELECT 5 the script reads db 5");
      assert.equal(await r.get("undeclared"), "v", "the caller is still on db 3");
      // Inside MULTI the script joins EXEC's unit.
      const exec = await r.multi().set("m", "1").eval("return redis.call('incr', 'm')", 0).exec();
      assert.deepEqual(exec, [[null, "OK"], [null, 2]]);
      await r.select(5);
      assert.equal(await r.get("there"), "x");
    } finally {
      r.disconnect();
    }
  },
});

Deno.test({
  name: "node-redis RESP2 and RESP3: replies converted by the caller's protocol and redis.setresp",
  ...clientTest,
  async fn() {
    await using s = await startTestServer({ protocols: ["redis"] });
    const url = `redis://127.0.0.1:${s.ports.redis}`;
    const c2 = await createClient({ url, RESP: 2 }).connect();
    const c3 = await createClient({ url, RESP: 3 }).connect();
    try {
      await c2.hSet("h", { f: "v" });
      const script = "redis.setresp(3); return redis.call('hgetall', KEYS[1])";
      assert.deepEqual(await c2.eval(script, { keys: ["h"] }), ["f", "v"]);
      const map = await c3.eval(script, { keys: ["h"] });
      assert.deepEqual(map instanceof Map ? Object.fromEntries(map) : map, { f: "v" });
      assert.equal(await c2.eval("return {double=3.5}"), "3.5");
      assert.equal(await c3.eval("return {double=3.5}"), 3.5);
      assert.equal(await c3.eval("return 3.99"), 3, "Lua numbers become integers, truncated");
      const loaded = await c3.scriptLoad("return ARGV[1] .. KEYS[1]");
      assert.equal(await c3.evalSha(loaded, { keys: ["k"], arguments: ["a"] }), "ak");
      assert.equal(await c3.evalShaRo(loaded, { keys: ["k"], arguments: ["b"] }), "bk");
    } finally {
      await c2.close();
      await c3.close();
    }
  },
});

Deno.test({
  name: "a script is atomic: a concurrent reader never sees half of its two writes",
  ...clientTest,
  async fn() {
    await using s = await startTestServer({ protocols: ["redis"] });
    const writer = ioredis(s.ports.redis);
    const reader = ioredis(s.ports.redis);
    // A busy stretch between the two writes: the engine yields to the event loop meanwhile.
    const script = "redis.call('set', KEYS[1], ARGV[1]); local x = 0; " +
      "for i = 1, 300000 do x = x + i end; redis.call('set', KEYS[2], ARGV[1]); return x";
    try {
      await writer.mset("a", "0", "b", "0");
      let done = false;
      let reads = 0;
      const watcher = (async () => {
        while (!done) {
          const [a, b] = await reader.mget("a", "b");
          assert.equal(a, b, `a reader saw half a script: a=${a} b=${b}`);
          reads++;
        }
      })();
      for (let i = 1; i <= 10; i++) await writer.eval(script, 2, "a", "b", String(i));
      done = true;
      await watcher;
      assert.deepEqual(await reader.mget("a", "b"), ["10", "10"]);
      assert.ok(reads > 0);
    } finally {
      writer.disconnect();
      reader.disconnect();
    }
  },
});

Deno.test({
  name: "SCRIPT KILL stops a busy loop while other clients get BUSY, then they work again",
  ...clientTest,
  async fn() {
    await using s = await startTestServer({ protocols: ["redis"] });
    const runner = ioredis(s.ports.redis);
    const other = ioredis(s.ports.redis);
    try {
      assert.equal(await other.config("SET", "busy-reply-threshold", "100"), "OK");
      assert.deepEqual(await other.config("GET", "lua-time-limit"), ["lua-time-limit", "100"]);
      const loop = runner.eval("local i = 0 while true do i = i + 1 end", 0);
      const outcome = loop.then(() => "returned", (e: Error) => e.message);
      const busy = await firstBusyError(other);
      assert.equal(busy, SCRIPT_ERRORS.busyEval);
      assert.equal(await errorOf(other.get("k")), SCRIPT_ERRORS.busyEval);
      assert.equal(await other.script("KILL"), "OK");
      assert.match(await outcome, /^ERR Script killed by user with SCRIPT KILL\.\.\./);
      assert.equal(await other.ping(), "PONG");
      assert.equal(await runner.ping(), "PONG");
      assert.equal(await errorOf(other.script("KILL")), SCRIPT_ERRORS.notBusy);

      // A script that wrote cannot be killed; it finishes on its own and its write commits.
      const wrote = "redis.call('set', KEYS[1], 'x'); local t = redis.call('time'); " +
        "local start = t[1] * 1000 + math.floor(t[2] / 1000); " +
        "repeat t = redis.call('time') until t[1] * 1000 + math.floor(t[2] / 1000) - start > 600; " +
        "return 'done'";
      const finished = runner.eval(wrote, 1, "w");
      let refused = "";
      for (let i = 0; i < 200 && !refused.startsWith("UNKILLABLE"); i++) {
        refused = await other.script("KILL").then(() => "OK", (e: Error) => e.message);
        if (refused === "OK") break;
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.equal(refused, SCRIPT_ERRORS.unkillable);
      assert.equal(await finished, "done");
      assert.equal(await other.get("w"), "x");
    } finally {
      runner.disconnect();
      other.disconnect();
    }
  },
});

const LIBRARY = `#!lua name=mylib
local function release(keys, args)
  if redis.call('get', keys[1]) == args[1] then return redis.call('del', keys[1]) end
  return 0
end
redis.register_function('release', release)
redis.register_function{function_name='peek', callback=function(keys) return redis.call('get', keys[1]) end, flags={'no-writes'}, description='reads'}`;

Deno.test({
  name: "FUNCTION LOAD, FCALL, FCALL_RO, LIST, DELETE, FLUSH with Redis 7.2's replies and errors",
  ...clientTest,
  async fn() {
    await using s = await startTestServer({ protocols: ["redis"] });
    const r = ioredis(s.ports.redis);
    const c3 = await createClient({ url: `redis://127.0.0.1:${s.ports.redis}`, RESP: 3 }).connect();
    try {
      assert.equal(await r.function("LOAD", LIBRARY), "mylib");
      assert.equal(
        await errorOf(r.function("LOAD", LIBRARY)),
        SCRIPT_ERRORS.libraryExists("mylib"),
      );
      assert.equal(await r.function("LOAD", "REPLACE", LIBRARY), "mylib");
      await r.set("lock", "me");
      assert.equal(await r.fcall("release", 1, "lock", "other"), 0);
      assert.equal(await r.fcall_ro("peek", 1, "lock"), "me");
      assert.equal(
        await errorOf(r.fcall_ro("release", 1, "lock", "me")),
        SCRIPT_ERRORS.functionWriteInReadOnly,
      );
      assert.equal(await r.fcall("release", 1, "lock", "me"), 1);
      assert.equal(await errorOf(r.fcall("nosuch", 0)), SCRIPT_ERRORS.functionNotFound);
      assert.equal(await errorOf(r.fcall("peek", "x")), SCRIPT_ERRORS.badNumKeys);
      assert.equal(
        await errorOf(r.function("LOAD", "return 1")),
        SCRIPT_ERRORS.missingLibraryMetadata,
      );
      assert.equal(
        await errorOf(
          r.function("LOAD", "#!lua name=other\nredis.register_function('peek', function() end)"),
        ),
        SCRIPT_ERRORS.functionExists("peek"),
      );
      assert.equal(
        await errorOf(r.function("LOAD", "#!lua name=nonewline")),
        SCRIPT_ERRORS.invalidLibraryMetadata,
      );
      assert.equal(
        await errorOf(r.function("LOAD", "#!foo name=x\n")),
        "ERR Engine 'foo' not found",
      );
      assert.equal(
        await errorOf(r.function("LOAD", "#!lua name=a-b\n")),
        SCRIPT_ERRORS.badLibraryName,
      );
      assert.equal(
        await errorOf(r.function("LOAD", "#!lua name=empty\nlocal x = 1")),
        SCRIPT_ERRORS.noFunctions,
      );
      assert.match(
        await errorOf(r.function("LOAD", "#!lua name=bad\nreturn +")),
        /^ERR Error compiling function: user_function:2: /,
      );
      const list = await c3.sendCommand(["FUNCTION", "LIST", "WITHCODE"]);
      const lib = (list as unknown as unknown[])[0] as
        | Map<string, unknown>
        | Record<string, unknown>;
      const get = (m: typeof lib, k: string) => m instanceof Map ? m.get(k) : m[k];
      assert.equal(String(get(lib, "library_name")), "mylib");
      assert.equal(String(get(lib, "library_code")), LIBRARY);
      assert.equal((get(lib, "functions") as unknown[]).length, 2);
      assert.deepEqual(await r.function("LIST", "LIBRARYNAME", "nomatch*"), []);
      // DUMP, then RESTORE: APPEND refuses a library that exists, FLUSH and REPLACE take it.
      const dump = await r.callBuffer("FUNCTION", "DUMP") as Buffer;
      assert.equal(
        await errorOf(r.call("FUNCTION", "RESTORE", dump)),
        "ERR Library mylib already exists",
      );
      assert.equal(await r.call("FUNCTION", "RESTORE", dump, "REPLACE"), "OK");
      assert.equal(await r.call("FUNCTION", "RESTORE", dump, "FLUSH"), "OK");
      assert.equal(
        await errorOf(r.call("FUNCTION", "RESTORE", dump, "MERGE")),
        SCRIPT_ERRORS.restorePolicy,
      );
      const corrupt = Buffer.from(dump);
      corrupt[2] ^= 1;
      assert.equal(
        await errorOf(r.call("FUNCTION", "RESTORE", corrupt)),
        SCRIPT_ERRORS.badPayload,
      );
      assert.equal(await r.function("DELETE", "mylib"), "OK");
      assert.equal(await errorOf(r.function("DELETE", "mylib")), SCRIPT_ERRORS.libraryNotFound);
      assert.equal(await errorOf(r.fcall("peek", 1, "lock")), SCRIPT_ERRORS.functionNotFound);
      await r.function("LOAD", LIBRARY);
      assert.equal(await r.function("FLUSH"), "OK");
      assert.deepEqual(await r.function("LIST"), []);
      assert.equal(await r.call("FUNCTION", "RESTORE", dump), "OK");
      assert.equal(await r.fcall_ro("peek", 1, "lock"), null);
    } finally {
      r.disconnect();
      await c3.close();
    }
  },
});

Deno.test({
  name: "FUNCTION KILL stops a busy function; other clients get the function BUSY text",
  ...clientTest,
  async fn() {
    await using s = await startTestServer({ protocols: ["redis"] });
    const runner = ioredis(s.ports.redis);
    const other = ioredis(s.ports.redis);
    try {
      await other.config("SET", "busy-reply-threshold", "100");
      await other.function(
        "LOAD",
        "#!lua name=spin\nredis.register_function('spin', function() while true do end end)",
      );
      const outcome = runner.fcall("spin", 0).then(() => "returned", (e: Error) => e.message);
      const busy = await firstBusyError(other);
      assert.equal(busy, SCRIPT_ERRORS.busyFunction);
      assert.equal(await errorOf(other.script("KILL")), SCRIPT_ERRORS.busyFunction);
      assert.equal(await other.function("KILL"), "OK");
      assert.match(await outcome, /^ERR Script killed by user with SCRIPT KILL\.\.\./);
      assert.equal(await other.ping(), "PONG");
    } finally {
      runner.disconnect();
      other.disconnect();
    }
  },
});

Deno.test({
  name: "FUNCTION LOAD + FCALL survive a restart of a file-backed server",
  ...clientTest,
  async fn() {
    const dir = await Deno.makeTempDir();
    const args = [`--data=${dir}/db.sqlite`, "--protocols=redis", "--redis-port=0"];
    try {
      {
        await using child = await startChild(args);
        const r = ioredis(child.ports.redis);
        try {
          assert.equal(await r.function("LOAD", LIBRARY), "mylib");
          await r.set("lock", "me");
          await r.eval("redis.log(redis.LOG_WARNING, 'hello', 'from lua')", 0);
        } finally {
          r.disconnect();
        }
        await child.stop();
        assert.match(await child.stderr(), /redis\.log: hello from lua/);
      }
      await using child = await startChild(args);
      const r = ioredis(child.ports.redis);
      try {
        assert.equal(await r.fcall_ro("peek", 1, "lock"), "me");
        assert.equal(await r.fcall("release", 1, "lock", "me"), 1);
        assert.equal(await r.exists("lock"), 0);
      } finally {
        r.disconnect();
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

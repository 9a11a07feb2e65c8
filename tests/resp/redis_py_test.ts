/**
 * Debian's redis-py (python3-redis 4.3, what Celery, RQ and Django's cache use on bookworm) and
 * its redis.asyncio client against basekv: tests/resp/redis_py_client.py makes the calls Python
 * apps make (the same script passes against redis-server) and prints OK or every failed check;
 * each test fails with that output.
 * @module
 */
import assert from "node:assert/strict";
import { startTestServer } from "../helpers/server.ts";
import { PYTHON } from "../helpers/python.ts";

const SCRIPT = new URL("./redis_py_client.py", import.meta.url).pathname;

/** Run the driver script in `mode` against `port`; resolves with its stdout and stderr. */
async function runScript(port: number, mode: "open" | "auth"): Promise<string> {
  const out = await new Deno.Command(PYTHON, {
    args: [SCRIPT, String(port), mode],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return (dec.decode(out.stdout) + dec.decode(out.stderr)).trim();
}

Deno.test("redis-py: handshake, INFO/CLIENT LIST parsing, every data type, pipelines, scripts, pub/sub, locks, errors", async () => {
  await using s = await startTestServer({ protocols: ["redis"] });
  assert.equal(await runScript(s.ports.redis, "open"), "OK");
});

Deno.test("redis-py: AUTH with the password and as an ACL user, NOAUTH and WRONGPASS errors", async () => {
  await using s = await startTestServer({ protocols: ["redis"], password: "pw" });
  assert.equal(await runScript(s.ports.redis, "auth"), "OK");
});

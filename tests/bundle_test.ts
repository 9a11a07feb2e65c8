/** `deno bundle` output: one JS file that starts and answers each protocol's simplest request. */
import assert from "node:assert/strict";
import { RawClient } from "./helpers/net.ts";
import { DENO, startChild } from "./helpers/server.ts";

Deno.test("the bundled dist file starts and answers PING", async () => {
  const dir = await Deno.makeTempDir();
  const out = `${dir}/basekv.js`;
  const root = new URL("../", import.meta.url).pathname;
  const built = await new Deno.Command(DENO, {
    args: ["bundle", "--platform", "deno", "-o", out, `${root}main.ts`],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(built.code, 0, new TextDecoder().decode(built.stderr));
  await using child = await startChild([
    "--memory",
    "--redis-port=0",
    "--memcached-port=0",
    "--http-port=0",
  ], out);
  using redis = await RawClient.connect(child.ports.redis);
  await redis.send("PING\r\n");
  assert.equal(await redis.readText("\r\n"), "+PONG\r\n");
  // Run outside this repo (no deno.json enabling KV): the missing flag is named.
  const bare = await new Deno.Command(DENO, {
    args: ["run", "-A", out, "--memory", "--redis-port=0", "--memcached-port=0", "--http-port=0"],
    cwd: dir,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(bare.code, 1);
  assert.equal(
    new TextDecoder().decode(bare.stderr).trim(),
    "basekv: Deno KV is not enabled: run Deno with --unstable-kv",
  );
  await Deno.remove(dir, { recursive: true });
});

/** Real text-protocol clients: npm `memcached` (node) and Debian's pymemcache (python). */
import assert from "node:assert/strict";
import { TEST_IMPORT_FLAGS } from "../helpers/server.ts";
import { startMemcached } from "./wire.ts";
import { PYTHON } from "../helpers/python.ts";

async function run(cmd: string, args: string[]): Promise<string> {
  const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
  return (new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr)).trim();
}

Deno.test("npm memcached stores typed values, gets/cas, counters, multi-get and stats", async () => {
  await using s = await startMemcached();
  const script = new URL("./node_memcached_client.ts", import.meta.url).pathname;
  const out = await run(Deno.execPath(), [
    "run",
    "-A",
    "--unsafe-proto",
    ...TEST_IMPORT_FLAGS,
    script,
    String(s.ports.memcached),
  ]);
  assert.equal(out, "OK");
});

Deno.test("pymemcache (noreply by default) round-trips types, cas, counters and flush", async () => {
  await using s = await startMemcached();
  const script = new URL("./pymemcache_client.py", import.meta.url).pathname;
  assert.equal(await run(PYTHON, [script, String(s.ports.memcached)]), "OK");
});

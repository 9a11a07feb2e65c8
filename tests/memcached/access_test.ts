/** Access control: memcached's text-protocol authentication (-Y) and the shared --rate-limit. */
import assert from "node:assert/strict";
import { TEXT } from "../../protocols/memcached/errors.ts";
import { connect, exchange, startMemcached } from "./wire.ts";

const E = (s: string) => s + "\r\n";

Deno.test("text auth: every command is refused until `set` carries user and password", async () => {
  await using s = await startMemcached({ password: "sekret" });
  using c = await connect(s);
  await exchange(c, "get k\r\n", E(TEXT.UNAUTHENTICATED));
  await exchange(c, "bogus\r\n", E(TEXT.UNAUTHENTICATED));
  await exchange(c, "ms k 1\r\nx\r\n", E(TEXT.UNAUTHENTICATED));
  await exchange(c, "add a 0 0 11\r\nuser sekret\r\n", E(TEXT.UNAUTHENTICATED));
  await exchange(c, "set a 0 0 6\r\nnospac\r\n", E(TEXT.AUTH_FORMAT));
  await exchange(c, "set a 0 0 11\r\nuser wrong1\r\n", E(TEXT.AUTH_FAILURE));
  await exchange(c, "set a 0 0 11\r\nuser sekret\r\n", E(TEXT.STORED));
  await exchange(c, "set k 0 0 1\r\nv\r\nget k\r\n", "STORED\r\nVALUE k 0 1\r\nv\r\nEND\r\n");
});

Deno.test("text auth: without --password no authentication is needed", async () => {
  await using s = await startMemcached();
  using c = await connect(s);
  await exchange(c, "get k\r\n", "END\r\n");
});

Deno.test("--rate-limit refuses commands over the client's rate, noreply ones silently", async () => {
  await using s = await startMemcached({ rateLimit: 3 });
  using c = await connect(s);
  await exchange(
    c,
    "version\r\nversion\r\nversion\r\nversion\r\n",
    E("VERSION 1.6.18").repeat(3) + E(TEXT.RATE_LIMITED),
  );
  await exchange(c, "set k 0 0 1 noreply\r\nv\r\nmn\r\n", E(TEXT.RATE_LIMITED));
});

Deno.test("text auth: failed attempts show in stats auth_cmds and auth_errors", async () => {
  await using s = await startMemcached({ password: "sekret" });
  using c = await connect(s);
  await exchange(c, "set a 0 0 11\r\nuser wrong1\r\n", E(TEXT.AUTH_FAILURE));
  await exchange(c, "set a 0 0 11\r\nuser wrong2\r\n", E(TEXT.AUTH_FAILURE));
  await exchange(c, "set a 0 0 11\r\nuser sekret\r\n", E(TEXT.STORED));
  await c.send("stats\r\n");
  const stats = await c.readText("END\r\n");
  assert.match(stats, /\r\nSTAT auth_cmds 3\r\n/);
  assert.match(stats, /\r\nSTAT auth_errors 2\r\n/);
});

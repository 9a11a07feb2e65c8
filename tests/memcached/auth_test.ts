/** memcached's text-protocol authentication (-Y) when --password is set. */
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

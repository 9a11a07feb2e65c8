/**
 * The meta commands load with the first one a client sends: in its own file so that command
 * is the process's first, pipelined between text commands whose order it must keep.
 * @module
 */
import assert from "node:assert/strict";
import { META_NAMES } from "../../protocols/memcached/commands/dispatch.ts";
import { META_COMMANDS } from "../../protocols/memcached/commands/meta.ts";
import { connect, exchange, startMemcached } from "./wire.ts";

Deno.test("the first meta command, pipelined after and before text ones, keeps its place", async () => {
  await using s = await startMemcached();
  using c = await connect(s);
  // One write: the ms waits for its module while the set before it has already run.
  await exchange(
    c,
    "set a 0 0 1\r\n1\r\nms b 1 T0\r\n2\r\nmg b v\r\nget a b\r\nmn\r\n",
    "STORED\r\nHD\r\nVA 1\r\n2\r\nVALUE a 0 1\r\n1\r\nVALUE b 0 1\r\n2\r\nEND\r\nMN\r\n",
  );
  await c.send("stats\r\n");
  const stats = await c.readText("END\r\n");
  // Counted once each, not again when framed after the load.
  assert.match(stats, /STAT cmd_meta 3\r\n/);
});

Deno.test("META_NAMES lists ms and meta.ts's one-line commands", () => {
  assert.deepEqual(Object.keys(META_NAMES).sort(), ["ms", ...Object.keys(META_COMMANDS)].sort());
});

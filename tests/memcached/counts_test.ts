/**
 * curr_items and bytes come from the store's counters: exact after set, overwrite, delete,
 * flush_all and a swept expiry.
 * @module
 */
import assert from "node:assert/strict";
import { connect, exchange, startMemcached } from "./wire.ts";
import { settle } from "../helpers/wait.ts";

Deno.test("curr_items and bytes follow set, delete, expiry and flush_all", async () => {
  await using s = await startMemcached();
  using c = await connect(s);
  const usage = async () => {
    await c.send("stats\r\n");
    const stats = await c.readText("END\r\n");
    const stat = (n: string) => stats.match(new RegExp(`STAT ${n} (\\S+)\r\n`))?.[1];
    return { items: stat("curr_items"), bytes: stat("bytes") };
  };
  assert.deepEqual(await usage(), { items: "0", bytes: "0" });
  for (let i = 0; i < 5; i++) await exchange(c, `set k${i} 0 0 3\r\nabc\r\n`, "STORED\r\n");
  await exchange(c, "set k0 0 0 5\r\nabcde\r\n", "STORED\r\n"); // an overwrite, 2 bytes more
  // 59-byte header + 2-byte key + value, per item.
  assert.deepEqual(await usage(), { items: "5", bytes: String(5 * 64 + 2) });
  await exchange(c, "delete k1\r\n", "DELETED\r\n");
  await exchange(c, "delete nope\r\n", "NOT_FOUND\r\n");
  assert.deepEqual(await usage(), { items: "4", bytes: String(4 * 64 + 2) });
  // An item that expires leaves the count once the sweeper removes it.
  await exchange(c, "touch k2 1\r\n", "TOUCHED\r\n");
  assert.deepEqual(await settle(usage, { items: "3", bytes: String(3 * 64 + 2) }), {
    items: "3",
    bytes: String(3 * 64 + 2),
  });
  await exchange(c, "flush_all\r\n", "OK\r\n");
  assert.deepEqual(await usage(), { items: "0", bytes: "0" });
  await exchange(c, "set n 0 0 1\r\nx\r\n", "STORED\r\n");
  assert.deepEqual(await usage(), { items: "1", bytes: "61" });
});

/**
 * CONFIG SET of the set and sorted-set thresholds drives OBJECT ENCODING as Redis 7.2's
 * conversions do (the listpack-set thresholds are 7.2's, so redis-server 7.0 cannot be the
 * reference here; the parity replay covers what both share).
 * @module
 */
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { startTestServer } from "../../helpers/server.ts";
import { replyText, RespClient } from "../resp_client.ts";

Deno.test("set and sorted-set encodings follow the thresholds CONFIG SET gives", async () => {
  await using s = await startTestServer({ protocols: ["redis"] });
  using c = await RespClient.connect(s.ports.redis);
  const encoding = async (key: string) => replyText(await c.call("OBJECT", "ENCODING", key));
  const steps: [string[], string, string][] = [
    // A batch larger than set-max-intset-entries starts as a listpack (setTypeCreate's hint).
    [["CONFIG", "SET", "set-max-intset-entries", "2"], "", ""],
    [["SADD", "s1", "1", "2", "3"], "s1", "listpack"],
    [["SADD", "s2", "1", "2"], "s2", "intset"],
    [["SADD", "s2", "3"], "s2", "hashtable"],
    [["CONFIG", "SET", "set-max-listpack-entries", "3"], "", ""],
    [["SADD", "s3", "a", "b", "c"], "s3", "listpack"],
    [["SADD", "s3", "d"], "s3", "hashtable"],
    [["SADD", "s4", "a", "b", "c", "d"], "s4", "hashtable"],
    [["CONFIG", "SET", "set-max-listpack-value", "3"], "", ""],
    [["SADD", "s5", "abc"], "s5", "listpack"],
    [["SADD", "s5", "abcd"], "s5", "hashtable"],
    [["SUNIONSTORE", "s6", "s3"], "s6", "hashtable"],
    [["SUNIONSTORE", "s7", "s5"], "s7", "hashtable"],
    [["CONFIG", "SET", "set-max-listpack-value", "64"], "", ""],
    [["SUNIONSTORE", "s8", "s1"], "s8", "hashtable"],
    [["CONFIG", "SET", "set-max-listpack-entries", "128"], "", ""],
    [["SUNIONSTORE", "s9", "s5"], "s9", "listpack"],
    [["CONFIG", "SET", "zset-max-listpack-entries", "1"], "", ""],
    [["ZADD", "z1", "1", "a"], "z1", "listpack"],
    [["ZADD", "z1", "2", "b"], "z1", "skiplist"],
    [["ZREM", "z1", "b"], "z1", "skiplist"],
    [["CONFIG", "SET", "zset-max-listpack-entries", "300"], "", ""],
    [
      ["ZADD", "z2", ...Array.from({ length: 200 }, (_, i) => [String(i), `m${i}`]).flat()],
      "z2",
      "listpack",
    ],
    [["ZUNIONSTORE", "z3", "1", "z2"], "z3", "listpack"],
    [["CONFIG", "SET", "zset-max-listpack-entries", "128"], "", ""],
    [["ZUNIONSTORE", "z4", "1", "z2"], "z4", "skiplist"],
  ];
  for (const [args, key, want] of steps) {
    const reply = await c.call(...args);
    if (!key) {
      assertEquals(replyText(reply), "OK", args.join(" "));
      continue;
    }
    assertEquals(await encoding(key), want, args.join(" "));
  }
});

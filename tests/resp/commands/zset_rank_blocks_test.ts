/**
 * Rank blocks of big sorted sets stay exact under every kind of write: ZADD (new members and
 * score changes), ZINCRBY, ZREM, ZPOPMIN/ZPOPMAX, ZREMRANGEBYSCORE, RESTORE and COPY, with
 * blocks splitting and emptying; ZRANK and ZREVRANK agree with a model of the set.
 * @module
 */
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { startTestServer } from "../../helpers/server.ts";
import { replyInteger, RespClient } from "../resp_client.ts";

/** Enough members for several blocks of up to 1024 (storage/zset_blocks.ts). */
const MEMBERS = 5000;

Deno.test("ZRANK and ZREVRANK stay exact through block splits and removals", async () => {
  await using s = await startTestServer({ protocols: ["redis"] });
  using c = await RespClient.connect(s.ports.redis);
  const model = new Map<string, number>();
  // xorshift32: a repeatable sequence.
  let seed = 11;
  const random = (n: number) => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) % n;
  };
  // Scores with many ties (member order breaks them), added in random order in batches.
  for (let from = 0; from < MEMBERS; from += 500) {
    const args: string[] = [];
    for (let i = from; i < from + 500; i++) {
      const member = `m${random(MEMBERS * 2)}`;
      const score = random(300);
      args.push(String(score), member);
      model.set(member, score);
    }
    await c.call("ZADD", "z", ...args);
  }
  const ops = 400;
  for (let i = 0; i < ops; i++) {
    const member = `m${random(MEMBERS * 2)}`;
    const kind = random(5);
    if (kind === 0) {
      await c.call("ZREM", "z", member);
      model.delete(member);
    } else if (kind === 1) {
      const by = random(50) - 25;
      await c.call("ZINCRBY", "z", String(by), member);
      model.set(member, (model.get(member) ?? 0) + by);
    } else {
      const score = random(300);
      await c.call("ZADD", "z", String(score), member);
      model.set(member, score);
    }
  }
  const order = () =>
    [...model.entries()].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .map(([m]) => m);
  const drop = (members: string[]) => members.forEach((m) => model.delete(m));
  // Pops from both ends and a removed score range empty whole blocks.
  let sorted = order();
  await c.call("ZPOPMIN", "z", "700");
  drop(sorted.slice(0, 700));
  sorted = order();
  await c.call("ZPOPMAX", "z", "300");
  drop(sorted.slice(-300));
  await c.call("ZREMRANGEBYSCORE", "z", "100", "(160");
  drop([...model.entries()].filter(([, score]) => score >= 100 && score < 160).map(([m]) => m));
  const payload = await c.call("DUMP", "z");
  await c.call("RESTORE", "restored", "0", payload.type === "bulk" ? payload.value : "");
  await c.call("COPY", "z", "copied");
  sorted = order();
  assertEquals(replyInteger(await c.call("ZCARD", "z")), sorted.length);
  // Big enough for several blocks even after the removals.
  assertEquals(sorted.length > 2000, true, `${sorted.length} members`);
  for (const key of ["z", "restored", "copied"]) {
    for (let i = 0; i < sorted.length; i += 37) {
      assertEquals(replyInteger(await c.call("ZRANK", key, sorted[i])), i, `${key} ${sorted[i]}`);
      assertEquals(
        replyInteger(await c.call("ZREVRANK", key, sorted[i])),
        sorted.length - 1 - i,
        `${key} ${sorted[i]}`,
      );
    }
  }
});

/**
 * The rank tree of big sorted sets stays exact under every kind of write: ZADD (new members and
 * score changes), ZINCRBY, ZREM, ZPOPMIN/ZPOPMAX, ZREMRANGEBYSCORE/BYRANK, RESTORE and COPY,
 * with blocks splitting and emptying at every level; ZRANK/ZREVRANK, ZRANGE by rank, ZCOUNT,
 * LIMIT offsets and ZRANDMEMBER agree with a model of the set. A set written with the older
 * layout (rank blocks alone) answers ranks, and gets its upper levels on its next write.
 * @module
 */
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { startTestServer, type TestServer } from "../../helpers/server.ts";
import { replyInteger, replyItems, replyText, RespClient } from "../resp_client.ts";
import type { Reply } from "../../../protocols/resp/reply.ts";
import type { Key } from "../../../src/store/mod.ts";
import type { KeyMeta } from "../../../protocols/resp/storage/layout.ts";

/** Enough members for a tree of two levels (storage/zset_tree.ts) even after the removals. */
const MEMBERS = 6000;

/** The stored meta of a key in db 0. */
async function storedMeta(s: TestServer, key: string): Promise<KeyMeta> {
  const entry = await s.server.store.scope(["redis"]).get<KeyMeta>(metaKeyOf(key));
  return entry!.meta!;
}

function metaKeyOf(key: string): Key {
  return ["k", 0, new TextEncoder().encode(key)];
}

/** xorshift32: a repeatable sequence. */
function randomSource(seed: number): (n: number) => number {
  return (n) => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) % n;
  };
}

function texts(reply: Reply): string[] {
  return replyItems(reply).map(replyText);
}

/** A model of a sorted set, in Redis's order (score, then member bytes). */
class Model {
  scores = new Map<string, number>();

  order(): string[] {
    return [...this.scores.entries()].sort((a, b) =>
      a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)
    ).map(([m]) => m);
  }

  drop(members: string[]): void {
    members.forEach((m) => this.scores.delete(m));
  }
}

/** Every rank-driven read of `key` against the model's order. */
async function checkReads(c: RespClient, key: string, model: Model): Promise<void> {
  const sorted = model.order();
  const n = sorted.length;
  assertEquals(replyInteger(await c.call("ZCARD", key)), n, key);
  for (let i = 0; i < n; i += 37) {
    assertEquals(replyInteger(await c.call("ZRANK", key, sorted[i])), i, `${key} ${sorted[i]}`);
    assertEquals(
      replyInteger(await c.call("ZREVRANK", key, sorted[i])),
      n - 1 - i,
      `${key} ${sorted[i]}`,
    );
  }
  for (let i = 0; i < n; i += 211) {
    const want = sorted.slice(i, i + 3);
    assertEquals(
      texts(await c.call("ZRANGE", key, String(i), String(i + 2))),
      want,
      `${key} @${i}`,
    );
    assertEquals(
      texts(await c.call("ZREVRANGE", key, String(i), String(i + 2))),
      sorted.slice(Math.max(0, n - 3 - i), n - i).reverse(),
      `${key} rev @${i}`,
    );
    assertEquals(
      texts(await c.call("ZRANGEBYSCORE", key, "-inf", "+inf", "LIMIT", String(i), "3")),
      want,
      `${key} limit @${i}`,
    );
    assertEquals(
      texts(await c.call("ZREVRANGEBYSCORE", key, "+inf", "-inf", "LIMIT", String(i), "2")),
      sorted.slice(Math.max(0, n - 2 - i), n - i).reverse(),
      `${key} rev limit @${i}`,
    );
  }
  for (const [min, max] of [[0, 299], [10, 250], [-30, 40], [120, 121], [55, 55], [200, 400]]) {
    const want = [...model.scores.values()].filter((s) => s >= min && s <= max).length;
    assertEquals(
      replyInteger(await c.call("ZCOUNT", key, String(min), String(max))),
      want,
      `${key} ZCOUNT ${min} ${max}`,
    );
    const byScore = sorted.filter((m) => model.scores.get(m)! >= min);
    assertEquals(
      texts(await c.call("ZRANGEBYSCORE", key, String(min), "+inf", "LIMIT", "150", "2")),
      byScore.slice(150, 152),
      `${key} from ${min} limit 150`,
    );
  }
  const picked = texts(await c.call("ZRANDMEMBER", key, "40"));
  assertEquals(new Set(picked).size, 40);
  for (const m of picked) assertEquals(model.scores.has(m), true, `${key} random ${m}`);
}

Deno.test("ranks, rank ranges and counts stay exact through tree splits and removals", async () => {
  await using s = await startTestServer({ protocols: ["redis"] });
  using c = await RespClient.connect(s.ports.redis);
  const model = new Model();
  const random = randomSource(11);
  // Scores with many ties (member order breaks them), added in random order in batches.
  for (let from = 0; from < MEMBERS; from += 500) {
    const args: string[] = [];
    for (let i = from; i < from + 500; i++) {
      const member = `m${random(MEMBERS * 2)}`;
      const score = random(300);
      args.push(String(score), member);
      model.scores.set(member, score);
    }
    await c.call("ZADD", "z", ...args);
  }
  for (let i = 0; i < 400; i++) {
    const member = `m${random(MEMBERS * 2)}`;
    const kind = random(5);
    if (kind === 0) {
      await c.call("ZREM", "z", member);
      model.scores.delete(member);
    } else if (kind === 1) {
      const by = random(50) - 25;
      await c.call("ZINCRBY", "z", String(by), member);
      model.scores.set(member, (model.scores.get(member) ?? 0) + by);
    } else {
      const score = random(300);
      await c.call("ZADD", "z", String(score), member);
      model.scores.set(member, score);
    }
  }
  // Pops from both ends and a removed score range empty whole blocks, inner ones too.
  let sorted = model.order();
  await c.call("ZPOPMIN", "z", "1500");
  model.drop(sorted.slice(0, 1500));
  sorted = model.order();
  await c.call("ZPOPMAX", "z", "300");
  model.drop(sorted.slice(-300));
  await c.call("ZREMRANGEBYSCORE", "z", "100", "(160");
  model.drop(
    [...model.scores.entries()].filter(([, score]) => score >= 100 && score < 160).map(([m]) => m),
  );
  // Members come back where blocks were emptied.
  for (let i = 0; i < 300; i++) {
    const member = `n${i}`;
    const score = random(200);
    await c.call("ZADD", "z", String(score), member);
    model.scores.set(member, score);
  }
  const payload = await c.call("DUMP", "z");
  await c.call("RESTORE", "restored", "0", payload.type === "bulk" ? payload.value : "");
  await c.call("COPY", "z", "copied");
  assertEquals(model.scores.size > 2000, true, `${model.scores.size} members`);
  for (const key of ["z", "restored", "copied"]) {
    assertEquals((await storedMeta(s, key)).rt, 2, `${key}: a tree of two levels`);
  }
  for (const key of ["z", "restored", "copied"]) await checkReads(c, key, model);
  // Ranks removed from the middle.
  sorted = model.order();
  assertEquals(replyInteger(await c.call("ZREMRANGEBYRANK", "copied", "700", "1299")), 600);
  model.drop(sorted.slice(700, 1300));
  await checkReads(c, "copied", model);
});

Deno.test("a set with the older rank blocks answers ranks and is migrated by its next write", async () => {
  await using s = await startTestServer({ protocols: ["redis"] });
  using c = await RespClient.connect(s.ports.redis);
  const model = new Model();
  const random = randomSource(7);
  for (let from = 0; from < 4000; from += 500) {
    const args: string[] = [];
    for (let i = from; i < from + 500; i++) {
      const member = `m${i}`;
      const score = random(1000);
      args.push(String(score), member);
      model.scores.set(member, score);
    }
    await c.call("ZADD", "old", ...args);
  }
  // Rewrite it as the older layout left it: leaves only, the first at the first member, no
  // tree height or top count in the meta.
  const store = s.server.store.scope(["redis"]);
  await store.write(async (tx) => {
    const metaKey = metaKeyOf("old");
    const entry = await tx.get<KeyMeta>(metaKey);
    const meta = { ...entry!.meta! };
    const g = meta.g!;
    for (const e of await tx.list({ prefix: ["f", g, 3] }, { keysOnly: true })) tx.delete(e.key);
    const [sentinel] = await tx.list<{ c: number }>({ prefix: ["f", g, 2] }, { limit: 1 });
    const [first] = await tx.list({ prefix: ["f", g, 1] }, { keysOnly: true, limit: 1 });
    tx.delete(sentinel.key);
    tx.set(["f", g, 2, ...first.key.slice(3)], { meta: sentinel.meta });
    delete meta.rt;
    delete meta.rc;
    tx.set(metaKey, { meta, expiresAt: entry!.expiresAt });
  });
  assertEquals((await storedMeta(s, "old")).rt, undefined);
  await checkReads(c, "old", model);
  // A member before the first block, then more writes, through the migration.
  await c.call("ZADD", "old", "-5", "first");
  model.scores.set("first", -5);
  for (let i = 0; i < 200; i++) {
    const member = `m${random(5000)}`;
    if (random(3) === 0) {
      await c.call("ZREM", "old", member);
      model.scores.delete(member);
    } else {
      const score = random(1000);
      await c.call("ZADD", "old", String(score), member);
      model.scores.set(member, score);
    }
  }
  assertEquals((await storedMeta(s, "old")).rt, 2, "migrated");
  await checkReads(c, "old", model);
});

Deno.test("ZLEXCOUNT of a big set with one score counts through the rank tree", async () => {
  await using s = await startTestServer({ protocols: ["redis"] });
  using c = await RespClient.connect(s.ports.redis);
  const random = randomSource(5);
  const members = new Set<string>();
  for (let from = 0; from < 3000; from += 500) {
    const args: string[] = [];
    for (let i = from; i < from + 500; i++) {
      const member = `w${random(100000)}`;
      members.add(member);
      args.push("0", member);
    }
    await c.call("ZADD", "lex", ...args);
  }
  const sorted = [...members].sort();
  const count = (min: string, max: string) =>
    sorted.filter((m) =>
      (min === "-" || (min[0] === "[" ? m >= min.slice(1) : m > min.slice(1))) &&
      (max === "+" || (max[0] === "[" ? m <= max.slice(1) : m < max.slice(1)))
    ).length;
  const ranges = [
    ["-", "+"],
    ["[w2", "(w8"],
    [`[${sorted[100]}`, `[${sorted[2000]}`],
    [`(${sorted[100]}`, `(${sorted[2000]}`],
    ["-", `(${sorted[1500]}`],
    [`(${sorted[40]}`, "+"],
    ["[w5", "[w5"],
  ];
  for (const [min, max] of ranges) {
    assertEquals(
      replyInteger(await c.call("ZLEXCOUNT", "lex", min, max)),
      count(min, max),
      `${min} ${max}`,
    );
  }
  // One member with another score: counted a page at a time, as before.
  await c.call("ZADD", "lex", "1", "zz");
  sorted.push("zz");
  assertEquals(replyInteger(await c.call("ZLEXCOUNT", "lex", "[w2", "+")), count("[w2", "+"));
});

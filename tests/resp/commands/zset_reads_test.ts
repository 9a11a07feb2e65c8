/**
 * A 1,000,000-member sorted set: ZRANGEBYSCORE of 10 members, ZRANK near either end, ZSCORE,
 * ZPOPMIN and ZCOUNT of a narrow range read only a handful of store entries; ZRANK anywhere, ZRANGE
 * at a rank mid-set, a LIMIT offset mid-set and ZCOUNT of half the set read tens (the rank tree of
 * storage/zset_tree.ts: a few entries per level). The RESP service
 * runs on a store wrapper that forwards every call and counts the entries reads return.
 * @module
 */
import { HUGE } from "./harness.ts";
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { Redis } from "ioredis";
import { Auth } from "../../../src/auth.ts";
import { createLogger } from "../../../src/log.ts";
import { RateLimiter } from "../../../src/rate_limit.ts";
import { openStore, type Store, type WriteTx } from "../../../src/store/mod.ts";
import { redisService } from "../../../protocols/resp/mod.ts";
import { testConfig } from "../../helpers/server.ts";

/** Set size: 1,000,000 with BASEKV_HUGE=1 (make test-huge), else 100,000 (see harness.ts). */
const MEMBERS = HUGE;
/** Pairs per ZADD: each stays one Deno KV atomic (1000 mutations), pipelined back to back. */
const PER_ZADD = 400;
/**
 * Entries a rank may read: a few per level of the rank tree (4 levels at 1,000,000, 3 at
 * 100,000), where a two-ended count read about n / 2 and rank blocks n / 256 + 1024.
 */
const RANK_READS = 64;
/** ZADDs in flight at once. */
const PIPELINE = 50;

/** Counts entries returned by reads, through the store and inside write units. */
class ReadCounter {
  entries = 0;

  tx(tx: WriteTx): WriteTx {
    return {
      get now() {
        return tx.now;
      },
      get: async (key) => this.#one(await tx.get(key)),
      getMany: async (keys) => this.#many(await tx.getMany(keys)),
      list: async (selector, options) => this.#many(await tx.list(selector, options)),
      set: (key, record) => tx.set(key, record),
      setFresh: (key, record) => tx.setFresh(key, record),
      delete: (key) => tx.delete(key),
    } as WriteTx;
  }

  store(inner: Store): Store {
    // deno-lint-ignore no-this-alias -- the wrapper's methods count into this counter
    const self = this;
    return {
      get info() {
        return inner.info;
      },
      get: async (key) => self.#one(await inner.get(key)),
      peek: (key) => {
        const entry = inner.peek(key);
        return entry === undefined ? undefined : self.#one(entry);
      },
      getMany: async (keys) => self.#many(await inner.getMany(keys)),
      async *list(selector, options) {
        for await (const entry of inner.list(selector, options)) {
          self.entries++;
          yield entry;
        }
      },
      listPage: async (selector, options) => {
        const page = await inner.listPage(selector, options);
        self.entries += page.entries.length;
        return page;
      },
      write: (fn, options) => inner.write((tx) => fn(self.tx(tx)), options),
      countKeys: (prefix, depth) => inner.countKeys(prefix, depth),
      count: (group) => inner.count(group),
      snapshot: (prefixes) => inner.snapshot(prefixes),
      restore: (snapshot) => inner.restore(snapshot),
      set: (key, record) => inner.set(key, record),
      delete: (key) => inner.delete(key),
      deletePrefix: (prefix) => inner.deletePrefix(prefix),
      onCommit: (hook, filter) => inner.onCommit(hook, filter),
      scope: (prefix) => self.store(inner.scope(prefix)),
      stats: () => inner.stats(),
    } as Store;
  }

  #one<T>(entry: T | null): T | null {
    this.entries++;
    return entry;
  }

  #many<T>(entries: T[]): T[] {
    this.entries += Math.max(1, entries.length);
    return entries;
  }
}

Deno.test({
  name: `a ${
    MEMBERS.toLocaleString("en")
  }-member sorted set answers ranges, ranks and pops from a few entries`,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const config = testConfig();
    const opened = await openStore({ memory: true });
    const counter = new ReadCounter();
    const service = await redisService.start({
      store: counter.store(opened.scope(["redis"])),
      config,
      auth: new Auth(null),
      limiter: new RateLimiter(config.rateLimit),
      log: createLogger("error"),
      health: () => new Response("ok"),
      tls: null,
      admin: () => Promise.resolve(new Response(null, { status: 404 })),
    }, { hostname: "127.0.0.1", port: 0 });
    const r = new Redis({ port: service.port, host: "127.0.0.1", maxRetriesPerRequest: 0 });
    try {
      for (let batch = 0; batch < MEMBERS; batch += PER_ZADD * PIPELINE) {
        const p = r.pipeline();
        for (
          let from = batch;
          from < Math.min(MEMBERS, batch + PER_ZADD * PIPELINE);
          from += PER_ZADD
        ) {
          const args: (string | number)[] = [];
          for (let i = from; i < from + PER_ZADD; i++) args.push(i * 2, `m${i}`);
          p.zadd("big", ...args);
        }
        await p.exec();
      }
      assertEquals(await r.zcard("big"), MEMBERS);
      const reads = async <T>(fn: () => Promise<T>): Promise<[T, number]> => {
        const before = counter.entries;
        const result = await fn();
        return [result, counter.entries - before];
      };
      const half = MEMBERS / 2;
      const last = MEMBERS - 1;
      const checks: [string, () => Promise<unknown>, unknown, number][] = [
        [
          "ZRANGEBYSCORE 10",
          () => r.zrangebyscore("big", MEMBERS, "+inf", "LIMIT", 0, 10),
          Array.from({ length: 10 }, (_, i) => `m${half + i}`),
          14,
        ],
        ["ZRANGEBYSCORE range", () => r.zrangebyscore("big", "(1000", 1018), [
          "m501",
          "m502",
          "m503",
          "m504",
          "m505",
          "m506",
          "m507",
          "m508",
          "m509",
        ], 14],
        ["ZCOUNT", () => r.zcount("big", 0, 18), 10, 14],
        ["ZSCORE", () => r.zscore("big", "m12345"), "24690", 4],
        ["ZRANK low", () => r.zrank("big", "m7"), 7, RANK_READS],
        ["ZRANK high", () => r.zrank("big", `m${last - 5}`), last - 5, RANK_READS],
        ["ZREVRANK high", () => r.zrevrank("big", `m${last - 5}`), 5, RANK_READS],
        // Mid-set ranks: a few entries per level of the rank tree, not n / 2.
        ["ZRANK mid", () => r.zrank("big", `m${half + 3}`), half + 3, RANK_READS],
        ["ZREVRANK mid", () => r.zrevrank("big", `m${half - 7}`), last - half + 7, RANK_READS],
        [
          "ZRANK WITHSCORE",
          () => r.call("ZRANK", "big", `m${half + 1001}`, "WITHSCORE"),
          [half + 1001, String((half + 1001) * 2)],
          RANK_READS,
        ],
        ["ZRANGE mid", () => r.zrange("big", String(half + 11), String(half + 12)), [
          `m${half + 11}`,
          `m${half + 12}`,
        ], RANK_READS],
        [
          "ZRANGEBYSCORE LIMIT mid",
          () => r.zrangebyscore("big", "-inf", "+inf", "LIMIT", half - 100, 2),
          [`m${half - 100}`, `m${half - 99}`],
          2 * RANK_READS,
        ],
        [
          "ZCOUNT half",
          () => r.zcount("big", MEMBERS / 4, `(${MEMBERS * 5 / 4}`),
          half,
          2 * RANK_READS,
        ],
        ["ZRANGE tail", () => r.zrange("big", -2, "-1"), [`m${last - 1}`, `m${last}`], 6],
        // The pop changes one count per level of the rank tree.
        ["ZPOPMIN", () => r.zpopmin("big", 2), ["m0", "0", "m1", "2"], 12],
      ];
      for (const [name, fn, want, limit] of checks) {
        const [got, count] = await reads(fn);
        assertEquals(got, want, name);
        ok(count <= limit, `${name} read ${count} entries (limit ${limit})`);
      }
    } finally {
      r.disconnect();
      await service.close();
      await opened.close();
    }
  },
});

/**
 * The SCAN family's guarantee: every element present for the whole iteration is returned at
 * least once, while other clients write, across a restart of a file-backed server, and when the
 * iteration moves to another front-end on the same store.
 */
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { Redis } from "ioredis";
import { startChild, startTestServer } from "../../helpers/server.ts";
import { startKvConnectServer } from "../../helpers/kv_connect_server.ts";

function client(port: number): Redis {
  return new Redis({ port, host: "127.0.0.1", lazyConnect: false, maxRetriesPerRequest: 0 });
}

const names = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

type Step = (cursor: string) => Promise<[string, string[]]>;

/** Run a scan to the end; returns every name seen and how many calls it took. */
async function drain(step: Step, from = "0", onEach?: () => Promise<void>) {
  const seen = new Set<string>();
  let cursor = from;
  let calls = 0;
  do {
    const [next, items] = await step(cursor);
    items.forEach((x) => seen.add(x));
    cursor = next;
    calls++;
    await onEach?.();
  } while (cursor !== "0");
  return { seen, calls };
}

/** Every other element of a flat name/value reply. */
const evens = (items: string[]) => items.filter((_, i) => i % 2 === 0);

Deno.test("SCAN, SSCAN and HSCAN return every stable element while another client writes", async () => {
  await using s = await startTestServer({ protocols: ["redis"] });
  const r = client(s.ports.redis);
  const w = client(s.ports.redis);
  try {
    const keep = names("keep:", 200);
    // 200 fields would be a listpack under Redis's default of 512, which HSCAN returns whole.
    await r.config("SET", "hash-max-listpack-entries", "128");
    await r.mset(...keep.flatMap((k) => [k, "v"]));
    await r.sadd("set", ...keep);
    await r.hset("hash", ...keep.flatMap((k) => [k, "v"]));
    let round = 0;
    // Between pages another client adds names on both sides of the cursor and drops some.
    const churn = async () => {
      round++;
      const fresh = names(`churn:${round}:`, 5);
      const more = [`a${round}`, `z${round}`];
      await w.mset(...fresh.concat(more).flatMap((k) => [k, "x"]));
      await w.sadd("set", ...fresh, ...more);
      await w.hset("hash", ...fresh.concat(more).flatMap((k) => [k, "x"]));
      if (round > 1) {
        const old = names(`churn:${round - 1}:`, 5);
        await w.del(...old);
        await w.srem("set", ...old);
        await w.hdel("hash", ...old);
      }
    };
    const scan = await drain((c) => r.scan(c, "COUNT", 10), "0", churn);
    const sscan = await drain((c) => r.sscan("set", c, "COUNT", 10), "0", churn);
    const hscan = await drain(
      async (c) => {
        const [next, items] = await r.hscan("hash", c, "COUNT", 10);
        return [next, evens(items)];
      },
      "0",
      churn,
    );
    for (const { seen, calls } of [scan, sscan, hscan]) {
      ok(calls > 15, `only ${calls} calls`);
      const missing = keep.filter((k) => !seen.has(k));
      assertEquals(missing, []);
    }
  } finally {
    r.disconnect();
    w.disconnect();
  }
});

Deno.test("a SCAN or SSCAN cursor survives a restart of a file-backed server", async () => {
  const dir = await Deno.makeTempDir();
  const args = [
    `--data=${dir}/data.sqlite`,
    "--redis-port=0",
    "--memcached-port=0",
    "--http-port=0",
    "--log-level=error",
  ];
  const members = names("m", 400);
  let setCursor: string;
  let keyCursor: string;
  const firstSet = new Set<string>();
  const firstKeys = new Set<string>();
  {
    await using child = await startChild(args);
    const r = client(child.ports.redis);
    try {
      await r.sadd("set", ...members);
      await r.mset(...members.flatMap((m) => [m, "v"]));
      const [c1, items] = await r.sscan("set", "0", "COUNT", 50);
      items.forEach((m) => firstSet.add(m));
      const [c2, keys] = await r.scan("0", "COUNT", 50);
      keys.forEach((k) => firstKeys.add(k));
      [setCursor, keyCursor] = [c1, c2];
      ok(setCursor !== "0" && keyCursor !== "0");
    } finally {
      r.disconnect();
    }
  }
  {
    await using child = await startChild(args);
    const r = client(child.ports.redis);
    try {
      const rest = await drain((c) => r.sscan("set", c, "COUNT", 50), setCursor);
      // The scan resumed where it was: nothing from the first page comes back.
      assertEquals([...rest.seen].filter((m) => firstSet.has(m)), []);
      assertEquals(firstSet.size + rest.seen.size, members.length);
      const keys = await drain((c) => r.scan(c, "COUNT", 50), keyCursor);
      assertEquals([...keys.seen].filter((k) => firstKeys.has(k)), []);
      assertEquals(firstKeys.size + keys.seen.size, members.length + 1);
    } finally {
      r.disconnect();
    }
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a scan started on one front-end continues on another one sharing the store", async () => {
  await using kv = await startKvConnectServer();
  Deno.env.set("DENO_KV_ACCESS_TOKEN", kv.token);
  await using one = await startTestServer({ protocols: ["redis"], kvUrl: kv.url });
  await using two = await startTestServer({ protocols: ["redis"], kvUrl: kv.url });
  const a = client(one.ports.redis);
  const b = client(two.ports.redis);
  try {
    const members = names("m", 200);
    await a.sadd("set", ...members);
    const [cursor, first] = await a.sscan("set", "0", "COUNT", 30);
    const rest = await drain((c) => b.sscan("set", c, "COUNT", 30), cursor);
    assertEquals(first.filter((m) => rest.seen.has(m)), []);
    assertEquals(new Set([...first, ...rest.seen]).size, members.length);
  } finally {
    a.disconnect();
    b.disconnect();
  }
});

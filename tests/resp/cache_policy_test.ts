/**
 * The read cache's policy through real connections: keys clients read stay cached while writes
 * to many other keys overflow the budget, and what a write just wrote is still there for the
 * next write that reads it (INCR, RPOP). Observed as the store reads (Deno KV) a command costs.
 */
import assert from "node:assert/strict";
import { startTestServer } from "../helpers/server.ts";
import { command, replyInteger, replyText, RespClient } from "./resp_client.ts";
import type { OpenedStore } from "../../src/store/mod.ts";
import type { Reply } from "../../protocols/resp/reply.ts";

/** Keys read by clients: about an eighth of a 1 MiB budget. */
const READ_KEYS = 300;
/** Keys only written: about three times the budget. */
const WRITTEN_KEYS = 8000;
const BATCH = 200;
const VALUE = "v".repeat(100);

/** A reply as text: a string's, or an integer's digits. */
function text(reply: Reply): string {
  return reply.type === "integer" ? String(replyInteger(reply)) : replyText(reply);
}

/** Send `commands` pipelined in batches and check every reply (as {@link text}). */
async function pipelined(
  client: RespClient,
  commands: string[][],
  check: (reply: string, at: number) => void,
): Promise<void> {
  for (let from = 0; from < commands.length; from += BATCH) {
    const batch = commands.slice(from, from + BATCH);
    await client.send(new Uint8Array(batch.flatMap((c) => [...command(...c)])));
    for (let i = 0; i < batch.length; i++) check(text(await client.reply()), from + i);
  }
}

/** Keys Deno KV was asked for while `fn` ran. */
async function storeReads(store: OpenedStore, fn: () => Promise<unknown>): Promise<number> {
  const before = store.stats().storeReads;
  await fn();
  return store.stats().storeReads - before;
}

Deno.test("keys clients read stay cached while writes to other keys overflow the budget", async () => {
  await using srv = await startTestServer({ cacheMb: 1 });
  const store = srv.server.store;
  using client = await RespClient.connect(srv.ports.redis);
  const reads = Array.from({ length: READ_KEYS }, (_, i) => `read:${i}`);
  const ok = (reply: string) => assert.equal(reply, "OK");
  await pipelined(client, reads.map((k) => ["SET", k, `${k}:${VALUE}`]), ok);
  const readAll = () =>
    pipelined(
      client,
      reads.map((k) => ["GET", k]),
      (r, i) => assert.equal(r, `${reads[i]}:${VALUE}`),
    );
  // Cached by their SETs: the first GETs already hit.
  assert.equal(await storeReads(store, readAll), 0);

  const written = Array.from({ length: WRITTEN_KEYS }, (_, i) => `written:${i}`);
  await pipelined(client, written.map((k) => ["SET", k, VALUE]), ok);
  await pipelined(
    client,
    written.map((k) => ["HSET", `h${k}`, "f", VALUE]),
    (r) => assert.equal(r, "1"),
  );

  assert.equal(await storeReads(store, readAll), 0, "a key clients read was evicted by writes");
  // The writes did overflow the budget: most of the keys only written are gone.
  const early = written.slice(0, READ_KEYS);
  const missed = await storeReads(
    store,
    () => pipelined(client, early.map((k) => ["GET", k]), (r) => assert.equal(r, VALUE)),
  );
  assert.ok(missed > READ_KEYS / 2, `only ${missed} of ${READ_KEYS} written keys were evicted`);
});

Deno.test("a write's read of what a write just wrote hits, with the read keys protected", async () => {
  await using srv = await startTestServer({ cacheMb: 1 });
  const store = srv.server.store;
  using client = await RespClient.connect(srv.ports.redis);
  // Protected keys taking a third of the budget, then writes streaming past them.
  const reads = Array.from({ length: 800 }, (_, i) => `read:${i}`);
  await pipelined(client, reads.map((k) => ["SET", k, VALUE]), (r) => assert.equal(r, "OK"));
  await pipelined(client, reads.map((k) => ["GET", k]), (r) => assert.equal(r, VALUE));
  for (let round = 0; round < 4; round++) {
    const lists = Array.from({ length: 300 }, (_, i) => `list:${round}:${i}`);
    await pipelined(
      client,
      lists.map((k) => ["LPUSH", k, VALUE, "next"]),
      (r) => assert.equal(r, "2"),
    );
    const counters = Array.from({ length: 300 }, (_, i) => `counter:${round}:${i}`);
    await pipelined(client, counters.map((k) => ["SET", k, "1"]), (r) => assert.equal(r, "OK"));
    const rewrites = await storeReads(store, async () => {
      await pipelined(client, lists.map((k) => ["RPOP", k]), (r) => assert.equal(r, VALUE));
      await pipelined(client, counters.map((k) => ["INCR", k]), (r) => assert.equal(r, "2"));
    });
    assert.ok(rewrites <= 10, `round ${round}: RPOP/INCR read ${rewrites} keys from the store`);
  }
  // Each list keeps its second element (an emptied list would leave reclaim work behind,
  // whose reads in the background would count here).
  assert.equal(replyInteger(await client.call("LLEN", "list:0:0")), 1);
});

/**
 * What a GSI Query costs in store reads, against a table Query with the same page, on a table
 * of 100,000 items: the DynamoDB service runs over a forwarding store that counts the entries
 * every read returns (no timing), and the SDK talks to it over a real socket.
 * @module
 */
import assert from "node:assert/strict";
import { CreateTableCommand, QueryCommand } from "@aws-sdk/client-dynamodb";
import type {
  Change,
  Counts,
  Entry,
  Key,
  ListOptions,
  ListPage,
  Record as StoreRecord,
  Selector,
  Snapshot,
  Store,
  StoreInfo,
  StoreStats,
  WriteTx,
} from "../../src/store/mod.ts";
import { openStore } from "../../src/store/mod.ts";
import { Auth } from "../../src/auth.ts";
import { RateLimiter } from "../../src/rate_limit.ts";
import { createLogger } from "../../src/log.ts";
import { dynamodbService } from "../../protocols/dynamodb/mod.ts";
import { encodeItem } from "../../protocols/dynamodb/storage/item_store.ts";
import { stageIndexEntries } from "../../protocols/dynamodb/storage/indexes.ts";
import { itemStoreKey } from "../../protocols/dynamodb/storage/keys.ts";
import { getTable } from "../../protocols/dynamodb/storage/tables.ts";
import { testConfig } from "../helpers/server.ts";
import { sdkClient } from "./client.ts";

/** A Store that forwards everything and counts the entries reads outside write units return. */
class CountingStore implements Store {
  reads = 0;
  constructor(private inner: Store) {}
  get info(): StoreInfo {
    return this.inner.info;
  }
  async get<M>(key: Key): Promise<Entry<M> | null> {
    this.reads++;
    return await this.inner.get<M>(key);
  }
  peek<M>(key: Key): Entry<M> | null | undefined {
    const entry = this.inner.peek<M>(key);
    if (entry !== undefined) this.reads++;
    return entry;
  }
  async getMany<M>(keys: readonly Key[]): Promise<(Entry<M> | null)[]> {
    this.reads += keys.length;
    return await this.inner.getMany<M>(keys);
  }
  async *list<M>(selector: Selector, options: ListOptions = {}): AsyncIterable<Entry<M>> {
    // Page through listPage so every entry the store reads is counted, read-ahead included.
    let remaining = options.limit ?? Infinity;
    let cursor = options.cursor;
    while (remaining > 0) {
      const page = await this.listPage<M>(selector, {
        ...options,
        cursor,
        limit: Math.min(remaining, 500),
      });
      yield* page.entries;
      remaining -= page.entries.length;
      if (!page.cursor) return;
      cursor = page.cursor;
    }
  }
  async listPage<M>(selector: Selector, options?: ListOptions): Promise<ListPage<M>> {
    const page = await this.inner.listPage<M>(selector, options);
    this.reads += page.entries.length;
    return page;
  }
  write<T>(
    fn: (tx: WriteTx) => T | Promise<T>,
    options?: Parameters<Store["write"]>[1],
  ): Promise<T> {
    return this.inner.write(fn, options);
  }
  set<M>(key: Key, record: StoreRecord<M>): Promise<void> {
    return this.inner.set(key, record);
  }
  delete(key: Key): Promise<void> {
    return this.inner.delete(key);
  }
  deletePrefix(prefix: Key): Promise<number> {
    return this.inner.deletePrefix(prefix);
  }
  snapshot(prefixes: readonly Key[]): Promise<Snapshot> {
    return this.inner.snapshot(prefixes);
  }
  restore(snapshot: Snapshot): Promise<void> {
    return this.inner.restore(snapshot);
  }
  onCommit(hook: (changes: Change[]) => void): () => void {
    return this.inner.onCommit(hook);
  }
  scope(prefix: Key): Store {
    return this.inner.scope(prefix);
  }
  countKeys(prefix: Key, depth?: number): Promise<void> {
    return this.inner.countKeys(prefix, depth);
  }
  count(group: Key): Promise<Counts> {
    return this.inner.count(group);
  }
  stats(): StoreStats {
    return this.inner.stats();
  }
}

const ITEMS = 100_000;
const PER_UNIT = 200;
const PAGE = 50;

Deno.test("a GSI Query on 100,000 items reads about what a table Query with the same page reads", async () => {
  await using opened = await openStore({ memory: true });
  const store = new CountingStore(opened.scope(["dynamodb"]));
  const config = testConfig();
  const service = await dynamodbService.start(
    {
      store,
      config,
      auth: new Auth(null),
      limiter: new RateLimiter(0),
      log: createLogger("error"),
      tls: null,
      health: () => new Response("ok"),
      admin: () => Promise.resolve(new Response(null, { status: 404 })),
    },
    { hostname: "127.0.0.1", port: 0 },
  );
  const client = sdkClient(service.port);
  try {
    await client.send(
      new CreateTableCommand({
        TableName: "big",
        KeySchema: [
          { AttributeName: "pk", KeyType: "HASH" },
          { AttributeName: "sk", KeyType: "RANGE" },
        ],
        AttributeDefinitions: [
          { AttributeName: "pk", AttributeType: "S" },
          { AttributeName: "sk", AttributeType: "N" },
          { AttributeName: "g", AttributeType: "S" },
          { AttributeName: "at", AttributeType: "N" },
        ],
        GlobalSecondaryIndexes: [{
          IndexName: "by-g",
          KeySchema: [
            { AttributeName: "g", KeyType: "HASH" },
            { AttributeName: "at", KeyType: "RANGE" },
          ],
          Projection: { ProjectionType: "ALL" },
        }],
        BillingMode: "PAY_PER_REQUEST",
      }),
    );
    // Build the table as the item write path stages it (item + index entries), many per unit.
    const table = await getTable(store, "big");
    for (let i = 0; i < ITEMS; i += PER_UNIT) {
      await store.write((tx) => {
        for (let j = i; j < i + PER_UNIT; j++) {
          const item = {
            pk: { S: `p${j % 100}` },
            sk: { N: String(j) },
            g: { S: `g${j % 10}` },
            at: { N: String(ITEMS - j) },
            body: { S: "x".repeat(40) },
          };
          tx.set(itemStoreKey(table, item), { data: encodeItem(item) });
          stageIndexEntries(tx, table, null, item);
        }
      });
    }
    const measure = async (input: ConstructorParameters<typeof QueryCommand>[0]) => {
      const before = store.reads;
      const r = await client.send(new QueryCommand(input));
      return { reads: store.reads - before, count: r.Count, last: r.LastEvaluatedKey };
    };
    const onTable = await measure({
      TableName: "big",
      KeyConditionExpression: "pk = :p AND sk > :s",
      ExpressionAttributeValues: { ":p": { S: "p7" }, ":s": { N: "5000" } },
      Limit: PAGE,
    });
    const indexQuery = {
      TableName: "big",
      IndexName: "by-g",
      KeyConditionExpression: "g = :g AND #a > :a",
      ExpressionAttributeNames: { "#a": "at" },
      ExpressionAttributeValues: { ":g": { S: "g3" }, ":a": { N: "5000" } },
      Limit: PAGE,
    };
    const onIndex = await measure(indexQuery);
    assert.equal(onTable.count, PAGE);
    assert.equal(onIndex.count, PAGE);
    assert.deepEqual(Object.keys(onIndex.last ?? {}).sort(), ["at", "g", "pk", "sk"]);
    // The table record plus the page: the GSI reads what the table reads, not the table.
    assert.ok(onTable.reads <= PAGE + 2, `table Query read ${onTable.reads}`);
    assert.ok(onIndex.reads <= onTable.reads + 1, `GSI Query read ${onIndex.reads}`);
    // The next page costs the same.
    const next = await measure({ ...indexQuery, ExclusiveStartKey: onIndex.last });
    assert.equal(next.count, PAGE);
    assert.ok(next.reads <= onTable.reads + 1, `next GSI page read ${next.reads}`);
  } finally {
    client.destroy();
    await service.close();
  }
});

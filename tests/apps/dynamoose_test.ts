/**
 * Dynamoose 4, unchanged, on basekv's DynamoDB API: the table set-up flow (CreateTable,
 * DescribeTable polling, UpdateTimeToLive, UpdateTable for billing and GSIs, tags), schema types
 * and validation, item writes with conditions, update operators, batches, queries on the table and
 * its indexes with pagination, scans and transactions, all through Dynamoose's own API.
 * @module
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import * as dynamoose from "dynamoose";
import {
  CreateTableCommand,
  type CreateTableInput,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  GetItemCommand,
  ListTagsOfResourceCommand,
  PutItemCommand,
} from "@aws-sdk/client-dynamodb";
import { type DynamoFixture, rejection, startDynamo } from "../dynamodb/client.ts";
import { ErrorTrap } from "./target.ts";

/** The AWS SDK client Dynamoose sends through (the one `dynamoose.aws.ddb` hands out). */
type DdbClient = InstanceType<typeof dynamoose.aws.ddb.DynamoDB>;

/** What a test gets: the server, and the names of the operations Dynamoose sent, in order. */
interface Ctx {
  f: DynamoFixture;
  sent: string[];
}

let modelSeq = 0;
/**
 * A model name no earlier test used: Dynamoose's model store is process-wide, and a model named
 * like an earlier one would join that model's table, already set up against an older server.
 */
function fresh(name: string): string {
  return `${name}${++modelSeq}`;
}

/** Dynamoose's Table options. */
type TableOptions = NonNullable<ConstructorParameters<typeof dynamoose.Table>[2]>;

/**
 * Table options written as an application writes them: Dynamoose types `update` and `tableClass`
 * as TypeScript enums its entry point does not export, so the plain strings need this cast.
 */
function tableOptions(options: Record<string, unknown>): TableOptions {
  return options as TableOptions;
}

/** Table options that wait for ACTIVE without Dynamoose's one-second default poll interval. */
const WAIT = { enabled: true, check: { timeout: 20_000, frequency: 50 } };

/**
 * Register a test with a fresh basekv and Dynamoose's default instance pointed at it, the way an
 * application's test set-up does. Tests in one file run one at a time, so the global is theirs.
 */
function dynamooseTest(name: string, fn: (ctx: Ctx) => Promise<void>): void {
  Deno.test({
    name,
    // The AWS SDK keeps sockets in its agent past the test's end.
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      await using f = await startDynamo();
      const ddb: DdbClient = new dynamoose.aws.ddb.DynamoDB({
        endpoint: `http://127.0.0.1:${f.port}`,
        region: "us-east-1",
        credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "fake" },
        // A retried 5xx would hide a basekv failure.
        maxAttempts: 1,
      });
      const sent: string[] = [];
      ddb.middlewareStack.add(
        (next, context) => (args) => {
          sent.push(String(context.commandName).replace(/Command$/, ""));
          return next(args);
        },
        { step: "initialize", name: "recordOperations" },
      );
      dynamoose.aws.ddb.set(ddb);
      try {
        // Dynamoose reports what it skips (tagging, callbacks) with console.warn.
        using trap = new ErrorTrap();
        await fn({ f, sent });
        assert.deepEqual(trap.errors, [], "Dynamoose logged no warning or error");
      } finally {
        dynamoose.aws.ddb.revert();
        ddb.destroy();
      }
    },
  });
}

/** An order: partition by customer, sorted by order id, with a GSI by status and an LSI by total. */
function orderSchema() {
  return new dynamoose.Schema({
    customerId: { type: String, hashKey: true },
    orderId: { type: String, rangeKey: true },
    status: {
      type: String,
      enum: ["new", "paid", "shipped"],
      default: "new",
      index: { name: "byStatus", type: "global", rangeKey: "total" },
    },
    total: {
      type: Number,
      required: true,
      validate: (v: unknown) => typeof v === "number" && v >= 0,
      index: { name: "byTotal", type: "local" },
    },
    tags: { type: Set, schema: [String] },
    lines: { type: Array, schema: [{ type: Object, schema: { sku: String, qty: Number } }] },
    address: { type: Object, schema: { city: String, zip: String } },
    gift: { type: Boolean, default: false },
    placedAt: Date,
    receipt: Buffer,
    note: String,
  }, { timestamps: true });
}

/** An order model on its own table, set up (created, ACTIVE) before it is returned. */
async function orderModel(options: Record<string, unknown> = {}) {
  const Order = dynamoose.model(fresh("Order"), orderSchema());
  const table = new dynamoose.Table(fresh("orders"), [Order], {
    create: true,
    waitForActive: WAIT,
    throughput: { read: 3, write: 4 },
    initialize: false,
    ...options,
  });
  await table.initialize();
  return { Order, table };
}

/**
 * Seed `n` orders for customer `c`: ids o01.., totals 10, 20, ..., statuses new, paid, shipped
 * in turn; in batches of 25, BatchWriteItem's limit (Dynamoose does not split a batch).
 */
async function seed(Order: Awaited<ReturnType<typeof orderModel>>["Order"], c: string, n: number) {
  const statuses = ["new", "paid", "shipped"];
  const orders = Array.from({ length: n }, (_, i) => ({
    customerId: c,
    orderId: `o${String(i + 1).padStart(2, "0")}`,
    total: (i + 1) * 10,
    status: statuses[i % 3],
  }));
  for (let i = 0; i < orders.length; i += 25) {
    const { unprocessedItems } = await Order.batchPut(orders.slice(i, i + 25));
    assert.deepEqual(unprocessedItems, []);
  }
}

dynamooseTest(
  "dynamoose: create + waitForActive make the table with its keys, GSI, LSI and throughput",
  async ({ f, sent }) => {
    const { table } = await orderModel();
    // Then DescribeTable until ACTIVE (basekv answers ACTIVE at once; AWS says CREATING first).
    assert.deepEqual(sent.slice(0, 3), ["DescribeTable", "CreateTable", "DescribeTable"]);
    assert.deepEqual(new Set(sent.slice(2)), new Set(["DescribeTable"]));
    const { Table: d } = await f.client.send(new DescribeTableCommand({ TableName: table.name }));
    assert.equal(d?.TableStatus, "ACTIVE");
    assert.deepEqual(d?.KeySchema, [
      { AttributeName: "customerId", KeyType: "HASH" },
      { AttributeName: "orderId", KeyType: "RANGE" },
    ]);
    assert.deepEqual(
      [...d!.AttributeDefinitions!].sort((a, b) =>
        a.AttributeName!.localeCompare(b.AttributeName!)
      ),
      [
        { AttributeName: "customerId", AttributeType: "S" },
        { AttributeName: "orderId", AttributeType: "S" },
        { AttributeName: "status", AttributeType: "S" },
        { AttributeName: "total", AttributeType: "N" },
      ],
    );
    assert.equal(d?.ProvisionedThroughput?.ReadCapacityUnits, 3);
    assert.equal(d?.ProvisionedThroughput?.WriteCapacityUnits, 4);
    const gsi = d?.GlobalSecondaryIndexes?.[0];
    assert.equal(d?.GlobalSecondaryIndexes?.length, 1);
    assert.equal(gsi?.IndexName, "byStatus");
    assert.equal(gsi?.IndexStatus, "ACTIVE");
    assert.deepEqual(gsi?.KeySchema, [
      { AttributeName: "status", KeyType: "HASH" },
      { AttributeName: "total", KeyType: "RANGE" },
    ]);
    assert.deepEqual(gsi?.Projection, { ProjectionType: "ALL" });
    assert.equal(gsi?.ProvisionedThroughput?.ReadCapacityUnits, 3);
    const lsi = d?.LocalSecondaryIndexes?.[0];
    assert.equal(lsi?.IndexName, "byTotal");
    assert.deepEqual(lsi?.KeySchema, [
      { AttributeName: "customerId", KeyType: "HASH" },
      { AttributeName: "total", KeyType: "RANGE" },
    ]);
    // The request Dynamoose would send, without sending it; creating again is refused.
    // Dynamoose types this result as never; it is the CreateTable input.
    const request = await table.create({ return: "request" }) as unknown as CreateTableInput;
    assert.equal(request?.TableName, table.name);
    assert.equal(request?.LocalSecondaryIndexes?.[0].IndexName, "byTotal");
    const again = await rejection(table.create());
    assert.equal(again.name, "ResourceInUseException");
    assert.equal(again.message, `Table already exists: ${table.name}`);
  },
);

dynamooseTest(
  "dynamoose: create stores every schema type with defaults and timestamps; get reads it back",
  async ({ f }) => {
    const { Order, table } = await orderModel();
    const placedAt = new Date("2026-03-04T05:06:07.008Z");
    const before = Date.now();
    const created = await Order.create({
      customerId: "c1",
      orderId: "o1",
      total: 42.5,
      tags: new Set(["gift", "rush"]),
      lines: [{ sku: "A-1", qty: 2 }, { sku: "B-2", qty: 1 }],
      address: { city: "Oslo", zip: "0150" },
      placedAt,
      receipt: Buffer.from("PDF\x00\xff", "latin1"),
    });
    assert.equal(created.status, "new", "the default is applied on create");
    assert.equal(created.gift, false);
    assert.ok(created.createdAt >= before, "createdAt is set");

    // What reached the table, in DynamoDB's own types.
    const raw = await f.client.send(
      new GetItemCommand({
        TableName: table.name,
        Key: { customerId: { S: "c1" }, orderId: { S: "o1" } },
      }),
    );
    const item = raw.Item!;
    assert.deepEqual(item.total, { N: "42.5" });
    assert.deepEqual(item.status, { S: "new" });
    assert.deepEqual(item.gift, { BOOL: false });
    assert.deepEqual(new Set(item.tags.SS), new Set(["gift", "rush"]));
    assert.deepEqual(item.lines.L?.[0], { M: { sku: { S: "A-1" }, qty: { N: "2" } } });
    assert.deepEqual(item.address, { M: { city: { S: "Oslo" }, zip: { S: "0150" } } });
    assert.deepEqual(item.placedAt, { N: String(placedAt.getTime()) });
    assert.deepEqual(item.receipt.B, new Uint8Array(Buffer.from("PDF\x00\xff", "latin1")));
    assert.ok(Number(item.createdAt.N) >= before && item.updatedAt.N === item.createdAt.N);

    const got = await Order.get({ customerId: "c1", orderId: "o1" });
    assert.ok(got, "get finds the item");
    assert.equal(got.total, 42.5);
    assert.ok(got.tags instanceof Set && got.tags.has("rush") && got.tags.size === 2);
    assert.deepEqual(got.lines, [{ sku: "A-1", qty: 2 }, { sku: "B-2", qty: 1 }]);
    assert.deepEqual(got.address, { city: "Oslo", zip: "0150" });
    assert.ok(got.placedAt instanceof Date && got.placedAt.getTime() === placedAt.getTime());
    assert.ok(Buffer.isBuffer(got.receipt));
    assert.equal(got.receipt.toString("latin1"), "PDF\x00\xff");
    assert.equal(got.gift, false);
    const partial = await Order.get({ customerId: "c1", orderId: "o1" }, {
      attributes: ["total", "status"],
    });
    assert.deepEqual({ ...partial }, { total: 42.5, status: "new" });
    assert.equal(await Order.get({ customerId: "c1", orderId: "nope" }), undefined);

    // create refuses an existing key with DynamoDB's condition error; nothing is overwritten.
    const duplicate = await rejection(Order.create({ customerId: "c1", orderId: "o1", total: 1 }));
    assert.equal(duplicate.name, "ConditionalCheckFailedException");
    assert.equal(duplicate.message, "The conditional request failed");
    assert.equal((await Order.get({ customerId: "c1", orderId: "o1" }))?.total, 42.5);

    // Validation, enum and required are checked before anything is sent.
    for (
      const bad of [
        { customerId: "c1", orderId: "o2", total: -5 },
        { customerId: "c1", orderId: "o2", total: 5, status: "lost" },
        { customerId: "c1", orderId: "o2" },
      ]
    ) {
      assert.equal((await rejection(Order.create(bad))).name, "ValidationError");
    }
    assert.equal(await Order.get({ customerId: "c1", orderId: "o2" }), undefined);

    // Document save (overwrite) and delete.
    const doc = new Order({ customerId: "c2", orderId: "o9", total: 7 });
    await doc.save();
    doc.total = 8;
    doc.note = "second save";
    await doc.save();
    const saved = await Order.get({ customerId: "c2", orderId: "o9" });
    assert.equal(saved?.total, 8);
    assert.equal(saved?.note, "second save");
    assert.ok(saved.updatedAt >= saved.createdAt);
    await saved.delete();
    assert.equal(await Order.get({ customerId: "c2", orderId: "o9" }), undefined);
  },
);

dynamooseTest(
  "dynamoose: update with $SET/$ADD/$REMOVE/$DELETE, and conditional update and delete",
  async ({ f }) => {
    const { Order, table } = await orderModel();
    const key = { customerId: "c1", orderId: "o1" };
    const made = await Order.create({
      ...key,
      total: 10,
      tags: new Set(["a", "b", "c"]),
      lines: [{ sku: "A", qty: 1 }],
      note: "to remove",
    });
    const updated = await Order.update(key, {
      $SET: { status: "paid", address: { city: "Bergen", zip: "5003" } },
      $ADD: { total: 5, tags: ["d"], lines: [{ sku: "B", qty: 3 }] },
      $REMOVE: ["note"],
    });
    assert.equal(updated.status, "paid");
    assert.equal(updated.total, 15);
    assert.deepEqual([...updated.tags].sort(), ["a", "b", "c", "d"]);
    assert.deepEqual(updated.lines, [{ sku: "A", qty: 1 }, { sku: "B", qty: 3 }]);
    assert.equal(updated.note, undefined);
    assert.deepEqual(updated.address, { city: "Bergen", zip: "5003" });
    assert.ok(updated.updatedAt >= made.updatedAt);
    const deleted = await Order.update(key, { $DELETE: { tags: ["a", "c", "zz"] } });
    assert.deepEqual([...deleted.tags].sort(), ["b", "d"]);
    // A plain object is $SET; ALL_OLD hands back the item as it was.
    const old = await Order.update(key, { total: 99 }, { returnValues: "ALL_OLD" });
    assert.equal(old.total, 15);
    assert.equal((await Order.get(key))?.total, 99);

    // Conditions: a true one lets the update through, a false one fails with DynamoDB's error.
    const ok = await Order.update(key, { $SET: { status: "shipped" } }, {
      condition: new dynamoose.Condition("status").eq("paid").and().where("total").ge(99),
    });
    assert.equal(ok.status, "shipped");
    const refused = await rejection(
      Order.update(key, { $SET: { status: "new" } }, {
        condition: new dynamoose.Condition("status").eq("paid"),
      }),
    );
    assert.equal(refused.name, "ConditionalCheckFailedException");
    assert.equal((await Order.get(key))?.status, "shipped");

    const keep = await rejection(
      Order.delete(key, { condition: new dynamoose.Condition("total").lt(50) }),
    );
    assert.equal(keep.name, "ConditionalCheckFailedException");
    assert.ok(await Order.get(key), "a failed conditional delete keeps the item");
    await Order.delete(key, {
      condition: new dynamoose.Condition("tags").contains("b").and().where("note").not().exists(),
    });
    assert.equal(await Order.get(key), undefined);
    // Deleting what is not there is not an error in DynamoDB.
    await Order.delete(key);

    // Update is an upsert; deleting every member of a set removes the attribute.
    const other = { customerId: "c1", orderId: "o2" };
    const upserted = await Order.update(other, { total: 3, tags: new Set(["x", "y"]) });
    assert.deepEqual([...upserted.tags].sort(), ["x", "y"]);
    const emptied = await Order.update(other, { $DELETE: { tags: ["x", "y"] } });
    assert.equal(emptied.tags, undefined);
    const raw = await f.client.send(
      new GetItemCommand({
        TableName: table.name,
        Key: { customerId: { S: "c1" }, orderId: { S: "o2" } },
      }),
    );
    assert.deepEqual(Object.keys(raw.Item!).sort(), [
      "customerId",
      "orderId",
      "total",
      "updatedAt",
    ]);
  },
);

dynamooseTest("dynamoose: batchPut, batchGet and batchDelete", async () => {
  const { Order } = await orderModel();
  await seed(Order, "c1", 30);
  const keys = [5, 1, 30, 17].map((n) => ({
    customerId: "c1",
    orderId: `o${String(n).padStart(2, "0")}`,
  }));
  const got = await Order.batchGet([...keys, { customerId: "c1", orderId: "missing" }]);
  // Dynamoose returns the found items in the order of the keys asked for.
  assert.deepEqual(got.map((o) => o.total), [50, 10, 300, 170]);
  assert.deepEqual(got.unprocessedKeys, []);
  // Sent as the legacy AttributesToGet; Dynamoose matches items to keys, so the keys are asked too.
  const status = await Order.batchGet(keys, {
    attributes: ["customerId", "orderId", "status"],
  });
  assert.deepEqual(status.map((o) => ({ ...o })), [
    { customerId: "c1", orderId: "o05", status: "paid" },
    { customerId: "c1", orderId: "o01", status: "new" },
    { customerId: "c1", orderId: "o30", status: "shipped" },
    { customerId: "c1", orderId: "o17", status: "paid" },
  ]);
  const result = await Order.batchDelete(keys);
  assert.deepEqual(result.unprocessedItems, []);
  assert.equal((await Order.batchGet(keys)).length, 0);
  assert.equal((await Order.scan().count().exec()).count, 26);
});

dynamooseTest(
  "dynamoose: query the table, its GSI and LSI with key conditions, filters, sort and pages",
  async ({ sent }) => {
    const { Order } = await orderModel();
    await seed(Order, "c1", 30);
    await seed(Order, "c2", 4);
    const ids = (items: ArrayLike<Record<string, unknown>>) => Array.from(items, (o) => o.orderId);

    const all = await Order.query("customerId").eq("c1").exec();
    assert.equal(all.length, 30);
    assert.equal(all.count, 30);
    assert.equal(all.lastKey, undefined);
    assert.deepEqual(ids(all.slice(0, 3)), ["o01", "o02", "o03"]);

    const range = await Order.query("customerId").eq("c1").where("orderId").between("o10", "o13")
      .exec();
    assert.deepEqual(ids(range), ["o10", "o11", "o12", "o13"]);
    const prefixed = await Order.query("customerId").eq("c1").where("orderId").beginsWith("o2")
      .sort("descending").exec();
    assert.deepEqual(ids(prefixed), [
      "o29",
      "o28",
      "o27",
      "o26",
      "o25",
      "o24",
      "o23",
      "o22",
      "o21",
      "o20",
    ]);
    const after = await Order.query("customerId").eq("c1").where("orderId").gt("o27").exec();
    assert.deepEqual(ids(after), ["o28", "o29", "o30"]);

    // The LSI orders by total; Dynamoose picks it for a condition on `total`.
    const cheap = await Order.query("customerId").eq("c1").where("total").lt(35).exec();
    assert.deepEqual(ids(cheap), ["o01", "o02", "o03"]);
    const lsi = await Order.query("customerId").eq("c1").where("total").between(100, 130)
      .using("byTotal").sort("descending").exec();
    assert.deepEqual(lsi.map((o) => o.total), [130, 120, 110, 100]);

    // The GSI: status hash, total range; a filter on a non-key attribute.
    const paid = await Order.query("status").eq("paid").using("byStatus").where("total").gt(250)
      .exec();
    assert.deepEqual(paid.map((o) => o.total), [260, 290]);
    const paidC2 = await Order.query("status").eq("paid").using("byStatus").filter("customerId")
      .eq("c2").exec();
    assert.deepEqual(paidC2.map((o) => o.orderId), ["o02"]);
    assert.equal(paidC2.count, 1);

    // Pages of 4 from the GSI: lastKey carries the index and table keys and resumes exactly.
    const seen: number[] = [];
    let lastKey: Record<string, unknown> | undefined;
    let pages = 0;
    do {
      let q = Order.query("status").eq("new").using("byStatus").limit(4);
      if (lastKey) q = q.startAt(lastKey);
      const page = await q.exec();
      seen.push(...page.map((o) => o.total));
      lastKey = page.lastKey;
      if (lastKey) {
        assert.deepEqual(Object.keys(lastKey).sort(), ["customerId", "orderId", "status", "total"]);
        assert.equal(page.length, 4);
      }
      pages++;
    } while (lastKey);
    const expectedNew = [10, 10, 40, 40, 70, 100, 130, 160, 190, 220, 250, 280];
    assert.deepEqual(seen, expectedNew, "every 'new' order once, in total order");
    assert.ok(pages >= 3 && pages <= 4, `${pages} pages`);

    // A filtered page: Limit counts items read, not items kept.
    const filtered = await Order.query("customerId").eq("c1").filter("status").eq("shipped")
      .limit(6).exec();
    assert.deepEqual(ids(filtered), ["o03", "o06"]);
    assert.deepEqual(filtered.lastKey, { customerId: "c1", orderId: "o06" });
    const next = await Order.query("customerId").eq("c1").filter("status").eq("shipped")
      .limit(6).startAt(filtered.lastKey).exec();
    assert.deepEqual(ids(next), ["o09", "o12"]);

    const counted = await Order.query("customerId").eq("c1").where("orderId").beginsWith("o1")
      .count().exec();
    assert.equal(counted.count, 10);
    const countedPaid = await Order.query("customerId").eq("c1").filter("status").eq("paid")
      .count().exec();
    assert.equal(countedPaid.count, 10, "a counted query counts the items its filter keeps");
    const projected = await Order.query("customerId").eq("c2").attributes(["orderId", "total"])
      .exec();
    assert.deepEqual(projected.map((o) => ({ ...o })), [
      { orderId: "o01", total: 10 },
      { orderId: "o02", total: 20 },
      { orderId: "o03", total: 30 },
      { orderId: "o04", total: 40 },
    ]);
    // .all() follows lastKey until the end.
    const everyC1 = await Order.query("customerId").eq("c1").limit(7).all().exec();
    assert.equal(everyC1.length, 30);
    assert.equal(everyC1.lastKey, undefined);
    assert.equal(sent.filter((op) => op === "Query").length > 10, true);
  },
);

dynamooseTest("dynamoose: scan with filters, limits, counts, .all() and startAt", async () => {
  const { Order } = await orderModel();
  await seed(Order, "c1", 12);
  await seed(Order, "c2", 12);
  await seed(Order, "c3", 12);

  const all = await Order.scan().exec();
  assert.equal(all.length, 36);
  assert.equal(all.count, 36);
  assert.equal(all.scannedCount, 36);
  assert.equal(all.lastKey, undefined);

  const big = await Order.scan("total").ge(100).and().where("status").eq("paid").exec();
  // Each customer's paid orders are o02, o05, o08, o11 (totals 20, 50, 80, 110).
  assert.deepEqual(Array.from(big, (o) => `${o.customerId}/${o.orderId}`).sort(), [
    "c1/o11",
    "c2/o11",
    "c3/o11",
  ]);
  assert.equal(big.count, 3);
  assert.equal(big.scannedCount, 36);
  assert.ok(big.every((o) => o.total >= 100 && o.status === "paid"));
  const inList = await Order.scan("orderId").in(["o01", "o12"]).and().where("customerId").not().eq(
    "c2",
  )
    .exec();
  assert.deepEqual(Array.from(inList, (o) => `${o.customerId}/${o.orderId}`).sort(), [
    "c1/o01",
    "c1/o12",
    "c3/o01",
    "c3/o12",
  ]);

  const page = await Order.scan().filter("status").eq("new").limit(10).exec();
  assert.equal(page.scannedCount, 10);
  assert.ok(page.count < 10);
  assert.ok(page.lastKey, "a limited scan returns a lastKey");
  assert.deepEqual(Object.keys(page.lastKey).sort(), ["customerId", "orderId"]);
  let rest = page.length;
  let lastKey: Record<string, unknown> | undefined = page.lastKey;
  while (lastKey) {
    const next: { length: number; lastKey?: Record<string, unknown> } = await Order.scan()
      .filter("status").eq("new").limit(10).startAt(lastKey).exec();
    rest += next.length;
    lastKey = next.lastKey;
  }
  assert.equal(rest, 12, "every 'new' order once across the pages");

  const everything = await Order.scan().filter("gift").eq(false).limit(5).all().exec();
  assert.equal(everything.length, 36);
  assert.equal(everything.timesScanned, 8);
  const counted = await Order.scan("status").eq("shipped").count().exec();
  assert.deepEqual(counted, { count: 12, scannedCount: 36 });
  const split = await Order.scan().parallel(3).exec();
  assert.equal(split.length, 36);

  // DynamoDB ends a page at 1 MB read: a plain exec() sees part, .all() sees everything.
  const bulky = Array.from({ length: 8 }, (_, i) => ({
    customerId: "big",
    orderId: `b${String(i).padStart(2, "0")}`,
    total: i,
    note: String(i).repeat(200_000),
  }));
  assert.deepEqual((await Order.batchPut(bulky)).unprocessedItems, []);
  const firstMb = await Order.query("customerId").eq("big").exec();
  assert.ok(firstMb.lastKey, "a page cut at 1 MB has a lastKey");
  assert.ok(firstMb.length >= 4 && firstMb.length < 8, `${firstMb.length} items in the page`);
  const whole = await Order.query("customerId").eq("big").all().exec();
  assert.equal(whole.length, 8);
  assert.equal(whole.timesQueried, 2);
  assert.equal(whole[7].note, "7".repeat(200_000));
});

dynamooseTest(
  "dynamoose: transactions write all or nothing; a failed one reports each cancellation reason",
  async () => {
    const { Order } = await orderModel();
    const k = (orderId: string) => ({ customerId: "c1", orderId });
    await Order.create({ ...k("o1"), total: 10 });
    await Order.create({ ...k("o2"), total: 20, status: "paid" });

    const done = await dynamoose.transaction([
      Order.transaction.create({ ...k("o3"), total: 30 }),
      Order.transaction.update(k("o1"), { $ADD: { total: 5 } }, {
        condition: new dynamoose.Condition("status").eq("new"),
      }),
      Order.transaction.delete(k("o2"), {
        condition: new dynamoose.Condition("status").eq("paid"),
      }),
      Order.transaction.condition(
        { customerId: "c1", orderId: "o0" },
        new dynamoose.Condition("orderId").not().exists(),
      ),
    ]);
    assert.equal(done, null, "a write transaction returns nothing");
    assert.equal((await Order.get(k("o1")))?.total, 15);
    assert.equal(await Order.get(k("o2")), undefined);
    assert.equal((await Order.get(k("o3")))?.status, "new");

    await Order.create({ ...k("o4"), total: 40 });
    const failed = await rejection(dynamoose.transaction([
      Order.transaction.update(k("o1"), { $SET: { status: "paid" } }),
      Order.transaction.condition(k("o3"), new dynamoose.Condition("total").gt(100)),
      Order.transaction.create({ ...k("o1x"), total: 1 }),
      Order.transaction.create({ ...k("o4"), total: 1 }),
    ])) as Error & { CancellationReasons?: { Code?: string; Message?: string }[] };
    assert.equal(failed.name, "TransactionCanceledException", failed.message);
    assert.equal(
      failed.message,
      "Transaction cancelled, please refer cancellation reasons for specific reasons " +
        "[None, ConditionalCheckFailed, None, ConditionalCheckFailed]",
    );
    assert.deepEqual(failed.CancellationReasons, [
      { Code: "None" },
      { Code: "ConditionalCheckFailed", Message: "The conditional request failed" },
      { Code: "None" },
      { Code: "ConditionalCheckFailed", Message: "The conditional request failed" },
    ]);
    assert.equal((await Order.get(k("o1")))?.status, "new", "nothing of it was written");
    assert.equal(await Order.get(k("o1x")), undefined);

    // Two actions on one item are refused before anything runs.
    const twice = await rejection(dynamoose.transaction([
      Order.transaction.update(k("o1"), { $ADD: { total: 1 } }),
      Order.transaction.delete(k("o1")),
    ]));
    assert.equal(twice.name, "ValidationException");
    assert.equal(
      twice.message,
      "Transaction request cannot include multiple operations on one item",
    );

    // All reads: TransactGetItems, items in the order asked (a missing one is skipped).
    const read = await dynamoose.transaction([
      Order.transaction.get(k("o3")),
      Order.transaction.get(k("o1")),
    ]);
    assert.deepEqual(read?.map((o: Record<string, unknown>) => [o.orderId, o.total]), [["o3", 30], [
      "o1",
      15,
    ]]);
  },
);

dynamooseTest(
  "dynamoose: expires turns TTL on (DescribeTimeToLive, UpdateTimeToLive) and writes epoch seconds",
  async ({ f, sent }) => {
    const schema = new dynamoose.Schema({
      id: { type: String, hashKey: true },
      user: String,
    });
    const options = {
      create: true,
      waitForActive: WAIT,
      throughput: "ON_DEMAND",
      expires: { ttl: 60_000, attribute: "expiresAt", items: { returnExpired: false } },
    } as const;
    // The common style: options on the model, the table set up lazily by the first operation.
    const Session = dynamoose.model(fresh("Session"), schema, options);
    const before = Math.floor(Date.now() / 1000);
    await Session.create({ id: "live", user: "ann" });
    const tableName = Session.table().name;
    assert.deepEqual(sent.filter((op) => op !== "DescribeTable"), [
      "CreateTable",
      "DescribeTimeToLive",
      "UpdateTimeToLive",
      "PutItem",
    ]);
    const { Table: d } = await f.client.send(new DescribeTableCommand({ TableName: tableName }));
    assert.equal(d?.BillingModeSummary?.BillingMode, "PAY_PER_REQUEST");
    assert.equal(d?.ProvisionedThroughput?.ReadCapacityUnits, 0);
    const ttl = await f.client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
    assert.equal(ttl.TimeToLiveDescription?.AttributeName, "expiresAt");
    assert.ok(
      ["ENABLING", "ENABLED"].includes(ttl.TimeToLiveDescription?.TimeToLiveStatus ?? ""),
      `TTL status ${ttl.TimeToLiveDescription?.TimeToLiveStatus}`,
    );

    const raw = await f.client.send(
      new GetItemCommand({ TableName: tableName, Key: { id: { S: "live" } } }),
    );
    const expiresAt = Number(raw.Item?.expiresAt.N);
    assert.ok(
      expiresAt >= before + 60 && expiresAt <= before + 120,
      `expiresAt ${expiresAt} is about a minute after ${before}, in seconds`,
    );
    assert.equal((await Session.get("live"))?.user, "ann");

    // An item already past its time: Dynamoose hides it, and basekv's TTL sweep deletes it.
    await Session.create({ id: "gone", user: "bob", expiresAt: new Date(Date.now() - 60_000) });
    assert.equal(await Session.get("gone"), undefined);
    const gone = { TableName: tableName, Key: { id: { S: "gone" } } };
    assert.ok((await f.client.send(new GetItemCommand(gone))).Item, "stored until swept");
    const deadline = Date.now() + 20_000;
    while ((await f.client.send(new GetItemCommand(gone))).Item !== undefined) {
      assert.ok(Date.now() < deadline, "the sweeper deleted the expired item in time");
      await f.sweepTtl();
    }
    assert.equal((await Session.scan().exec()).length, 1);

    // A second start of the same app finds the table and TTL in place and changes nothing.
    sent.length = 0;
    // (A new model naming the same table would join the first one's Table object, already set up
    // in this process; a new Table is what a restarted app builds.)
    const Again = dynamoose.model(fresh("Session"), schema);
    new dynamoose.Table(tableName, [Again], options);
    assert.equal((await Again.get("live"))?.user, "ann");
    assert.deepEqual(sent.filter((op) => op !== "DescribeTable"), [
      "DescribeTimeToLive",
      "GetItem",
    ]);
  },
);

dynamooseTest(
  "dynamoose: update: true moves an existing table to on-demand, swaps its GSIs and tags it",
  async ({ f, sent }) => {
    const name = fresh("catalog");
    await f.client.send(
      new CreateTableCommand({
        TableName: name,
        KeySchema: [{ AttributeName: "sku", KeyType: "HASH" }],
        AttributeDefinitions: [
          { AttributeName: "sku", AttributeType: "S" },
          { AttributeName: "legacy", AttributeType: "S" },
        ],
        ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 },
        GlobalSecondaryIndexes: [{
          IndexName: "legacyIndex",
          KeySchema: [{ AttributeName: "legacy", KeyType: "HASH" }],
          Projection: { ProjectionType: "KEYS_ONLY" },
          ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 },
        }],
      }),
    );
    for (const [sku, city] of [["p1", "Oslo"], ["p2", "Bergen"], ["p3", "Oslo"]]) {
      await f.client.send(
        new PutItemCommand({
          TableName: name,
          Item: {
            sku: { S: sku },
            city: { S: city },
            price: { N: "5" },
            legacy: { S: "x" },
            maker: { S: `m-${city}` },
          },
        }),
      );
    }
    const schema = () =>
      new dynamoose.Schema({
        sku: { type: String, hashKey: true },
        city: { type: String, index: { name: "byCity", type: "global", rangeKey: "price" } },
        price: Number,
        maker: { type: String, index: { name: "byMaker", type: "global", project: false } },
      });
    const options = {
      create: false,
      update: true,
      throughput: "ON_DEMAND",
      tags: { env: "ci", team: "shop" },
      waitForActive: WAIT,
      initialize: false,
    } as const;
    const Product = dynamoose.model(fresh("Product"), schema());
    const table = new dynamoose.Table(name, [Product], options);
    await table.initialize();
    assert.deepEqual(sent.filter((op) => op !== "DescribeTable"), [
      "UpdateTable", // BillingMode PAY_PER_REQUEST
      "UpdateTable", // delete legacyIndex
      "UpdateTable", // create byCity (its AttributeDefinitions name byMaker's key too)
      "UpdateTable", // create byMaker, once byCity is ACTIVE
      "ListTagsOfResource",
      "TagResource",
    ]);
    const { Table: d } = await f.client.send(new DescribeTableCommand({ TableName: name }));
    assert.equal(d?.BillingModeSummary?.BillingMode, "PAY_PER_REQUEST");
    assert.deepEqual(d?.GlobalSecondaryIndexes?.map((i) => [i.IndexName, i.IndexStatus]), [
      ["byCity", "ACTIVE"],
      ["byMaker", "ACTIVE"],
    ]);
    assert.deepEqual(d?.GlobalSecondaryIndexes?.[1].Projection, { ProjectionType: "KEYS_ONLY" });
    assert.deepEqual(d?.AttributeDefinitions?.map((a) => a.AttributeName).sort(), [
      "city",
      "maker",
      "price",
      "sku",
    ]);
    const { Tags } = await f.client.send(
      new ListTagsOfResourceCommand({ ResourceArn: d?.TableArn }),
    );
    assert.deepEqual(Tags?.sort((a, b) => a.Key!.localeCompare(b.Key!)), [
      { Key: "env", Value: "ci" },
      { Key: "team", Value: "shop" },
    ]);
    // The new index was backfilled from the items already there.
    const oslo = await Product.query("city").eq("Oslo").exec();
    assert.deepEqual(Array.from(oslo, (p) => p.sku).sort(), ["p1", "p3"]);
    const bergen = await Product.query("maker").eq("m-Bergen").exec();
    assert.deepEqual(Array.from(bergen, (p) => ({ ...p })), [{ sku: "p2", maker: "m-Bergen" }]);

    // The next start with the same definition finds nothing to change.
    sent.length = 0;
    const Again = dynamoose.model(fresh("Product"), schema());
    await new dynamoose.Table(name, [Again], options).initialize();
    assert.deepEqual(sent.filter((op) => op !== "DescribeTable"), ["ListTagsOfResource"]);
    assert.equal((await Again.get("p2"))?.city, "Bergen");
  },
);

dynamooseTest(
  "dynamoose: filter expressions with OR groups, nested paths, NOT, sets; DynamoDB's refusals",
  async () => {
    const { Order } = await orderModel();
    const cities = ["Oslo", "Bergen", "Trondheim", "Oslo", "Stavanger", "Bergen"];
    for (const [i, city] of cities.entries()) {
      await Order.create({
        customerId: "c1",
        orderId: `o${i + 1}`,
        total: (i + 1) * 10,
        address: { city, zip: `0${i}00` },
        ...(i % 2 === 0 ? { tags: new Set(["even", i === 0 ? "first" : "mid"]) } : {}),
        ...(i === 5 ? { note: "last" } : {}),
      });
    }
    const ids = (items: ArrayLike<Record<string, unknown>>) =>
      Array.from(items, (o) => String(o.orderId)).sort();

    const oslo = await Order.scan("address.city").eq("Oslo").exec();
    assert.deepEqual(ids(oslo), ["o1", "o4"]);
    const group = await Order.scan().where("total").lt(20).or().parenthesis((c) =>
      c.where("address.city").beginsWith("B").and().where("total").gt(30)
    ).exec();
    assert.deepEqual(ids(group), ["o1", "o6"]);
    const noTags = await Order.scan("tags").not().exists().and().where("note").not().exists()
      .exec();
    assert.deepEqual(ids(noTags), ["o2", "o4"]);
    const mid = await Order.scan("tags").contains("mid").and().where("address.zip").not().eq("0200")
      .exec();
    assert.deepEqual(ids(mid), ["o5"]);
    const notOslo = await Order.scan("address.city").not().contains("o").and().where("total")
      .between(20, 60).exec();
    assert.deepEqual(ids(notOslo), ["o2", "o5", "o6"]);
    const inCities = await Order.query("customerId").eq("c1").filter("address.city")
      .in(["Trondheim", "Stavanger"]).exec();
    assert.deepEqual(ids(inCities), ["o3", "o5"]);

    // What DynamoDB refuses, with its words.
    const consistentGsi = await rejection(
      Order.query("status").eq("new").using("byStatus").consistent().exec(),
    );
    assert.equal(consistentGsi.name, "ValidationException");
    assert.equal(
      consistentGsi.message,
      "Consistent reads are not supported on global secondary indexes",
    );
    const noIndex = await rejection(
      Order.query("customerId").eq("c1").using("nope").exec(),
    );
    assert.equal(noIndex.name, "ValidationException");
    assert.equal(noIndex.message, "The table does not have the specified index: nope");
    const duplicates = await rejection(
      Order.batchGet([{ customerId: "c1", orderId: "o1" }, { customerId: "c1", orderId: "o1" }]),
    );
    assert.equal(duplicates.name, "ValidationException");
    assert.equal(duplicates.message, "Provided list of item keys contains duplicates");
    const tooBig = await rejection(
      Order.create({ customerId: "c1", orderId: "big", total: 1, note: "x".repeat(410_000) }),
    );
    assert.equal(tooBig.name, "ValidationException");
    assert.equal(tooBig.message, "Item size has exceeded the maximum allowed size");

    // A model whose table was never created (create and waitForActive off, as in production).
    const Missing = dynamoose.model(fresh("Missing"), { id: String }, {
      create: false,
      waitForActive: false,
    });
    const missing = await rejection(Missing.get("x"));
    assert.equal(missing.name, "ResourceNotFoundException");
    assert.equal(missing.message, "Requested resource not found");
  },
);

dynamooseTest(
  "dynamoose: streams, table class and tags at creation; update: [...] changes only those",
  async ({ f, sent }) => {
    const name = fresh("events");
    const schema = () =>
      new dynamoose.Schema({
        id: { type: String, hashKey: true },
        kind: { type: String, index: { name: "byKind", type: "global", project: ["at"] } },
        at: Number,
      });
    const base = {
      waitForActive: WAIT,
      throughput: 2,
      initialize: false,
      tableClass: "infrequentAccess",
      tags: { env: "ci" },
      streamOptions: { enabled: true, type: "NEW_AND_OLD_IMAGES" },
    } as const;
    const Event = dynamoose.model(fresh("Event"), schema());
    await new dynamoose.Table(name, [Event], tableOptions({ ...base, create: true })).initialize();
    const describe = async () =>
      (await f.client.send(new DescribeTableCommand({ TableName: name }))).Table!;
    const d = await describe();
    assert.equal(d.TableClassSummary?.TableClass, "STANDARD_INFREQUENT_ACCESS");
    assert.deepEqual(d.StreamSpecification, {
      StreamEnabled: true,
      StreamViewType: "NEW_AND_OLD_IMAGES",
    });
    assert.ok(d.LatestStreamArn?.startsWith(`${d.TableArn}/stream/`));
    assert.deepEqual(d.GlobalSecondaryIndexes?.[0].Projection, {
      ProjectionType: "INCLUDE",
      NonKeyAttributes: ["at"],
    });
    assert.deepEqual(d.GlobalSecondaryIndexes?.[0].ProvisionedThroughput?.ReadCapacityUnits, 2);
    const tags = await f.client.send(new ListTagsOfResourceCommand({ ResourceArn: d.TableArn }));
    assert.deepEqual(tags.Tags, [{ Key: "env", Value: "ci" }]);
    await Event.create({ id: "e1", kind: "click", at: 1 });
    const clicks = await Event.query("kind").eq("click").exec();
    assert.deepEqual(clicks.map((e) => ({ ...e })), [{ id: "e1", kind: "click", at: 1 }]);

    // A later start asks for other settings; it updates the class, throughput and tags.
    sent.length = 0;
    const Again = dynamoose.model(fresh("Event"), schema());
    await new dynamoose.Table(
      name,
      [Again],
      tableOptions({
        ...base,
        create: false,
        update: ["tableClass", "throughput", "tags", "streams"],
        throughput: { read: 6, write: 7 },
        tableClass: "standard",
        tags: { env: "prod", owner: "ops" },
      }),
    ).initialize();
    assert.deepEqual(sent.filter((op) => op !== "DescribeTable"), [
      "UpdateTable", // throughput
      "ListTagsOfResource",
      "UntagResource",
      "TagResource",
      "UpdateTable", // table class
    ]);
    const after = await describe();
    assert.equal(after.TableClassSummary?.TableClass, "STANDARD");
    assert.equal(after.ProvisionedThroughput?.ReadCapacityUnits, 6);
    assert.equal(after.ProvisionedThroughput?.WriteCapacityUnits, 7);
    assert.equal(after.ProvisionedThroughput?.NumberOfDecreasesToday, 0);
    const retagged = await f.client.send(
      new ListTagsOfResourceCommand({ ResourceArn: after.TableArn }),
    );
    assert.deepEqual(retagged.Tags?.sort((a, b) => a.Key!.localeCompare(b.Key!)), [
      { Key: "env", Value: "prod" },
      { Key: "owner", Value: "ops" },
    ]);

    // Changing the stream's view type in place is refused by DynamoDB (disable it first).
    const Third = dynamoose.model(fresh("Event"), schema());
    const refused = await rejection(
      new dynamoose.Table(
        name,
        [Third],
        tableOptions({
          ...base,
          create: false,
          update: ["streams"],
          streamOptions: { enabled: true, type: "KEYS_ONLY" },
        }),
      ).initialize(),
    );
    assert.equal(refused.name, "ValidationException");
    assert.equal(refused.message, `Table already has an enabled stream: ${after.LatestStreamArn}`);
  },
);

/**
 * Transactions larger than one Deno KV atomic (up to 100 actions and 4 MB): all or nothing,
 * never seen half-applied by a concurrent reader, and AWS's errors past the limits.
 * @module
 */
import assert from "node:assert/strict";
import {
  BatchGetItemCommand,
  TransactionCanceledException,
  type TransactWriteItem,
  TransactWriteItemsCommand,
} from "@aws-sdk/client-dynamodb";
import { createTable, type DynamoFixture, rejection, startDynamo } from "./client.ts";

const COUNT = 100;
/** 100 items of ~38 KB: about 3.8 MB, under AWS's 4 MB, far over one atomic's 800 KiB. */
const FILLER = "x".repeat(38 * 1024);

function bigWrite(version: number, extra: TransactWriteItem[] = []) {
  const actions: TransactWriteItem[] = [];
  for (let i = 0; i < COUNT - extra.length; i++) {
    actions.push({
      Put: {
        TableName: "big",
        Item: { id: { S: `k${i}` }, v: { N: String(version) }, fill: { S: FILLER } },
      },
    });
  }
  return new TransactWriteItemsCommand({ TransactItems: [...extra, ...actions] });
}

/** The versions a BatchGetItem of every key sees (one read of the store). */
async function versions(f: DynamoFixture): Promise<Set<string>> {
  const keys = Array.from({ length: COUNT }, (_, i) => ({ id: { S: `k${i}` } }));
  const seen = new Set<string>();
  const r = await f.client.send(
    new BatchGetItemCommand({
      RequestItems: { big: { Keys: keys, ProjectionExpression: "id, v" } },
    }),
  );
  for (const item of r.Responses?.big ?? []) seen.add(item.v.N!);
  if ((r.Responses?.big ?? []).length < COUNT) seen.add("missing");
  return seen;
}

async function run(f: DynamoFixture) {
  await createTable(f, "big", { id: "S" });
  await f.client.send(bigWrite(1));
  assert.deepEqual(await versions(f), new Set(["1"]));

  // A reader polling while the next transaction commits sees all of version 1 or all of 2.
  let writing = true;
  const observed: string[][] = [];
  const reader = (async () => {
    while (writing) observed.push([...await versions(f)]);
  })();
  await f.client.send(bigWrite(2));
  writing = false;
  await reader;
  for (const seen of observed) assert.equal(seen.length, 1, `a read saw ${seen.join(", ")}`);
  assert.deepEqual(await versions(f), new Set(["2"]));

  // A failed condition on the last action leaves every item as it was.
  const failing = bigWrite(3, [{
    ConditionCheck: {
      TableName: "big",
      Key: { id: { S: "k99" } },
      ConditionExpression: "v = :no",
      ExpressionAttributeValues: { ":no": { N: "42" } },
    },
  }]);
  const e = await rejection(f.client.send(failing));
  assert.ok(e instanceof TransactionCanceledException);
  assert.equal(e.CancellationReasons?.[0].Code, "ConditionalCheckFailed");
  assert.deepEqual(await versions(f), new Set(["2"]));
}

/**
 * A shared (remote) store refuses a unit larger than one atomic: readers of other front-ends
 * could see it half applied. These run on stores this process owns.
 */
const SHARED = Deno.env.get("BASEKV_TEST_STORE") === "remote";

Deno.test({
  name: "a 3.8 MB TransactWriteItems of 100 actions is atomic (in-memory store)",
  ignore: SHARED,
}, async () => {
  await using f = await startDynamo();
  await run(f);
});

Deno.test({
  name: "a 3.8 MB TransactWriteItems of 100 actions is atomic (file store, journaled)",
  ignore: SHARED,
}, async () => {
  const dir = await Deno.makeTempDir();
  try {
    await using f = await startDynamo({ memory: false, data: `${dir}/db.sqlite` });
    await run(f);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("TransactWriteItems over 4 MB or 100 actions gets AWS's ValidationException", async () => {
  await using f = await startDynamo();
  await createTable(f, "big", { id: "S" });
  const huge = "y".repeat(300 * 1024);
  const over = new TransactWriteItemsCommand({
    TransactItems: Array.from({ length: 14 }, (_, i) => ({
      Put: { TableName: "big", Item: { id: { S: `h${i}` }, fill: { S: huge } } },
    })),
  });
  const e = await rejection(f.client.send(over));
  assert.equal(e.name, "ValidationException");
  assert.equal(e.message, "Transaction request cannot be larger than 4 MB");
  const many = new TransactWriteItemsCommand({
    TransactItems: Array.from({ length: 101 }, (_, i) => ({
      Put: { TableName: "big", Item: { id: { S: `m${i}` } } },
    })),
  });
  const e2 = await rejection(f.client.send(many));
  assert.equal(e2.name, "ValidationException");
  assert.equal(
    e2.message,
    "1 validation error detected: Value '[...]' at 'transactItems' failed to satisfy " +
      "constraint: Member must have length less than or equal to 100",
  );
  assert.equal((await versions(f)).has("missing"), true);
});

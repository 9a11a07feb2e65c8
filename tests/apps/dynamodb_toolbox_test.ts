/**
 * DynamoDB-Toolbox v2, unchanged, on basekv's DynamoDB API through a stock DynamoDBDocumentClient:
 * a Table with a GSI and a Pokemon Entity whose pk/sk are computed with `.link`, with timestamps
 * and the entity attribute. Covers put/get/update/delete commands, queries on the table and the
 * GSI, scans in segments, batch writes/gets and transactions, asserting what Toolbox hands back.
 * @module
 */
import assert from "node:assert/strict";
import {
  CreateTableCommand,
  GetItemCommand,
  PutItemCommand as RawPut,
  UpdateItemCommand as RawUpdate,
} from "@aws-sdk/client-dynamodb";
import {
  $add,
  $append,
  $delete,
  $get,
  $prepend,
  $remove,
  $set,
  $subtract,
  $sum,
  BatchDeleteRequest,
  BatchGetCommand,
  BatchGetRequest,
  BatchPutRequest,
  BatchWriteCommand,
  ConditionCheck,
  DeleteItemCommand,
  DeletePartitionCommand,
  DeleteTransaction,
  Entity,
  GetItemCommand as TbGetItemCommand,
  item,
  list,
  map,
  number,
  PutItemCommand,
  PutTransaction,
  QueryCommand,
  ScanCommand,
  set,
  string,
  Table,
  UpdateItemCommand,
  UpdateTransaction,
} from "dynamodb-toolbox";
import { execute as executeBatchGet } from "dynamodb-toolbox/table/actions/batchGet";
import { execute as executeBatchWrite } from "dynamodb-toolbox/table/actions/batchWrite";
import { execute as executeTransactWrite } from "dynamodb-toolbox/entity/actions/transactWrite";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { type DynamoFixture, startDynamo } from "../dynamodb/client.ts";

const TABLE = "toolbox";

async function createTable(f: DynamoFixture): Promise<void> {
  await f.client.send(
    new CreateTableCommand({
      TableName: TABLE,
      BillingMode: "PAY_PER_REQUEST",
      KeySchema: [
        { AttributeName: "pk", KeyType: "HASH" },
        { AttributeName: "sk", KeyType: "RANGE" },
      ],
      AttributeDefinitions: [
        { AttributeName: "pk", AttributeType: "S" },
        { AttributeName: "sk", AttributeType: "S" },
        { AttributeName: "trainerId", AttributeType: "S" },
        { AttributeName: "level", AttributeType: "N" },
      ],
      GlobalSecondaryIndexes: [{
        IndexName: "byTrainerLevel",
        KeySchema: [
          { AttributeName: "trainerId", KeyType: "HASH" },
          { AttributeName: "level", KeyType: "RANGE" },
        ],
        Projection: { ProjectionType: "ALL" },
      }],
    }),
  );
}

function model(documentClient: DynamoDBDocumentClient) {
  const table = new Table({
    name: TABLE,
    documentClient,
    partitionKey: { name: "pk", type: "string" },
    sortKey: { name: "sk", type: "string" },
    indexes: {
      byTrainerLevel: {
        type: "global",
        partitionKey: { name: "trainerId", type: "string" },
        sortKey: { name: "level", type: "number" },
      },
    },
  });
  const schema = item({
    trainerId: string().key(),
    pokemonId: string().key(),
    species: string(),
    level: number(),
    nickname: string().optional(),
    maxLevel: number().optional(),
    moves: list(string()).default([]),
    stats: map({ hp: number(), atk: number().optional() }).optional(),
    tags: set(string()).optional(),
  }).and((prev) => ({
    pk: string().key().hidden().link<typeof prev>(({ trainerId }) => `TRAINER#${trainerId}`),
    sk: string().key().hidden().link<typeof prev>(({ pokemonId }) => `POKEMON#${pokemonId}`),
  }));
  const pokemon = new Entity({ name: "pokemon", table, schema, timestamps: true });
  return { table, pokemon };
}

type Model = ReturnType<typeof model>;

/** One test on a fresh server and table; the AWS SDK keeps sockets past destroy, so no sanitizers. */
function toolboxTest(name: string, fn: (m: Model, f: DynamoFixture) => Promise<void>): void {
  Deno.test({
    name: `dynamodb-toolbox: ${name}`,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      await using f = await startDynamo();
      await createTable(f);
      await fn(model(f.doc), f);
    },
  });
}

async function failure(p: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await p;
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error("expected a rejection");
}

const SPECIES = ["pikachu", "bulbasaur", "charmander", "squirtle", "eevee", "onix"];

/** Pokemon `n` of trainer `trainerId`: ids p01.., levels 5, 10, 15, ... */
function mon(trainerId: string, n: number) {
  return {
    trainerId,
    pokemonId: `p${String(n).padStart(2, "0")}`,
    species: SPECIES[n % SPECIES.length],
    level: 5 * n,
  };
}

async function seed({ pokemon }: Model, trainerId: string, count: number): Promise<void> {
  for (let n = 1; n <= count; n++) {
    await pokemon.build(PutItemCommand).item(mon(trainerId, n)).send();
  }
}

toolboxTest("put computes linked keys, timestamps and the entity attribute", async (m, f) => {
  const { pokemon } = m;
  const { ToolboxItem } = await pokemon.build(PutItemCommand)
    .item({ trainerId: "ash", pokemonId: "p25", species: "pikachu", level: 12 })
    .send();
  assert.equal(ToolboxItem.pk, "TRAINER#ash");
  assert.equal(ToolboxItem.sk, "POKEMON#p25");

  const raw = await f.client.send(
    new GetItemCommand({
      TableName: TABLE,
      Key: { pk: { S: "TRAINER#ash" }, sk: { S: "POKEMON#p25" } },
    }),
  );
  const stored = raw.Item!;
  assert.deepEqual(stored._et, { S: "pokemon" });
  assert.deepEqual(stored.level, { N: "12" });
  assert.deepEqual(stored.moves, { L: [] });
  assert.match(stored._ct.S!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  // Toolbox stamps the two separately, so they may differ by a millisecond.
  assert.ok(stored._md.S! >= stored._ct.S!);

  const { Item } = await pokemon.build(TbGetItemCommand)
    .key({ trainerId: "ash", pokemonId: "p25" }).send();
  assert.deepEqual(Item, {
    trainerId: "ash",
    pokemonId: "p25",
    species: "pikachu",
    level: 12,
    moves: [],
    created: stored._ct.S,
    modified: stored._md.S,
  });

  const missing = await pokemon.build(TbGetItemCommand)
    .key({ trainerId: "ash", pokemonId: "nope" }).send();
  assert.equal(missing.Item, undefined);
});

toolboxTest("put with attribute_not_exists fails on an existing item", async ({ pokemon }) => {
  const put = (level: number) =>
    pokemon.build(PutItemCommand)
      .item({ trainerId: "ash", pokemonId: "p01", species: "pikachu", level })
      .options({ condition: { attr: "pokemonId", exists: false } })
      .send();
  await put(5);
  const err = await failure(put(6));
  assert.equal(err.name, "ConditionalCheckFailedException");
  assert.equal(err.message, "The conditional request failed");
  const { Item } = await pokemon.build(TbGetItemCommand)
    .key({ trainerId: "ash", pokemonId: "p01" }).send();
  assert.equal(Item?.level, 5);
});

toolboxTest("update with $add, $remove, $append, $set and $get", async ({ pokemon }) => {
  await pokemon.build(PutItemCommand).item({
    trainerId: "misty",
    pokemonId: "p07",
    species: "squirtle",
    level: 10,
    nickname: "Squirty",
    moves: ["tackle"],
    stats: { hp: 40, atk: 7 },
  }).send();

  const { Attributes } = await pokemon.build(UpdateItemCommand)
    .item({
      trainerId: "misty",
      pokemonId: "p07",
      level: $add(3),
      nickname: $remove(),
      moves: $append(["water gun", "bubble"]),
      stats: $set({ hp: 44 }),
      // Every operand of one UpdateExpression reads the item as it was before the update.
      maxLevel: $get("level"),
    })
    .options({ returnValues: "ALL_NEW" })
    .send();
  assert.ok(Attributes);
  const { created, modified, ...rest } = Attributes;
  assert.deepEqual(rest, {
    trainerId: "misty",
    pokemonId: "p07",
    species: "squirtle",
    level: 13,
    maxLevel: 10,
    moves: ["tackle", "water gun", "bubble"],
    stats: { hp: 44 },
  });
  assert.ok(modified >= created);

  // A partial map update (SET stats.atk) keeps the other members. UPDATED_NEW returns only the
  // updated paths, nested ones included, as DynamoDB does.
  const second = await pokemon.build(UpdateItemCommand)
    .item({ trainerId: "misty", pokemonId: "p07", stats: { atk: 9 }, maxLevel: $add(1) })
    .options({ returnValues: "UPDATED_NEW" })
    .send();
  assert.deepEqual(second.Attributes?.stats, { atk: 9 });
  assert.equal(second.Attributes?.maxLevel, 11);
  assert.equal(second.Attributes?.species, undefined);
  const afterSecond = await pokemon.build(TbGetItemCommand)
    .key({ trainerId: "misty", pokemonId: "p07" }).send();
  assert.deepEqual(afterSecond.Item?.stats, { hp: 44, atk: 9 });

  // An update with a failing condition leaves the item alone.
  const err = await failure(
    pokemon.build(UpdateItemCommand)
      .item({ trainerId: "misty", pokemonId: "p07", level: $add(100) })
      .options({ condition: { attr: "level", lt: 5 } })
      .send(),
  );
  assert.equal(err.name, "ConditionalCheckFailedException");

  // Update creates an item that does not exist yet (upsert), with its keys and entity attribute.
  const created2 = await pokemon.build(UpdateItemCommand)
    .item({
      trainerId: "misty",
      pokemonId: "p08",
      species: "staryu",
      level: $add(4),
      moves: $append(["harden"]),
    })
    .options({ returnValues: "ALL_NEW" })
    .send();
  assert.equal(created2.Attributes?.level, 4);
  // list_append onto a missing list via if_not_exists, as Toolbox writes it.
  assert.deepEqual(created2.Attributes?.moves, ["harden"]);
});

toolboxTest("delete with ReturnValues ALL_OLD and a condition", async ({ pokemon }) => {
  await pokemon.build(PutItemCommand).item(mon("brock", 9)).send();
  const refused = await failure(
    pokemon.build(DeleteItemCommand)
      .key({ trainerId: "brock", pokemonId: "p09" })
      .options({ condition: { attr: "species", eq: "pikachu" } })
      .send(),
  );
  assert.equal(refused.name, "ConditionalCheckFailedException");

  const { Attributes } = await pokemon.build(DeleteItemCommand)
    .key({ trainerId: "brock", pokemonId: "p09" })
    .options({ returnValues: "ALL_OLD", condition: { attr: "species", eq: "squirtle" } })
    .send();
  assert.equal(Attributes?.species, "squirtle");
  assert.equal(Attributes?.level, 45);
  assert.equal(Attributes?.pokemonId, "p09");

  const again = await pokemon.build(DeleteItemCommand)
    .key({ trainerId: "brock", pokemonId: "p09" })
    .options({ returnValues: "ALL_OLD" })
    .send();
  assert.equal(again.Attributes, undefined);
  const { Item } = await pokemon.build(TbGetItemCommand)
    .key({ trainerId: "brock", pokemonId: "p09" }).send();
  assert.equal(Item, undefined);
});

toolboxTest("queries on the table and the GSI", async (m) => {
  const { table, pokemon } = m;
  await seed(m, "ash", 12);
  await seed(m, "gary", 3);
  const ids = (items: { pokemonId: string }[] | undefined) => (items ?? []).map((i) => i.pokemonId);

  const all = await table.build(QueryCommand).entities(pokemon)
    .query({ partition: "TRAINER#ash", range: { beginsWith: "POKEMON#p0" } })
    .send();
  assert.deepEqual(ids(all.Items), ["p01", "p02", "p03", "p04", "p05", "p06", "p07", "p08", "p09"]);
  assert.equal(all.Count, 9);

  const reversed = await table.build(QueryCommand).entities(pokemon)
    .query({ partition: "TRAINER#ash", range: { between: ["POKEMON#p03", "POKEMON#p06"] } })
    .options({ reverse: true })
    .send();
  assert.deepEqual(ids(reversed.Items), ["p06", "p05", "p04", "p03"]);

  // limit stops after one page of 5 with a LastEvaluatedKey; maxPages: Infinity reads every page.
  const page = await table.build(QueryCommand).entities(pokemon)
    .query({ partition: "TRAINER#ash" })
    .options({ limit: 5 })
    .send();
  assert.deepEqual(ids(page.Items), ["p01", "p02", "p03", "p04", "p05"]);
  assert.deepEqual(page.LastEvaluatedKey, { pk: "TRAINER#ash", sk: "POKEMON#p05" });
  const next = await table.build(QueryCommand).entities(pokemon)
    .query({ partition: "TRAINER#ash" })
    .options({ limit: 5, exclusiveStartKey: page.LastEvaluatedKey })
    .send();
  assert.deepEqual(ids(next.Items), ["p06", "p07", "p08", "p09", "p10"]);

  const pages = await table.build(QueryCommand).entities(pokemon)
    .query({ partition: "TRAINER#ash" })
    .options({ limit: 5, maxPages: Infinity })
    .send();
  assert.equal(pages.Count, 12);
  assert.equal(pages.LastEvaluatedKey, undefined);

  // A filter runs after the key condition: ScannedCount counts what was read before it.
  const filtered = await table.build(QueryCommand).entities(pokemon)
    .query({ partition: "TRAINER#ash" })
    .options({ filters: { pokemon: { attr: "species", eq: "pikachu" } } })
    .send();
  assert.deepEqual(ids(filtered.Items), ["p06", "p12"]);
  assert.equal(filtered.Count, 2);
  assert.equal(filtered.ScannedCount, 12);

  const gsiBetween = await table.build(QueryCommand).entities(pokemon)
    .query({ index: "byTrainerLevel", partition: "ash", range: { between: [20, 35] } })
    .send();
  assert.deepEqual(gsiBetween.Items?.map((i) => i.level), [20, 25, 30, 35]);

  const gsiGt = await table.build(QueryCommand).entities(pokemon)
    .query({ index: "byTrainerLevel", partition: "ash", range: { gt: 45 } })
    .options({ reverse: true, limit: 2 })
    .send();
  assert.deepEqual(gsiGt.Items?.map((i) => i.level), [60, 55]);
  assert.deepEqual(gsiGt.LastEvaluatedKey, {
    pk: "TRAINER#ash",
    sk: "POKEMON#p11",
    trainerId: "ash",
    level: 55,
  });

  const gsiFiltered = await table.build(QueryCommand).entities(pokemon)
    .query({ index: "byTrainerLevel", partition: "gary", range: { gte: 10 } })
    .options({ filters: { pokemon: { attr: "species", beginsWith: "c" } } })
    .send();
  assert.deepEqual(gsiFiltered.Items?.map((i) => [i.pokemonId, i.species]), [[
    "p02",
    "charmander",
  ]]);
  assert.equal(gsiFiltered.ScannedCount, 2);
});

toolboxTest("scan in two segments covers every item once", async (m) => {
  const { table, pokemon } = m;
  await seed(m, "ash", 6);
  await seed(m, "gary", 6);
  await seed(m, "misty", 4);
  const seen: string[] = [];
  for (const segment of [0, 1]) {
    const { Items } = await table.build(ScanCommand).entities(pokemon)
      .options({ segment, totalSegments: 2, maxPages: Infinity })
      .send();
    for (const i of Items ?? []) seen.push(`${i.trainerId}/${i.pokemonId}`);
  }
  assert.equal(seen.length, 16);
  assert.equal(new Set(seen).size, 16);

  const filtered = await table.build(ScanCommand).entities(pokemon)
    .options({ filters: { pokemon: { attr: "level", between: [10, 20] } } })
    .send();
  assert.equal(filtered.Count, 9);
  assert.equal(filtered.ScannedCount, 16);
  assert.ok(filtered.Items?.every((i) => i.level >= 10 && i.level <= 20));

  const gsiScan = await table.build(ScanCommand).entities(pokemon)
    .options({ index: "byTrainerLevel", limit: 3 })
    .send();
  assert.equal(gsiScan.Items?.length, 3);
  assert.ok(gsiScan.LastEvaluatedKey?.trainerId);
});

toolboxTest("batch write and batch get through execute", async ({ table, pokemon }) => {
  const puts = [1, 2, 3, 4].map((n) => pokemon.build(BatchPutRequest).item(mon("dawn", n)));
  const written = await executeBatchWrite(table.build(BatchWriteCommand).requests(...puts));
  assert.deepEqual(written.UnprocessedItems ?? {}, {});

  const { Responses } = await executeBatchGet(
    table.build(BatchGetCommand).requests(
      pokemon.build(BatchGetRequest).key({ trainerId: "dawn", pokemonId: "p03" }),
      pokemon.build(BatchGetRequest).key({ trainerId: "dawn", pokemonId: "p99" }),
      pokemon.build(BatchGetRequest).key({ trainerId: "dawn", pokemonId: "p01" }),
    ),
  );
  assert.ok(Responses);
  const [items] = Responses;
  assert.equal(items.length, 3);
  assert.equal(items[0]?.species, "squirtle");
  assert.equal(items[0]?.level, 15);
  assert.equal(items[1], undefined);
  assert.equal(items[2]?.species, "bulbasaur");
});

toolboxTest("transactions: put with a condition check", async ({ pokemon }) => {
  await pokemon.build(PutItemCommand).item(mon("cynthia", 1)).send();

  await executeTransactWrite(
    pokemon.build(PutTransaction).item(mon("cynthia", 2)),
    pokemon.build(ConditionCheck)
      .key({ trainerId: "cynthia", pokemonId: "p01" })
      .condition({ attr: "level", eq: 5 }),
  );
  const { Item } = await pokemon.build(TbGetItemCommand)
    .key({ trainerId: "cynthia", pokemonId: "p02" }).send();
  assert.equal(Item?.level, 10);

  const err = await failure(executeTransactWrite(
    pokemon.build(PutTransaction).item(mon("cynthia", 3)),
    pokemon.build(ConditionCheck)
      .key({ trainerId: "cynthia", pokemonId: "p01" })
      .condition({ attr: "level", gt: 100 }),
  ));
  assert.equal(err.name, "TransactionCanceledException");
  assert.equal(
    err.message,
    "Transaction cancelled, please refer cancellation reasons for specific reasons " +
      "[None, ConditionalCheckFailed]",
  );
  assert.deepEqual(err.CancellationReasons, [
    { Code: "None" },
    { Code: "ConditionalCheckFailed", Message: "The conditional request failed" },
  ]);
  const none = await pokemon.build(TbGetItemCommand)
    .key({ trainerId: "cynthia", pokemonId: "p03" }).send();
  assert.equal(none.Item, undefined);
});

toolboxTest("queries skip other entities, project attributes and count", async (m, f) => {
  const { table, pokemon } = m;
  await seed(m, "ash", 5);
  // An item of another entity in the same partition: Toolbox filters on _et by default.
  await f.client.send(
    new RawPut({
      TableName: TABLE,
      Item: { pk: { S: "TRAINER#ash" }, sk: { S: "POKEMON#p00" }, _et: { S: "badge" } },
    }),
  );
  const q = await table.build(QueryCommand).entities(pokemon)
    .query({ partition: "TRAINER#ash" })
    .options({ attributes: ["pokemonId", "level"], showEntityAttr: true })
    .send();
  assert.deepEqual(
    q.Items,
    [1, 2, 3, 4, 5].map((n) => ({
      entity: "pokemon",
      pokemonId: `p0${n}`,
      level: 5 * n,
    })),
  );
  assert.equal(q.Count, 5);
  assert.equal(q.ScannedCount, 6);

  const counted = await table.build(QueryCommand)
    .query({ partition: "TRAINER#ash", range: { gte: "POKEMON#p02" } })
    .options({ select: "COUNT" })
    .send();
  assert.equal(counted.Count, 4);
  // Toolbox always hands back an array; on the wire, Select COUNT carries no Items at all.
  assert.deepEqual(counted.Items, []);
  const wire = await f.raw("Query", {
    TableName: TABLE,
    KeyConditionExpression: "pk = :p",
    ExpressionAttributeValues: { ":p": { S: "TRAINER#ash" } },
    Select: "COUNT",
  });
  assert.deepEqual(wire.body, { Count: 6, ScannedCount: 6 });

  // maxPages bounds how many pages one send reads: the first page of 2 holds the badge (filtered
  // out) and p01, the second p02 and p03.
  const two = await table.build(QueryCommand).entities(pokemon)
    .query({ partition: "TRAINER#ash" })
    .options({ limit: 2, maxPages: 2 })
    .send();
  assert.deepEqual(two.Items?.map((i) => i.pokemonId), ["p01", "p02", "p03"]);
  assert.deepEqual(two.LastEvaluatedKey, { pk: "TRAINER#ash", sk: "POKEMON#p03" });

  // DeletePartitionCommand queries the partition and batch-deletes what it finds.
  await table.build(DeletePartitionCommand).entities(pokemon)
    .query({ partition: "TRAINER#ash" })
    .send();
  const left = await table.build(QueryCommand).query({ partition: "TRAINER#ash" }).send();
  assert.deepEqual(left.Items, [{ pk: "TRAINER#ash", sk: "POKEMON#p00", _et: "badge" }]);
});

toolboxTest("more update operators and conditions", async ({ pokemon }) => {
  await pokemon.build(PutItemCommand).item({
    trainerId: "red",
    pokemonId: "p06",
    species: "charizard",
    level: 50,
    moves: ["ember"],
  }).send();
  const { Attributes } = await pokemon.build(UpdateItemCommand)
    .item({
      trainerId: "red",
      pokemonId: "p06",
      level: $subtract($get("level"), 8),
      maxLevel: $sum($get("maxLevel", 40), 2),
      moves: $prepend(["scratch"]),
      nickname: $get("species"),
    })
    .options({
      condition: {
        and: [
          { size: "moves", eq: 1 },
          { attr: "species", beginsWith: "char" },
          { not: { attr: "nickname", exists: true } },
          { or: [{ attr: "level", in: [1, 50] }, { attr: "species", contains: "zz" }] },
        ],
      },
      returnValues: "ALL_NEW",
    })
    .send();
  assert.equal(Attributes?.level, 42);
  assert.equal(Attributes?.maxLevel, 42);
  assert.deepEqual(Attributes?.moves, ["scratch", "ember"]);
  assert.equal(Attributes?.nickname, "charizard");

  const err = await failure(
    pokemon.build(UpdateItemCommand)
      .item({ trainerId: "red", pokemonId: "p06", level: 1 })
      .options({ condition: { attr: "level", type: "S" } })
      .send(),
  );
  assert.equal(err.name, "ConditionalCheckFailedException");
});

toolboxTest("transactions: update, delete, and one item twice", async ({ pokemon }) => {
  await pokemon.build(PutItemCommand).item(mon("leaf", 1)).send();
  await pokemon.build(PutItemCommand).item(mon("leaf", 2)).send();
  await executeTransactWrite(
    pokemon.build(UpdateTransaction).item({ trainerId: "leaf", pokemonId: "p01", level: $add(1) }),
    pokemon.build(DeleteTransaction).key({ trainerId: "leaf", pokemonId: "p02" })
      .options({ condition: { attr: "level", eq: 10 } }),
  );
  const one = await pokemon.build(TbGetItemCommand)
    .key({ trainerId: "leaf", pokemonId: "p01" }).send();
  assert.equal(one.Item?.level, 6);
  const two = await pokemon.build(TbGetItemCommand)
    .key({ trainerId: "leaf", pokemonId: "p02" }).send();
  assert.equal(two.Item, undefined);

  const err = await failure(executeTransactWrite(
    pokemon.build(UpdateTransaction).item({ trainerId: "leaf", pokemonId: "p01", level: $add(1) }),
    pokemon.build(ConditionCheck)
      .key({ trainerId: "leaf", pokemonId: "p01" })
      .condition({ attr: "level", eq: 6 }),
  ));
  assert.equal(err.name, "ValidationException");
  assert.equal(
    err.message,
    "Transaction request cannot include multiple operations on one item",
  );

  const cancelled = await failure(executeTransactWrite(
    pokemon.build(DeleteTransaction).key({ trainerId: "leaf", pokemonId: "p01" })
      .options({ condition: { attr: "level", eq: 99 } }),
    pokemon.build(PutTransaction).item(mon("leaf", 3)),
  ));
  assert.equal(cancelled.name, "TransactionCanceledException");
  assert.deepEqual(cancelled.CancellationReasons, [
    { Code: "ConditionalCheckFailed", Message: "The conditional request failed" },
    { Code: "None" },
  ]);
});

toolboxTest("batch delete and unknown keys in a batch get", async ({ table, pokemon }) => {
  await executeBatchWrite(
    table.build(BatchWriteCommand).requests(
      ...[1, 2, 3].map((n) => pokemon.build(BatchPutRequest).item(mon("iris", n))),
    ),
  );
  await executeBatchWrite(
    table.build(BatchWriteCommand).requests(
      pokemon.build(BatchDeleteRequest).key({ trainerId: "iris", pokemonId: "p02" }),
      pokemon.build(BatchPutRequest).item(mon("iris", 4)),
    ),
  );
  const { Responses } = await executeBatchGet(
    table.build(BatchGetCommand).requests(
      ...[1, 2, 3, 4].map((n) =>
        pokemon.build(BatchGetRequest).key({ trainerId: "iris", pokemonId: `p0${n}` })
      ),
    ).options({ consistent: true, attributes: ["pokemonId", "level"] }),
  );
  assert.deepEqual(Responses?.[0], [
    { pokemonId: "p01", level: 5 },
    undefined,
    { pokemonId: "p03", level: 15 },
    { pokemonId: "p04", level: 20 },
  ]);
});

toolboxTest(
  "failed conditions hand back the old item; request tokens are idempotent",
  async ({ pokemon }) => {
    await pokemon.build(PutItemCommand).item(mon("serena", 1)).send();
    const blocked = await failure(
      pokemon.build(PutItemCommand)
        .item(mon("serena", 1))
        .options({
          condition: { attr: "pokemonId", exists: false },
          returnValuesOnConditionFalse: "ALL_OLD",
        })
        .send(),
    );
    assert.equal(blocked.name, "ConditionalCheckFailedException");
    const old = blocked.Item as Record<string, unknown>;
    assert.deepEqual(old.level, { N: "5" });
    assert.deepEqual(old.sk, { S: "POKEMON#p01" });

    const cancelled = await failure(executeTransactWrite(
      pokemon.build(ConditionCheck)
        .key({ trainerId: "serena", pokemonId: "p01" })
        .condition({ attr: "level", gt: 5 })
        .options({ returnValuesOnConditionFalse: "ALL_OLD" }),
      pokemon.build(PutTransaction).item(mon("serena", 2)),
    ));
    assert.equal(cancelled.name, "TransactionCanceledException");
    const reasons = cancelled.CancellationReasons as Record<string, unknown>[];
    assert.equal(reasons[0].Code, "ConditionalCheckFailed");
    assert.deepEqual((reasons[0].Item as Record<string, unknown>).species, { S: "bulbasaur" });
    assert.deepEqual(reasons[1], { Code: "None" });

    // The same ClientRequestToken again within 10 minutes succeeds without running again: the
    // second delete would fail its condition if it ran. (An UpdateTransaction would not do here:
    // Toolbox stamps a fresh _md into each one, which makes it a different request.)
    const drop = (level: number) =>
      pokemon.build(DeleteTransaction).key({ trainerId: "serena", pokemonId: "p01" })
        .options({ condition: { attr: "level", eq: level } });
    await executeTransactWrite({ clientRequestToken: "token-1" }, drop(5));
    await executeTransactWrite({ clientRequestToken: "token-1" }, drop(5));
    const { Item } = await pokemon.build(TbGetItemCommand)
      .key({ trainerId: "serena", pokemonId: "p01" }).send();
    assert.equal(Item, undefined);
    const mismatch = await failure(
      executeTransactWrite({ clientRequestToken: "token-1" }, drop(6)),
    );
    assert.equal(mismatch.name, "IdempotentParameterMismatchException");
    const fresh = await failure(executeTransactWrite({ clientRequestToken: "token-2" }, drop(5)));
    assert.equal(fresh.name, "TransactionCanceledException");
  },
);

toolboxTest("sparse GSI, consistent reads on a GSI, limits that end a partition", async (m, f) => {
  const { table, pokemon } = m;
  await seed(m, "may", 4);
  // No level: the item is not in byTrainerLevel at all.
  await f.client.send(
    new RawPut({
      TableName: TABLE,
      Item: {
        pk: { S: "TRAINER#may" },
        sk: { S: "POKEMON#p09" },
        _et: { S: "pokemon" },
        trainerId: { S: "may" },
        pokemonId: { S: "p09" },
        species: { S: "ditto" },
      },
    }),
  );
  const gsi = await table.build(QueryCommand).entities(pokemon)
    .query({ index: "byTrainerLevel", partition: "may" })
    .options({ maxPages: Infinity })
    .send();
  assert.deepEqual(gsi.Items?.map((i) => i.pokemonId), ["p01", "p02", "p03", "p04"]);

  // Limit counts items read before the filter.
  const filtered = await table.build(QueryCommand).entities(pokemon)
    .query({ partition: "TRAINER#may" })
    .options({ limit: 2, filters: { pokemon: { attr: "species", eq: "charmander" } } })
    .send();
  assert.deepEqual(filtered.Items?.map((i) => i.pokemonId), ["p02"]);
  assert.equal(filtered.ScannedCount, 2);
  assert.deepEqual(filtered.LastEvaluatedKey, { pk: "TRAINER#may", sk: "POKEMON#p02" });

  // Removing the index's sort key takes the item out of the index.
  await f.client.send(
    new RawUpdate({
      TableName: TABLE,
      Key: { pk: { S: "TRAINER#may" }, sk: { S: "POKEMON#p02" } },
      UpdateExpression: "REMOVE #l",
      ExpressionAttributeNames: { "#l": "level" },
    }),
  );
  const afterRemove = await table.build(QueryCommand).entities(pokemon)
    .query({ index: "byTrainerLevel", partition: "may", range: { lte: 20 } })
    .send();
  assert.deepEqual(afterRemove.Items?.map((i) => i.pokemonId), ["p01", "p03", "p04"]);

  // Toolbox's types forbid consistent reads on a GSI; on the wire DynamoDB refuses them.
  const refused = await f.raw("Query", {
    TableName: TABLE,
    IndexName: "byTrainerLevel",
    KeyConditionExpression: "trainerId = :t",
    ExpressionAttributeValues: { ":t": { S: "may" } },
    ConsistentRead: true,
  });
  assert.equal(refused.status, 400);
  assert.deepEqual(refused.body, {
    __type: "com.amazon.coral.validate#ValidationException",
    message: "Consistent reads are not supported on global secondary indexes",
  });

  // A Limit reached on the partition's last item still returns a LastEvaluatedKey; the next page
  // is then empty and has none.
  const full = await table.build(QueryCommand).entities(pokemon)
    .query({ index: "byTrainerLevel", partition: "may" })
    .options({ limit: 3 })
    .send();
  assert.equal(full.Count, 3);
  assert.deepEqual(full.LastEvaluatedKey, {
    pk: "TRAINER#may",
    sk: "POKEMON#p04",
    trainerId: "may",
    level: 20,
  });
  const empty = await table.build(QueryCommand).entities(pokemon)
    .query({ index: "byTrainerLevel", partition: "may" })
    .options({ limit: 3, exclusiveStartKey: full.LastEvaluatedKey })
    .send();
  assert.deepEqual(empty.Items, []);
  assert.equal(empty.LastEvaluatedKey, undefined);
});

toolboxTest("string sets and list elements by index", async ({ pokemon }) => {
  await pokemon.build(PutItemCommand).item({
    trainerId: "n",
    pokemonId: "p01",
    species: "zorua",
    level: 30,
    moves: ["a", "b", "c"],
    tags: new Set(["dark", "shiny"]),
  }).send();
  const { Attributes } = await pokemon.build(UpdateItemCommand)
    .item({
      trainerId: "n",
      pokemonId: "p01",
      tags: $add(new Set(["fast", "dark"])),
      moves: { 0: $remove(), 2: "z" },
    })
    .options({ returnValues: "ALL_NEW" })
    .send();
  assert.deepEqual(Attributes?.tags, new Set(["dark", "shiny", "fast"]));
  // SET moves[2] applies before REMOVE moves[0] shifts the list.
  assert.deepEqual(Attributes?.moves, ["b", "z"]);

  // Deleting every member of a set removes the attribute.
  const after = await pokemon.build(UpdateItemCommand)
    .item({ trainerId: "n", pokemonId: "p01", tags: $delete(new Set(["dark", "shiny", "fast"])) })
    .options({ returnValues: "ALL_NEW" })
    .send();
  assert.equal(after.Attributes?.tags, undefined);

  const filtered = await pokemon.table.build(QueryCommand).entities(pokemon)
    .query({ partition: "TRAINER#n" })
    .options({ filters: { pokemon: { size: "moves", eq: 2 } } })
    .send();
  assert.equal(filtered.Count, 1);
});

toolboxTest("segmented scans page with limit and exclusiveStartKey", async (m, f) => {
  const { table, pokemon } = m;
  await seed(m, "hilda", 9);
  await seed(m, "hilbert", 9);
  const seen = new Set<string>();
  for (const segment of [0, 1, 2]) {
    let exclusiveStartKey: Record<string, unknown> | undefined;
    let pages = 0;
    do {
      const page = await table.build(ScanCommand).entities(pokemon)
        .options({ segment, totalSegments: 3, limit: 2, exclusiveStartKey })
        .send();
      for (const i of page.Items ?? []) {
        const id = `${i.trainerId}/${i.pokemonId}`;
        assert.ok(!seen.has(id), `${id} seen twice`);
        seen.add(id);
      }
      exclusiveStartKey = page.LastEvaluatedKey;
      pages++;
    } while (exclusiveStartKey !== undefined && pages < 50);
  }
  assert.equal(seen.size, 18);

  const bad = await f.raw("Scan", { TableName: TABLE, Segment: 3, TotalSegments: 3 });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.__type, "com.amazon.coral.validate#ValidationException");
});

/**
 * ElectroDB, unchanged, on basekv's DynamoDB API through a stock DynamoDBClient: a single-table
 * Service (employees, tasks, offices) over pk/sk and three GSIs with two cross-entity collections,
 * as ElectroDB's docs lay it out. Covers create/put/get/batch, every update operator, patch,
 * upsert, remove, queries on each index with sort-key conditions and filters, cursors, collections,
 * transactions, scans and a TTL attribute, asserting the data ElectroDB hands back.
 * @module
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import {
  CreateTableCommand,
  type DynamoDBClient,
  GetItemCommand,
  UpdateTimeToLiveCommand,
} from "@aws-sdk/client-dynamodb";
import { Entity, Service } from "electrodb";
import { type DynamoFixture, startDynamo } from "../dynamodb/client.ts";

const TABLE = "electro";
const GSIS = ["gsi1", "gsi2", "gsi3"];

/**
 * The table ElectroDB's single-table docs prescribe: generic pk/sk plus gsiNpk/gsiNsk indexes,
 * and one GSI whose sort key is a number attribute itself (an ElectroDB "attribute ref" key).
 */
async function createSingleTable(client: DynamoDBClient): Promise<void> {
  const keys = ["pk", "sk", ...GSIS.flatMap((g) => [`${g}pk`, `${g}sk`]), "gsi4pk"];
  const gsi = (name: string, hash: string, range: string) => ({
    IndexName: name,
    KeySchema: [
      { AttributeName: hash, KeyType: "HASH" as const },
      { AttributeName: range, KeyType: "RANGE" as const },
    ],
    Projection: { ProjectionType: "ALL" as const },
  });
  await client.send(
    new CreateTableCommand({
      TableName: TABLE,
      BillingMode: "PAY_PER_REQUEST",
      KeySchema: [
        { AttributeName: "pk", KeyType: "HASH" },
        { AttributeName: "sk", KeyType: "RANGE" },
      ],
      AttributeDefinitions: [
        ...keys.map((k) => ({ AttributeName: k, AttributeType: "S" as const })),
        { AttributeName: "salary", AttributeType: "N" },
      ],
      GlobalSecondaryIndexes: [
        ...GSIS.map((g) => gsi(`${g}pk-${g}sk-index`, `${g}pk`, `${g}sk`)),
        gsi("gsi4pk-salary-index", "gsi4pk", "salary"),
      ],
    }),
  );
}

/** The Store/Employee/Task model of ElectroDB's docs, trimmed to what the tests drive. */
function taskApp(client: DynamoDBClient) {
  const config = { client, table: TABLE };
  const employees = new Entity({
    model: { entity: "employee", version: "1", service: "taskapp" },
    attributes: {
      employee: { type: "string", required: true },
      firstName: { type: "string", required: true },
      lastName: { type: "string", required: true },
      office: { type: "string", required: true },
      title: { type: "string", required: true },
      team: { type: ["development", "marketing", "finance", "product"] as const, required: true },
      salary: { type: "number", default: 50_000 },
      manager: { type: "string" },
      dateHired: { type: "string", required: true },
      tags: { type: "set", items: "string" },
      skills: { type: "list", items: { type: "string" } },
      address: {
        type: "map",
        properties: { street: { type: "string" }, city: { type: "string" } },
      },
      // Kept in step with lastName by ElectroDB on every write that touches lastName.
      lastNameLower: {
        type: "string",
        watch: ["lastName"],
        set: (_: unknown, item: { lastName?: string }) => item.lastName?.toLowerCase(),
      },
      createdAt: { type: "number", readOnly: true, default: () => Date.now() },
      updatedAt: {
        type: "number",
        readOnly: true,
        watch: "*",
        default: () => Date.now(),
        set: () => Date.now(),
      },
      // Epoch seconds: the table's TTL attribute.
      expiresAt: { type: "number" },
    },
    indexes: {
      employee: {
        pk: { field: "pk", composite: ["employee"] },
        sk: { field: "sk", composite: [] },
      },
      coworkers: {
        index: "gsi1pk-gsi1sk-index",
        collection: "workplaces",
        pk: { field: "gsi1pk", composite: ["office"] },
        sk: { field: "gsi1sk", composite: ["team", "title", "employee"] },
      },
      teams: {
        index: "gsi2pk-gsi2sk-index",
        pk: { field: "gsi2pk", composite: ["team"] },
        sk: { field: "gsi2sk", composite: ["dateHired", "title"] },
      },
      // The sort key is the number itself, so the index orders employees by salary numerically.
      payroll: {
        index: "gsi4pk-salary-index",
        pk: { field: "gsi4pk", composite: ["office"] },
        sk: { field: "salary", composite: ["salary"] },
      },
      employeeLookup: {
        index: "gsi3pk-gsi3sk-index",
        collection: "assignments",
        pk: { field: "gsi3pk", composite: ["employee"] },
        sk: { field: "gsi3sk", composite: [] },
      },
    },
  }, config);

  const tasks = new Entity({
    model: { entity: "task", version: "1", service: "taskapp" },
    attributes: {
      task: { type: "string", required: true },
      project: { type: "string", required: true },
      employee: { type: "string", required: true },
      description: { type: "string" },
      status: { type: ["open", "in-progress", "closed"] as const, default: "open" },
      points: { type: "number", required: true },
      labels: { type: "set", items: "string" },
      comments: {
        type: "list",
        items: {
          type: "map",
          properties: { user: { type: "string" }, body: { type: "string" } },
        },
      },
    },
    indexes: {
      task: {
        pk: { field: "pk", composite: ["task"] },
        sk: { field: "sk", composite: ["project", "employee"] },
      },
      project: {
        index: "gsi1pk-gsi1sk-index",
        pk: { field: "gsi1pk", composite: ["project"] },
        sk: { field: "gsi1sk", composite: ["employee", "status"] },
      },
      assigned: {
        index: "gsi3pk-gsi3sk-index",
        collection: "assignments",
        pk: { field: "gsi3pk", composite: ["employee"] },
        sk: { field: "gsi3sk", composite: ["project", "status"] },
      },
    },
  }, config);

  const offices = new Entity({
    model: { entity: "office", version: "1", service: "taskapp" },
    attributes: {
      office: { type: "string", required: true },
      country: { type: "string", required: true },
      state: { type: "string", required: true },
      city: { type: "string", required: true },
      zip: { type: "string", required: true },
    },
    indexes: {
      locations: {
        pk: { field: "pk", composite: ["country", "state"] },
        sk: { field: "sk", composite: ["city", "zip", "office"] },
      },
      office: {
        index: "gsi1pk-gsi1sk-index",
        collection: "workplaces",
        pk: { field: "gsi1pk", composite: ["office"] },
        sk: { field: "gsi1sk", composite: [] },
      },
    },
  }, config);

  return new Service({ employees, tasks, offices }, config);
}

type TaskApp = ReturnType<typeof taskApp>;

/** One test on a fresh server and table; the AWS SDK keeps sockets past destroy, so no sanitizers. */
function electroTest(
  name: string,
  fn: (app: TaskApp["entities"], service: TaskApp, f: DynamoFixture) => Promise<void>,
): void {
  Deno.test({
    name: `electrodb: ${name}`,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      await using f = await startDynamo();
      await createSingleTable(f.client);
      const service = taskApp(f.client);
      await fn(service.entities, service, f);
    },
  });
}

/** The error a promise rejects with, failing when it resolves. */
async function failure(p: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await p;
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error("expected ElectroDB to throw");
}

/** Assert that `p` fails with ElectroDB's wrapping of DynamoDB's ConditionalCheckFailedException. */
async function assertConditionFailed(p: Promise<unknown>): Promise<void> {
  const err = await failure(p);
  assert.equal(err.name, "ElectroError", String(err));
  assert.equal((err.cause as Error | undefined)?.name, "ConditionalCheckFailedException");
  assert.match(err.message, /The conditional request failed/);
}

const TEAMS = ["development", "marketing", "finance", "product"] as const;

function employee(n: number, overrides: Record<string, unknown> = {}) {
  return {
    employee: `e${String(n).padStart(2, "0")}`,
    firstName: `First${n}`,
    lastName: `Last${n}`,
    office: n % 2 === 0 ? "gw" : "portland",
    title: n % 3 === 0 ? "senior engineer" : "engineer",
    team: TEAMS[n % TEAMS.length],
    dateHired: `20${String(10 + n).padStart(2, "0")}-06-15`,
    ...overrides,
  };
}

electroTest(
  "create applies defaults, a duplicate create fails its condition, put overwrites",
  async ({ employees }, _service, f) => {
    const before = Date.now();
    const { data } = await employees.create({
      ...employee(1),
      tags: ["a", "b"],
      skills: ["go", "ts"],
      address: { street: "1 Main", city: "Portland" },
    }).go();
    assert.equal(data.salary, 50_000, "default applied");
    assert.equal(data.lastNameLower, "last1", "watch setter ran");
    assert.ok(data.createdAt! >= before && data.updatedAt! >= before);

    const got = await employees.get({ employee: "e01" }).go();
    assert.deepEqual([...got.data!.tags!].sort(), ["a", "b"]);
    assert.deepEqual(got.data!.skills, ["go", "ts"]);
    assert.deepEqual(got.data!.address, { street: "1 Main", city: "Portland" });
    assert.equal(got.data!.team, "marketing");
    assert.equal(got.data!.createdAt, data.createdAt);

    await assertConditionFailed(employees.create(employee(1, { firstName: "Dup" })).go());
    assert.equal((await employees.get({ employee: "e01" }).go()).data!.firstName, "First1");

    // params() is what ElectroDB would send: its key format is part of the stored data.
    assert.deepEqual(employees.get({ employee: "e01" }).params(), {
      TableName: TABLE,
      Key: { pk: "$taskapp#employee_e01", sk: "$employee_1" },
    });
    const createParams = employees.create(employee(2)).params() as {
      ConditionExpression: string;
      Item: Record<string, unknown>;
    };
    assert.match(createParams.ConditionExpression, /attribute_not_exists\(#pk\)/);
    assert.equal(createParams.Item.gsi1pk, "$taskapp#office_gw");

    // The stored item carries ElectroDB's identifiers and every index key.
    const raw = await f.client.send(
      new GetItemCommand({
        TableName: TABLE,
        Key: { pk: { S: "$taskapp#employee_e01" }, sk: { S: "$employee_1" } },
      }),
    );
    assert.equal(raw.Item?.__edb_e__?.S, "employee");
    assert.equal(raw.Item?.__edb_v__?.S, "1");
    assert.equal(
      raw.Item?.gsi1sk?.S,
      "$workplaces#employee_1#team_marketing#title_engineer#employee_e01",
    );
    assert.equal(raw.Item?.gsi2sk?.S, "$employee_1#datehired_2011-06-15#title_engineer");
    assert.deepEqual(raw.Item?.tags?.SS?.sort(), ["a", "b"]);

    // put has no condition: it replaces the whole item.
    await employees.put(employee(1, { firstName: "Replaced", salary: 70_000 })).go();
    const replaced = (await employees.get({ employee: "e01" }).go()).data!;
    assert.equal(replaced.firstName, "Replaced");
    assert.equal(replaced.salary, 70_000);
    assert.equal(replaced.tags, undefined, "put dropped the attributes it did not carry");
    assert.equal((await employees.get({ employee: "nobody" }).go()).data, null);
  },
);

electroTest("batchPut, batchGet in order with misses, batchDelete", async ({ tasks }) => {
  const items = Array.from({ length: 40 }, (_, i) => ({
    task: `t${String(i).padStart(2, "0")}`,
    project: i < 20 ? "apollo" : "gemini",
    employee: `e${i % 4}`,
    points: i,
  }));
  // 40 puts are two BatchWriteItem calls of at most 25.
  const put = await tasks.put(items).go();
  assert.deepEqual(put.unprocessed, []);

  const keys = items.map(({ task, project, employee }) => ({ task, project, employee }));
  const missing = { task: "nope", project: "apollo", employee: "e0" };
  const got = await tasks.get([keys[5], missing, keys[39], keys[0]]).go({
    preserveBatchOrder: true,
  });
  assert.deepEqual(got.unprocessed, []);
  assert.deepEqual(got.data.map((t) => t?.points ?? null), [5, null, 39, 0]);
  assert.equal(got.data[0]!.status, "open", "default applied on batch put");

  const all = await tasks.get(keys).go();
  assert.equal(all.data.length, 40);
  assert.deepEqual(
    all.data.map((t) => t!.points).sort((a, b) => a - b),
    items.map((t) => t.points),
  );

  const deleted = await tasks.delete(keys.slice(0, 30)).go();
  assert.deepEqual(deleted.unprocessed, []);
  const left = await tasks.get(keys).go({ preserveBatchOrder: true });
  assert.equal(left.data.filter((t) => t !== null).length, 10);
  assert.equal(left.data[29], null);
  assert.equal(left.data[30]!.task, "t30");
});

electroTest(
  "update with set/add/subtract/append/remove/delete and data()",
  async ({ tasks, employees }) => {
    const key = { task: "t1", project: "apollo", employee: "e1" };
    await tasks.create({
      ...key,
      points: 5,
      description: "write docs",
      labels: ["a", "c"],
      comments: [{ user: "ann", body: "first" }],
    }).go();

    const first = await tasks.update(key)
      .set({ description: "write more docs" })
      .add({ points: 3, labels: ["b"] })
      .append({ comments: [{ user: "bob", body: "second" }] })
      .go({ response: "all_new" });
    assert.equal(first.data.points, 8);
    assert.equal(first.data.description, "write more docs");
    assert.deepEqual([...first.data.labels!].sort(), ["a", "b", "c"]);
    assert.deepEqual(first.data.comments!.map((c) => c.user), ["ann", "bob"]);

    const second = await tasks.update(key)
      .subtract({ points: 2 })
      .delete({ labels: ["a"] })
      .remove(["description"])
      .go({ response: "all_new" });
    assert.equal(second.data.points, 6);
    assert.deepEqual([...second.data.labels!].sort(), ["b", "c"]);
    assert.equal(second.data.description, undefined);

    const old = await tasks.update(key)
      .data(({ status, points, comments, description }, op) => {
        op.set(status, "in-progress");
        op.add(points, 10);
        op.set(comments[0].body, "edited");
        op.set(description, "back");
      })
      .go({ response: "all_old" });
    assert.equal(old.data.points, 6, "all_old hands back the item before the update");
    assert.equal(old.data.status, "open");
    const now = (await tasks.get(key).go()).data!;
    assert.equal(now.points, 16);
    assert.equal(now.status, "in-progress");
    assert.equal(now.comments![0].body, "edited");
    assert.equal(now.description, "back");

    // Changing status rewrote the GSI sort keys that contain it.
    const byProject = await tasks.query.project({ project: "apollo", employee: "e1" }).go();
    assert.deepEqual(byProject.data.map((t) => t.status), ["in-progress"]);
    const byOldStatus = await tasks.query.project({
      project: "apollo",
      employee: "e1",
      status: "open",
    }).go();
    assert.equal(byOldStatus.data.length, 0);

    // Nested map paths, the watch setter and readOnly attributes.
    const created = (await employees.create(employee(3, { address: { city: "Oslo" } })).go()).data;
    const updated = await employees.update({ employee: "e03" })
      .data(({ address }, op) => op.set(address.street, "Karl Johans gate"))
      .set({ lastName: "NORDMANN" })
      .go({ response: "all_new" });
    assert.deepEqual(updated.data.address, { city: "Oslo", street: "Karl Johans gate" });
    assert.equal(updated.data.lastNameLower, "nordmann");
    assert.equal(updated.data.createdAt, created.createdAt);
    assert.ok(updated.data.updatedAt! >= created.updatedAt!);
    await assert.rejects(
      // @ts-expect-error: createdAt is readOnly, so ElectroDB refuses it before sending.
      () => employees.update({ employee: "e03" }).set({ createdAt: 1 }).go(),
      /read-only/i,
    );

    // A where() on update is a condition expression.
    await assertConditionFailed(
      tasks.update(key).set({ points: 0 }).where(({ status }, { eq }) => eq(status, "closed")).go(),
    );
    const conditional = await tasks.update(key)
      .set({ points: 1 })
      .where(({ status }, { eq }) => eq(status, "in-progress"))
      .go({ response: "updated_new" });
    // UPDATED_NEW names every attribute the SET touched, and ElectroDB's SET rewrites the key's.
    assert.deepEqual(conditional.data, {
      points: 1,
      task: "t1",
      project: "apollo",
      employee: "e1",
    });

    // DynamoDB numbers are decimals: 1 + 0.1 + 0.2 is 1.3, not JavaScript's 1.3000000000000003.
    await tasks.update(key).add({ points: 0.1 }).go();
    const decimal = await tasks.update(key).add({ points: 0.2 }).go({ response: "all_new" });
    assert.equal(decimal.data.points, 1.3);
  },
);

electroTest(
  "patch needs the item, upsert creates or merges, remove needs the item",
  async ({ tasks }) => {
    const key = { task: "t9", project: "apollo", employee: "e1" };
    await assertConditionFailed(tasks.patch(key).set({ points: 1 }).go());
    assert.equal((await tasks.get(key).go()).data, null, "a failed patch wrote nothing");

    const created = await tasks.upsert({ ...key, points: 3, description: "new" }).go({
      response: "all_new",
    });
    assert.equal(created.data.points, 3);
    assert.equal(created.data.status, "open");

    const merged = await tasks.upsert({ ...key, points: 4 }).go({ response: "all_new" });
    assert.equal(merged.data.points, 4);
    assert.equal(merged.data.description, "new", "upsert keeps attributes it does not name");

    const patched = await tasks.patch(key).set({ description: "patched" }).go({
      response: "all_new",
    });
    assert.equal(patched.data.description, "patched");

    await tasks.remove(key).go();
    assert.equal((await tasks.get(key).go()).data, null);
    await assertConditionFailed(tasks.remove(key).go());
    // delete has no condition: deleting a missing item succeeds.
    await tasks.delete(key).go();
    const old = await tasks.create({ ...key, points: 2 }).go().then(() =>
      tasks.delete(key).go({ response: "all_old" })
    );
    assert.equal(old.data?.points, 2);
  },
);

/** Twelve employees over two offices and four teams, hired 2011..2022. */
async function seedEmployees(employees: TaskApp["entities"]["employees"]): Promise<void> {
  const { unprocessed } = await employees.put(
    Array.from({ length: 12 }, (_, i) => employee(i + 1)),
  ).go();
  assert.deepEqual(unprocessed, []);
}

electroTest(
  "queries on the table and each GSI with sort-key conditions",
  async ({ employees, tasks }) => {
    await seedEmployees(employees);
    const ids = (r: { data: { employee: string }[] }) => r.data.map((e) => e.employee);

    // Primary index: partition only.
    assert.deepEqual(ids(await employees.query.employee({ employee: "e05" }).go()), ["e05"]);

    // gsi1: office partition, sorted by team, title, employee.
    const gw = await employees.query.coworkers({ office: "gw" }).go();
    assert.deepEqual(ids(gw), ["e04", "e08", "e12", "e02", "e10", "e06"]);
    assert.deepEqual(
      ids(await employees.query.coworkers({ office: "gw", team: "finance" }).go()),
      ["e02", "e10", "e06"],
    );
    assert.deepEqual(
      ids(
        await employees.query.coworkers({ office: "gw", team: "finance" }).begins({ title: "sen" })
          .go(),
      ),
      ["e06"],
    );

    // gsi2: team partition sorted by dateHired.
    const dev = await employees.query.teams({ team: "development" }).go();
    assert.deepEqual(ids(dev), ["e04", "e08", "e12"]);
    assert.deepEqual(
      ids(await employees.query.teams({ team: "development" }).go({ order: "desc" })),
      ["e12", "e08", "e04"],
    );
    assert.deepEqual(
      ids(
        await employees.query.teams({ team: "marketing" })
          .between({ dateHired: "2012-01-01" }, { dateHired: "2020-01-01" })
          .go(),
      ),
      ["e05", "e09"],
    );
    // ElectroDB compares whole keys by default: e05's "…datehired_2015-06-15#title_engineer" sorts
    // after the bare "…datehired_2015-06-15", so gt includes it and lte leaves it out.
    const marketing = () => employees.query.teams({ team: "marketing" });
    assert.deepEqual(ids(await marketing().gt({ dateHired: "2015-06-15" }).go()), ["e05", "e09"]);
    assert.deepEqual(ids(await marketing().lte({ dateHired: "2015-06-15" }).go()), ["e01"]);
    // compare: "attributes" adds a filter on the attribute itself.
    assert.deepEqual(
      ids(await marketing().gt({ dateHired: "2015-06-15" }).go({ compare: "attributes" })),
      ["e09"],
    );
    assert.deepEqual(
      ids(await employees.query.teams({ team: "marketing" }).gte({ dateHired: "2015" }).go()),
      ["e05", "e09"],
    );
    assert.deepEqual(
      ids(await employees.query.teams({ team: "marketing" }).lt({ dateHired: "2015" }).go()),
      ["e01"],
    );

    // gsi3 through the tasks' index, with a partial sort key.
    await tasks.put([
      { task: "t1", project: "apollo", employee: "e01", points: 1 },
      { task: "t2", project: "gemini", employee: "e01", points: 2 },
      { task: "t3", project: "apollo", employee: "e01", points: 3, status: "closed" },
      { task: "t4", project: "apollo", employee: "e02", points: 4 },
    ]).go();
    const assigned = await tasks.query.assigned({ employee: "e01", project: "apollo" }).go();
    assert.deepEqual(assigned.data.map((t) => t.task).sort(), ["t1", "t3"]);
    const open = await tasks.query.assigned({ employee: "e01", project: "apollo", status: "open" })
      .go();
    assert.deepEqual(open.data.map((t) => t.task), ["t1"]);
    // Primary index with a partial sort key.
    const t1 = await tasks.query.task({ task: "t1" }).begins({ project: "apo" }).go();
    assert.deepEqual(t1.data.map((t) => t.points), [1]);
  },
);

electroTest("where() filters on queries and scans", async ({ employees, tasks }) => {
  await seedEmployees(employees);
  await employees.update({ employee: "e02" }).set({ manager: "e01", salary: 90_000 }).go();
  await employees.update({ employee: "e04" }).set({ tags: ["oncall"] }).go();

  const rich = await employees.query.coworkers({ office: "gw" })
    .where(({ salary }, { gt }) => gt(salary, 60_000))
    .go();
  assert.deepEqual(rich.data.map((e) => e.employee), ["e02"]);

  const managed = await employees.query.coworkers({ office: "gw" })
    .where(({ manager }, { exists }) => exists(manager))
    .go();
  assert.deepEqual(managed.data.map((e) => e.employee), ["e02"]);

  const combined = await employees.query.teams({ team: "finance" })
    .where(({ title, firstName }, { begins, contains }) =>
      `${begins(title, "senior")} OR ${contains(firstName, "10")}`
    )
    .where(({ dateHired }, { between }) => between(dateHired, "2015", "2025"))
    .go();
  assert.deepEqual(combined.data.map((e) => e.employee), ["e06", "e10"]);

  const tagged = await employees.query.coworkers({ office: "gw" })
    .where(({ tags, manager }, { contains, notExists }) =>
      `${contains(tags, "oncall")} AND ${notExists(manager)}`
    )
    .go();
  assert.deepEqual(tagged.data.map((e) => e.employee), ["e04"]);

  const named = await employees.query.coworkers({ office: "portland" })
    .where((attr, { name, value }) =>
      `${name(attr.firstName)} IN (${value(attr.firstName, "First3")}, ${
        value(attr.firstName, "First7")
      })`
    )
    .go();
  assert.deepEqual(named.data.map((e) => e.employee).sort(), ["e03", "e07"]);

  await tasks.put({ task: "t1", project: "apollo", employee: "e01", points: 5 }).go();
  // A scan through an entity sees only that entity's items (ElectroDB filters on __edb_e__).
  const scanned = await employees.scan.go({ pages: "all" });
  assert.equal(scanned.data.length, 12);
  const filtered = await employees.scan
    .where(({ office, team }, { eq, ne }) =>
      `${eq(office, "portland")} AND ${ne(team, "marketing")}`
    )
    .go({ pages: "all" });
  assert.deepEqual(filtered.data.map((e) => e.employee).sort(), ["e03", "e07", "e11"]);
  const taskScan = await tasks.scan.go({ pages: "all" });
  assert.deepEqual(taskScan.data.map((t) => t.task), ["t1"]);
});

electroTest("cursors, limit, pages and count paginate in order", async ({ tasks }) => {
  const all = Array.from({ length: 25 }, (_, i) => ({
    task: `t${String(i).padStart(2, "0")}`,
    project: "apollo",
    employee: `e${String(i).padStart(2, "0")}`,
    points: i,
    status: i % 5 === 0 ? "closed" as const : "open" as const,
  }));
  await tasks.put(all).go();
  const names = all.map((t) => t.task);

  const seen: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page: { data: { task: string }[]; cursor: string | null } = await tasks.query
      .project({ project: "apollo" })
      .go({ limit: 10, cursor });
    assert.ok(page.data.length <= 10);
    seen.push(...page.data.map((t) => t.task));
    cursor = page.cursor;
    pages++;
  } while (cursor !== null && pages < 10);
  assert.deepEqual(seen, names);
  assert.ok(pages === 3 || pages === 4, `three full pages of ten (got ${pages})`);

  // ElectroDB's cursor is the LastEvaluatedKey in base64url: a GSI's names the table's and the
  // index's key attributes, and nothing else.
  const first = await tasks.query.project({ project: "apollo" }).go({ limit: 10 });
  const lastKey = JSON.parse(Buffer.from(first.cursor!, "base64url").toString("utf8"));
  assert.deepEqual(lastKey, {
    pk: "$taskapp#task_t09",
    sk: "$task_1#project_apollo#employee_e09",
    gsi1pk: "$taskapp#project_apollo",
    gsi1sk: "$task_1#employee_e09#status_open",
  });

  const everything = await tasks.query.project({ project: "apollo" }).go({ pages: "all" });
  assert.deepEqual(everything.data.map((t) => t.task), names);
  assert.equal(everything.cursor, null);

  const seven = await tasks.query.project({ project: "apollo" }).go({ count: 7 });
  assert.deepEqual(seven.data.map((t) => t.task), names.slice(0, 7));
  assert.ok(seven.cursor, "a count short of the partition hands back a cursor");
  const next = await tasks.query.project({ project: "apollo" }).go({
    count: 7,
    cursor: seven.cursor,
  });
  assert.deepEqual(next.data.map((t) => t.task), names.slice(7, 14));

  // Descending pages.
  const desc = await tasks.query.project({ project: "apollo" }).go({ order: "desc", limit: 4 });
  assert.deepEqual(desc.data.map((t) => t.task), names.slice(-4).reverse());
  const descNext = await tasks.query.project({ project: "apollo" })
    .go({ order: "desc", limit: 4, cursor: desc.cursor });
  assert.deepEqual(descNext.data.map((t) => t.task), names.slice(-8, -4).reverse());

  // A filter applies after Limit: a page may be short, pages: "all" still finds every match.
  const closedPage = await tasks.query.project({ project: "apollo" })
    .where(({ status }, { eq }) => eq(status, "closed"))
    .go({ limit: 10 });
  assert.deepEqual(closedPage.data.map((t) => t.points), [0, 5]);
  assert.ok(closedPage.cursor);
  const closed = await tasks.query.project({ project: "apollo" })
    .where(({ status }, { eq }) => eq(status, "closed"))
    .go({ limit: 10, pages: "all" });
  assert.deepEqual(closed.data.map((t) => t.points), [0, 5, 10, 15, 20]);

  // Scans paginate with cursors too.
  const scanSeen: string[] = [];
  let scanCursor: string | null = null;
  for (let i = 0; i < 10; i++) {
    const page: { data: { task: string }[]; cursor: string | null } = await tasks.scan.go({
      limit: 6,
      cursor: scanCursor,
    });
    scanSeen.push(...page.data.map((t) => t.task));
    scanCursor = page.cursor;
    if (scanCursor === null) break;
  }
  assert.deepEqual(scanSeen.sort(), names);
});

electroTest("collections query across entities", async ({ employees, tasks, offices }, service) => {
  await seedEmployees(employees);
  await offices.create({ office: "gw", country: "us", state: "or", city: "portland", zip: "97201" })
    .go();
  await offices.create({
    office: "portland",
    country: "us",
    state: "or",
    city: "portland",
    zip: "97205",
  })
    .go();
  await tasks.put([
    { task: "t1", project: "apollo", employee: "e02", points: 1 },
    { task: "t2", project: "gemini", employee: "e02", points: 2, status: "closed" },
    { task: "t3", project: "apollo", employee: "e03", points: 3 },
  ]).go();

  const workplace = await service.collections.workplaces({ office: "gw" }).go({ pages: "all" });
  assert.deepEqual(workplace.data.offices.map((o) => o.zip), ["97201"]);
  assert.deepEqual(
    workplace.data.employees.map((e) => e.employee),
    ["e04", "e08", "e12", "e02", "e10", "e06"],
  );

  const assignments = await service.collections.assignments({ employee: "e02" }).go();
  assert.deepEqual(assignments.data.employees.map((e) => e.firstName), ["First2"]);
  assert.deepEqual(assignments.data.tasks.map((t) => t.task).sort(), ["t1", "t2"]);

  const filtered = await service.collections.assignments({ employee: "e02" })
    .where(({ status }, { eq }) => eq(status, "closed"))
    .go();
  assert.deepEqual(filtered.data.tasks.map((t) => t.task), ["t2"]);
  assert.deepEqual(filtered.data.employees, []);

  // Offices' own primary index: country+state partition, city/zip sort key.
  const oregon = await offices.query.locations({ country: "us", state: "or", city: "portland" })
    .begins({ zip: "97205" }).go();
  assert.deepEqual(oregon.data.map((o) => o.office), ["portland"]);
});

electroTest(
  "transaction.write commits all or nothing; transaction.get",
  async ({ tasks }, service) => {
    await tasks.create({ task: "t1", project: "apollo", employee: "e01", points: 1 }).go();
    await tasks.create({ task: "gone", project: "apollo", employee: "e01", points: 9 }).go();
    await tasks.create({ task: "t2", project: "apollo", employee: "e01", points: 2 }).go();

    const ok = await service.transaction.write(({ employees, tasks }) => [
      employees.create(employee(1)).commit(),
      tasks.update({ task: "t1", project: "apollo", employee: "e01" })
        .add({ points: 4 })
        .commit(),
      tasks.delete({ task: "gone", project: "apollo", employee: "e01" }).commit(),
      tasks.check({ task: "t2", project: "apollo", employee: "e01" })
        .where(({ status }, { eq }) => eq(status, "open"))
        .commit(),
    ]).go();
    assert.equal(ok.canceled, false);
    assert.equal(
      (await tasks.get({ task: "t1", project: "apollo", employee: "e01" }).go()).data!.points,
      5,
    );

    const failed = await service.transaction.write(({ employees, tasks }) => [
      tasks.patch({ task: "t1", project: "apollo", employee: "e01" }).set({ points: 100 }).commit(),
      employees.create(employee(1)).commit({ response: "all_old" }),
    ]).go();
    assert.equal(failed.canceled, true);
    assert.deepEqual(failed.data.map((r) => [r.rejected, r.code]), [
      [false, "None"],
      [true, "ConditionalCheckFailed"],
    ]);
    assert.equal(
      (failed.data[1].item as { employee?: string } | null)?.employee,
      "e01",
      "all_old hands back the item that failed the condition",
    );
    assert.equal(
      (await tasks.get({ task: "t1", project: "apollo", employee: "e01" }).go()).data!.points,
      5,
      "nothing of a canceled transaction was written",
    );

    const got = await service.transaction.get(({ employees, tasks }) => [
      employees.get({ employee: "e01" }).commit(),
      tasks.get({ task: "t1", project: "apollo", employee: "e01" }).commit(),
      tasks.get({ task: "gone", project: "apollo", employee: "e01" }).commit(),
    ]).go();
    assert.equal(got.canceled, false);
    assert.equal((got.data[0].item as { firstName: string }).firstName, "First1");
    assert.equal((got.data[1].item as { points: number }).points, 5);
    assert.equal(got.data[2].item, null);
  },
);

electroTest("a TTL attribute expires items ElectroDB wrote", async ({ employees }, _service, f) => {
  await f.client.send(
    new UpdateTimeToLiveCommand({
      TableName: TABLE,
      TimeToLiveSpecification: { AttributeName: "expiresAt", Enabled: true },
    }),
  );
  const past = Math.floor(Date.now() / 1000) - 60;
  const future = Math.floor(Date.now() / 1000) + 3600;
  await employees.create(employee(1, { expiresAt: past })).go();
  await employees.create(employee(2, { expiresAt: future })).go();
  await employees.create(employee(3)).go();
  assert.equal(await f.sweepTtl(), 1);
  assert.equal((await employees.get({ employee: "e01" }).go()).data, null);
  const left = await employees.query.coworkers({ office: "portland" }).go();
  assert.deepEqual(left.data.map((e) => e.employee), ["e03"]);
  assert.equal((await employees.get({ employee: "e02" }).go()).data?.expiresAt, future);
});

electroTest("a GSI keyed on a number attribute orders it as a number", async ({ employees }) => {
  // As strings these would sort 100000 < 1000000 < 42000 < 55000.75 < 9500.
  const salaries = [42_000, 9_500, 100_000, 55_000.75, 1_000_000];
  await employees.put(salaries.map((salary, i) => employee(2 * (i + 1), { salary }))).go();
  const bySalary = (r: { data: { salary?: number }[] }) => r.data.map((e) => e.salary);
  const payroll = () => employees.query.payroll({ office: "gw" });

  assert.deepEqual(bySalary(await payroll().go()), [9_500, 42_000, 55_000.75, 100_000, 1_000_000]);
  assert.deepEqual(
    bySalary(await payroll().go({ order: "desc", limit: 2 })),
    [1_000_000, 100_000],
  );
  assert.deepEqual(bySalary(await payroll().gt({ salary: 55_000 }).go()), [
    55_000.75,
    100_000,
    1_000_000,
  ]);
  assert.deepEqual(
    bySalary(await payroll().between({ salary: 9_500 }, { salary: 55_000.75 }).go()),
    [9_500, 42_000, 55_000.75],
  );
  assert.deepEqual(bySalary(await payroll().lt({ salary: 42_000 }).go()), [9_500]);

  // A raise moves the employee within the index.
  await employees.update({ employee: "e02" }).set({ salary: 2_000_000 }).go();
  assert.deepEqual(
    (await payroll().gte({ salary: 1_000_000 }).go()).data.map((e) => e.employee),
    ["e10", "e02"],
  );
});

electroTest(
  "DynamoDB's refusals reach the app through ElectroDB",
  async ({ employees, tasks }, service) => {
    await seedEmployees(employees);
    const awsError = async (p: Promise<unknown>) => {
      const err = await failure(p);
      assert.equal(err.name, "ElectroError", String(err));
      const cause = err.cause as Error;
      return `${cause.name}: ${cause.message}`;
    };

    assert.equal(
      await awsError(employees.query.coworkers({ office: "gw" }).go({ consistent: true })),
      "ValidationException: Consistent reads are not supported on global secondary indexes",
    );
    // employee(1) has no address map, so a path inside it cannot be set.
    assert.equal(
      await awsError(
        employees.update({ employee: "e01" })
          .data(({ address }, op) => op.set(address.city, "Oslo"))
          .go(),
      ),
      "ValidationException: The document path provided in the update expression is invalid for update",
    );
    assert.equal(
      await awsError(employees.get([{ employee: "e01" }, { employee: "e01" }]).go()),
      "ValidationException: Provided list of item keys contains duplicates",
    );

    // A transaction's client token makes a retry idempotent; reusing it for another request fails.
    const key = { task: "t1", project: "apollo", employee: "e01" };
    await tasks.create({ ...key, points: 1 }).go();
    const bump = (by: number) =>
      service.transaction.write(({ tasks }) => [tasks.update(key).add({ points: by }).commit()])
        .go({ token: "bump-once" });
    assert.equal((await bump(10)).canceled, false);
    assert.equal((await bump(10)).canceled, false);
    assert.equal((await tasks.get(key).go()).data!.points, 11, "the retry was not applied twice");
    assert.match(await awsError(bump(20)), /^IdempotentParameterMismatchException: /);

    // Every action of a canceled transaction gets a reason, with DynamoDB's message.
    const canceled = await service.transaction.write(({ employees, tasks }) => [
      employees.create(employee(1)).commit(),
      tasks.check({ ...key, task: "missing" }).where(({ points }, { exists }) => exists(points))
        .commit(),
      tasks.update(key).add({ points: 1 }).commit(),
    ]).go();
    assert.equal(canceled.canceled, true);
    assert.deepEqual(canceled.data.map((r) => [r.code, r.message ?? null]), [
      ["ConditionalCheckFailed", "The conditional request failed"],
      ["ConditionalCheckFailed", "The conditional request failed"],
      ["None", null],
    ]);
    assert.equal((await tasks.get(key).go()).data!.points, 11);
  },
);

electroTest(
  "concurrent writers: atomic counters and optimistic version checks",
  async ({ tasks }) => {
    const key = { task: "t1", project: "apollo", employee: "e01" };
    await tasks.create({ ...key, points: 0 }).go();

    // Fifty concurrent increments all land.
    await Promise.all(Array.from({ length: 50 }, () => tasks.update(key).add({ points: 1 }).go()));
    assert.equal((await tasks.get(key).go()).data!.points, 50);

    // Ten writers race to move points from the value they read: exactly one condition holds.
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        tasks.patch(key)
          .set({ points: 100 + i })
          .where(({ points }, { eq }) => eq(points, 50))
          .go()),
    );
    const won = results.filter((r) => r.status === "fulfilled");
    assert.equal(won.length, 1, "one writer wins the version check");
    for (const r of results) {
      if (r.status === "rejected") {
        assert.equal((r.reason.cause as Error).name, "ConditionalCheckFailedException");
      }
    }
    const final = (await tasks.get(key).go()).data!.points;
    assert.ok(final >= 100 && final < 110, `the winner's value stands (got ${final})`);
  },
);

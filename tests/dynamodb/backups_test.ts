/**
 * Backups and point-in-time recovery through the AWS SDK v3: CreateBackup, DescribeBackup,
 * ListBackups (filters, paging), DeleteBackup, RestoreTableFromBackup (indexes, overrides),
 * UpdateContinuousBackups / DescribeContinuousBackups and RestoreTableToPointInTime, with
 * AWS's exception types.
 * @module
 */
import assert from "node:assert/strict";
import {
  CreateBackupCommand,
  CreateTableCommand,
  DeleteBackupCommand,
  DeleteItemCommand,
  DescribeBackupCommand,
  DescribeContinuousBackupsCommand,
  DescribeTableCommand,
  ListBackupsCommand,
  PutItemCommand,
  QueryCommand,
  RestoreTableFromBackupCommand,
  RestoreTableToPointInTimeCommand,
  ScanCommand,
  UpdateContinuousBackupsCommand,
} from "@aws-sdk/client-dynamodb";
import { openStore } from "../../src/store/mod.ts";
import type { BackupRecord } from "../../protocols/dynamodb/storage/backups.ts";
import type { TableRecord } from "../../protocols/dynamodb/storage/tables.ts";
import { createTable, type DynamoFixture, rejection, startDynamo } from "./client.ts";

/** Poll DescribeTable until the restored table is ACTIVE; returns its description. */
async function waitActive(f: DynamoFixture, name: string) {
  for (let i = 0; i < 600; i++) {
    const { Table } = await f.client.send(new DescribeTableCommand({ TableName: name }));
    if (Table?.TableStatus === "ACTIVE") return Table;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${name} never became ACTIVE`);
}

async function scanIds(f: DynamoFixture, name: string): Promise<string[]> {
  const { Items } = await f.client.send(new ScanCommand({ TableName: name }));
  return (Items ?? []).map((i) => `${i.pk.S}=${i.v?.S ?? ""}`).sort();
}

/** How many items the byG index of `table` holds under g = "all". */
async function countByG(f: DynamoFixture, table: string): Promise<number | undefined> {
  const r = await f.client.send(
    new QueryCommand({
      TableName: table,
      IndexName: "byG",
      KeyConditionExpression: "g = :g",
      ExpressionAttributeValues: { ":g": { S: "all" } },
    }),
  );
  return r.Count;
}

async function put(f: DynamoFixture, table: string, pk: string, v: string) {
  await f.client.send(
    new PutItemCommand({
      TableName: table,
      Item: { pk: { S: pk }, v: { S: v }, g: { S: "all" } },
    }),
  );
}

async function tableWithIndex(f: DynamoFixture, name: string) {
  await f.client.send(
    new CreateTableCommand({
      TableName: name,
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      AttributeDefinitions: [
        { AttributeName: "pk", AttributeType: "S" },
        { AttributeName: "g", AttributeType: "S" },
      ],
      GlobalSecondaryIndexes: [{
        IndexName: "byG",
        KeySchema: [{ AttributeName: "g", KeyType: "HASH" }],
        Projection: { ProjectionType: "ALL" },
      }],
      BillingMode: "PAY_PER_REQUEST",
    }),
  );
}

Deno.test("backup, change, restore: the restored table has the backup's items and indexes", async () => {
  await using f = await startDynamo();
  await tableWithIndex(f, "orders");
  for (const id of ["a", "b", "c"]) await put(f, "orders", id, "1");
  const { BackupDetails } = await f.client.send(
    new CreateBackupCommand({ TableName: "orders", BackupName: "nightly" }),
  );
  assert.equal(BackupDetails?.BackupStatus, "AVAILABLE");
  assert.equal(BackupDetails?.BackupType, "USER");
  assert.equal(BackupDetails?.BackupName, "nightly");
  assert.match(
    BackupDetails!.BackupArn!,
    /^arn:aws:dynamodb:us-east-1:000000000000:table\/orders\/backup\/\d{14}-[0-9a-f]{8}$/,
  );
  assert.ok(BackupDetails?.BackupCreationDateTime instanceof Date);
  const arn = BackupDetails!.BackupArn!;

  // Writes after the backup are not in it.
  await put(f, "orders", "a", "2");
  await f.client.send(new DeleteItemCommand({ TableName: "orders", Key: { pk: { S: "b" } } }));
  await put(f, "orders", "d", "1");

  const described = await f.client.send(new DescribeBackupCommand({ BackupArn: arn }));
  const d = described.BackupDescription!;
  assert.equal(d.SourceTableDetails?.TableName, "orders");
  assert.equal(d.SourceTableDetails?.ItemCount, 3);
  assert.equal(d.SourceTableDetails?.BillingMode, "PAY_PER_REQUEST");
  assert.deepEqual(d.SourceTableDetails?.KeySchema, [{ AttributeName: "pk", KeyType: "HASH" }]);
  assert.equal(d.SourceTableFeatureDetails?.GlobalSecondaryIndexes?.[0].IndexName, "byG");

  const restored = await f.client.send(
    new RestoreTableFromBackupCommand({ TargetTableName: "orders2", BackupArn: arn }),
  );
  assert.equal(restored.TableDescription?.TableStatus, "CREATING");
  assert.equal(restored.TableDescription?.RestoreSummary?.SourceBackupArn, arn);
  assert.equal(restored.TableDescription?.RestoreSummary?.RestoreInProgress, true);
  const table = await waitActive(f, "orders2");
  assert.equal(table.RestoreSummary?.RestoreInProgress, false);
  assert.equal(table.RestoreSummary?.SourceTableArn, d.SourceTableDetails?.TableArn);
  assert.equal(table.ItemCount, 3);
  assert.deepEqual(await scanIds(f, "orders2"), ["a=1", "b=1", "c=1"]);
  assert.deepEqual(await scanIds(f, "orders"), ["a=2", "c=1", "d=1"]);
  assert.equal(await countByG(f, "orders2"), 3, "the restored GSI has its entries");

  const taken = await rejection(
    f.client.send(new RestoreTableFromBackupCommand({ TargetTableName: "orders", BackupArn: arn })),
  );
  assert.equal(taken.name, "TableAlreadyExistsException");
  assert.equal(taken.message, "Table already exists: orders");

  const deleted = await f.client.send(new DeleteBackupCommand({ BackupArn: arn }));
  assert.equal(deleted.BackupDescription?.BackupDetails?.BackupStatus, "DELETED");
  const gone = await rejection(f.client.send(new DescribeBackupCommand({ BackupArn: arn })));
  assert.equal(gone.name, "BackupNotFoundException");
  const again = await rejection(
    f.client.send(new RestoreTableFromBackupCommand({ TargetTableName: "xxx3", BackupArn: arn })),
  );
  assert.equal(again.name, "BackupNotFoundException");
  const missing = await rejection(
    f.client.send(new CreateBackupCommand({ TableName: "nope", BackupName: "bbb" })),
  );
  assert.equal(missing.name, "TableNotFoundException");
});

Deno.test("RestoreTableFromBackup takes index and billing overrides", async () => {
  await using f = await startDynamo();
  await tableWithIndex(f, "src");
  await put(f, "src", "a", "1");
  const { BackupDetails } = await f.client.send(
    new CreateBackupCommand({ TableName: "src", BackupName: "first" }),
  );
  await f.client.send(
    new RestoreTableFromBackupCommand({
      TargetTableName: "other",
      BackupArn: BackupDetails!.BackupArn,
      GlobalSecondaryIndexOverride: [{
        IndexName: "keysOnly",
        KeySchema: [{ AttributeName: "g", KeyType: "HASH" }],
        Projection: { ProjectionType: "KEYS_ONLY" },
        ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 },
      }],
      BillingModeOverride: "PROVISIONED",
      ProvisionedThroughputOverride: { ReadCapacityUnits: 3, WriteCapacityUnits: 4 },
    }),
  );
  const table = await waitActive(f, "other");
  assert.equal(table.ItemCount, 1);
  assert.deepEqual(table.GlobalSecondaryIndexes?.map((i) => i.IndexName), ["keysOnly"]);
  assert.equal(table.BillingModeSummary?.BillingMode, "PROVISIONED");
  assert.equal(table.ProvisionedThroughput?.ReadCapacityUnits, 3);
  const keys = await f.client.send(
    new QueryCommand({
      TableName: "other",
      IndexName: "keysOnly",
      KeyConditionExpression: "g = :g",
      ExpressionAttributeValues: { ":g": { S: "all" } },
    }),
  );
  assert.deepEqual(keys.Items, [{ pk: { S: "a" }, g: { S: "all" } }]);
  const bad = await rejection(
    f.client.send(
      new RestoreTableFromBackupCommand({
        TargetTableName: "bad",
        BackupArn: BackupDetails!.BackupArn,
        BillingModeOverride: "PROVISIONED",
      }),
    ),
  );
  assert.equal(bad.name, "ValidationException");
});
Deno.test("ListBackups filters by table, time and type, and pages", async () => {
  await using f = await startDynamo();
  await createTable(f, "tab1", { pk: "S" });
  await createTable(f, "tab2", { pk: "S" });
  const arns: string[] = [];
  for (const [table, name] of [["tab1", "aaa"], ["tab2", "bbb"], ["tab1", "ccc"]]) {
    const r = await f.client.send(new CreateBackupCommand({ TableName: table, BackupName: name }));
    arns.push(r.BackupDetails!.BackupArn!);
    await new Promise((r) => setTimeout(r, 5));
  }
  const all = await f.client.send(new ListBackupsCommand({}));
  assert.deepEqual(all.BackupSummaries?.map((b) => b.BackupName), ["aaa", "bbb", "ccc"]);
  assert.equal(all.LastEvaluatedBackupArn, undefined);
  assert.equal(all.BackupSummaries?.[0].TableName, "tab1");
  assert.equal(all.BackupSummaries?.[0].BackupStatus, "AVAILABLE");
  const t1 = await f.client.send(new ListBackupsCommand({ TableName: "tab1" }));
  assert.deepEqual(t1.BackupSummaries?.map((b) => b.BackupName), ["aaa", "ccc"]);
  const page1 = await f.client.send(new ListBackupsCommand({ Limit: 2 }));
  assert.deepEqual(page1.BackupSummaries?.map((b) => b.BackupName), ["aaa", "bbb"]);
  assert.equal(page1.LastEvaluatedBackupArn, arns[1]);
  const page2 = await f.client.send(
    new ListBackupsCommand({ Limit: 2, ExclusiveStartBackupArn: page1.LastEvaluatedBackupArn }),
  );
  assert.deepEqual(page2.BackupSummaries?.map((b) => b.BackupName), ["ccc"]);
  assert.equal(page2.LastEvaluatedBackupArn, undefined);
  const created = all.BackupSummaries![1].BackupCreationDateTime!;
  const since = await f.client.send(new ListBackupsCommand({ TimeRangeLowerBound: created }));
  assert.deepEqual(since.BackupSummaries?.map((b) => b.BackupName), ["bbb", "ccc"]);
  const before = await f.client.send(new ListBackupsCommand({ TimeRangeUpperBound: created }));
  assert.deepEqual(before.BackupSummaries?.map((b) => b.BackupName), ["aaa"]);
  const system = await f.client.send(new ListBackupsCommand({ BackupType: "SYSTEM" }));
  assert.deepEqual(system.BackupSummaries, []);
  const bad = await rejection(f.client.send(new ListBackupsCommand({ Limit: 0 })));
  assert.equal(bad.name, "ValidationException");
});

Deno.test("point-in-time recovery: enable, change, restore to a time and to the latest", async () => {
  await using f = await startDynamo();
  await tableWithIndex(f, "live");
  await put(f, "live", "early", "0");
  const off = await f.client.send(new DescribeContinuousBackupsCommand({ TableName: "live" }));
  assert.deepEqual(off.ContinuousBackupsDescription, {
    ContinuousBackupsStatus: "ENABLED",
    PointInTimeRecoveryDescription: { PointInTimeRecoveryStatus: "DISABLED" },
  });
  const unavailable = await rejection(
    f.client.send(
      new RestoreTableToPointInTimeCommand({
        SourceTableName: "live",
        TargetTableName: "live2",
        UseLatestRestorableTime: true,
      }),
    ),
  );
  assert.equal(unavailable.name, "PointInTimeRecoveryUnavailableException");

  const on = await f.client.send(
    new UpdateContinuousBackupsCommand({
      TableName: "live",
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    }),
  );
  const pitr = on.ContinuousBackupsDescription?.PointInTimeRecoveryDescription;
  assert.equal(pitr?.PointInTimeRecoveryStatus, "ENABLED");
  assert.equal(pitr?.RecoveryPeriodInDays, 35);
  assert.ok(pitr?.EarliestRestorableDateTime instanceof Date);
  assert.ok(pitr?.LatestRestorableDateTime instanceof Date);

  await put(f, "live", "a", "1");
  await put(f, "live", "b", "1");
  await new Promise((r) => setTimeout(r, 30));
  const t1 = new Date();
  await new Promise((r) => setTimeout(r, 30));
  await put(f, "live", "a", "2");
  await put(f, "live", "a", "3");
  await f.client.send(new DeleteItemCommand({ TableName: "live", Key: { pk: { S: "b" } } }));
  await f.client.send(new DeleteItemCommand({ TableName: "live", Key: { pk: { S: "early" } } }));
  await put(f, "live", "c", "1");

  const r = await f.client.send(
    new RestoreTableToPointInTimeCommand({
      SourceTableName: "live",
      TargetTableName: "at-t1",
      RestoreDateTime: t1,
    }),
  );
  assert.equal(r.TableDescription?.TableStatus, "CREATING");
  assert.equal(r.TableDescription?.RestoreSummary?.RestoreInProgress, true);
  await waitActive(f, "at-t1");
  assert.deepEqual(await scanIds(f, "at-t1"), ["a=1", "b=1", "early=0"]);
  assert.equal(await countByG(f, "at-t1"), 3);

  await f.client.send(
    new RestoreTableToPointInTimeCommand({
      SourceTableName: "live",
      TargetTableName: "latest",
      UseLatestRestorableTime: true,
    }),
  );
  await waitActive(f, "latest");
  assert.deepEqual(await scanIds(f, "latest"), ["a=3", "c=1"]);

  const tooEarly = await rejection(
    f.client.send(
      new RestoreTableToPointInTimeCommand({
        SourceTableName: "live",
        TargetTableName: "xxx",
        RestoreDateTime: new Date(Date.now() - 3600_000),
      }),
    ),
  );
  assert.equal(tooEarly.name, "InvalidRestoreTimeException");
  const taken = await rejection(
    f.client.send(
      new RestoreTableToPointInTimeCommand({
        SourceTableName: "live",
        TargetTableName: "latest",
        UseLatestRestorableTime: true,
      }),
    ),
  );
  assert.equal(taken.name, "TableAlreadyExistsException");
  const noSource = await rejection(
    f.client.send(
      new RestoreTableToPointInTimeCommand({
        SourceTableName: "nope",
        TargetTableName: "yyy",
        UseLatestRestorableTime: true,
      }),
    ),
  );
  assert.equal(noSource.name, "TableNotFoundException");

  const disabled = await f.client.send(
    new UpdateContinuousBackupsCommand({
      TableName: "live",
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: false },
    }),
  );
  assert.equal(
    disabled.ContinuousBackupsDescription?.PointInTimeRecoveryDescription
      ?.PointInTimeRecoveryStatus,
    "DISABLED",
  );
});

Deno.test({
  name: "at start, a crash's unfinished backup is removed and its restores resumed or removed",
  // It edits the data file between two runs: a test store that is a file this process owns.
  ignore: Deno.env.get("BASEKV_TEST_STORE") === "remote",
}, async () => {
  const dir = await Deno.makeTempDir();
  const data = `${dir}/db.sqlite`;
  try {
    {
      await using f = await startDynamo({ memory: false, data });
      await tableWithIndex(f, "kept");
      for (const pk of ["a", "b", "c"]) await put(f, "kept", pk, "1");
      let arn = "";
      for (const name of ["done", "cut"]) {
        const r = await f.client.send(
          new CreateBackupCommand({ TableName: "kept", BackupName: name }),
        );
        arn ||= r.BackupDetails!.BackupArn!;
      }
      await f.client.send(
        new RestoreTableFromBackupCommand({ TargetTableName: "from-backup", BackupArn: arn }),
      );
      await waitActive(f, "from-backup");
      await f.client.send(
        new UpdateContinuousBackupsCommand({
          TableName: "kept",
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        }),
      );
      await f.client.send(
        new RestoreTableToPointInTimeCommand({
          SourceTableName: "kept",
          TargetTableName: "from-time",
          UseLatestRestorableTime: true,
        }),
      );
      await waitActive(f, "from-time");
    }
    // As a crash would leave them: a backup CREATING, two restores half done.
    const store = await openStore({ path: data });
    const view = store.scope(["dynamodb"]);
    for await (const entry of view.list<BackupRecord>({ prefix: ["backup"] })) {
      if (entry.meta?.name === "cut") {
        await view.set(entry.key, { meta: { ...entry.meta, status: "CREATING" } });
      }
    }
    for (const name of ["from-backup", "from-time"]) {
      const table = (await view.get<TableRecord>(["table", name]))!.meta!;
      await view.set(["table", name], {
        meta: { ...table, restore: { ...table.restore!, RestoreInProgress: true } },
      });
      await view.deletePrefix(["item", table.id]);
    }
    await store.close();
    await using f = await startDynamo({ memory: false, data });
    const { BackupSummaries } = await f.client.send(new ListBackupsCommand({}));
    assert.deepEqual(BackupSummaries?.map((b) => [b.BackupName, b.BackupStatus]), [
      ["done", "AVAILABLE"],
    ]);
    await waitActive(f, "from-backup");
    assert.deepEqual(await scanIds(f, "from-backup"), ["a=1", "b=1", "c=1"]);
    const gone = await rejection(
      f.client.send(new DescribeTableCommand({ TableName: "from-time" })),
    );
    assert.equal(gone.name, "ResourceNotFoundException");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

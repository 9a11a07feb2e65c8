/**
 * PartiQL through the AWS SDK v3 and the DocumentClient: ExecuteStatement (SELECT, INSERT,
 * UPDATE, DELETE with parameters), BatchExecuteStatement and ExecuteTransaction.
 * @module
 */
import assert from "node:assert/strict";
import {
  BatchExecuteStatementCommand,
  ExecuteStatementCommand,
  ExecuteTransactionCommand,
  GetItemCommand,
} from "@aws-sdk/client-dynamodb";
import { ExecuteStatementCommand as DocStatement } from "@aws-sdk/lib-dynamodb";
import { createTable, type DynamoFixture, rejection, startDynamo } from "./client.ts";

async function music(f: DynamoFixture) {
  await createTable(f, "Music", { Artist: "S", SongTitle: "S" });
  const run = (Statement: string) => f.client.send(new ExecuteStatementCommand({ Statement }));
  await run(`INSERT INTO Music VALUE {'Artist': 'Acme', 'SongTitle': 'Alpha', 'Year': 2001}`);
  await run(
    `INSERT INTO "Music" VALUE {'Artist': 'Acme', 'SongTitle': 'Beta', 'Year': 2005, 'Tags': <<'rock', 'pop'>>}`,
  );
  await run(`INSERT INTO Music VALUE {'Artist': 'Other', 'SongTitle': 'Gamma', 'Year': 1999}`);
}

Deno.test("ExecuteStatement() SELECT by key, by partition, with filters and a scan", async () => {
  await using f = await startDynamo();
  await music(f);
  const one = await f.client.send(
    new ExecuteStatementCommand({
      Statement: `SELECT * FROM Music WHERE Artist = ? AND SongTitle = ?`,
      Parameters: [{ S: "Acme" }, { S: "Beta" }],
    }),
  );
  assert.deepEqual(one.Items, [{
    Artist: { S: "Acme" },
    SongTitle: { S: "Beta" },
    Year: { N: "2005" },
    Tags: { SS: ["rock", "pop"] },
  }]);
  const partition = await f.client.send(
    new ExecuteStatementCommand({
      Statement: `SELECT SongTitle FROM Music WHERE Artist = 'Acme' AND "Year" >= 2002`,
    }),
  );
  assert.deepEqual(partition.Items, [{ SongTitle: { S: "Beta" } }]);
  const scan = await f.client.send(
    new ExecuteStatementCommand({
      Statement: `SELECT Artist FROM Music WHERE "Year" < 2003 AND Tags IS MISSING`,
    }),
  );
  assert.deepEqual(scan.Items?.map((i) => i.Artist.S).sort(), ["Acme", "Other"]);
  const paged = await f.client.send(
    new ExecuteStatementCommand({
      Statement: `SELECT * FROM Music`,
      Limit: 2,
    }),
  );
  assert.equal(paged.Items?.length, 2);
  const rest = await f.client.send(
    new ExecuteStatementCommand({
      Statement: `SELECT * FROM Music`,
      NextToken: paged.NextToken,
    }),
  );
  assert.equal(rest.Items?.length, 1);
  const doc = await f.doc.send(
    new DocStatement({
      Statement: `SELECT * FROM Music WHERE Artist = ? AND begins_with(SongTitle, ?)`,
      Parameters: ["Acme", "Al"],
    }),
  );
  assert.deepEqual(doc.Items, [{ Artist: "Acme", SongTitle: "Alpha", Year: 2001 }]);
});

Deno.test("ExecuteStatement() UPDATE, DELETE and their errors", async () => {
  await using f = await startDynamo();
  await music(f);
  const updated = await f.client.send(
    new ExecuteStatementCommand({
      Statement:
        `UPDATE Music SET "Year" = "Year" + 1 SET Plays = 10 REMOVE Tags WHERE Artist = 'Acme' AND SongTitle = 'Beta' RETURNING ALL NEW *`,
    }),
  );
  assert.deepEqual(updated.Items, [{
    Artist: { S: "Acme" },
    SongTitle: { S: "Beta" },
    Year: { N: "2006" },
    Plays: { N: "10" },
  }]);
  const missing = await rejection(f.client.send(
    new ExecuteStatementCommand({
      Statement: `UPDATE Music SET Plays = 1 WHERE Artist = 'Nobody' AND SongTitle = 'x'`,
    }),
  ));
  assert.equal(missing.name, "ConditionalCheckFailedException");
  const dup = await rejection(f.client.send(
    new ExecuteStatementCommand({
      Statement: `INSERT INTO Music VALUE {'Artist': 'Acme', 'SongTitle': 'Alpha'}`,
    }),
  ));
  assert.equal(dup.name, "DuplicateItemException");
  assert.equal(dup.message, "Duplicate primary key exists in table");
  const noKey = await rejection(f.client.send(
    new ExecuteStatementCommand({
      Statement: `DELETE FROM Music WHERE Artist = 'Acme'`,
    }),
  ));
  assert.equal(
    noKey.message,
    "Where clause does not contain a mandatory equality on all key attributes",
  );
  const syntax = await rejection(f.client.send(
    new ExecuteStatementCommand({
      Statement: `SELEKT * FROM Music`,
    }),
  ));
  assert.equal(syntax.name, "ValidationException");
  assert.match(syntax.message, /^Statement wasn't well formed, can't be processed: /);
  await f.client.send(
    new ExecuteStatementCommand({
      Statement: `DELETE FROM Music WHERE Artist = 'Acme' AND SongTitle = 'Alpha'`,
    }),
  );
  const gone = await f.client.send(
    new GetItemCommand({
      TableName: "Music",
      Key: { Artist: { S: "Acme" }, SongTitle: { S: "Alpha" } },
    }),
  );
  assert.equal(gone.Item, undefined);
});

Deno.test("BatchExecuteStatement() and ExecuteTransaction()", async () => {
  await using f = await startDynamo();
  await music(f);
  const batch = await f.client.send(
    new BatchExecuteStatementCommand({
      Statements: [
        { Statement: `SELECT * FROM Music WHERE Artist = 'Other' AND SongTitle = 'Gamma'` },
        { Statement: `INSERT INTO Music VALUE {'Artist': 'Acme', 'SongTitle': 'Alpha'}` },
        { Statement: `INSERT INTO Music VALUE {'Artist': 'New', 'SongTitle': 'Delta'}` },
      ],
    }),
  );
  assert.equal(batch.Responses?.[0].Item?.Year.N, "1999");
  assert.equal(batch.Responses?.[1].Error?.Code, "DuplicateItem");
  assert.equal(batch.Responses?.[2].Error, undefined);
  const e = await rejection(f.client.send(
    new ExecuteTransactionCommand({
      TransactStatements: [
        { Statement: `UPDATE Music SET Plays = 1 WHERE Artist = 'New' AND SongTitle = 'Delta'` },
        { Statement: `INSERT INTO Music VALUE {'Artist': 'Other', 'SongTitle': 'Gamma'}` },
      ],
    }),
  ));
  assert.equal(e.name, "TransactionCanceledException");
  assert.match(e.message, /\[None, DuplicateItem\]/);
  const delta = { Artist: { S: "New" }, SongTitle: { S: "Delta" } };
  const untouched = await f.client.send(new GetItemCommand({ TableName: "Music", Key: delta }));
  assert.equal(untouched.Item?.Plays, undefined);
  await f.client.send(
    new ExecuteTransactionCommand({
      TransactStatements: [
        { Statement: `UPDATE Music SET Plays = 1 WHERE Artist = 'New' AND SongTitle = 'Delta'` },
        { Statement: `DELETE FROM Music WHERE Artist = 'Other' AND SongTitle = 'Gamma'` },
      ],
    }),
  );
  const reads = await f.client.send(
    new ExecuteTransactionCommand({
      TransactStatements: [
        { Statement: `SELECT Plays FROM Music WHERE Artist = 'New' AND SongTitle = 'Delta'` },
        { Statement: `SELECT * FROM Music WHERE Artist = 'Other' AND SongTitle = 'Gamma'` },
      ],
    }),
  );
  assert.deepEqual(reads.Responses, [{ Item: { Plays: { N: "1" } } }, {}]);
});

/**
 * Other stock clients end to end: the DocumentClient (lib-dynamodb) with native JS values,
 * and Debian's awscli driven by tests/dynamodb/awscli.sh.
 * @module
 */
import assert from "node:assert/strict";
import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { createTable, rejection, startDynamo } from "./client.ts";

const SCRIPT = new URL("./awscli.sh", import.meta.url).pathname;

function hasAws(): boolean {
  try {
    return new Deno.Command("aws", { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}

Deno.test("DocumentClient puts, updates, gets and deletes native values", async () => {
  await using f = await startDynamo();
  await createTable(f, "docs", { id: "S" });
  const item = {
    id: "u1",
    name: "Ada",
    age: 36,
    tags: new Set(["a", "b"]),
    nested: { list: [1, "two", null, true], empty: {} },
    bytes: new Uint8Array([0, 255]),
  };
  await f.doc.send(new PutCommand({ TableName: "docs", Item: item }));
  const updated = await f.doc.send(
    new UpdateCommand({
      TableName: "docs",
      Key: { id: "u1" },
      UpdateExpression: "SET age = age + :one, #n.#l[1] = :two",
      ExpressionAttributeNames: { "#n": "nested", "#l": "list" },
      ExpressionAttributeValues: { ":one": 1, ":two": "TWO" },
      ConditionExpression: "attribute_exists(id)",
      ReturnValues: "UPDATED_NEW",
    }),
  );
  assert.equal(updated.Attributes?.age, 37);
  const got = (await f.doc.send(new GetCommand({ TableName: "docs", Key: { id: "u1" } }))).Item;
  assert.deepEqual(got, { ...item, age: 37, nested: { list: [1, "TWO", null, true], empty: {} } });
  const e = await rejection(f.doc.send(
    new PutCommand({
      TableName: "docs",
      Item: { id: "u1" },
      ConditionExpression: "attribute_not_exists(id)",
      ReturnValuesOnConditionCheckFailure: "ALL_OLD",
    }),
  ));
  assert.ok(e instanceof ConditionalCheckFailedException);
  assert.equal(e.Item?.name.S, "Ada");
  await f.doc.send(new DeleteCommand({ TableName: "docs", Key: { id: "u1" } }));
  assert.equal(
    (await f.doc.send(new GetCommand({ TableName: "docs", Key: { id: "u1" } }))).Item,
    undefined,
  );
});

Deno.test({
  name: "awscli create-table, put-item, get-item and delete-table work unchanged",
  ignore: !hasAws(),
  async fn() {
    await using f = await startDynamo();
    const out = await new Deno.Command("bash", {
      args: [SCRIPT, String(f.port)],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stdout = new TextDecoder().decode(out.stdout);
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    const parts = stdout.trim().split("\n");
    assert.equal(parts[0], '"ACTIVE"');
    const item = JSON.parse(parts.slice(1, -3).join("\n"));
    assert.deepEqual(item, {
      id: { S: "k1" },
      n: { N: "1.5" },
      // awscli v1 treats a JSON blob as raw text and base64-encodes it on the wire.
      b: { B: btoa("AAEC") },
      l: { L: [{ BOOL: true }] },
    });
    assert.deepEqual(parts.slice(-3), ["1", "ConditionalCheckFailedException", '"DELETING"']);
  },
});

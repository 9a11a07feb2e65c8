/**
 * Fuzzing DynamoDB's input handling: the expression and PartiQL parsers throw only their own
 * validation errors, and the HTTP endpoint answers any JSON body for any operation with a
 * DynamoDB error, never an internal error, and lives on.
 * @module
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  ExpressionContext,
  ExpressionError,
  parseCondition,
  parseKeyCondition,
  parseProjection,
  parseUpdate,
} from "../../protocols/dynamodb/expressions/mod.ts";
import { PartiQLError } from "../../protocols/dynamodb/partiql/lexer.ts";
import { parseStatement } from "../../protocols/dynamodb/partiql/parser.ts";
import { createTable, startDynamo } from "../dynamodb/client.ts";
import { mutated, PARAMS } from "./fuzz_lib.ts";

const TOKENS = [
  "a",
  "b.c",
  "d[0]",
  "#n",
  ":v",
  ":s",
  "=",
  "<>",
  "<",
  ">=",
  "AND",
  "OR",
  "NOT",
  "(",
  ")",
  ",",
  "BETWEEN",
  "IN",
  "SET",
  "REMOVE",
  "ADD",
  "DELETE",
  "+",
  "-",
  "if_not_exists(",
  "list_append(",
  "attribute_exists(",
  "begins_with(",
  "size(",
  "contains(",
  "SELECT",
  "*",
  "FROM",
  '"T"',
  "WHERE",
  "INSERT",
  "INTO",
  "VALUE",
  "{",
  "}",
  "'x'",
  "?",
  "UPDATE",
  "[",
  "]",
  "1.5e3",
  "\u0000",
];
const enc = new TextEncoder();
const dec = new TextDecoder();

/** Token soup, with some of it mutated at the byte level. */
const expression: fc.Arbitrary<string> = fc.oneof(
  fc.array(fc.constantFrom(...TOKENS), { maxLength: 20 }).map((t) => t.join(" ")),
  mutated(
    fc.array(fc.constantFrom(...TOKENS), { maxLength: 12 }).map((t) => enc.encode(t.join(" "))),
  ).map((b) => dec.decode(b)),
  fc.string({ maxLength: 60 }),
);

function context(): ExpressionContext {
  return new ExpressionContext({
    names: { "#n": "name" },
    values: { ":v": { N: "1" }, ":s": { S: "x" } },
  });
}

/** Run `fn`; only `allowed` errors may come out of it. */
function onlyThrows(fn: () => unknown, allowed: new (...args: never[]) => Error): void {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof allowed, `unexpected ${(error as Error)?.stack ?? error}`);
  }
}

Deno.test("expression parsers throw only ExpressionError, whatever the text", () => {
  fc.assert(
    fc.property(expression, (text) => {
      onlyThrows(() => parseCondition(text, context()), ExpressionError);
      onlyThrows(() => parseUpdate(text, context()), ExpressionError);
      onlyThrows(() => parseProjection(text, context()), ExpressionError);
      onlyThrows(
        () => parseKeyCondition(text, context(), { hashKey: "a", rangeKey: "b" }),
        ExpressionError,
      );
    }),
    PARAMS,
  );
});

Deno.test("the PartiQL parser throws only PartiQLError, whatever the text", () => {
  fc.assert(
    fc.property(expression, (text) => {
      onlyThrows(() => parseStatement(text, [{ S: "p" }]), PartiQLError);
    }),
    PARAMS,
  );
});

const OPERATIONS = [
  "PutItem",
  "GetItem",
  "UpdateItem",
  "DeleteItem",
  "Query",
  "Scan",
  "BatchGetItem",
  "BatchWriteItem",
  "TransactGetItems",
  "TransactWriteItems",
  "ExecuteStatement",
  "BatchExecuteStatement",
  "CreateTable",
  "UpdateTable",
  "DescribeTable",
  "ListTables",
  "UpdateTimeToLive",
  "TagResource",
];

/** A transaction action with any of its members present or missing. */
const action: fc.Arbitrary<unknown> = fc.dictionary(
  fc.constantFrom("Put", "Update", "Delete", "ConditionCheck", "Get"),
  fc.record({
    TableName: fc.constantFrom("fuzz", "nope", ""),
    Key: fc.constantFrom({ pk: { S: "k" } }, {}, { x: { N: "1" } }),
    Item: fc.constantFrom({ pk: { S: "k" } }, {}),
    UpdateExpression: fc.constantFrom("SET a = :v", "bad"),
    ConditionExpression: fc.constantFrom("attribute_exists(pk)", ""),
    ExpressionAttributeValues: fc.constantFrom({ ":v": { N: "1" } }, {}),
  }, { requiredKeys: [] }),
  { maxKeys: 2 },
);

/** Bodies shaped like requests on the fuzz table, with random members and values mixed in. */
const body: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.record({
    TableName: fc.oneof(fc.constant("fuzz"), fc.string({ maxLength: 5 })),
    Key: fc.oneof(fc.constant({ pk: { S: "k" } }), fc.jsonValue({ maxDepth: 3 })),
    Item: fc.oneof(fc.constant({ pk: { S: "k" }, n: { N: "1" } }), fc.jsonValue({ maxDepth: 3 })),
    ConditionExpression: expression,
    UpdateExpression: expression,
    KeyConditionExpression: expression,
    Statement: expression,
    TransactItems: fc.array(fc.oneof(fc.jsonValue({ maxDepth: 3 }), action), { maxLength: 3 }),
    RequestItems: fc.jsonValue({ maxDepth: 3 }),
    ExpressionAttributeValues: fc.oneof(fc.constant({ ":v": { N: "1" } }), fc.jsonValue()),
  }, { requiredKeys: [] }),
);

Deno.test("the DynamoDB endpoint answers any body for any operation with a DynamoDB error, never a 500", async () => {
  await using f = await startDynamo();
  await createTable(f, "fuzz", { pk: "S" });
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...OPERATIONS), body, async (operation, payload) => {
      const r = await f.raw(operation, payload);
      assert.ok(r.status === 200 || r.status === 400, `${r.status} ${JSON.stringify(r.body)}`);
      if (r.status === 400) assert.equal(typeof r.body.__type, "string");
    }),
    { ...PARAMS, numRuns: Math.max(30, Math.floor(PARAMS.numRuns / 2)) },
  );
  assert.equal((await f.raw("ListTables", {})).status, 200);
});

/** Legacy parameters (Expected, filters, KeyConditions, AttributeUpdates) over the same evaluator. */
import assert from "node:assert/strict";
import type { Item } from "../../protocols/dynamodb/attribute_value.ts";
import {
  applyAttributeUpdates,
  checkExpressionParameters,
  conditionFromExpected,
  conditionFromFilter,
  evaluateCondition,
  keyConditionFromKeyConditions,
  pathsFromAttributesToGet,
  projectItem,
} from "../../protocols/dynamodb/expressions/mod.ts";
import { assertExpressionError, ITEM } from "./expression_helpers.ts";

const INVALID = "One or more parameter values were invalid: ";

Deno.test("conditionFromExpected() evaluates Exists/Value and ComparisonOperator forms", () => {
  const holds = (expected: Parameters<typeof conditionFromExpected>[0], op?: string, item = ITEM) =>
    evaluateCondition(conditionFromExpected(expected, op)!, item);
  assert.equal(holds({ str: { Value: { S: "hello world" } } }), true);
  assert.equal(holds({ str: { Value: { S: "x" }, Exists: true } }), false);
  assert.equal(holds({ absent: { Exists: false } }), true);
  assert.equal(holds({ pk: { Exists: false } }), false);
  assert.equal(
    holds({ num: { ComparisonOperator: "GT", AttributeValueList: [{ N: "4" }] } }),
    true,
  );
  assert.equal(
    holds({ num: { ComparisonOperator: "BETWEEN", AttributeValueList: [{ N: "1" }, { N: "4" }] } }),
    false,
  );
  assert.equal(holds({ ss: { ComparisonOperator: "CONTAINS", Value: { S: "a" } } }), true);
  assert.equal(holds({ ss: { ComparisonOperator: "NOT_CONTAINS", Value: { S: "z" } } }), true);
  assert.equal(holds({ absent: { ComparisonOperator: "NULL" } }), true);
  assert.equal(holds({ pk: { ComparisonOperator: "NOT_NULL" } }), true);
  assert.equal(
    holds({ num: { ComparisonOperator: "IN", AttributeValueList: [{ N: "9" }, { N: "5" }] } }),
    true,
  );
  const either = { pk: { Exists: false }, num: { Value: { N: "5" } } };
  assert.equal(holds(either), false, "AND by default");
  assert.equal(holds(either, "OR"), true);
  assert.equal(conditionFromExpected({}), undefined);
});

Deno.test("conditionFromExpected() reports DynamoDB's validation messages", () => {
  const cases: [Parameters<typeof conditionFromExpected>[0], string][] = [
    [{ a: {} }, "Value must be provided when Exists is null for Attribute: a"],
    [{ a: { Exists: true } }, "Value must be provided when Exists is true for Attribute: a"],
    [
      { a: { Exists: false, Value: { S: "a" } } },
      "Value cannot be used when Exists is false for Attribute: a",
    ],
    [
      { a: { ComparisonOperator: "LT" } },
      "Value or AttributeValueList must be used with ComparisonOperator: LT for Attribute: a",
    ],
    [
      { a: { Exists: true, ComparisonOperator: "LT" } },
      "Exists and ComparisonOperator cannot be used together for Attribute: a",
    ],
    [
      { a: { AttributeValueList: [{ S: "a" }], Value: { S: "a" }, ComparisonOperator: "LT" } },
      "Value and AttributeValueList cannot be used together for Attribute: a",
    ],
    [
      { a: { AttributeValueList: [{ S: "a" }] } },
      "AttributeValueList can only be used with a ComparisonOperator for Attribute: a",
    ],
    [
      { a: { AttributeValueList: [], ComparisonOperator: "EQ" } },
      "Invalid number of argument(s) for the EQ ComparisonOperator",
    ],
    [
      { a: { AttributeValueList: [{ S: "a" }], ComparisonOperator: "NULL" } },
      "Invalid number of argument(s) for the NULL ComparisonOperator",
    ],
    [
      { a: { Value: { S: "a" }, ComparisonOperator: "BETWEEN" } },
      "Invalid number of argument(s) for the BETWEEN ComparisonOperator",
    ],
    [
      { a: { AttributeValueList: [{ S: "a" }, { N: "1" }], ComparisonOperator: "IN" } },
      "AttributeValues inside AttributeValueList must be of same type",
    ],
  ];
  for (const [expected, message] of cases) {
    assertExpressionError(() => conditionFromExpected(expected), `${INVALID}${message}`);
  }
  assertExpressionError(
    () =>
      conditionFromExpected({
        a: { AttributeValueList: [{ N: "9" }, { N: "1" }], ComparisonOperator: "BETWEEN" },
      }),
    "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound",
  );
});

Deno.test("conditionFromFilter() checks operand types per ComparisonOperator", () => {
  const filter = conditionFromFilter({
    str: { ComparisonOperator: "BEGINS_WITH", AttributeValueList: [{ S: "hello" }] },
    num: { ComparisonOperator: "LE", AttributeValueList: [{ N: "5" }] },
  });
  assert.equal(evaluateCondition(filter!, ITEM), true);
  assertExpressionError(
    () =>
      conditionFromFilter({ a: { ComparisonOperator: "LT", AttributeValueList: [{ SS: ["a"] }] } }),
    `${INVALID}ComparisonOperator LT is not valid for SS AttributeValue type`,
  );
  assertExpressionError(
    () =>
      conditionFromFilter({
        a: { ComparisonOperator: "BEGINS_WITH", AttributeValueList: [{ N: "1" }] },
      }),
    `${INVALID}ComparisonOperator BEGINS_WITH is not valid for N AttributeValue type`,
  );
});

Deno.test("keyConditionFromKeyConditions() returns the same structure as the expression form", () => {
  const schema = { hashKey: "pk", rangeKey: "sk" };
  assert.deepEqual(
    keyConditionFromKeyConditions({
      pk: { ComparisonOperator: "EQ", AttributeValueList: [{ S: "a" }] },
      sk: { ComparisonOperator: "BETWEEN", AttributeValueList: [{ N: "1" }, { N: "2" }] },
    }, schema),
    {
      hash: { name: "pk", value: { S: "a" } },
      range: { name: "sk", operator: "BETWEEN", values: [{ N: "1" }, { N: "2" }] },
    },
  );
  assertExpressionError(
    () =>
      keyConditionFromKeyConditions({
        pk: { ComparisonOperator: "EQ", AttributeValueList: [{ S: "a" }] },
        sk: { ComparisonOperator: "NE", AttributeValueList: [{ S: "a" }] },
      }, schema),
    "Attempted conditional constraint is not an indexable operation",
  );
  assertExpressionError(
    () =>
      keyConditionFromKeyConditions({
        sk: { ComparisonOperator: "EQ", AttributeValueList: [{ S: "a" }] },
      }, schema),
    "Query condition missed key schema element: pk",
  );
  const eq = { ComparisonOperator: "EQ", AttributeValueList: [{ S: "a" }] };
  const cases: [
    Record<string, { ComparisonOperator: string; AttributeValueList?: { S: string }[] }>,
    string,
  ][] = [
    [{}, "Conditions can be of length 1 or 2 only"],
    [{ pk: eq, sk: eq, x: eq }, "Conditions can be of length 1 or 2 only"],
    [
      { pk: { ComparisonOperator: "NULL" } },
      "Attempted conditional constraint is not an indexable operation",
    ],
    [
      { pk: eq, sk: { ComparisonOperator: "CONTAINS", AttributeValueList: [{ S: "a" }] } },
      "Attempted conditional constraint is not an indexable operation",
    ],
    [
      { pk: { ComparisonOperator: "LE", AttributeValueList: [{ S: "a" }] } },
      "Query key condition not supported",
    ],
    [
      { pk: eq, x: { ComparisonOperator: "NULL" } },
      "Query condition missed key schema element: sk",
    ],
  ];
  for (const [conditions, message] of cases) {
    assertExpressionError(() => keyConditionFromKeyConditions(conditions, schema), message);
  }
  assertExpressionError(
    () => keyConditionFromKeyConditions({ pk: eq, sk: eq }, { hashKey: "pk" }),
    "Query key condition not supported",
  );
});

Deno.test("applyAttributeUpdates() applies PUT, ADD and DELETE as the legacy API does", () => {
  const item: Item = {
    pk: { S: "k" },
    n: { N: "1" },
    l: { L: [{ S: "a" }] },
    ss: { SS: ["a", "b"] },
  };
  const result = applyAttributeUpdates({
    n: { Action: "ADD", Value: { N: "2.5" } },
    fresh: { Action: "ADD", Value: { N: "3" } },
    l: { Action: "ADD", Value: { L: [{ S: "b" }] } },
    ss: { Action: "DELETE", Value: { SS: ["a"] } },
    put: { Value: { BOOL: false } },
    pk: { Action: "PUT", Value: { S: "k" } },
  }, item);
  assert.deepEqual(result, {
    pk: { S: "k" },
    n: { N: "3.5" },
    fresh: { N: "3" },
    l: { L: [{ S: "a" }, { S: "b" }] },
    ss: { SS: ["b"] },
    put: { BOOL: false },
  });
  assert.deepEqual(applyAttributeUpdates({ l: { Action: "DELETE" } }, item), {
    pk: { S: "k" },
    n: { N: "1" },
    ss: { SS: ["a", "b"] },
  });
  assertExpressionError(
    () => applyAttributeUpdates({ l: { Action: "ADD", Value: { N: "1" } } }, item),
    "Type mismatch for attribute to update",
  );
  assertExpressionError(
    () => applyAttributeUpdates({ l: { Action: "PUT" } }, item),
    `${INVALID}Only DELETE action is allowed when no attribute value is specified`,
  );
  assertExpressionError(
    () => applyAttributeUpdates({ l: { Action: "DELETE", Value: { S: "x" } } }, item),
    `${INVALID}DELETE action with value is not supported for the type S`,
  );
  assertExpressionError(
    () => applyAttributeUpdates({ l: { Action: "ADD", Value: { S: "x" } } }, item),
    `${INVALID}ADD action is not supported for the type S`,
  );
});

Deno.test("pathsFromAttributesToGet() projects top-level attributes", () => {
  assert.deepEqual(projectItem(ITEM, pathsFromAttributesToGet(["pk", "num", "nope"])), {
    pk: { S: "key" },
    num: { N: "5" },
  });
});

Deno.test("checkExpressionParameters() rejects mixing legacy and expression parameters", () => {
  assertExpressionError(
    () =>
      checkExpressionParameters(
        { ConditionExpression: "a = :a", Expected: {} },
        ["UpdateExpression", "ConditionExpression"],
        ["AttributeUpdates", "Expected"],
      ),
    "Can not use both expression and non-expression parameters in the same request: " +
      "Non-expression parameters: {Expected} Expression parameters: {ConditionExpression}",
  );
  assertExpressionError(
    () =>
      checkExpressionParameters({ ExpressionAttributeNames: { "#a": "a" } }, [
        "ConditionExpression",
      ], ["Expected"]),
    "ExpressionAttributeNames can only be specified when using expressions",
  );
  assertExpressionError(
    () =>
      checkExpressionParameters(
        { ExpressionAttributeValues: { ":a": { S: "a" } }, ProjectionExpression: "a" },
        ["ProjectionExpression", "FilterExpression"],
        ["ScanFilter"],
      ),
    "ExpressionAttributeValues can only be specified when using expressions: FilterExpression is null",
  );
  assertExpressionError(
    () =>
      checkExpressionParameters(
        { ExpressionAttributeValues: { ":a": { S: "a" } } },
        ["UpdateExpression", "ConditionExpression"],
        ["AttributeUpdates", "Expected"],
      ),
    "ExpressionAttributeValues can only be specified when using expressions: UpdateExpression and ConditionExpression are null",
  );
  checkExpressionParameters({ KeyConditions: {}, FilterExpression: "a = :a" }, [
    "KeyConditionExpression",
    "FilterExpression",
  ], ["KeyConditions", "QueryFilter"]);
});

/** Parsing and validation of DynamoDB expressions: accepted forms and DynamoDB's exact errors. */
import assert from "node:assert/strict";
import {
  ExpressionContext,
  MESSAGES,
  parseCondition,
  parseProjection,
  parseUpdate,
} from "../../protocols/dynamodb/expressions/mod.ts";
import { assertExpressionError, context, VALUES } from "./expression_helpers.ts";

const condition = (text: string, names?: Record<string, string>) =>
  parseCondition(text, context(names));
const update = (text: string, names?: Record<string, string>) => parseUpdate(text, context(names));

Deno.test("parseCondition() builds the tree with NOT > AND > OR precedence", () => {
  const tree = condition("a = :s OR NOT b < :n AND c >= :m");
  assert.equal(tree.kind, "or");
  if (tree.kind !== "or") return;
  assert.deepEqual(tree.left, {
    kind: "compare",
    operator: "=",
    left: { kind: "path", path: ["a"] },
    right: { kind: "value", ref: ":s", value: { S: "abc" } },
  });
  assert.equal(tree.right.kind, "and");
  if (tree.right.kind !== "and") return;
  assert.equal(tree.right.left.kind, "not");
  assert.equal(tree.right.right.kind, "compare");
});

Deno.test("parseCondition() accepts every documented form", () => {
  const forms = [
    "a = :s",
    "a <> :s",
    "a < :s",
    "a <= :s",
    "a > :s",
    "a >= :s",
    "a BETWEEN :n AND :m",
    "a between :n and :m",
    "a IN (:s, :t)",
    "attribute_exists(a)",
    "attribute_not_exists(a.b[3].c)",
    "attribute_type(a, :t2)",
    "begins_with(a, :s)",
    "contains(a, :n)",
    "size(a) > :n",
    ":n < size(a)",
    "(a = :s)",
    "(a = :s) AND (b = :t OR NOT c = :s)",
    "NOT (a = :s AND b = :t)",
    "(a) = :s",
    "#n = :s",
    "#n.#n[0] = :s",
    "a.b[12].c = :s",
    "a\n=\t:s",
  ];
  const values = { ...VALUES, ":t2": { S: "SS" } };
  for (const form of forms) {
    parseCondition(form, new ExpressionContext({ names: { "#n": "name" }, values }));
  }
});

Deno.test("parseCondition() reports syntax errors with DynamoDB's token and near text", () => {
  const cases: [string, string][] = [
    ["foo", 'Syntax error; token: "<EOF>", near: "foo"'],
    ["a = ", 'Syntax error; token: "<EOF>", near: "="'],
    ["a == :s", 'Syntax error; token: "=", near: "== :s"'],
    ["a = :s AND", 'Syntax error; token: "<EOF>", near: "AND"'],
    ["a = :s !", 'Syntax error; token: "!", near: "!"'],
    ["a = :s b = :t", 'Syntax error; token: "b", near: ":s b ="'],
    ["a BETWEEN :n OR :m", 'Syntax error; token: "OR", near: ":n OR :m"'],
    ["a IN ()", 'Syntax error; token: ")", near: "()"'],
    ["(a = :s", 'Syntax error; token: "<EOF>", near: ":s"'],
    ["_a = :s", 'Syntax error; token: "_", near: "_a"'],
    ["a[x] = :s", 'Syntax error; token: "x", near: "[x]"'],
    // Real DynamoDB answers, as reported by its users.
    ["contains (themes, :s", 'Syntax error; token: "<EOF>", near: ":s"'],
    ["a[-1] = :s", 'Syntax error; token: "-", near: "[-1"'],
    ["NOT (#n)", 'Syntax error; token: "<EOF>", near: ")"'],
    [`${"(".repeat(2000)}a = :s`, 'Syntax error; token: "<EOF>", near: ":s"'],
  ];
  for (const [text, message] of cases) {
    assertExpressionError(
      () => condition(text, { "#n": "n" }),
      `Invalid ConditionExpression: ${message}`,
    );
  }
  assertExpressionError(
    () => parseCondition("foo", context(), "FilterExpression"),
    'Invalid FilterExpression: Syntax error; token: "<EOF>", near: "foo"',
  );
});

Deno.test("parseCondition() reports semantic errors with DynamoDB's messages", () => {
  const cases: [string, string][] = [
    ["", "The expression can not be empty;"],
    ["((a = :s))", "The expression has redundant parentheses;"],
    ["((a)) = :s", "The expression has redundant parentheses;"],
    ["name = :s", "Attribute name is a reserved keyword; reserved keyword: name"],
    ["a.Size = :s", "Attribute name is a reserved keyword; reserved keyword: Size"],
    [
      "#x = :s",
      "An expression attribute name used in the document path is not defined; attribute name: #x",
    ],
    [
      "a = :x",
      "An expression attribute value used in expression is not defined; attribute value: :x",
    ],
    ["foo(a)", "Invalid function name; function: foo"],
    [
      "a = attribute_exists(b)",
      "The function is not allowed to be used this way in an expression; function: attribute_exists",
    ],
    ["size(a)", "The function is not allowed to be used this way in an expression; function: size"],
    [
      "attribute_exists(a, b)",
      "Incorrect number of operands for operator or function; operator or function: attribute_exists, number of operands: 2",
    ],
    [
      "attribute_exists(:s)",
      "Operator or function requires a document path; operator or function: attribute_exists",
    ],
    [
      "begins_with(a, :n)",
      "Incorrect operand type for operator or function; operator or function: begins_with, operand type: N",
    ],
    [
      "size(a) = size(:n)",
      "Incorrect operand type for operator or function; operator or function: size, operand type: N",
    ],
    [
      "attribute_type(a, :n)",
      "Incorrect operand type for operator or function; operator or function: attribute_type, operand type: N",
    ],
    [
      "attribute_type(a, :s)",
      "Invalid attribute type name found; type: abc, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}",
    ],
    [
      "a = a",
      "The first operand must be distinct from the remaining operands for this operator or function; operator: =, first operand: [a]",
    ],
    [
      "contains(a.b[1], a.b[1])",
      "The first operand must be distinct from the remaining operands for this operator or function; operator: contains, first operand: [a, b, [1]]",
    ],
    [
      "a BETWEEN :n AND :s",
      "The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: AttributeValue: {N:1}, upper bound operand: AttributeValue: {S:abc}",
    ],
    [
      "a BETWEEN :m AND :n",
      "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {N:10}, upper bound operand: AttributeValue: {N:1}",
    ],
  ];
  for (const [text, message] of cases) {
    assertExpressionError(() => condition(text), `Invalid ConditionExpression: ${message}`);
  }
});

Deno.test("parseCondition() reports the error DynamoDB ranks first", () => {
  // The first undefined reference in the text, name or value.
  assertExpressionError(
    () => condition("a = :nope AND #nope = :s"),
    "Invalid ConditionExpression: An expression attribute value used in expression is not defined; attribute value: :nope",
  );
  assertExpressionError(
    () => parseUpdate("SET a = :nope, #nope = :s", context()),
    "Invalid UpdateExpression: An expression attribute name used in the document path is not defined; attribute name: #nope",
  );
  // A reserved word outranks an undefined value; an unknown function outranks a reserved word.
  assertExpressionError(
    () => condition("name = :nope"),
    "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: name",
  );
  assertExpressionError(
    () => condition("name = :s AND foo(a)"),
    "Invalid ConditionExpression: Invalid function name; function: foo",
  );
});

Deno.test("parseCondition() bounds size, operator count and nesting depth", () => {
  const long = `a = :s${" ".repeat(4091)}`;
  assertExpressionError(
    () => condition(long),
    "Invalid ConditionExpression: Expression size has exceeded the maximum allowed size; expression size: 4097",
  );
  condition(`a = :s${" ".repeat(4090)}`);
  const many = Array.from({ length: 151 }, () => "a = :s").join(" OR ");
  assertExpressionError(
    () => condition(many),
    "Invalid ConditionExpression: The expression contains too many operators; operator count: 301",
  );
  const parens = `${"(".repeat(1500)}a = :s${")".repeat(1500)}`;
  assertExpressionError(
    () => condition(parens),
    "Invalid ConditionExpression: The expression has redundant parentheses;",
  );
  const nots = `${"NOT ".repeat(1000)}a = :s`;
  assertExpressionError(
    () => condition(nots),
    "Invalid ConditionExpression: The expression contains too many operators; operator count: 1001",
  );
  condition(`${"NOT ".repeat(100)}a = :s`);
  const values = Object.fromEntries(
    Array.from({ length: 101 }, (_, i) => [`:v${i}`, { N: String(i) }]),
  );
  const list = Object.keys(values);
  parseCondition(`a IN (${list.slice(0, 100).join(", ")})`, new ExpressionContext({ values }));
  assertExpressionError(
    () => parseCondition(`a IN (${list.join(", ")})`, new ExpressionContext({ values })),
    "Invalid ConditionExpression: The IN operator is provided with too many operands; number of operands: 101",
  );
});

Deno.test("parseUpdate() parses all four sections", () => {
  const parsed = update(
    "SET a = :s, b.c[2] = b.c[2] + :n, d = list_append(if_not_exists(d, :l), :l) " +
      "REMOVE e, f[1] ADD g :n, h :ss DELETE i :ns",
  );
  assert.deepEqual(parsed.paths, [["a"], ["b", "c", 2], ["d"], ["e"], ["f", 1], ["g"], ["h"], [
    "i",
  ]]);
  assert.deepEqual(parsed.actions.map((action) => action.kind), [
    "SET",
    "SET",
    "SET",
    "REMOVE",
    "REMOVE",
    "ADD",
    "ADD",
    "DELETE",
  ]);
  assert.deepEqual(update("set a = (b - :n) remove c").actions[0], {
    kind: "SET",
    path: ["a"],
    value: {
      kind: "arithmetic",
      operator: "-",
      left: { kind: "path", path: ["b"] },
      right: { kind: "value", ref: ":n", value: { N: "1" } },
    },
  });
});

Deno.test("parseUpdate() reports DynamoDB's errors", () => {
  const cases: [string, string][] = [
    ["", "The expression can not be empty;"],
    ["a = :s", 'Syntax error; token: "a", near: "a ="'],
    ["SET a = :s,", 'Syntax error; token: "<EOF>", near: ","'],
    ["SET _123 = :s", 'Syntax error; token: "_", near: "SET _123"'],
    ["SET a = :s + :n + :n", 'Syntax error; token: "+", near: ":n + :n"'],
    ["ADD a b", 'Syntax error; token: "b", near: "a b"'],
    ["SET a = :s SET b = :s", 'The "SET" section can only be used once in an update expression;'],
    [
      "SET a = :s REMOVE b REMOVE c",
      'The "REMOVE" section can only be used once in an update expression;',
    ],
    ["SET name = :s", "Attribute name is a reserved keyword; reserved keyword: name"],
    ["SET a = foo(b)", "Invalid function name; function: foo"],
    ["SET a = size(b)", "Invalid function name; function: size"],
    [
      "SET a = #x",
      "An expression attribute name used in the document path is not defined; attribute name: #x",
    ],
    [
      "SET a = :x",
      "An expression attribute value used in expression is not defined; attribute value: :x",
    ],
    [
      "SET a = :s REMOVE a.b",
      "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a, b]",
    ],
    [
      "SET a.b = :s, a = :t",
      "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a, b], path two: [a]",
    ],
    [
      "SET a[1] = :s, a.b = :s",
      "Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, [1]], path two: [a, b]",
    ],
    [
      "ADD a :s",
      "Incorrect operand type for operator or function; operator: ADD, operand type: STRING",
    ],
    [
      "ADD a :l",
      "Incorrect operand type for operator or function; operator: ADD, operand type: LIST",
    ],
    [
      "DELETE a :n",
      "Incorrect operand type for operator or function; operator: DELETE, operand type: NUMBER",
    ],
    [
      "SET a = b + :s",
      "Incorrect operand type for operator or function; operator or function: +, operand type: S",
    ],
    [
      "SET a = list_append(b, :s)",
      "Incorrect operand type for operator or function; operator or function: list_append, operand type: S",
    ],
    [
      "SET a = if_not_exists(:s, b)",
      "Operator or function requires a document path; operator or function: if_not_exists",
    ],
    [
      "SET a = list_append(b)",
      "Incorrect number of operands for operator or function; operator or function: list_append, number of operands: 1",
    ],
  ];
  for (const [text, message] of cases) {
    assertExpressionError(() => update(text), `Invalid UpdateExpression: ${message}`);
  }
});

Deno.test("parseProjection() parses paths and reports DynamoDB's errors", () => {
  assert.deepEqual(parseProjection("a, b.c[1], #n", context({ "#n": "name" })).paths, [
    ["a"],
    ["b", "c", 1],
    ["name"],
  ]);
  const cases: [string, string][] = [
    ["a,", 'Syntax error; token: "<EOF>", near: ","'],
    ["a b", 'Syntax error; token: "b", near: "a b"'],
    ["a, name", "Attribute name is a reserved keyword; reserved keyword: name"],
    [
      "a, #x",
      "An expression attribute name used in the document path is not defined; attribute name: #x",
    ],
    [
      "a.b, a",
      "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a, b], path two: [a]",
    ],
    [
      "a[0], a.b",
      "Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, [0]], path two: [a, b]",
    ],
  ];
  for (const [text, message] of cases) {
    assertExpressionError(
      () => parseProjection(text, context()),
      `Invalid ProjectionExpression: ${message}`,
    );
  }
});

Deno.test("ExpressionContext.assertAllUsed() spans every expression of a request", () => {
  const ctx = new ExpressionContext({
    names: { "#a": "a", "#b": "b" },
    values: { ":x": { S: "x" }, ":y": { S: "y" }, ":z": { S: "z" } },
  });
  parseUpdate("SET #a = :x", ctx);
  assertExpressionError(
    () => ctx.assertAllUsed(),
    "Value provided in ExpressionAttributeNames unused in expressions: keys: {#b}",
  );
  parseCondition("#b = :y", ctx);
  assertExpressionError(
    () => ctx.assertAllUsed(),
    "Value provided in ExpressionAttributeValues unused in expressions: keys: {:z}",
  );
  parseCondition("attribute_exists(#a) OR #b = :z", ctx);
  ctx.assertAllUsed();
});

Deno.test("ExpressionContext() validates the maps as DynamoDB does", () => {
  assertExpressionError(
    () => new ExpressionContext({ names: {} }),
    MESSAGES.namesEmpty,
  );
  assertExpressionError(
    () => new ExpressionContext({ values: {} }),
    "ExpressionAttributeValues must not be empty",
  );
  assertExpressionError(
    () => new ExpressionContext({ names: { "a": "b" } }),
    'ExpressionAttributeNames contains invalid key: Syntax error; key: "a"',
  );
  assertExpressionError(
    () => new ExpressionContext({ values: { "x": { S: "x" } } }),
    'ExpressionAttributeValues contains invalid key: Syntax error; key: "x"',
  );
});

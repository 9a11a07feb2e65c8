/**
 * Which error DynamoDB reports when an expression has several: cases recorded against the real
 * service (dynalite's validation suite), run through parseCondition as FilterExpressions.
 */
import assert from "node:assert/strict";
import type { AttributeValue } from "../../protocols/dynamodb/attribute_value.ts";
import { ExpressionContext, parseCondition } from "../../protocols/dynamodb/expressions/mod.ts";
import { assertExpressionError } from "./expression_helpers.ts";

function filter(
  text: string,
  values?: Record<string, AttributeValue>,
  names?: Record<string, string>,
) {
  return parseCondition(text, new ExpressionContext({ names, values }), "FilterExpression");
}

const PREFIX = "Invalid FilterExpression: ";

Deno.test("parseCondition() reports misused functions before anything per comparison", () => {
  const cases: [string, string][] = [
    ["attribute_type(things, :a) > b", "attribute_type"],
    ["begins_with(things, a) > b", "begins_with"],
    ["contains(:things, c) > b", "contains"],
    ["size(contains(a, b)) > a", "contains"],
    ["size(things)", "size"],
    ["a between b and attribute_exists(things)", "attribute_exists"],
    ["a in (b, attribute_exists(things))", "attribute_exists"],
  ];
  for (const [text, name] of cases) {
    assertExpressionError(
      () => filter(text),
      `${PREFIX}The function is not allowed to be used this way in an expression; function: ${name}`,
    );
  }
});

Deno.test("parseCondition() reports reserved words before undefined references", () => {
  for (const [text, word] of [["attribute_exists(views, #a)", "views"], [":a < abOrT", "abOrT"]]) {
    assertExpressionError(
      () => filter(text),
      `${PREFIX}Attribute name is a reserved keyword; reserved keyword: ${word}`,
    );
  }
});

Deno.test("parseCondition() reports the first comparison's problem", () => {
  const names: [string, string][] = [
    ["attribute_exists(#Pictures.RearView, :a) and a=a", "#Pictures"],
    ["begins_with(Pictures.#RearView)", "#RearView"],
    ["(#P between :lo and :hi) and (#PC in (:cat1, :cat2))", "#P"],
    ["#4g > a", "#4g"],
    ["#_ > a", "#_"],
    ["(a)between(b.c[45].#d)and(:a)", "#d"],
  ];
  for (const [text, name] of names) {
    assertExpressionError(
      () => filter(text),
      `${PREFIX}An expression attribute name used in the document path is not defined; attribute name: ${name}`,
    );
  }
  for (const [text, value] of [["begins_with(:hello, #a, #b)", ":hello"], [":a < :b", ":a"]]) {
    assertExpressionError(
      () => filter(text),
      `${PREFIX}An expression attribute value used in expression is not defined; attribute value: ${value}`,
    );
  }
  const counts: [string, string, number][] = [
    ["attribute_exists(things, a) and a=a", "attribute_exists", 2],
    ["attribute_type(things)", "attribute_type", 1],
    ["begins_with(things, size(a), b)", "begins_with", 3],
    ["size(things, a) > b", "size", 2],
  ];
  for (const [text, name, count] of counts) {
    assertExpressionError(
      () => filter(text),
      `${PREFIX}Incorrect number of operands for operator or function; operator or function: ${name}, number of operands: ${count}`,
    );
  }
  const types: [string, string, AttributeValue][] = [
    ["attribute_type(a, size(a)) and a=a and a=:a", "attribute_type", { N: "1" }],
    ["attribute_type(a, :a)", "attribute_type", { BOOL: true }],
    ["begins_with(a, size(a)) and a=:a", "begins_with", { N: "1" }],
    ["begins_with(:a, a)", "begins_with", { L: [] }],
    ["size(size(a)) > :a", "size", { N: "1" }],
    ["attribute_not_exists(size(:a))", "size", { N: "1" }],
    ["size(:a) > a", "size", { NULL: true }],
  ];
  for (const [text, name, value] of types) {
    assertExpressionError(
      () => filter(text, { ":a": value }),
      `${PREFIX}Incorrect operand type for operator or function; operator or function: ${name}, operand type: ${
        Object.keys(value)[0]
      }`,
    );
  }
  for (const text of ["attribute_exists(:a) and a=a", "attribute_not_exists(size(:a))"]) {
    const name = text.startsWith("attribute_exists") ? "attribute_exists" : "attribute_not_exists";
    assertExpressionError(
      () => filter(text, { ":a": { S: "1" } }),
      `${PREFIX}Operator or function requires a document path; operator or function: ${name}`,
    );
  }
  const distinct: [string, string, string][] = [
    ["a = a AND #a = b AND :views > a", "=", "[a]"],
    ["#a <> a", "<>", "[a]"],
    ["((a=a) OR (a=a))", "=", "[a]"],
    ["contains(ab.bc[1].a, ab.bc[1].#a)", "contains", "[ab, bc, [1], a]"],
    ["attribute_type(ab.bc[1].#a, ab.bc[1].a)", "attribute_type", "[ab, bc, [1], a]"],
  ];
  for (const [text, operator, path] of distinct) {
    assertExpressionError(
      () => filter(text, undefined, { "#a": "a" }),
      `${PREFIX}The first operand must be distinct from the remaining operands for this operator or function; operator: ${operator}, first operand: ${path}`,
    );
  }
});

Deno.test("parseCondition() reports syntax errors DynamoDB reports", () => {
  const expressions = [
    "things are not gonna be ok",
    "a > 4",
    "attribute_exists(Pictures-RearView)",
    'attribute_exists("Pictures.RearView")',
    "attribute_exists(Pictures..RearView)",
    "attribute_exists(Pi#ctures.RearView)",
    "attribute_exists(asdf[a])",
    "a.:a < b.:b",
    "a in b, c",
    "a > between",
    "a in b",
    "a in (b,c,)",
    "(a)between(b.(c.d))and(c)",
    "(a)between(b.c.d)and((c)",
    "#$.b > a",
    "a > :things.stuff",
    "b[:a] > a",
    "b[#_] > a",
    "ü > a",
    "(a)between(b.c[4.5].#d)and(:a)",
    "size(a).b > a",
    "(size(a)).b > a",
    "size(a)[0] > a",
    "(size(a))[0] > a",
  ];
  for (const text of expressions) {
    assert.throws(() => filter(text), (error: Error) => {
      assert.match(error.message, /^Invalid FilterExpression: Syntax error; token: /, text);
      return true;
    });
  }
});

Deno.test("parseCondition() reports redundant parentheses first", () => {
  const expressions = [
    "a=a and a > ((views))",
    "(a)between(((b.c)).d)and(c)",
    "a > whatever((:things), ((a)))",
    "a=a AND ((a=a AND a=a)) AND a=a",
    "a=a OR ((a=a OR a=a)) OR a=a",
    "a=a AND ((a=a AND (a=a AND a=a)))",
    "a=a OR ((a=a OR (a=a OR a=a)))",
  ];
  for (const text of expressions) {
    assertExpressionError(() => filter(text), `${PREFIX}The expression has redundant parentheses;`);
  }
  filter("(a.b).c = :v AND (a)[1] = :v", { ":v": { S: "x" } });
});

Deno.test("parseCondition() reports unknown and misplaced functions", () => {
  for (
    const [text, name] of [
      ["a=a and whatever((:things)) > a", "whatever"],
      ["attRIbute_exIsts((views), #a)", "attRIbute_exIsts"],
    ]
  ) {
    assertExpressionError(() => filter(text), `${PREFIX}Invalid function name; function: ${name}`);
  }
  for (
    const [text, name] of [
      ["a=a and attribute_exists((views), (#a)) > b", "attribute_exists"],
      ["attribute_not_exists(things) > b", "attribute_not_exists"],
    ]
  ) {
    assertExpressionError(
      () => filter(text),
      `${PREFIX}The function is not allowed to be used this way in an expression; function: ${name}`,
    );
  }
});

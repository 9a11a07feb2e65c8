/** Shared fixtures for the expression-language unit tests. */
import assert from "node:assert/strict";
import type { AttributeValue, Item } from "../../protocols/dynamodb/attribute_value.ts";
import { ExpressionContext, ExpressionError } from "../../protocols/dynamodb/expressions/mod.ts";

/** Values most tests refer to. */
export const VALUES: Record<string, AttributeValue> = {
  ":s": { S: "abc" },
  ":t": { S: "xyz" },
  ":n": { N: "1" },
  ":m": { N: "10" },
  ":b": { B: "AQID" },
  ":l": { L: [{ S: "x" }] },
  ":ss": { SS: ["b", "c"] },
  ":ns": { NS: ["1", "2"] },
  ":bool": { BOOL: true },
  ":null": { NULL: true },
  ":map": { M: { k: { S: "v" } } },
};

/** A context over {@link VALUES} (and optional names). */
export function context(names?: Record<string, string>, values = VALUES): ExpressionContext {
  return new ExpressionContext({ names, values });
}

/** Asserts that `fn` throws an ExpressionError with exactly `message`. */
export function assertExpressionError(fn: () => unknown, message: string): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof ExpressionError, `not an ExpressionError: ${error}`);
    assert.equal(error.message, message);
    return true;
  });
}

/** An item holding every type. */
export const ITEM: Item = {
  pk: { S: "key" },
  str: { S: "hello world" },
  num: { N: "5" },
  bin: { B: "AQIDBA==" },
  yes: { BOOL: true },
  nil: { NULL: true },
  elems: { L: [{ S: "a" }, { N: "2" }, { M: { deep: { S: "d" } } }] },
  doc: { M: { nest: { M: { leaf: { N: "7" } } }, tags: { SS: ["p", "q"] } } },
  ss: { SS: ["a", "b"] },
  ns: { NS: ["1", "2.5"] },
  bs: { BS: ["AQ==", "Ag=="] },
};

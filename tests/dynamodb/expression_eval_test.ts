/** Evaluating conditions, applying updates, projecting items and reducing key conditions. */
import assert from "node:assert/strict";
import type { Item } from "../../protocols/dynamodb/attribute_value.ts";
import {
  applyUpdate,
  checkFilterKeys,
  checkKeyPaths,
  conditionPaths,
  evaluateCondition,
  ExpressionContext,
  parseCondition,
  parseKeyCondition,
  parseProjection,
  parseUpdate,
  projectItem,
  updatedAttributes,
} from "../../protocols/dynamodb/expressions/mod.ts";
import { assertExpressionError, context, ITEM } from "./expression_helpers.ts";

function holds(text: string, item: Item | null = ITEM, values = {}): boolean {
  const ctx = new ExpressionContext({
    values: {
      ":a": { S: "a" },
      ":hello": { S: "hello" },
      ":world": { S: "world" },
      ":five": { N: "5.0" },
      ":two": { N: "2" },
      ":ten": { N: "10" },
      ":p": { S: "p" },
      ":q": { S: "q" },
      ":one": { N: "1" },
      ":S": { S: "S" },
      ":N": { S: "N" },
      ":M": { S: "M" },
      ":bin": { B: "AQID" },
      ":binAfter": { B: "AQIE" },
      ":true": { BOOL: true },
      ":list2": { N: "2" },
      ":ss": { SS: ["b", "a"] },
      ...values,
    },
  });
  return evaluateCondition(parseCondition(text, ctx), item ?? undefined);
}

Deno.test("evaluateCondition() compares per DynamoDB type rules", () => {
  assert.equal(holds("num = :five"), true, "numbers compare numerically");
  assert.equal(holds("num > :two AND num < :ten"), true);
  assert.equal(holds("num BETWEEN :two AND :ten"), true);
  assert.equal(holds("num BETWEEN :one AND :two"), false);
  assert.equal(holds("str > :hello"), true, "strings compare bytewise");
  assert.equal(holds("str = :five"), false, "different types are never equal");
  assert.equal(holds("str < :five"), false, "different types never order");
  assert.equal(holds("str <> :five"), true);
  assert.equal(holds("absent <> :five"), true, "a absent attribute is unequal");
  assert.equal(holds("absent = :five"), false);
  assert.equal(holds("bin < :binAfter"), true, "binaries compare bytewise");
  assert.equal(holds("bin > :bin"), true, "a longer binary with the same prefix is greater");
  assert.equal(holds("yes = :true"), true);
  assert.equal(holds("ss = :ss"), true, "sets compare unordered");
  assert.equal(holds("num IN (:one, :five)"), true);
  assert.equal(holds("num IN (:one, :two)"), false);
  assert.equal(holds("elems[1] = :list2"), true);
  assert.equal(holds("doc.nest.leaf > :five"), true);
});

Deno.test("evaluateCondition() applies NOT > AND > OR precedence", () => {
  assert.equal(holds("num = :one AND num = :one OR num = :five"), true);
  assert.equal(holds("num = :five OR num = :one AND num = :one"), true);
  assert.equal(holds("NOT num = :one AND num = :five"), true);
  assert.equal(holds("NOT (num = :five OR num = :one)"), false);
  assert.equal(holds("(num = :five OR num = :one) AND str = :a"), false);
});

Deno.test("evaluateCondition() implements every function", () => {
  assert.equal(holds("attribute_exists(doc.nest.leaf)"), true);
  assert.equal(holds("attribute_exists(doc.nope)"), false);
  assert.equal(holds("attribute_not_exists(pk)", null), true, "no item: nothing exists");
  assert.equal(holds("attribute_exists(pk)", null), false);
  assert.equal(holds("attribute_type(str, :S)"), true);
  assert.equal(holds("attribute_type(num, :N) AND attribute_type(doc, :M)"), true);
  assert.equal(holds("attribute_type(num, :S)"), false);
  assert.equal(holds("begins_with(str, :hello)"), true);
  assert.equal(holds("begins_with(str, :world)"), false);
  assert.equal(holds("begins_with(bin, :binAfter)"), false);
  assert.equal(holds("begins_with(bin, :b1)", ITEM, { ":b1": { B: "AQI=" } }), true);
  assert.equal(holds("contains(str, :world)"), true);
  assert.equal(holds("contains(ss, :a)"), true);
  assert.equal(holds("contains(doc.tags, :q)"), true);
  assert.equal(holds("contains(ns, :n)", ITEM, { ":n": { N: "2.50" } }), true);
  assert.equal(holds("contains(elems, :a)"), true, "lists contain elements");
  assert.equal(holds("contains(num, :five)"), false);
  assert.equal(holds("contains(bin, :mid)", ITEM, { ":mid": { B: "AgM=" } }), true);
  assert.equal(holds("contains(bin, :mid)", ITEM, { ":mid": { B: "AwI=" } }), false);
  assert.equal(holds("size(str) = :eleven", ITEM, { ":eleven": { N: "11" } }), true);
  assert.equal(holds("size(elems) = :three", ITEM, { ":three": { N: "3" } }), true);
  assert.equal(holds("size(bin) = :four", ITEM, { ":four": { N: "4" } }), true);
  assert.equal(holds("size(doc) = :two"), true);
  assert.equal(holds("size(absent) = :two"), false);
  assert.equal(holds("size(num) = :two"), false);
});

function updated(text: string, item: Item = ITEM, values = {}): Item {
  const ctx = new ExpressionContext({
    names: { "#pr": "ProductReviews", "#ri": "RelatedItems" },
    values: {
      ":c": { S: "Hardware" },
      ":p": { N: "100" },
      ":one": { N: "1" },
      ":r5": { S: "Very happy" },
      ":r3": { L: [{ S: "Fine" }] },
      ":vals": { L: [{ S: "Screwdriver" }, { S: "Hacksaw" }] },
      ":ss": { SS: ["Orange", "Purple"] },
      ":del": { SS: ["Yellow", "Purple"] },
      ...values,
    },
  });
  const used = new Set(text.match(/[:#][A-Za-z0-9_]+/g) ?? []);
  void used;
  return applyUpdate(parseUpdate(text, ctx), item);
}

// The Developer Guide's UpdateExpression examples (ProductCatalog item 789).
const PRODUCT: Item = {
  Id: { N: "789" },
  ProductCategory: { S: "Home Improvement" },
  Price: { N: "52" },
  InStock: { BOOL: true },
  Brand: { S: "Acme" },
  RelatedItems: { L: [{ S: "Hammer" }, { S: "Nails" }, { S: "Glue" }] },
  ProductReviews: {
    M: { FiveStar: { L: [{ S: "Best" }] }, OneStar: { L: [{ S: "Meh" }] } },
  },
  Color: { SS: ["Red", "Yellow"] },
};

Deno.test("applyUpdate() runs the Developer Guide's SET examples", () => {
  const a = updated("SET ProductCategory = :c, Price = :p", PRODUCT);
  assert.deepEqual([a.ProductCategory, a.Price], [{ S: "Hardware" }, { N: "100" }]);
  const b = updated("SET #ri[1] = :r5", PRODUCT);
  assert.deepEqual(b.RelatedItems, { L: [{ S: "Hammer" }, { S: "Very happy" }, { S: "Glue" }] });
  const c = updated("SET #pr.FiveStar[1] = :r5, #pr.ThreeStar = :r3", PRODUCT);
  assert.deepEqual(c.ProductReviews, {
    M: {
      FiveStar: { L: [{ S: "Best" }, { S: "Very happy" }] },
      OneStar: { L: [{ S: "Meh" }] },
      ThreeStar: { L: [{ S: "Fine" }] },
    },
  });
  assert.deepEqual(updated("SET Price = Price - :one", PRODUCT).Price, { N: "51" });
  assert.deepEqual(updated("SET #ri = list_append(#ri, :vals)", PRODUCT).RelatedItems, {
    L: [{ S: "Hammer" }, { S: "Nails" }, { S: "Glue" }, { S: "Screwdriver" }, { S: "Hacksaw" }],
  });
  assert.deepEqual(updated("SET #ri = list_append(:vals, #ri)", PRODUCT).RelatedItems, {
    L: [{ S: "Screwdriver" }, { S: "Hacksaw" }, { S: "Hammer" }, { S: "Nails" }, { S: "Glue" }],
  });
  assert.deepEqual(updated("SET Price = if_not_exists(Price, :p)", PRODUCT).Price, { N: "52" });
  assert.deepEqual(updated("SET Cost = if_not_exists(Cost, :p)", PRODUCT).Cost, { N: "100" });
  assert.deepEqual(PRODUCT.Price, { N: "52" }, "the input item is not modified");
});

Deno.test("applyUpdate() runs the Developer Guide's REMOVE, ADD and DELETE examples", () => {
  const removed = updated("REMOVE Brand, InStock, Absent", PRODUCT);
  assert.equal("Brand" in removed || "InStock" in removed, false);
  assert.deepEqual(updated("REMOVE #ri[1], #ri[2]", PRODUCT).RelatedItems, {
    L: [{ S: "Hammer" }],
  }, "indexes refer to the list before the update");
  assert.deepEqual(updated("REMOVE #ri[7]", PRODUCT).RelatedItems, PRODUCT.RelatedItems);
  assert.deepEqual(updated("ADD QuantityOnHand :one", PRODUCT).QuantityOnHand, { N: "1" });
  assert.deepEqual(updated("ADD Price :one", PRODUCT).Price, { N: "53" });
  assert.deepEqual(updated("ADD Color :ss", PRODUCT).Color, {
    SS: ["Red", "Yellow", "Orange", "Purple"],
  });
  assert.deepEqual(updated("ADD NewSet :ss", PRODUCT).NewSet, { SS: ["Orange", "Purple"] });
  assert.deepEqual(updated("DELETE Color :del", PRODUCT).Color, { SS: ["Red"] });
  const emptied = updated("DELETE Color :all", PRODUCT, { ":all": { SS: ["Red", "Yellow"] } });
  assert.equal("Color" in emptied, false, "a set emptied by DELETE is removed");
  assert.deepEqual(updated("DELETE Nothing :del", PRODUCT), PRODUCT);
});

Deno.test("applyUpdate() computes SET values from the item before the update", () => {
  const swapped = updated("SET a = b, b = a", { a: { S: "1" }, b: { S: "2" } });
  assert.deepEqual(swapped, { a: { S: "2" }, b: { S: "1" } });
  const appended = updated("SET l[5] = :one, l[9] = :p", { l: { L: [{ S: "x" }] } });
  assert.deepEqual(appended.l, { L: [{ S: "x" }, { N: "1" }, { N: "100" }] });
  const exact = updated("SET n = n + :tenth", { n: { N: "0.2" } }, { ":tenth": { N: "0.1" } });
  assert.deepEqual(exact.n, { N: "0.3" }, "arithmetic is decimal, not floating point");
});

/** `value` with every nested object frozen: writing into it throws (modules are strict). */
function deepFrozen<T>(value: T): T {
  if (typeof value === "object" && value !== null) {
    for (const inner of Object.values(value)) deepFrozen(inner);
    Object.freeze(value);
  }
  return value;
}

Deno.test("applyUpdate() copies what it writes into and leaves the input item alone", () => {
  const input = deepFrozen(structuredClone(PRODUCT));
  const next = updated(
    "SET #pr.FiveStar[1] = :r5, #pr.ThreeStar = :r3, Price = Price + :one " +
      "REMOVE #ri[0], #pr.OneStar[0] ADD Color :ss",
    input,
  );
  assert.deepEqual(input, PRODUCT, "the input item is not modified");
  assert.deepEqual(next.ProductReviews, {
    M: {
      FiveStar: { L: [{ S: "Best" }, { S: "Very happy" }] },
      OneStar: { L: [] },
      ThreeStar: { L: [{ S: "Fine" }] },
    },
  });
  assert.deepEqual(next.RelatedItems, { L: [{ S: "Nails" }, { S: "Glue" }] });
  assert.deepEqual(next.Price, { N: "53" });
  // A value SET from the item is a copy: a later update into the new item leaves both alone.
  const copied = updated("SET Reviews = #pr", input);
  const again = updated("SET Reviews.FiveStar[0] = :r5", deepFrozen(copied));
  assert.deepEqual(copied.Reviews, PRODUCT.ProductReviews);
  assert.deepEqual(again.Reviews, {
    M: { FiveStar: { L: [{ S: "Very happy" }] }, OneStar: { L: [{ S: "Meh" }] } },
  });
});

Deno.test("applyUpdate() reports DynamoDB's runtime errors", () => {
  assertExpressionError(
    () => updated("SET a = nothere", PRODUCT),
    "The provided expression refers to an attribute that does not exist in the item",
  );
  assertExpressionError(
    () => updated("SET Nope.child = :p", PRODUCT),
    "The document path provided in the update expression is invalid for update",
  );
  assertExpressionError(
    () => updated("SET Price[0] = :p", PRODUCT),
    "The document path provided in the update expression is invalid for update",
  );
  assertExpressionError(
    () => updated("SET Price = Brand + :one", PRODUCT),
    "An operand in the update expression has an incorrect data type",
  );
  assertExpressionError(
    () => updated("SET Brand = list_append(Brand, :vals)", PRODUCT),
    "An operand in the update expression has an incorrect data type",
  );
  assertExpressionError(
    () => updated("ADD Brand :one", PRODUCT),
    "An operand in the update expression has an incorrect data type",
  );
  assertExpressionError(
    () => updated("ADD Color :ns", PRODUCT, { ":ns": { NS: ["1"] } }),
    "An operand in the update expression has an incorrect data type",
  );
  assertExpressionError(
    () => updated("DELETE Brand :del", PRODUCT),
    "An operand in the update expression has an incorrect data type",
  );
  assertExpressionError(
    () => updated("ADD Price :big", { Price: { N: "1E+125" } }, { ":big": { N: "9.9E+125" } }),
    "Number overflow. Attempting to store a number with magnitude larger than supported range",
  );
});

Deno.test("updatedAttributes() returns the touched paths for UPDATED_OLD/NEW", () => {
  const update = parseUpdate(
    "SET #pr.FiveStar[0] = :r, Price = :p REMOVE Brand",
    context(
      { "#pr": "ProductReviews" },
      { ":r": { S: "Great" }, ":p": { N: "1" } },
    ),
  );
  assert.deepEqual(updatedAttributes(PRODUCT, update), {
    ProductReviews: { M: { FiveStar: { L: [{ S: "Best" }] } } },
    Price: { N: "52" },
    Brand: { S: "Acme" },
  });
  assert.deepEqual(updatedAttributes(applyUpdate(update, PRODUCT), update), {
    ProductReviews: { M: { FiveStar: { L: [{ S: "Great" }] } } },
    Price: { N: "1" },
  });
});

Deno.test("projectItem() keeps nested paths and list elements in order", () => {
  const projection = parseProjection("elems[2].deep, elems[0], doc.nest, nope, pk", context());
  assert.deepEqual(projectItem(ITEM, projection), {
    elems: { L: [{ S: "a" }, { M: { deep: { S: "d" } } }] },
    doc: { M: { nest: { M: { leaf: { N: "7" } } } } },
    pk: { S: "key" },
  });
  assert.deepEqual(projectItem(ITEM, [["elems", 9], ["str", 0]]), {});
});

Deno.test("parseKeyCondition() returns the structured range read", () => {
  const schema = { hashKey: "pk", rangeKey: "sk", types: { pk: "S", sk: "N" } as const };
  const values = { ":p": { S: "x" }, ":lo": { N: "1" }, ":hi": { N: "9" } };
  const parse = (text: string) => parseKeyCondition(text, context(undefined, values), schema);
  assert.deepEqual(parse("pk = :p"), { hash: { name: "pk", value: { S: "x" } } });
  assert.deepEqual(parse("pk = :p AND sk BETWEEN :lo AND :hi"), {
    hash: { name: "pk", value: { S: "x" } },
    range: { name: "sk", operator: "BETWEEN", values: [{ N: "1" }, { N: "9" }] },
  });
  assert.deepEqual(parse(":lo < sk AND :p = pk").range, {
    name: "sk",
    operator: "GT",
    values: [{ N: "1" }],
  });
  for (const [operator, name] of [["<", "LT"], ["<=", "LE"], [">", "GT"], [">=", "GE"]]) {
    assert.equal(parse(`pk = :p AND sk ${operator} :lo`).range?.operator, name);
  }
  const strings = parseKeyCondition(
    "#k = :p AND begins_with(#s, :p)",
    context({ "#k": "pk", "#s": "sk" }, { ":p": { S: "x" } }),
    { hashKey: "pk", rangeKey: "sk" },
  );
  assert.deepEqual(strings.range, { name: "sk", operator: "BEGINS_WITH", values: [{ S: "x" }] });
});

Deno.test("parseKeyCondition() reports DynamoDB's key condition errors", () => {
  const schema = { hashKey: "pk", rangeKey: "sk", types: { pk: "S", sk: "N" } as const };
  const values = { ":p": { S: "x" }, ":n": { N: "1" } };
  const cases: [string, string][] = [
    ["pk = :p OR sk = :n", "Invalid operator used in KeyConditionExpression: OR"],
    ["NOT pk = :p", "Invalid operator used in KeyConditionExpression: NOT"],
    ["pk IN (:p)", "Invalid operator used in KeyConditionExpression: IN"],
    ["pk <> :p", "Invalid operator used in KeyConditionExpression: <>"],
    [
      "pk = :p AND attribute_exists(sk)",
      "Invalid operator used in KeyConditionExpression: attribute_exists",
    ],
    ["pk = :p AND size(sk) = :n", "KeyConditionExpressions cannot contain nested operations"],
    ["pk.a = :p", "KeyConditionExpressions cannot have conditions on nested attributes"],
    ["pk = :p AND pk = :p", "KeyConditionExpressions must only contain one condition per key"],
    [
      "pk = sk",
      "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition",
    ],
    ["sk = :n", "Query condition missed key schema element: pk"],
    ["pk = :p AND extra = :n", "Query condition missed key schema element: sk"],
    ["pk > :p", "Query key condition not supported"],
    ["pk = :p AND sk = :n AND extra = :n", "Conditions can be of length 1 or 2 only"],
    [
      "pk = :p AND sk > :n AND sk < :n",
      "KeyConditionExpressions must only contain one condition per key",
    ],
    [
      "pk = :n",
      "One or more parameter values were invalid: Condition parameter type does not match schema type",
    ],
    ["pk = :p AND", 'Invalid KeyConditionExpression: Syntax error; token: "<EOF>", near: "AND"'],
  ];
  for (const [text, message] of cases) {
    assertExpressionError(
      () => parseKeyCondition(text, context(undefined, values), schema),
      message,
    );
  }
});

Deno.test("applyUpdate() and projectItem() treat __proto__ as an ordinary attribute name", () => {
  const ctx = context({ "#p": "__proto__" }, { ":v": { S: "x" } });
  const result = applyUpdate(parseUpdate("SET #p = :v", ctx), {});
  assert.deepEqual(Object.keys(result), ["__proto__"]);
  assert.equal(Object.getPrototypeOf(result), Object.prototype);
  assert.deepEqual(Object.getOwnPropertyDescriptor(result, "__proto__")?.value, { S: "x" });
  const projected = projectItem(result, [["__proto__"]]);
  assert.deepEqual(Object.getOwnPropertyDescriptor(projected, "__proto__")?.value, { S: "x" });
});

Deno.test("checkKeyPaths() and checkFilterKeys() guard key attributes", () => {
  const values = { ":v": { S: "x" } };
  const condition = parseCondition("pk.a = :v AND size(elems[0]) > :v", context(undefined, values));
  assert.deepEqual(conditionPaths(condition), [["pk", "a"], ["elems", 0]]);
  assertExpressionError(
    () => checkKeyPaths(conditionPaths(condition), ["pk", "sk"]),
    "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: Key: pk",
  );
  assertExpressionError(
    () => checkKeyPaths([["gsi", 0]], ["pk"], ["gsi"]),
    "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: IndexKey: gsi",
  );
  checkKeyPaths([["pk"], ["other", "x"]], ["pk"]);
  const filter = parseCondition("attribute_exists(sk) OR x = :v", context(undefined, values));
  assertExpressionError(
    () => checkFilterKeys(filter, ["pk", "sk"]),
    "Filter Expression can only contain non-primary key attributes: Primary key attribute: sk",
  );
  checkFilterKeys(filter, ["pk"]);
});

/**
 * The PartiQL parser without a server: statements become expression text over `#n`/`:v`
 * references, literals become AttributeValues, malformed statements fail with DynamoDB's
 * prefix.
 * @module
 */
import assert from "node:assert/strict";
import { PartiQLError } from "../../protocols/dynamodb/partiql/lexer.ts";
import { parseStatement } from "../../protocols/dynamodb/partiql/parser.ts";

Deno.test("parseStatement() turns WHERE into a condition and records key equalities", () => {
  const s = parseStatement(
    `SELECT a.b[1], "c" FROM "T"."idx" WHERE pk = ? AND (x <> 'y' OR z IS NOT MISSING) AND n IN [1, 2]`,
    [{ S: "p" }],
  );
  assert.equal(s.kind, "select");
  if (s.kind !== "select") return;
  assert.equal(s.table, "T");
  assert.equal(s.index, "idx");
  assert.deepEqual(s.projection, [["a", "b", 1], ["c"]]);
  assert.equal(
    s.where,
    "#n0 = :v0 AND (#n1 <> :v1 OR attribute_exists(#n2)) AND #n3 IN (:v2, :v3)",
  );
  assert.deepEqual(s.names, { "#n0": "pk", "#n1": "x", "#n2": "z", "#n3": "n" });
  assert.deepEqual(s.values, {
    ":v0": { S: "p" },
    ":v1": { S: "y" },
    ":v2": { N: "1" },
    ":v3": { N: "2" },
  });
  assert.deepEqual([...s.equalities], [["pk", { S: "p" }]]);
});

Deno.test("parseStatement() reads every literal kind in INSERT", () => {
  const s = parseStatement(
    `INSERT INTO t VALUE {'s': 'it''s', 'n': -1.50, 'b': TRUE, 'z': NULL, 'l': [1, 'a'], 'm': {'k': 2}, 'ss': <<'a', 'b'>>, 'ns': <<1, 2>>}`,
  );
  assert.equal(s.kind, "insert");
  if (s.kind !== "insert") return;
  assert.deepEqual(s.item, {
    s: { S: "it's" },
    n: { N: "-1.5" },
    b: { BOOL: true },
    z: { NULL: true },
    l: { L: [{ N: "1" }, { S: "a" }] },
    m: { M: { k: { N: "2" } } },
    ss: { SS: ["a", "b"] },
    ns: { NS: ["1", "2"] },
  });
});

Deno.test("parseStatement() merges SET and REMOVE clauses into one update expression", () => {
  const s = parseStatement(
    `UPDATE t SET a = a + 1 SET b = list_append(b, [2]) REMOVE c, d[0] WHERE pk = 'k' RETURNING MODIFIED OLD *`,
  );
  assert.equal(s.kind, "update");
  if (s.kind !== "update") return;
  assert.equal(
    s.update,
    "SET #n0 = #n0 + :v0, #n1 = list_append(#n1, :v1) REMOVE #n2, #n3[0]",
  );
  assert.equal(s.returning, "MODIFIED_OLD");
  assert.deepEqual([...s.equalities.keys()], ["pk"]);
});

Deno.test("parseStatement() rejects malformed statements with DynamoDB's prefix", () => {
  for (
    const bad of [
      "SELEKT * FROM t",
      "SELECT * FROM",
      "DELETE FROM t",
      "INSERT INTO t VALUE 5",
      "SELECT * FROM t WHERE a = 'x",
    ]
  ) {
    assert.throws(
      () => parseStatement(bad),
      (e: Error) =>
        e instanceof PartiQLError &&
        e.message.startsWith("Statement wasn't well formed, can't be processed: "),
      bad,
    );
  }
});

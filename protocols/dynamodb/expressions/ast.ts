/**
 * The syntax trees the parser produces: names and values already resolved through the
 * request's ExpressionAttributeNames/Values, so evaluation needs only the item.
 * @module
 */
import type { AttributeValue } from "../attribute_value.ts";

/** One step of a document path: an attribute/map key, or a list index. */
export type PathElement = string | number;
/** A document path such as `a.b[2].c` = `["a", "b", 2, "c"]`. */
export type Path = PathElement[];

/** A value-producing operand. */
export type Operand =
  | { kind: "path"; path: Path }
  | { kind: "value"; ref: string; value: AttributeValue }
  | { kind: "function"; name: string; args: Operand[] }
  | { kind: "arithmetic"; operator: "+" | "-"; left: Operand; right: Operand };

/** Comparison operators of conditions. */
export type Comparator = "=" | "<>" | "<" | "<=" | ">" | ">=";

/** A condition (ConditionExpression, FilterExpression, KeyConditionExpression). */
export type Condition =
  | { kind: "compare"; operator: Comparator; left: Operand; right: Operand }
  | { kind: "between"; operand: Operand; low: Operand; high: Operand }
  | { kind: "in"; operand: Operand; list: Operand[] }
  | { kind: "function"; name: string; args: Operand[] }
  | { kind: "and" | "or"; left: Condition; right: Condition }
  | { kind: "not"; condition: Condition };

/** One action of an UpdateExpression. */
export type UpdateAction =
  | { kind: "SET"; path: Path; value: Operand }
  | { kind: "REMOVE"; path: Path }
  | { kind: "ADD"; path: Path; value: AttributeValue }
  | { kind: "DELETE"; path: Path; value: AttributeValue };

/** A parsed UpdateExpression. */
export interface UpdateExpression {
  /** Actions in written order. */
  actions: UpdateAction[];
  /** Every target path, for UPDATED_OLD/UPDATED_NEW and key-attribute checks. */
  paths: Path[];
}

/** A parsed ProjectionExpression: the paths to keep. */
export interface Projection {
  paths: Path[];
}

/** Range-key operators a Query can turn into a range read. */
export type KeyOperator = "EQ" | "LT" | "LE" | "GT" | "GE" | "BETWEEN" | "BEGINS_WITH";

/** A KeyConditionExpression in structured form. */
export interface KeyCondition {
  /** The partition key: always an equality. */
  hash: { name: string; value: AttributeValue };
  /** The optional sort-key condition; `values` has 2 entries for BETWEEN, else 1. */
  range?: { name: string; operator: KeyOperator; values: AttributeValue[] };
  /** Multi-attribute GSI keys: every partition attribute's value, in key schema order. */
  hashValues?: AttributeValue[];
  /** Multi-attribute GSI keys: the equalities on the sort attributes before `range`'s. */
  sortEquals?: AttributeValue[];
}

/** The key schema a KeyConditionExpression is checked against. */
export interface KeySchema {
  hashKey: string;
  rangeKey?: string;
  /** A multi-attribute GSI key: its partition and sort attributes, in key schema order. */
  multi?: { hashKeys: string[]; rangeKeys: string[] };
  /** Declared key attribute types (`S`, `N`, `B`) by name, to check value types. */
  types?: Record<string, "S" | "N" | "B">;
}

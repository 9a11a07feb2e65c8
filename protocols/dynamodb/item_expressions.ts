/**
 * Turns an item request's expression parameters (ConditionExpression, UpdateExpression,
 * ProjectionExpression + ExpressionAttributeNames/Values) or their legacy equivalents
 * (Expected + ConditionalOperator, AttributeUpdates, AttributesToGet) into the expression
 * language's trees, so both are evaluated by one engine.
 * @module
 */
import type { AttributeValue, Item } from "./attribute_value.ts";
import { invalidParameter, validation } from "./errors.ts";
import {
  type Condition,
  evaluateCondition,
  ExpressionContext,
  type Operand,
  parseCondition,
  parseProjection,
  parseUpdate,
  type Path,
  type UpdateAction,
  type UpdateExpression,
} from "./expressions/mod.ts";
import { normalizeValue } from "./types.ts";
import type { Body } from "./validation.ts";

/** The parsed expressions of one item request. */
export interface ItemExpressions {
  condition?: Condition;
  update?: UpdateExpression;
  /** Top-level or nested paths to keep (absent = whole item). */
  projection?: Path[];
}

/** Which expression parameters an operation takes. */
export interface ExpressionParams {
  condition?: boolean;
  update?: boolean;
  projection?: boolean;
}

const LEGACY_OF = {
  condition: ["Expected", "ConditionExpression"],
  update: ["AttributeUpdates", "UpdateExpression"],
  projection: ["AttributesToGet", "ProjectionExpression"],
} as const;

const OPERAND_COUNT: Record<string, number | [number, number]> = {
  EQ: 1,
  NE: 1,
  LE: 1,
  LT: 1,
  GE: 1,
  GT: 1,
  NOT_NULL: 0,
  NULL: 0,
  CONTAINS: 1,
  NOT_CONTAINS: 1,
  BEGINS_WITH: 1,
  IN: [1, Infinity],
  BETWEEN: 2,
};

const COMPARATORS = { EQ: "=", NE: "<>", LE: "<=", LT: "<", GE: ">=", GT: ">" } as const;

function normalizedValues(body: Body): Record<string, AttributeValue> | undefined {
  const raw = body.ExpressionAttributeValues as Record<string, unknown> | undefined;
  if (raw === undefined || raw === null) return undefined;
  const out: Record<string, AttributeValue> = {};
  for (const [k, v] of Object.entries(raw)) {
    try {
      out[k] = normalizeValue(v);
    } catch (error) {
      throw validation(
        `ExpressionAttributeValues contains invalid value: ${
          (error as Error).message
        } for key ${k}`,
      );
    }
  }
  return out;
}

let legacyRef = 0;
function valueOperand(value: unknown): Operand {
  return { kind: "value", ref: `:legacy${legacyRef++}`, value: normalizeValue(value) };
}

/** Expected (+ ConditionalOperator) as a condition tree. */
function expectedCondition(expected: Record<string, Record<string, unknown>>, op: unknown) {
  const parts: Condition[] = [];
  for (const [name, spec] of Object.entries(expected)) {
    const path: Operand = { kind: "path", path: [name] };
    const operator = spec.ComparisonOperator as string | undefined;
    if (operator === undefined) {
      if (spec.Exists === false) {
        if (spec.Value !== undefined) {
          throw invalidParameter(
            `Value cannot be used when Exists is false for Attribute: ${name}`,
          );
        }
        parts.push({ kind: "function", name: "attribute_not_exists", args: [path] });
      } else {
        if (spec.Value === undefined) {
          throw invalidParameter(
            `Value must be provided when Exists is true for Attribute: ${name}`,
          );
        }
        parts.push({ kind: "compare", operator: "=", left: path, right: valueOperand(spec.Value) });
      }
      continue;
    }
    const list =
      (spec.AttributeValueList ?? (spec.Value !== undefined ? [spec.Value] : [])) as unknown[];
    const want = OPERAND_COUNT[operator];
    if (want === undefined) {
      throw validation(
        `1 validation error detected: Value '${operator}' at 'expected.${name}.member.comparisonOperator' failed to satisfy constraint: Member must satisfy enum value set: [IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]`,
      );
    }
    const [min, max] = typeof want === "number" ? [want, want] : want;
    if (list.length < min || list.length > max) {
      throw invalidParameter(
        `Invalid number of argument(s) for the ${operator} ComparisonOperator`,
      );
    }
    const args = list.map(valueOperand);
    if (operator in COMPARATORS) {
      parts.push({
        kind: "compare",
        operator: COMPARATORS[operator as keyof typeof COMPARATORS],
        left: path,
        right: args[0],
      });
    } else if (operator === "NULL") {
      parts.push({ kind: "function", name: "attribute_not_exists", args: [path] });
    } else if (operator === "NOT_NULL") {
      parts.push({ kind: "function", name: "attribute_exists", args: [path] });
    } else if (operator === "CONTAINS" || operator === "NOT_CONTAINS") {
      const c: Condition = { kind: "function", name: "contains", args: [path, args[0]] };
      parts.push(
        operator === "CONTAINS" ? c : {
          kind: "and",
          left: { kind: "function", name: "attribute_exists", args: [path] },
          right: { kind: "not", condition: c },
        },
      );
    } else if (operator === "BEGINS_WITH") {
      parts.push({ kind: "function", name: "begins_with", args: [path, args[0]] });
    } else if (operator === "IN") {
      parts.push({ kind: "in", operand: path, list: args });
    } else {
      parts.push({ kind: "between", operand: path, low: args[0], high: args[1] });
    }
  }
  if (parts.length === 0) return undefined;
  const join = op === "OR" ? "or" : "and";
  return parts.reduce((left, right) => ({ kind: join, left, right }));
}

/** AttributeUpdates as an update tree. */
function attributeUpdates(updates: Record<string, Record<string, unknown>>): UpdateExpression {
  const actions: UpdateAction[] = [];
  for (const [name, spec] of Object.entries(updates)) {
    const action = (spec.Action ?? "PUT") as string;
    const path = [name];
    if (action === "PUT") {
      if (spec.Value === undefined) {
        throw invalidParameter(
          "Only DELETE action is allowed when no attribute value is specified",
        );
      }
      actions.push({ kind: "SET", path, value: valueOperand(spec.Value) });
    } else if (action === "DELETE") {
      actions.push(
        spec.Value === undefined
          ? { kind: "REMOVE", path }
          : { kind: "DELETE", path, value: normalizeValue(spec.Value) },
      );
    } else if (action === "ADD") {
      if (spec.Value === undefined) {
        throw invalidParameter(
          "Only DELETE action is allowed when no attribute value is specified",
        );
      }
      actions.push({ kind: "ADD", path, value: normalizeValue(spec.Value) });
    } else {
      throw validation(
        `1 validation error detected: Value '${action}' at 'attributeUpdates.${name}.member.action' failed to satisfy constraint: Member must satisfy enum value set: [ADD, PUT, DELETE]`,
      );
    }
  }
  return { actions, paths: actions.map((a) => a.path) };
}

/** Parse a request's expressions (or legacy parameters) for an item operation. */
export function parseItemExpressions(body: Body, params: ExpressionParams): ItemExpressions {
  const used = (Object.keys(params) as (keyof ExpressionParams)[]).filter((k) => params[k]);
  const legacy = used.map((k) => LEGACY_OF[k][0]).filter((n) => body[n] !== undefined);
  const modern = used.map((k) => LEGACY_OF[k][1]).filter((n) => body[n] !== undefined);
  if (legacy.length > 0 && modern.length > 0) {
    throw validation(
      `Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {${
        legacy.join(", ")
      }} Expression parameters: {${modern.join(", ")}}`,
    );
  }
  if (modern.length === 0) {
    if (body.ExpressionAttributeNames !== undefined) {
      throw validation("ExpressionAttributeNames can only be specified when using expressions");
    }
    if (body.ExpressionAttributeValues !== undefined) {
      throw validation("ExpressionAttributeValues can only be specified when using expressions");
    }
  }
  const out: ItemExpressions = {};
  if (legacy.length > 0) {
    if (body.Expected !== undefined) {
      out.condition = expectedCondition(
        body.Expected as Record<string, Record<string, unknown>>,
        body.ConditionalOperator,
      );
    }
    if (body.AttributeUpdates !== undefined) {
      out.update = attributeUpdates(
        body.AttributeUpdates as Record<string, Record<string, unknown>>,
      );
    }
    if (body.AttributesToGet !== undefined) {
      out.projection = (body.AttributesToGet as string[]).map((n) => [n]);
    }
    return out;
  }
  if (body.ConditionalOperator !== undefined) {
    throw invalidParameter(
      "ConditionalOperator can only be used when Filter or Expected has two or more elements",
    );
  }
  if (modern.length === 0) return out;
  const ctx = new ExpressionContext({
    names: body.ExpressionAttributeNames as Record<string, string> | undefined,
    values: normalizedValues(body),
  });
  if (params.update && typeof body.UpdateExpression === "string") {
    out.update = parseUpdate(body.UpdateExpression, ctx);
  }
  if (params.condition && typeof body.ConditionExpression === "string") {
    out.condition = parseCondition(body.ConditionExpression, ctx, "ConditionExpression");
  }
  if (params.projection && typeof body.ProjectionExpression === "string") {
    out.projection = parseProjection(body.ProjectionExpression, ctx).paths;
  }
  ctx.assertAllUsed();
  return out;
}

/** Evaluate the request's condition (true when there is none). */
export function conditionHolds(expressions: ItemExpressions, item: Item | null): boolean {
  return !expressions.condition || evaluateCondition(expressions.condition, item ?? undefined);
}

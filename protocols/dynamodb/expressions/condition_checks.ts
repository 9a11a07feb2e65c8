/**
 * Semantic checks DynamoDB makes on a parsed condition: function names, arity and operand
 * types, misused functions, undefined references, distinct operands and BETWEEN bounds,
 * reported per comparison in text order (see issues.ts).
 * @module
 */
import type { AttributeValue } from "../attribute_value.ts";
import type { Condition, Operand, Path } from "./ast.ts";
import { MAX_IN_OPERANDS, MESSAGES } from "./errors.ts";
import type { Issues } from "./issues.ts";
import { formatPath } from "./paths.ts";
import { compareAttributeValues, typeOf } from "./values.ts";

const CONDITION_FUNCTIONS: Record<string, number> = {
  attribute_exists: 1,
  attribute_not_exists: 1,
  attribute_type: 2,
  begins_with: 2,
  contains: 2,
  size: 1,
};
const TYPE_NAMES = new Set(["S", "N", "B", "NULL", "SS", "BOOL", "L", "BS", "NS", "M"]);
/** The statically known type of an operand: a literal's tag, or a function's result type. */
function staticType(operand: Operand): string | null {
  if (operand.kind === "value") return typeOf(operand.value);
  if (operand.kind === "function") {
    if (operand.name === "size") return "N";
    if (operand.name === "list_append") return "L";
    if (operand.name === "if_not_exists" && operand.args.length === 2) {
      return staticType(operand.args[1]);
    }
    if (operand.name in CONDITION_FUNCTIONS) return "BOOL";
  }
  if (operand.kind === "arithmetic") return "N";
  return null;
}

function samePath(a: Path, b: Path): boolean {
  return a.length === b.length && a.every((step, i) => step === b[i]);
}

function render(value: AttributeValue): string {
  const type = typeOf(value);
  return `{${type}:${(value as Record<string, unknown>)[type]}}`;
}

function checkDistinct(operator: string, args: Operand[], issues: Issues): void {
  const [first, second] = args;
  if (
    args.length === 2 && first.kind === "path" && second.kind === "path" &&
    samePath(first.path, second.path)
  ) {
    issues.add("distinct", MESSAGES.distinct(operator, formatPath(first.path)));
  }
}

function checkConditionFunction(name: string, args: Operand[], issues: Issues): void {
  const arity = CONDITION_FUNCTIONS[name];
  if (arity === undefined) {
    issues.add("unknownFunction", MESSAGES.unknownFunction(name));
    return;
  }
  if (arity !== args.length) {
    issues.add("operand", MESSAGES.operandCount(name, args.length));
    return;
  }
  checkDistinct(name, args, issues);
  switch (name) {
    case "attribute_exists":
    case "attribute_not_exists":
      if (args[0].kind !== "path") issues.add("function", MESSAGES.needsPath(name));
      break;
    case "begins_with":
      for (const arg of args) {
        const type = staticType(arg);
        if (type && type !== "S" && type !== "B") {
          issues.add("function", MESSAGES.operandType(name, type));
          break;
        }
      }
      break;
    case "attribute_type": {
      const type = staticType(args[1]);
      if (type !== "S") {
        issues.add(
          "function",
          MESSAGES.operandType(name, type ?? "{NS,SS,L,BS,N,M,B,BOOL,NULL,S}"),
        );
      } else if (args[1].kind === "value" && "S" in args[1].value) {
        const typeName = args[1].value.S;
        if (!TYPE_NAMES.has(typeName)) issues.add("function", MESSAGES.invalidTypeName(typeName));
      }
      break;
    }
    case "size": {
      const type = staticType(args[0]);
      if (type === "N" || type === "BOOL" || type === "NULL") {
        issues.add("function", MESSAGES.operandType(name, type));
      }
      break;
    }
  }
}

/** Checks an operand of a comparison, BETWEEN, IN or a function argument. */
function checkConditionOperand(operand: Operand, issues: Issues): void {
  if (operand.kind !== "function") return;
  // Arguments first: DynamoDB reports the innermost function's problem.
  for (const arg of operand.args) checkConditionOperand(arg, issues);
  if (operand.name !== "size") {
    issues.add("misusedFunction", MESSAGES.misusedFunction(operand.name));
  }
  checkConditionFunction(operand.name, operand.args, issues);
}

function checkBetween(low: Operand, high: Operand, issues: Issues): void {
  if (low.kind !== "value" || high.kind !== "value") return;
  const lowType = typeOf(low.value);
  const highType = typeOf(high.value);
  if (lowType !== highType) {
    issues.add("function", MESSAGES.betweenTypes(render(low.value), render(high.value)));
    return;
  }
  const order = compareAttributeValues(low.value, high.value);
  if (order !== null && order > 0) {
    issues.add("function", MESSAGES.betweenOrder(render(low.value), render(high.value)));
  }
}

/** Reports the first undefined reference among operands, in text order. */
function checkReferences(operands: Operand[], issues: Issues): boolean {
  for (const operand of operands) {
    const holder = operand.kind === "path" ? operand.path : operand;
    const ref = issues.unresolved.get(holder);
    if (ref !== undefined) {
      const message = ref.startsWith("#")
        ? MESSAGES.undefinedName(ref)
        : MESSAGES.undefinedValue(ref);
      issues.add("reference", message);
      return true;
    }
    if (operand.kind === "function" && checkReferences(operand.args, issues)) return true;
  }
  return false;
}

function leafOperands(condition: Condition): Operand[] {
  switch (condition.kind) {
    case "function":
      return condition.args;
    case "compare":
      return [condition.left, condition.right];
    case "between":
      return [condition.operand, condition.low, condition.high];
    case "in":
      return [condition.operand, ...condition.list];
    default:
      return [];
  }
}

/** Records every problem DynamoDB finds in a parsed condition. */
export function checkCondition(condition: Condition, issues: Issues): void {
  switch (condition.kind) {
    case "and":
    case "or":
      checkCondition(condition.left, issues);
      checkCondition(condition.right, issues);
      return;
    case "not":
      checkCondition(condition.condition, issues);
      return;
    default:
      issues.beginLeaf();
      checkReferences(leafOperands(condition), issues);
      checkLeaf(condition, issues);
      issues.endLeaf();
  }
}

function checkLeaf(condition: Condition, issues: Issues): void {
  switch (condition.kind) {
    case "function":
      for (const arg of condition.args) checkConditionOperand(arg, issues);
      // size() yields a number; on its own it is not a condition.
      if (condition.name === "size") {
        issues.add("misusedFunction", MESSAGES.misusedFunction("size"));
      }
      checkConditionFunction(condition.name, condition.args, issues);
      return;
    case "compare":
      checkConditionOperand(condition.left, issues);
      checkConditionOperand(condition.right, issues);
      checkDistinct(condition.operator, [condition.left, condition.right], issues);
      return;
    case "between":
      for (const operand of [condition.operand, condition.low, condition.high]) {
        checkConditionOperand(operand, issues);
      }
      checkBetween(condition.low, condition.high, issues);
      return;
    case "in":
      if (condition.list.length > MAX_IN_OPERANDS) {
        issues.add("operand", MESSAGES.tooManyInOperands(condition.list.length));
      }
      for (const operand of [condition.operand, ...condition.list]) {
        checkConditionOperand(operand, issues);
      }
      return;
    default:
      return;
  }
}

/**
 * Semantic checks DynamoDB makes on parsed update actions: function names, arity and operand
 * types, ADD/DELETE operand types, and overlapping or conflicting document paths.
 * @module
 */
import type { Operand, UpdateAction } from "./ast.ts";
import { MESSAGES } from "./errors.ts";
import type { Issues } from "./issues.ts";
import { checkPathSet } from "./path_checks.ts";
import { typeOf } from "./values.ts";

const UPDATE_FUNCTIONS: Record<string, number> = { if_not_exists: 2, list_append: 2 };
// How DynamoDB names value types in ADD/DELETE operand errors (sets keep their tags).
const UPDATE_TYPE_NAMES: Record<string, string> = {
  S: "STRING",
  N: "NUMBER",
  B: "BINARY",
  NULL: "NULL",
  BOOL: "BOOLEAN",
  L: "LIST",
  M: "MAP",
};

/** The type of a literal only (functions excluded), as update operand checks use. */
function literalType(operand: Operand): string | null {
  return operand.kind === "value" ? typeOf(operand.value) : null;
}

function checkUpdateOperand(operand: Operand, issues: Issues): void {
  if (operand.kind === "arithmetic") {
    for (const side of [operand.left, operand.right]) {
      const type = literalType(side);
      if (type && type !== "N") {
        issues.add("function", MESSAGES.operandType(operand.operator, type));
        break;
      }
    }
    checkUpdateOperand(operand.left, issues);
    checkUpdateOperand(operand.right, issues);
    return;
  }
  if (operand.kind !== "function") return;
  const { name, args } = operand;
  const arity = UPDATE_FUNCTIONS[name];
  if (arity === undefined) {
    issues.add("unknownFunction", MESSAGES.unknownFunction(name));
  } else if (arity !== args.length) {
    issues.add("function", MESSAGES.operandCount(name, args.length));
  } else if (name === "if_not_exists" && args[0].kind !== "path") {
    issues.add("function", MESSAGES.needsPath(name));
  } else if (name === "list_append") {
    for (const arg of args) {
      const type = literalType(arg);
      if (type && type !== "L") {
        issues.add("function", MESSAGES.operandType(name, type));
        break;
      }
    }
  }
  for (const arg of args) checkUpdateOperand(arg, issues);
}

/** Records every problem DynamoDB finds in parsed update actions. */
export function checkUpdateActions(actions: UpdateAction[], issues: Issues): void {
  checkPathSet(actions.map((action) => action.path), issues);
  for (const action of actions) {
    if (action.kind === "SET") {
      checkUpdateOperand(action.value, issues);
    } else if (action.kind === "ADD" || action.kind === "DELETE") {
      const type = typeOf(action.value);
      const name = UPDATE_TYPE_NAMES[type];
      if (name && !(action.kind === "ADD" && type === "N")) {
        issues.add("operand", MESSAGES.updateOperandType(action.kind, name));
      }
    }
  }
}

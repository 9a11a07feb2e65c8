/**
 * The one error class of the expression language and DynamoDB's message texts, shared by the
 * parser, evaluator, updater and tests. The service maps ExpressionError to ValidationException.
 * @module
 */

/** A DynamoDB validation failure; `.message` is the exact DynamoDB message (no `__type`). */
export class ExpressionError extends Error {
  /** @param message DynamoDB's message text */
  constructor(message: string) {
    super(message);
    this.name = "ExpressionError";
  }
}

/** Which request parameter an expression came from; used as the "Invalid <kind>: " prefix. */
export type ExpressionKind =
  | "ConditionExpression"
  | "FilterExpression"
  | "KeyConditionExpression"
  | "UpdateExpression"
  | "ProjectionExpression";

/** Longest expression string DynamoDB accepts, in UTF-8 bytes. */
export const MAX_EXPRESSION_BYTES = 4096;
/** Most operators and functions one expression may contain. */
export const MAX_OPERATORS = 300;
/** Most values an IN list may hold. */
export const MAX_IN_OPERANDS = 100;
/**
 * Deepest nesting the parser follows. An expression within {@link MAX_EXPRESSION_BYTES} cannot
 * nest deeper (one byte per level at least), so valid-size input always gets DynamoDB's own
 * answer; the cap bounds recursion should the size limit ever be lifted.
 */
export const MAX_NESTING_DEPTH = MAX_EXPRESSION_BYTES;

/** DynamoDB's message texts (without the "Invalid <kind>: " prefix where one applies). */
export const MESSAGES = {
  empty: "The expression can not be empty;",
  tooLarge: (bytes: number) =>
    `Expression size has exceeded the maximum allowed size; expression size: ${bytes}`,
  tooManyOperators: (count: number) =>
    `The expression contains too many operators; operator count: ${count}`,
  syntax: (token: string, near: string) => `Syntax error; token: "${token}", near: "${near}"`,
  redundantParens: "The expression has redundant parentheses;",
  reserved: (name: string) => `Attribute name is a reserved keyword; reserved keyword: ${name}`,
  undefinedName: (name: string) =>
    `An expression attribute name used in the document path is not defined; attribute name: ${name}`,
  undefinedValue: (name: string) =>
    `An expression attribute value used in expression is not defined; attribute value: ${name}`,
  unknownFunction: (name: string) => `Invalid function name; function: ${name}`,
  misusedFunction: (name: string) =>
    `The function is not allowed to be used this way in an expression; function: ${name}`,
  tooManyInOperands: (count: number) =>
    `The IN operator is provided with too many operands; number of operands: ${count}`,
  operandCount: (name: string, count: number) =>
    `Incorrect number of operands for operator or function; operator or function: ${name}, number of operands: ${count}`,
  needsPath: (name: string) =>
    `Operator or function requires a document path; operator or function: ${name}`,
  operandType: (name: string, type: string) =>
    `Incorrect operand type for operator or function; operator or function: ${name}, operand type: ${type}`,
  updateOperandType: (operator: string, type: string) =>
    `Incorrect operand type for operator or function; operator: ${operator}, operand type: ${type}`,
  invalidTypeName: (type: string) =>
    `Invalid attribute type name found; type: ${type}, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}`,
  distinct: (operator: string, path: string) =>
    `The first operand must be distinct from the remaining operands for this operator or function; operator: ${operator}, first operand: ${path}`,
  betweenTypes: (low: string, high: string) =>
    `The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: AttributeValue: ${low}, upper bound operand: AttributeValue: ${high}`,
  betweenOrder: (low: string, high: string) =>
    `The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: ${low}, upper bound operand: AttributeValue: ${high}`,
  sectionTwice: (section: string) =>
    `The "${section}" section can only be used once in an update expression;`,
  pathOverlap: (one: string, two: string) =>
    `Two document paths overlap with each other; must remove or rewrite one of these paths; path one: ${one}, path two: ${two}`,
  pathConflict: (one: string, two: string) =>
    `Two document paths conflict with each other; must remove or rewrite one of these paths; path one: ${one}, path two: ${two}`,
  // Request-level checks (no "Invalid <kind>" prefix).
  unusedNames: (keys: string[]) =>
    `Value provided in ExpressionAttributeNames unused in expressions: keys: {${keys.join(", ")}}`,
  unusedValues: (keys: string[]) =>
    `Value provided in ExpressionAttributeValues unused in expressions: keys: {${keys.join(", ")}}`,
  namesEmpty: "ExpressionAttributeNames must not be empty",
  valuesEmpty: "ExpressionAttributeValues must not be empty",
  invalidNameKey: (key: string) =>
    `ExpressionAttributeNames contains invalid key: Syntax error; key: "${key}"`,
  invalidValueKey: (key: string) =>
    `ExpressionAttributeValues contains invalid key: Syntax error; key: "${key}"`,
  // Applying an update to an item.
  invalidUpdatePath: "The document path provided in the update expression is invalid for update",
  missingAttribute:
    "The provided expression refers to an attribute that does not exist in the item",
  wrongOperandType: "An operand in the update expression has an incorrect data type",
  // KeyConditionExpression structure and key schema.
  keyInvalidOperator: (operator: string) =>
    `Invalid operator used in KeyConditionExpression: ${operator}`,
  keyNested: "KeyConditionExpressions cannot contain nested operations",
  keyNestedAttribute: "KeyConditionExpressions cannot have conditions on nested attributes",
  keyFirstOperand: (operator: string) =>
    `Invalid condition in KeyConditionExpression: ${operator} operator must have the key attribute as its first operand`,
  keyMultipleNames:
    "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition",
  keyNoAttribute: "Invalid condition in KeyConditionExpression: No key attribute specified",
  keyOneConditionPerKey: "KeyConditionExpressions must only contain one condition per key",
  keyMissedElement: (name: string) => `Query condition missed key schema element: ${name}`,
  keyConditionCount: "Conditions can be of length 1 or 2 only",
  keyNotIndexable: "Attempted conditional constraint is not an indexable operation",
  keyNotSupported: "Query key condition not supported",
  keyTypeMismatch:
    "One or more parameter values were invalid: Condition parameter type does not match schema type",
} as const;

/** Prefixes a message with "Invalid <kind>: " as DynamoDB does for expression errors. */
export function invalid(kind: ExpressionKind, message: string): ExpressionError {
  return new ExpressionError(`Invalid ${kind}: ${message}`);
}

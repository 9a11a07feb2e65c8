/**
 * DynamoDB's AttributeValue as it travels in JSON, shared by the service and the expression
 * language. Numbers stay strings (38-digit decimals); binaries stay base64 in JSON.
 * @module
 */

/** One attribute value, exactly one of these members set. */
export type AttributeValue =
  | { S: string }
  | { N: string }
  | { B: string }
  | { BOOL: boolean }
  | { NULL: true }
  | { M: Record<string, AttributeValue> }
  | { L: AttributeValue[] }
  | { SS: string[] }
  | { NS: string[] }
  | { BS: string[] };

/** An item: attribute name to value. */
export type Item = Record<string, AttributeValue>;

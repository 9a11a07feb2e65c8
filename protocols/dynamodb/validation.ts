/**
 * Request-shape checks in AWS's wording: member types (SerializationException) and the
 * generic constraint list ("N validation errors detected: Value … at '…' failed to satisfy
 * constraint: …"), collected in AWS's order and thrown together.
 * @module
 */
import { constraintErrors, CONSTRAINTS, FORMATS, MESSAGES, serialization } from "./errors.ts";

/** A request body: a JSON object. */
export type Body = Record<string, unknown>;

/** Shortest and longest table or index name. */
export const NAME_MIN = 3;
export const NAME_MAX = 255;
/** Longest table ARN accepted in place of a name. */
export const ARN_MAX = 1024;
const NAME_PATTERN = /^[a-zA-Z0-9_.-]+$/;

function show(v: unknown): string {
  return v === undefined || v === null ? "null" : `'${String(v)}'`;
}

/** Collects constraint failures, then throws them as one ValidationException. */
export class Constraints {
  #failures: string[] = [];

  /** Record a failure for `path` holding `value`. */
  fail(path: string, value: unknown, constraint: string): void {
    this.#failures.push(
      `Value ${show(value)} at '${path}' failed to satisfy constraint: ${constraint}`,
    );
  }

  /** Member must be present. Returns whether it was. */
  required(path: string, value: unknown): boolean {
    if (value === undefined || value === null) {
      this.fail(path, value, CONSTRAINTS.notNull);
      return false;
    }
    return true;
  }

  /** A table or index name: length and pattern (a table ARN is accepted when `arn`). */
  name(path: string, value: unknown, options: { required?: boolean; arn?: boolean } = {}) {
    if (value === undefined || value === null) {
      if (options.required !== false) this.required(path, value);
      return;
    }
    const text = String(value);
    if (options.arn && text.startsWith("arn:")) {
      if (text.length > ARN_MAX) {
        this.fail(path, text, CONSTRAINTS.maxLength(ARN_MAX));
      }
      return;
    }
    if (!NAME_PATTERN.test(text)) {
      this.fail(path, text, CONSTRAINTS.namePattern);
    }
    if (text.length < NAME_MIN) {
      this.fail(path, text, CONSTRAINTS.minLength(NAME_MIN));
    }
    if (text.length > NAME_MAX) {
      this.fail(path, text, CONSTRAINTS.maxLength(NAME_MAX));
    }
  }

  /** An enum member. */
  oneOf(path: string, value: unknown, allowed: readonly string[]) {
    if (value === undefined || value === null) return;
    if (!allowed.includes(String(value))) {
      this.fail(path, value, CONSTRAINTS.oneOf(allowed));
    }
  }

  /** A number in range. */
  range(path: string, value: unknown, min: number, max?: number) {
    if (value === undefined || value === null) return;
    const n = Number(value);
    if (n < min) this.fail(path, value, CONSTRAINTS.minValue(min));
    if (max !== undefined && n > max) {
      this.fail(path, value, CONSTRAINTS.maxValue(max));
    }
  }

  /** Throw the collected failures, if any. */
  throwIfAny(): void {
    if (this.#failures.length > 0) throw constraintErrors(this.#failures.slice(0, 10));
  }
}

const JSON_TYPE_NAMES: Record<string, string> = {
  string: "STRING_VALUE",
  number: "NUMBER_VALUE",
  boolean: "BOOLEAN_VALUE",
  object: "START_OBJECT",
};

function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return "START_ARRAY";
  return JSON_TYPE_NAMES[typeof v] ?? "VALUE";
}

/** Member types a request declares; checked before anything else, as AWS's deserializer does. */
export type Shape = Record<string, "string" | "number" | "boolean" | "object" | "array">;

function jsonTypeOf(v: unknown): string {
  return typeof v;
}

/** Throw SerializationException when a present member has the wrong JSON type. */
export function checkShape(body: Body, shape: Shape): void {
  for (const [name, kind] of Object.entries(shape)) {
    const v = body[name];
    if (v === undefined || v === null) continue;
    const ok = kind === "array"
      ? Array.isArray(v)
      : kind === "object"
      ? typeof v === "object" && !Array.isArray(v)
      : jsonTypeOf(v) === kind;
    if (!ok) {
      if (kind === "string" && (typeof v === "number" || typeof v === "boolean")) {
        throw serialization(FORMATS.memberNotConvertible(jsonKind(v), "String"));
      }
      if (kind === "boolean" && typeof v !== "object") {
        throw serialization(FORMATS.memberNotConvertible(jsonKind(v), "Boolean"));
      }
      throw serialization(MESSAGES.unexpectedFieldType);
    }
  }
}

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
  required<T>(path: string, value: T): value is NonNullable<T> {
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

  /**
   * Throw the collected failures, if any; then the members `names` (each checked with
   * `required` above) are present, and the request is typed so.
   */
  checked<R extends object, K extends keyof R>(request: R, ...names: K[]): WithRequired<R, K> {
    this.throwIfAny();
    for (const name of names) {
      if (request[name] === undefined || request[name] === null) {
        throw new TypeError(`member ${String(name)} was not checked as required`);
      }
    }
    return request as WithRequired<R, K>;
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

/** A member's JSON type, as AWS's deserializer checks it. */
export type Kind = "string" | "number" | "boolean" | "object" | "array";

/**
 * A structured member (list or map) and the TypeScript type its contents are declared as. Only
 * the outer JSON type is checked by `checkShape`; the operation's constraint checks validate the
 * contents, in AWS's order, before relying on them.
 */
export interface Member<T> {
  readonly kind: "object" | "array";
  /** Never set: carries T. */
  readonly type?: T;
}

/** A list member whose elements are declared as T. */
export function listOf<T>(): Member<T[]> {
  return { kind: "array" };
}

/** A map or structure member declared as T. */
export function structure<T>(): Member<T> {
  return { kind: "object" };
}

/** Member types a request declares; checked before anything else, as AWS's deserializer does. */
export type Shape = Readonly<Record<string, Kind | Member<unknown>>>;

type MemberType<M> = M extends "string" ? string
  : M extends "number" ? number
  : M extends "boolean" ? boolean
  : M extends "object" ? Record<string, unknown>
  : M extends "array" ? unknown[]
  : M extends Member<infer T> ? T
  : never;

/** A request body whose members `checkShape` has checked: every member optional, typed. */
export type Request<S extends Shape> = { readonly [K in keyof S]?: MemberType<S[K]> };

/** A request with the members `K` known present (checked by `Constraints.required`). */
export type WithRequired<R, K extends keyof R> = R & { readonly [P in K]-?: NonNullable<R[P]> };

function kindOf(member: Kind | Member<unknown>): Kind {
  return typeof member === "string" ? member : member.kind;
}

function jsonTypeOf(v: unknown): string {
  return typeof v;
}

/** Each shape's members and their kinds, listed once (shapes are module constants). */
const SHAPE_MEMBERS = new WeakMap<Shape, [string, Kind][]>();

function membersOf(shape: Shape): [string, Kind][] {
  let members = SHAPE_MEMBERS.get(shape);
  if (members === undefined) {
    members = Object.entries(shape).map(([name, member]) => [name, kindOf(member)]);
    SHAPE_MEMBERS.set(shape, members);
  }
  return members;
}

/** Throw SerializationException when a present member has the wrong JSON type. */
export function checkShape<S extends Shape>(body: Body, shape: S): Request<S> {
  for (const [name, kind] of membersOf(shape)) {
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
  // Every member's JSON type now matches the shape, which is what Request<S> declares.
  return body as Request<S>;
}

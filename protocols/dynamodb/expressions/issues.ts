/**
 * Collects the semantic problems found in one expression and reports the one DynamoDB would,
 * by category priority (DynamoDB reports, for example, a reserved word before an undefined
 * value, whatever their order in the text).
 * @module
 */
import { type ExpressionKind, invalid } from "./errors.ts";

/** Problem categories, named as in DynamoDB's validation stages. */
export type IssueCategory =
  | "parens"
  | "reserved"
  | "unknownFunction"
  | "misusedFunction"
  | "section"
  | "attrName"
  | "attrValue"
  | "reference"
  | "condition"
  | "pathOverlap"
  | "pathConflict"
  | "operand"
  | "distinct"
  | "function";

/** Priorities per expression family. */
// A condition reports, after the expression-wide problems, the first comparison or function
// (in text order) that has a problem ("condition"), and within it the first of LEAF_ORDER.
export const CONDITION_ORDER: IssueCategory[] = [
  "parens",
  "unknownFunction",
  "misusedFunction",
  "reserved",
  "condition",
];
const LEAF_ORDER: IssueCategory[] = ["reference", "operand", "distinct", "function"];
const LEAF_CATEGORIES: ReadonlySet<IssueCategory> = new Set(LEAF_ORDER);
export const UPDATE_ORDER: IssueCategory[] = [
  "reserved",
  "unknownFunction",
  "section",
  "attrName",
  "attrValue",
  "pathOverlap",
  "pathConflict",
  "operand",
  "function",
];
export const PROJECTION_ORDER: IssueCategory[] = [
  "reserved",
  "reference",
  "pathOverlap",
  "pathConflict",
];

/** The first problem of each category, reported by priority. */
export class Issues {
  /** `#name` / `:value` references left undefined, by the path or operand holding them. */
  readonly unresolved = new WeakMap<object, string>();
  #first = new Map<IssueCategory, string>();
  #leaf: Map<IssueCategory, string> | null = null;

  /** Records a problem unless one of its category was already found. */
  add(category: IssueCategory, message: string): void {
    const target = this.#leaf && LEAF_CATEGORIES.has(category) ? this.#leaf : this.#first;
    if (!target.has(category)) target.set(category, message);
  }

  /** Starts collecting the problems of one comparison or function condition. */
  beginLeaf(): void {
    this.#leaf = new Map();
  }

  /** Ends a leaf: its first problem becomes the condition's, unless an earlier leaf had one. */
  endLeaf(): void {
    const leaf = this.#leaf;
    this.#leaf = null;
    const category = leaf && LEAF_ORDER.find((c) => leaf.has(c));
    if (category) this.add("condition", leaf.get(category)!);
  }

  /** Whether a problem of this category was recorded. */
  has(category: IssueCategory): boolean {
    return this.#first.has(category);
  }

  /**
   * Throws the highest-priority problem, if any.
   * @throws {ExpressionError} "Invalid <kind>: <message>"
   */
  throwFirst(kind: ExpressionKind, order: IssueCategory[]): void {
    for (const category of order) {
      const message = this.#first.get(category);
      if (message !== undefined) throw invalid(kind, message);
    }
  }
}

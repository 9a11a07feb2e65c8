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
  | "pathOverlap"
  | "pathConflict"
  | "operand"
  | "distinct"
  | "function";

/** Priorities per expression family. */
// Conditions and projections report the first undefined name or value in text order
// ("reference"); updates report undefined names before undefined values.
export const CONDITION_ORDER: IssueCategory[] = [
  "parens",
  "unknownFunction",
  "misusedFunction",
  "reserved",
  "reference",
  "operand",
  "distinct",
  "function",
];
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
  #first = new Map<IssueCategory, string>();

  /** Records a problem unless one of its category was already found. */
  add(category: IssueCategory, message: string): void {
    if (!this.#first.has(category)) this.#first.set(category, message);
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

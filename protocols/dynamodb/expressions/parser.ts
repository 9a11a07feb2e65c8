/**
 * Recursive-descent parser for DynamoDB's condition, update and projection expressions.
 * Syntax errors throw at once with DynamoDB's token/near text; semantic problems (reserved
 * words, undefined references, function misuse, overlapping paths) are collected and the one
 * DynamoDB would report is thrown after the parse.
 *
 * Grammar (keywords case-insensitive):
 *   condition  := and (OR and)*           and := not (AND not)*      not := NOT not | primary
 *   primary    := '(' condition ')' | operand [comparator operand | BETWEEN operand AND operand
 *                 | IN '(' operand (',' operand)* ')']          (a bare operand must be a function)
 *   operand    := path | :value | name '(' operand (',' operand)* ')' | '(' operand ')'
 *   path       := (identifier | #name) ('.' (identifier | #name) | '[' digits ']')*
 *   update     := (SET set (',' set)* | REMOVE path (',' path)* | ADD path :value (',' …)*
 *                 | DELETE path :value (',' …)*)+
 *   set        := path '=' setValue    setValue := '(' setValue ')' | operand [('+' | '-') operand]
 *   projection := path (',' path)*
 * @module
 */
import type { AttributeValue } from "../attribute_value.ts";
import type {
  Comparator,
  Condition,
  Operand,
  Path,
  Projection,
  UpdateAction,
  UpdateExpression,
} from "./ast.ts";
import type { ExpressionContext } from "./context.ts";
import {
  type ExpressionKind,
  invalid,
  MAX_EXPRESSION_BYTES,
  MAX_NESTING_DEPTH,
  MAX_OPERATORS,
  MESSAGES,
} from "./errors.ts";
import { CONDITION_ORDER, Issues, PROJECTION_ORDER, UPDATE_ORDER } from "./issues.ts";
import { nearText, type Token, tokenize } from "./lexer.ts";
import { isReservedWord } from "./reserved_words.ts";
import { checkCondition } from "./condition_checks.ts";
import { checkPathSet } from "./path_checks.ts";
import { checkUpdateActions } from "./update_checks.ts";

const CONDITION_KEYWORDS: ReadonlySet<string> = new Set(["AND", "OR", "NOT", "BETWEEN", "IN"]);
const UPDATE_KEYWORDS: ReadonlySet<string> = new Set(["SET", "REMOVE", "ADD", "DELETE"]);
const COMPARATORS: ReadonlySet<string> = new Set(["=", "<>", "<", "<=", ">", ">="]);
// Stands in for an undefined `:value` (the parse fails anyway once it is reported).
const MISSING_VALUE: AttributeValue = { NULL: true };

/** An operand seen where a condition was expected; legal only if it turns out to be a function. */
interface BareOperand {
  kind: "bare";
  operand: Operand;
}

const encoder = new TextEncoder();
const OPERATOR_WORDS: ReadonlySet<string> = new Set(["AND", "OR", "NOT", "BETWEEN", "IN"]);
const OPERATOR_PUNCTUATION: ReadonlySet<string> = new Set([...COMPARATORS, "+", "-"]);

/** Operators and function calls in the token stream (what DynamoDB's operator limit counts). */
function countOperatorTokens(tokens: Token[]): number {
  let count = 0;
  for (let i = 0; i < tokens.length; i++) {
    const { kind, text } = tokens[i];
    if (kind === "punct" && OPERATOR_PUNCTUATION.has(text)) count++;
    else if (kind === "identifier" && OPERATOR_WORDS.has(text.toUpperCase())) count++;
    else if (kind === "identifier" && tokens[i + 1]?.text === "(") count++;
  }
  return count;
}

class Parser {
  readonly issues = new Issues();
  #source: string;
  #tokens: Token[];
  #pos = 0;
  #ctx: ExpressionContext;
  #kind: ExpressionKind;
  #keywords: ReadonlySet<string>;
  // Undefined references: updates report names before values, projections in text order, and
  // conditions per comparison (see condition_checks.ts), so conditions only note where they are.
  #referenceMode: "separate" | "ordered" | "leaf";
  #pendingName: string | undefined;
  #depth = 0;
  #operators = 0;
  // Nodes already written inside their own parentheses: a second pair is redundant.
  #wrapped = new WeakSet<object>();

  constructor(
    source: string,
    ctx: ExpressionContext,
    kind: ExpressionKind,
    keywords: ReadonlySet<string>,
  ) {
    if (source === "") throw invalid(kind, MESSAGES.empty);
    const bytes = encoder.encode(source).length;
    if (bytes > MAX_EXPRESSION_BYTES) throw invalid(kind, MESSAGES.tooLarge(bytes));
    this.#source = source;
    this.#tokens = tokenize(source);
    this.#ctx = ctx;
    this.#kind = kind;
    this.#keywords = keywords;
    this.#referenceMode = kind === "UpdateExpression"
      ? "separate"
      : kind === "ProjectionExpression"
      ? "ordered"
      : "leaf";
  }

  // --- token helpers -------------------------------------------------------------------------

  #peek(offset = 0): Token {
    return this.#tokens[Math.min(this.#pos + offset, this.#tokens.length - 1)];
  }

  #next(): Token {
    const token = this.#peek();
    if (this.#pos < this.#tokens.length - 1) this.#pos++;
    return token;
  }

  #fail(): never {
    const token = this.#peek();
    throw invalid(
      this.#kind,
      MESSAGES.syntax(token.text, nearText(this.#source, this.#tokens, this.#pos)),
    );
  }

  #isPunct(text: string, offset = 0): boolean {
    const token = this.#peek(offset);
    return token.kind === "punct" && token.text === text;
  }

  #isKeyword(word: string): boolean {
    const token = this.#peek();
    return token.kind === "identifier" && token.text.toUpperCase() === word;
  }

  #isAnyKeyword(token: Token): boolean {
    return token.kind === "identifier" && this.#keywords.has(token.text.toUpperCase());
  }

  #expectPunct(text: string): void {
    if (!this.#isPunct(text)) this.#fail();
    this.#next();
  }

  #atEnd(): boolean {
    return this.#peek().kind === "eof";
  }

  #countOperator(): void {
    this.#operators++;
  }

  #enter(): void {
    if (++this.#depth <= MAX_NESTING_DEPTH) return;
    // Deeper than any valid expression gets: it must repeat parentheses or exceed the operators.
    const operators = countOperatorTokens(this.#tokens);
    const message = operators > MAX_OPERATORS
      ? MESSAGES.tooManyOperators(operators)
      : MESSAGES.redundantParens;
    throw invalid(this.#kind, message);
  }

  #leave(): void {
    this.#depth--;
  }

  #wrap<T extends object>(node: T): T {
    if (this.#wrapped.has(node)) this.issues.add("parens", MESSAGES.redundantParens);
    this.#wrapped.add(node);
    return node;
  }

  /** Throws the operator-count error, then the collected problem DynamoDB reports first. */
  finish(order: typeof CONDITION_ORDER): void {
    if (!this.#atEnd()) this.#fail();
    if (this.#operators > MAX_OPERATORS) {
      throw invalid(this.#kind, MESSAGES.tooManyOperators(this.#operators));
    }
    this.issues.throwFirst(this.#kind, order);
  }

  // --- shared pieces -------------------------------------------------------------------------

  #pathName(): string {
    const token = this.#peek();
    if (token.kind === "name") {
      this.#next();
      const name = this.#ctx.resolveName(token.text);
      if (name !== undefined) return name;
      if (this.#referenceMode === "leaf") this.#pendingName ??= token.text;
      else {
        const category = this.#referenceMode === "separate" ? "attrName" : "reference";
        this.issues.add(category, MESSAGES.undefinedName(token.text));
      }
      return token.text;
    }
    if (token.kind !== "identifier" || this.#isAnyKeyword(token)) this.#fail();
    this.#next();
    if (isReservedWord(token.text)) this.issues.add("reserved", MESSAGES.reserved(token.text));
    return token.text;
  }

  /** Parses a document path, or more steps after `(path)` when `head` is given. */
  path(head?: Path): Path {
    this.#pendingName = head ? this.issues.unresolved.get(head) : undefined;
    const path: Path = head ? [...head] : [this.#pathName()];
    for (;;) {
      if (this.#isPunct(".")) {
        this.#next();
        path.push(this.#pathName());
      } else if (this.#isPunct("[")) {
        this.#next();
        const index = this.#peek();
        if (index.kind !== "number") this.#fail();
        this.#next();
        this.#expectPunct("]");
        path.push(Number(index.text));
      } else {
        if (this.#pendingName !== undefined) this.issues.unresolved.set(path, this.#pendingName);
        return path;
      }
    }
  }

  #value(): Operand {
    const token = this.#next();
    const value = this.#ctx.resolveValue(token.text);
    const operand: Operand = { kind: "value", ref: token.text, value: value ?? MISSING_VALUE };
    if (value === undefined) {
      if (this.#referenceMode === "leaf") this.issues.unresolved.set(operand, token.text);
      else this.issues.add("attrValue", MESSAGES.undefinedValue(token.text));
    }
    return operand;
  }

  operand(): Operand {
    const token = this.#peek();
    if (token.kind === "punct" && token.text === "(") {
      this.#next();
      this.#enter();
      const inner = this.operand();
      this.#leave();
      this.#expectPunct(")");
      return this.#groupedPath(this.#wrap(inner));
    }
    if (token.kind === "value") return this.#value();
    if (token.kind === "identifier" && this.#isPunct("(", 1) && !this.#isAnyKeyword(token)) {
      this.#next();
      this.#next();
      this.#countOperator();
      this.#enter();
      const args = [this.operand()];
      while (this.#isPunct(",")) {
        this.#next();
        args.push(this.operand());
      }
      this.#leave();
      this.#expectPunct(")");
      return { kind: "function", name: token.text, args };
    }
    return { kind: "path", path: this.path() };
  }

  // --- conditions ----------------------------------------------------------------------------

  condition(): Condition {
    return this.#toCondition(this.#or());
  }

  #toCondition(node: Condition | BareOperand): Condition {
    if (node.kind !== "bare") return node;
    const operand = node.operand;
    if (operand.kind !== "function") this.#fail();
    return { kind: "function", name: operand.name, args: operand.args };
  }

  #or(): Condition | BareOperand {
    let left = this.#and();
    while (this.#isKeyword("OR")) {
      const lhs = this.#toCondition(left);
      this.#next();
      this.#countOperator();
      left = { kind: "or", left: lhs, right: this.#toCondition(this.#and()) };
    }
    return left;
  }

  #and(): Condition | BareOperand {
    let left = this.#not();
    while (this.#isKeyword("AND")) {
      const lhs = this.#toCondition(left);
      this.#next();
      this.#countOperator();
      left = { kind: "and", left: lhs, right: this.#toCondition(this.#not()) };
    }
    return left;
  }

  #not(): Condition | BareOperand {
    if (!this.#isKeyword("NOT")) return this.#primary();
    this.#next();
    this.#countOperator();
    this.#enter();
    const condition = this.#toCondition(this.#not());
    this.#leave();
    return { kind: "not", condition };
  }

  #primary(): Condition | BareOperand {
    if (!this.#isPunct("(")) return this.#suffix(this.operand());
    this.#next();
    this.#enter();
    const inner = this.#or();
    this.#leave();
    this.#expectPunct(")");
    if (inner.kind === "bare") return this.#suffix(this.#groupedPath(this.#wrap(inner.operand)));
    return this.#wrap(inner);
  }

  /** Conditions accept `(a.b).c` and `(a)[0]`: a parenthesized path may go on. */
  #groupedPath(operand: Operand): Operand {
    if (
      operand.kind !== "path" || this.#referenceMode !== "leaf" ||
      !(this.#isPunct(".") || this.#isPunct("["))
    ) {
      return operand;
    }
    return { kind: "path", path: this.path(operand.path) };
  }

  #suffix(left: Operand): Condition | BareOperand {
    const token = this.#peek();
    if (token.kind === "punct" && COMPARATORS.has(token.text)) {
      this.#next();
      this.#countOperator();
      return { kind: "compare", operator: token.text as Comparator, left, right: this.operand() };
    }
    if (this.#isKeyword("BETWEEN")) {
      this.#next();
      this.#countOperator();
      const low = this.operand();
      if (!this.#isKeyword("AND")) this.#fail();
      this.#next();
      return { kind: "between", operand: left, low, high: this.operand() };
    }
    if (this.#isKeyword("IN")) {
      this.#next();
      this.#countOperator();
      this.#expectPunct("(");
      const list = [this.operand()];
      while (this.#isPunct(",")) {
        this.#next();
        list.push(this.operand());
      }
      this.#expectPunct(")");
      return { kind: "in", operand: left, list };
    }
    // Only a function stands alone; anything else must be completed after a closing parenthesis.
    if (left.kind !== "function" && !this.#isPunct(")")) this.#fail();
    return { kind: "bare", operand: left };
  }

  // --- updates -------------------------------------------------------------------------------

  update(): UpdateAction[] {
    const actions: UpdateAction[] = [];
    const seen = new Set<string>();
    do {
      const token = this.#peek();
      if (!this.#isAnyKeyword(token)) this.#fail();
      this.#next();
      const section = token.text.toUpperCase() as UpdateAction["kind"];
      if (seen.has(section)) this.issues.add("section", MESSAGES.sectionTwice(section));
      seen.add(section);
      actions.push(this.#action(section));
      while (this.#isPunct(",")) {
        this.#next();
        actions.push(this.#action(section));
      }
    } while (!this.#atEnd());
    return actions;
  }

  #action(section: UpdateAction["kind"]): UpdateAction {
    const path = this.path();
    switch (section) {
      case "SET":
        this.#expectPunct("=");
        return { kind: "SET", path, value: this.#setValue() };
      case "REMOVE":
        return { kind: "REMOVE", path };
      case "ADD":
      case "DELETE": {
        if (this.#peek().kind !== "value") this.#fail();
        const operand = this.#value() as { value: AttributeValue };
        return { kind: section, path, value: operand.value };
      }
    }
  }

  #setValue(): Operand {
    let left: Operand;
    if (this.#isPunct("(")) {
      this.#next();
      this.#enter();
      left = this.#setValue();
      this.#leave();
      this.#expectPunct(")");
      if (left.kind === "arithmetic") return left;
    } else {
      left = this.operand();
    }
    const token = this.#peek();
    if (token.kind !== "punct" || (token.text !== "+" && token.text !== "-")) return left;
    this.#next();
    this.#countOperator();
    return { kind: "arithmetic", operator: token.text, left, right: this.operand() };
  }

  // --- projections ---------------------------------------------------------------------------

  projection(): Path[] {
    const paths = [this.path()];
    while (this.#isPunct(",")) {
      this.#next();
      paths.push(this.path());
    }
    return paths;
  }
}

/**
 * Parses a ConditionExpression, FilterExpression or (before key checks) KeyConditionExpression.
 * @param text the expression as sent
 * @param ctx the request's context; references used here are marked used
 * @param kind names the parameter in error messages
 * @throws {ExpressionError} "Invalid <kind>: …" with DynamoDB's message
 */
export function parseCondition(
  text: string,
  ctx: ExpressionContext,
  kind: ExpressionKind = "ConditionExpression",
): Condition {
  const parser = new Parser(text, ctx, kind, CONDITION_KEYWORDS);
  const condition = parser.condition();
  checkCondition(condition, parser.issues);
  parser.finish(CONDITION_ORDER);
  return condition;
}

/**
 * Parses an UpdateExpression (SET, REMOVE, ADD, DELETE sections).
 * @throws {ExpressionError} "Invalid UpdateExpression: …" with DynamoDB's message
 */
export function parseUpdate(text: string, ctx: ExpressionContext): UpdateExpression {
  const parser = new Parser(text, ctx, "UpdateExpression", UPDATE_KEYWORDS);
  const actions = parser.update();
  checkUpdateActions(actions, parser.issues);
  parser.finish(UPDATE_ORDER);
  return { actions, paths: actions.map((action) => action.path) };
}

/**
 * Parses a ProjectionExpression (comma-separated document paths).
 * @throws {ExpressionError} "Invalid ProjectionExpression: …" with DynamoDB's message
 */
export function parseProjection(text: string, ctx: ExpressionContext): Projection {
  const parser = new Parser(text, ctx, "ProjectionExpression", new Set());
  const paths = parser.projection();
  checkPathSet(paths, parser.issues);
  parser.finish(PROJECTION_ORDER);
  return { paths };
}

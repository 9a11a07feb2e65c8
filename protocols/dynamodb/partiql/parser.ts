/**
 * Parser for DynamoDB's PartiQL subset (SELECT, INSERT, UPDATE, DELETE). Conditions and SET/
 * REMOVE clauses are translated into DynamoDB expression text with every identifier as a
 * `#name` and every literal or `?` as a `:value`, so the expression language evaluates them.
 * Pure: statement text and parameters in, a statement description out.
 * @module
 */
import type { AttributeValue, Item } from "../attribute_value.ts";
import type { Path } from "../expressions/mod.ts";
import { normalizeValue } from "../types.ts";
import { PartiQLError, type PqToken, tokenize } from "./lexer.ts";

/** `RETURNING` modes of UPDATE and DELETE. */
export type Returning = "ALL_OLD" | "MODIFIED_OLD" | "ALL_NEW" | "MODIFIED_NEW";

/** A parsed statement; expression texts use `names`/`values`. */
export type Statement =
  | {
    kind: "select";
    table: string;
    index?: string;
    /** Null for `*`. */
    projection: Path[] | null;
    where?: string;
    /** Top-level `attr = value` conjuncts (for key lookups). */
    equalities: Map<string, AttributeValue>;
    names: Record<string, string>;
    values: Record<string, AttributeValue>;
  }
  | { kind: "insert"; table: string; item: Item }
  | {
    kind: "update";
    table: string;
    update: string;
    where: string;
    equalities: Map<string, AttributeValue>;
    returning?: Returning;
    names: Record<string, string>;
    values: Record<string, AttributeValue>;
  }
  | {
    kind: "delete";
    table: string;
    where: string;
    equalities: Map<string, AttributeValue>;
    returning?: Returning;
    names: Record<string, string>;
    values: Record<string, AttributeValue>;
  };

const COMPARATORS = new Set(["=", "<>", "!=", "<", "<=", ">", ">="]);
const FUNCTIONS = new Set([
  "attribute_exists",
  "attribute_not_exists",
  "attribute_type",
  "begins_with",
  "contains",
  "size",
  "list_append",
  "if_not_exists",
]);

class Parser {
  #tokens: PqToken[];
  #i = 0;
  #params: AttributeValue[];
  #nextParam = 0;
  names: Record<string, string> = {};
  values: Record<string, AttributeValue> = {};
  #nameOf = new Map<string, string>();
  equalities = new Map<string, AttributeValue>();

  constructor(text: string, params: AttributeValue[]) {
    this.#tokens = tokenize(text);
    this.#params = params;
  }

  get peek(): PqToken {
    return this.#tokens[this.#i];
  }

  next(): PqToken {
    return this.#tokens[this.#i++];
  }

  isWord(word: string, offset = 0): boolean {
    const t = this.#tokens[this.#i + offset];
    return t?.kind === "word" && t.text.toUpperCase() === word;
  }

  isPunct(p: string): boolean {
    return this.peek.kind === "punct" && this.peek.text === p;
  }

  expectWord(word: string): void {
    if (!this.isWord(word)) this.fail(`expected ${word}`);
    this.#i++;
  }

  expectPunct(p: string): void {
    if (!this.isPunct(p)) this.fail(`expected ${JSON.stringify(p)}`);
    this.#i++;
  }

  fail(detail: string): never {
    const t = this.peek;
    throw new PartiQLError(
      `${detail} at position ${t.at}${t.kind === "eof" ? " (end of statement)" : ""}`,
    );
  }

  identifier(): string {
    const t = this.next();
    if (t.kind !== "word" && t.kind !== "quoted") {
      this.#i--;
      this.fail("expected an identifier");
    }
    return t.text;
  }

  nameRef(name: string): string {
    let ref = this.#nameOf.get(name);
    if (!ref) {
      ref = `#n${this.#nameOf.size}`;
      this.#nameOf.set(name, ref);
      this.names[ref] = name;
    }
    return ref;
  }

  valueRef(v: AttributeValue): string {
    const ref = `:v${Object.keys(this.values).length}`;
    this.values[ref] = v;
    return ref;
  }

  /** A table reference: name, or "table"."index". */
  tableRef(): { table: string; index?: string } {
    const table = this.identifier();
    if (this.isPunct(".")) {
      this.#i++;
      return { table, index: this.identifier() };
    }
    return { table };
  }

  /** A document path as parts, and its expression text (`named`: names registered). */
  path(named = true): { parts: Path; text: string } {
    const ref = (name: string) => named ? this.nameRef(name) : name;
    const first = this.identifier();
    const parts: Path = [first];
    let text = ref(first);
    for (;;) {
      if (this.isPunct(".")) {
        this.#i++;
        const member = this.identifier();
        parts.push(member);
        text += `.${ref(member)}`;
      } else if (this.isPunct("[")) {
        this.#i++;
        const t = this.next();
        if (t.kind !== "number" || !/^\d+$/.test(t.text)) this.fail("expected a list index");
        this.expectPunct("]");
        parts.push(Number(t.text));
        text += `[${t.text}]`;
      } else {
        return { parts, text };
      }
    }
  }

  /** A literal value or parameter. */
  value(): AttributeValue {
    const t = this.next();
    if (t.kind === "string") return { S: t.text };
    if (t.kind === "number") return normalizeValue({ N: t.text });
    if (t.kind === "punct" && t.text === "-" && this.peek.kind === "number") {
      return normalizeValue({ N: `-${this.next().text}` });
    }
    if (t.kind === "punct" && t.text === "?") {
      const v = this.#params[this.#nextParam++];
      if (!v) this.fail("missing a parameter value for ?");
      return v;
    }
    if (t.kind === "word") {
      const w = t.text.toUpperCase();
      if (w === "TRUE" || w === "FALSE") return { BOOL: w === "TRUE" };
      if (w === "NULL") return { NULL: true };
    }
    if (t.kind === "punct" && t.text === "[") {
      const items: AttributeValue[] = [];
      while (!this.isPunct("]")) {
        items.push(this.value());
        if (!this.isPunct("]")) this.expectPunct(",");
      }
      this.#i++;
      return { L: items };
    }
    if (t.kind === "punct" && t.text === "{") {
      const entries: Item = {};
      while (!this.isPunct("}")) {
        const k = this.next();
        if (k.kind !== "string") this.fail("expected a 'string' map key");
        this.expectPunct(":");
        Object.defineProperty(entries, k.text, {
          value: this.value(),
          enumerable: true,
          writable: true,
          configurable: true,
        });
        if (!this.isPunct("}")) this.expectPunct(",");
      }
      this.#i++;
      return { M: entries };
    }
    if (t.kind === "punct" && t.text === "<<") {
      const items: AttributeValue[] = [];
      while (!this.isPunct(">>")) {
        items.push(this.value());
        if (!this.isPunct(">>")) this.expectPunct(",");
      }
      this.#i++;
      return setOf(items);
    }
    this.#i--;
    return this.fail("expected a value");
  }

  startsValue(): boolean {
    const t = this.peek;
    if (t.kind === "string" || t.kind === "number") return true;
    if (t.kind === "punct") return ["?", "[", "{", "<<", "-"].includes(t.text);
    return t.kind === "word" && ["TRUE", "FALSE", "NULL"].includes(t.text.toUpperCase());
  }

  /** An operand: function call, path or value; returns its expression text. */
  operand(): { text: string; path?: string; value?: AttributeValue } {
    if (
      this.peek.kind === "word" && FUNCTIONS.has(this.peek.text.toLowerCase()) &&
      this.#tokens[this.#i + 1]?.text === "("
    ) {
      const name = this.next().text.toLowerCase();
      this.expectPunct("(");
      const args: string[] = [];
      while (!this.isPunct(")")) {
        args.push(this.operand().text);
        if (!this.isPunct(")")) this.expectPunct(",");
      }
      this.#i++;
      return { text: `${name}(${args.join(", ")})` };
    }
    if (this.startsValue()) {
      const value = this.value();
      return { text: this.valueRef(value), value };
    }
    const p = this.path();
    return { text: p.text, path: p.parts.length === 1 ? String(p.parts[0]) : undefined };
  }

  /** A condition; records `path = value` conjuncts at the top level when `top`. */
  condition(top: boolean): string {
    let text = this.conjunction(top);
    while (this.isWord("OR")) {
      this.#i++;
      text += ` OR ${this.conjunction(false)}`;
    }
    return text;
  }

  conjunction(top: boolean): string {
    let text = this.negation(top);
    while (this.isWord("AND")) {
      this.#i++;
      text += ` AND ${this.negation(top)}`;
    }
    return text;
  }

  negation(top: boolean): string {
    if (this.isWord("NOT")) {
      this.#i++;
      return `NOT ${this.negation(false)}`;
    }
    return this.predicate(top);
  }

  predicate(top: boolean): string {
    if (this.isPunct("(")) {
      // A parenthesised condition (operands never start with a bracket here).
      this.#i++;
      const inner = this.condition(false);
      this.expectPunct(")");
      return `(${inner})`;
    }
    const left = this.operand();
    if (this.peek.kind === "punct" && COMPARATORS.has(this.peek.text)) {
      const op = this.next().text;
      const right = this.operand();
      if (top && op === "=" && left.path !== undefined && right.value !== undefined) {
        this.equalities.set(left.path, right.value);
      }
      return `${left.text} ${op === "!=" ? "<>" : op} ${right.text}`;
    }
    if (this.isWord("BETWEEN")) {
      this.#i++;
      const low = this.operand().text;
      this.expectWord("AND");
      return `${left.text} BETWEEN ${low} AND ${this.operand().text}`;
    }
    if (this.isWord("IN")) {
      this.#i++;
      const close = this.isPunct("[") ? "]" : ")";
      if (!this.isPunct("[") && !this.isPunct("(")) this.fail("expected a list after IN");
      this.#i++;
      const items: string[] = [];
      while (!this.isPunct(close)) {
        items.push(this.operand().text);
        if (!this.isPunct(close)) this.expectPunct(",");
      }
      this.#i++;
      return `${left.text} IN (${items.join(", ")})`;
    }
    if (this.isWord("IS")) {
      this.#i++;
      const not = this.isWord("NOT");
      if (not) this.#i++;
      if (this.isWord("MISSING")) {
        this.#i++;
        return `${not ? "attribute_exists" : "attribute_not_exists"}(${left.text})`;
      }
      if (this.isWord("NULL")) {
        this.#i++;
        const t = `attribute_type(${left.text}, ${this.valueRef({ S: "NULL" })})`;
        return not ? `NOT ${t}` : t;
      }
      this.fail("expected MISSING or NULL");
    }
    return left.text;
  }

  returning(): Returning | undefined {
    if (!this.isWord("RETURNING")) return undefined;
    this.#i++;
    const which = this.next().text.toUpperCase();
    const when = this.next().text.toUpperCase();
    this.expectPunct("*");
    const mode = `${which === "MODIFIED" ? "MODIFIED" : "ALL"}_${when}` as Returning;
    if (!["ALL", "MODIFIED"].includes(which) || !["OLD", "NEW"].includes(when)) {
      this.fail("expected RETURNING ALL|MODIFIED OLD|NEW *");
    }
    return mode;
  }

  end(): void {
    if (this.isPunct(";")) this.#i++;
    if (this.peek.kind !== "eof") this.fail(`unexpected ${JSON.stringify(this.peek.text)}`);
  }
}

function setOf(items: AttributeValue[]): AttributeValue {
  if (items.length === 0) throw new PartiQLError("a set may not be empty");
  if (items.every((v) => "S" in v)) return { SS: items.map((v) => (v as { S: string }).S) };
  if (items.every((v) => "N" in v)) return { NS: items.map((v) => (v as { N: string }).N) };
  if (items.every((v) => "B" in v)) return { BS: items.map((v) => (v as { B: string }).B) };
  throw new PartiQLError("set elements must all be strings, all numbers or all binaries");
}

/** Parse one statement with its `?` parameters (already validated AttributeValues). */
export function parseStatement(text: string, params: AttributeValue[] = []): Statement {
  const p = new Parser(text, params);
  if (p.isWord("SELECT")) return parseSelect(p);
  if (p.isWord("INSERT")) return parseInsert(p);
  if (p.isWord("UPDATE")) return parseUpdateStatement(p);
  if (p.isWord("DELETE")) return parseDelete(p);
  return p.fail("expected SELECT, INSERT, UPDATE or DELETE");
}

function parseSelect(p: Parser): Statement {
  p.next();
  let projection: Path[] | null = null;
  if (p.isPunct("*")) {
    p.next();
  } else {
    // Projections are applied as paths, not expression text: no names to register.
    projection = [p.path(false).parts];
    while (p.isPunct(",")) {
      p.next();
      projection.push(p.path(false).parts);
    }
  }
  p.expectWord("FROM");
  const { table, index } = p.tableRef();
  let where: string | undefined;
  if (p.isWord("WHERE")) {
    p.next();
    where = p.condition(true);
  }
  p.end();
  return {
    kind: "select",
    table,
    index,
    projection,
    where,
    equalities: p.equalities,
    names: p.names,
    values: p.values,
  };
}

function parseInsert(p: Parser): Statement {
  p.next();
  p.expectWord("INTO");
  const table = p.identifier();
  p.expectWord("VALUE");
  const item = p.value();
  if (!("M" in item)) throw new PartiQLError("INSERT needs a map value");
  p.end();
  return { kind: "insert", table, item: item.M };
}

/** UPDATE t SET … REMOVE … WHERE …: the SET/REMOVE clauses become UpdateExpression text. */
function parseUpdateStatement(p: Parser): Statement {
  p.next();
  const table = p.identifier();
  const sets: string[] = [];
  const removes: string[] = [];
  while (p.isWord("SET") || p.isWord("REMOVE")) {
    const verb = p.next().text.toUpperCase();
    do {
      if (verb === "SET") {
        const target = p.path().text;
        p.expectPunct("=");
        let value = p.operand().text;
        while (p.isPunct("+") || p.isPunct("-")) value += ` ${p.next().text} ${p.operand().text}`;
        sets.push(`${target} = ${value}`);
      } else {
        removes.push(p.path().text);
      }
    } while (p.isPunct(",") && p.next());
  }
  if (sets.length + removes.length === 0) p.fail("expected SET or REMOVE");
  p.expectWord("WHERE");
  const where = p.condition(true);
  const returning = p.returning();
  p.end();
  const update = [
    sets.length ? `SET ${sets.join(", ")}` : "",
    removes.length ? `REMOVE ${removes.join(", ")}` : "",
  ].filter(Boolean).join(" ");
  return {
    kind: "update",
    table,
    update,
    where,
    equalities: p.equalities,
    returning,
    names: p.names,
    values: p.values,
  };
}

function parseDelete(p: Parser): Statement {
  p.next();
  p.expectWord("FROM");
  const table = p.identifier();
  p.expectWord("WHERE");
  const where = p.condition(true);
  const returning = p.returning();
  p.end();
  return {
    kind: "delete",
    table,
    where,
    equalities: p.equalities,
    returning,
    names: p.names,
    values: p.values,
  };
}

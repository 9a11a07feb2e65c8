/**
 * Tokenizer for DynamoDB expressions: identifiers, `#name` and `:value` references, list
 * indexes, operators and punctuation, each with its source span for syntax-error messages.
 * @module
 */

/** Token classes. `invalid` is a character no expression may contain. */
export type TokenKind = "identifier" | "name" | "value" | "number" | "punct" | "invalid" | "eof";

/** One token and where it sits in the source (UTF-16 offsets). */
export interface Token {
  kind: TokenKind;
  text: string;
  start: number;
  end: number;
}

// Longest first, so "<=" wins over "<".
const PUNCTUATION = ["<>", "<=", ">=", "=", "<", ">", "(", ")", "[", "]", ",", ".", "+", "-", "_"];

function isLetter(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

function isWordPart(code: number): boolean {
  return isLetter(code) || isDigit(code) || code === 95;
}

function isSpace(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13;
}

/**
 * Splits an expression into tokens, ending with one `eof` token. Never throws: characters
 * outside the language become `invalid` tokens for the parser to report.
 */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const code = source.charCodeAt(i);
    if (isSpace(code)) {
      i++;
      continue;
    }
    const start = i;
    let kind: TokenKind;
    if (isLetter(code)) {
      while (i < source.length && isWordPart(source.charCodeAt(i))) i++;
      kind = "identifier";
    } else if (isDigit(code)) {
      while (i < source.length && isDigit(source.charCodeAt(i))) i++;
      kind = "number";
    } else if ((code === 35 || code === 58) && isWordPart(source.charCodeAt(i + 1))) {
      i++;
      while (i < source.length && isWordPart(source.charCodeAt(i))) i++;
      kind = code === 35 ? "name" : "value";
    } else {
      const punct = PUNCTUATION.find((p) => source.startsWith(p, i));
      kind = punct ? "punct" : "invalid";
      // An invalid character is reported as one code point.
      i += punct ? punct.length : String.fromCodePoint(source.codePointAt(i)!).length;
    }
    tokens.push({ kind, text: source.slice(start, i), start, end: i });
  }
  tokens.push({ kind: "eof", text: "<EOF>", start: source.length, end: source.length });
  return tokens;
}

/**
 * The `near:` text DynamoDB quotes for a syntax error at `tokens[index]`: from the previous
 * token through the next one; for a character outside the language, that character and the
 * next one when it is not whitespace.
 */
export function nearText(source: string, tokens: Token[], index: number): string {
  const bad = tokens[index];
  if (bad.kind === "invalid") {
    const next = source.charCodeAt(bad.end);
    return source.slice(
      bad.start,
      bad.end < source.length && !isSpace(next) ? bad.end + 1 : bad.end,
    );
  }
  const previous = index > 0 ? tokens[index - 1] : undefined;
  const start = previous ? previous.start : bad.start;
  const next = tokens[index + 1];
  let end = next && next.kind !== "eof" ? next.end : bad.end;
  // The end of input quotes no trailing whitespace.
  if (bad.kind === "eof") end = previous ? previous.end : 0;
  return source.slice(start, end);
}

/**
 * Tokenizer for DynamoDB's PartiQL subset: bare and "quoted" identifiers, 'strings' (with ''
 * escapes), numbers, `?` parameters and punctuation including `<<` `>>` set brackets. Pure.
 * @module
 */

/** Token classes. */
export type PqTokenKind = "word" | "quoted" | "string" | "number" | "punct" | "eof";

/** One token with its source offset. */
export interface PqToken {
  kind: PqTokenKind;
  text: string;
  at: number;
}

// Longest first.
const PUNCT = ["<<", ">>", "<>", "!=", "<=", ">=", "=", "<", ">", "(", ")", "[", "]", "{", "}"]
  .concat([",", ".", ":", ";", "+", "-", "*", "?"]);

/** A statement that cannot be tokenized or parsed; DynamoDB's text is the message. */
export class PartiQLError extends Error {
  constructor(detail: string) {
    super(`Statement wasn't well formed, can't be processed: ${detail}`);
    this.name = "PartiQLError";
  }
}

/** Split a statement into tokens, ending with `eof`. */
export function tokenize(source: string): PqToken[] {
  const out: PqToken[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const at = i;
    if (/[A-Za-z_]/.test(c)) {
      while (i < source.length && /[A-Za-z0-9_]/.test(source[i])) i++;
      out.push({ kind: "word", text: source.slice(at, i), at });
    } else if (/[0-9]/.test(c)) {
      const m = /^\d+(\.\d*)?([eE][+-]?\d+)?/.exec(source.slice(i))!;
      i += m[0].length;
      out.push({ kind: "number", text: m[0], at });
    } else if (c === "'" || c === '"') {
      let text = "";
      i++;
      for (;;) {
        if (i >= source.length) {
          throw new PartiQLError(`unterminated ${c === "'" ? "string" : "identifier"}`);
        }
        if (source[i] === c) {
          if (source[i + 1] === c) {
            text += c;
            i += 2;
            continue;
          }
          i++;
          break;
        }
        text += source[i++];
      }
      out.push({ kind: c === "'" ? "string" : "quoted", text, at });
    } else {
      const p = PUNCT.find((p) => source.startsWith(p, i));
      if (!p) throw new PartiQLError(`unexpected character ${JSON.stringify(c)}`);
      i += p.length;
      out.push({ kind: "punct", text: p, at });
    }
  }
  out.push({ kind: "eof", text: "", at: source.length });
  return out;
}

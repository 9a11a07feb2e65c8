/**
 * Pure reply encoding: the chunks every command of one read produced, joined into one buffer
 * for one socket write.
 * @module
 */
import { concatBytes } from "../../../src/bytes.ts";
import { TEXT } from "../errors.ts";

/** Reply bytes: text lines already CRLF-terminated, or raw bytes (values, binary packets). */
export type Chunk = string | Uint8Array;

/** Text replies are built from ASCII and latin1-decoded keys, so latin1 is exact. */
function latin1(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** The fixed reply lines, encoded once. */
const ENCODED = new Map<string, Uint8Array>(
  [...Object.values(TEXT), "END", "HD", "EN", "NF", "NS", "EX", "MN"].map((t) => [
    t + "\r\n",
    latin1(t + "\r\n"),
  ]),
);

function bytesOf(s: string): Uint8Array {
  return ENCODED.get(s) ?? latin1(s);
}

/** Join the replies of one batch, in order, into one buffer. */
export function encodeReplies(chunks: Chunk[][]): Uint8Array {
  const parts: Uint8Array[] = [];
  let length = 0;
  for (const list of chunks) {
    for (const c of list) {
      const bytes = typeof c === "string" ? bytesOf(c) : c;
      parts.push(bytes);
      length += bytes.length;
    }
  }
  if (parts.length === 1) return parts[0];
  return concatBytes(parts, length);
}

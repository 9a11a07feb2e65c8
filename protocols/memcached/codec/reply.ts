/**
 * Pure reply encoding: the chunks every command of one read produced, joined into one buffer
 * for one socket write.
 * @module
 */
import { concatBytes, latin1Bytes } from "../../../src/bytes.ts";
import { TEXT } from "../errors.ts";

/** Reply bytes: text lines already CRLF-terminated, or raw bytes (values, binary packets). */
export type Chunk = string | Uint8Array;

/** The fixed reply lines, encoded once. */
const ENCODED = new Map<string, Uint8Array>(
  [...Object.values(TEXT), "END", "HD", "EN", "NF", "NS", "EX", "MN"].map((t) => [
    t + "\r\n",
    latin1Bytes(t + "\r\n"),
  ]),
);

/** Text replies are built from ASCII and Latin-1 keys (latin1Text), so Latin-1 is exact. */
function bytesOf(s: string): Uint8Array {
  return ENCODED.get(s) ?? latin1Bytes(s);
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

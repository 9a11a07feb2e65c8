/**
 * The DynamoDB wire codec, pure: a JSON 1.0 request body in, a request object out; a reply
 * body in, the bytes and headers (`x-amz-crc32`, `x-amzn-RequestId`) out.
 * @module
 */
import { crc32 } from "./crc32.ts";
import { serialization } from "./errors.ts";
import type { Body } from "./validation.ts";

const CONTENT_TYPE = "application/x-amz-json-1.0";
const ID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A 52-character request id like DynamoDB's. */
export function requestId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(52));
  let out = "";
  for (const b of bytes) out += ID_CHARS[b % ID_CHARS.length];
  return out;
}

/** Parse a request body: a JSON object, or SerializationException. */
export function decodeBody(bytes: Uint8Array): Body {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(bytes));
  } catch {
    throw serialization("");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw serialization("");
  }
  return value as Body;
}

/** An encoded reply: its bytes and the headers DynamoDB sends with them. */
export interface EncodedReply {
  status: number;
  bytes: Uint8Array<ArrayBuffer>;
  headers: Record<string, string>;
}

/** Encode a reply body with its checksum and request id. */
export function encodeReply(status: number, body: unknown, id: string): EncodedReply {
  const bytes = encoder.encode(JSON.stringify(body));
  return {
    status,
    bytes,
    headers: {
      "content-type": CONTENT_TYPE,
      "x-amzn-requestid": id,
      "x-amz-crc32": String(crc32(bytes)),
    },
  };
}

/**
 * The DynamoDB wire codec, pure: a JSON 1.0 request body in, a request object out; a reply
 * body in, the bytes and headers (`x-amz-crc32`, `x-amzn-RequestId`) out.
 * @module
 */
import { keptSpace } from "../../src/kept_bytes.ts";
import { crc32 } from "./crc32.ts";
import { serialization } from "./errors.ts";
import type { Body } from "./validation.ts";

const CONTENT_TYPE = "application/x-amz-json-1.0";
const ID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const COMMA = 0x2c;

const ID_LENGTH = 52;
/** Random bytes for request ids, drawn a pool at a time: one call into the runtime per 78 ids. */
const idPool = new Uint8Array(ID_LENGTH * 78);
let idAt = idPool.length;

/** The character codes of ID_CHARS, and one id's codes before they become a string. */
const ID_CODES = Array.from(ID_CHARS, (c) => c.charCodeAt(0));
const idCodes = new Array<number>(ID_LENGTH);

/** A 52-character request id like DynamoDB's. */
export function requestId(): string {
  if (idAt + ID_LENGTH > idPool.length) {
    crypto.getRandomValues(idPool);
    idAt = 0;
  }
  // One string made from 52 codes, not 52 one-character concatenations.
  for (let i = 0; i < ID_LENGTH; i++) idCodes[i] = ID_CODES[idPool[idAt + i] % ID_CODES.length];
  idAt += ID_LENGTH;
  return String.fromCharCode.apply(null, idCodes);
}

/** The media types DynamoDB answers JSON on (parameters such as charset are ignored). */
const JSON_TYPES = ["application/x-amz-json-1.0", "application/json"];

/** The media type of a Content-Type header, lower-cased, without parameters. */
function mediaType(contentType: string | null): string {
  return (contentType ?? "").split(";")[0].trim().toLowerCase();
}

/** True when a request with this Content-Type is read as JSON. */
export function isJsonRequest(contentType: string | null): boolean {
  return JSON_TYPES.includes(mediaType(contentType));
}

/** The reply Content-Type: the request's JSON type, application/x-amz-json-1.0 by default. */
export function replyContentType(contentType: string | null): string {
  return mediaType(contentType) === "application/json" ? "application/json" : CONTENT_TYPE;
}

/** Parse a request body's JSON (undefined when empty), or SerializationException. */
export function parseBody(bytes: Uint8Array): unknown {
  if (bytes.length === 0) return undefined;
  try {
    return JSON.parse(decoder.decode(bytes));
  } catch {
    throw serialization("");
  }
}

/** A parsed body as a request object, or SerializationException. */
export function requestObject(value: unknown): Body {
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

/** Where {@link encodedBody} keeps the bytes: a symbol, which JSON.stringify never sees. */
const ENCODED = Symbol("encoded reply body");
/** Where it keeps their `x-amz-crc32` value, when the operation already has it. */
const CHECKSUM = Symbol("encoded reply checksum");

/**
 * A reply body given as its JSON bytes (an operation that assembled them itself), sent as they
 * are; the bytes must be exactly what JSON.stringify would have made of the body. `checksum`,
 * when given, must be {@link checksumOf} them (a kept reply's, computed once).
 */
export function encodedBody(
  bytes: Uint8Array<ArrayBuffer>,
  checksum?: string,
): Record<string, unknown> {
  return { [ENCODED]: bytes, [CHECKSUM]: checksum };
}

/** The `x-amz-crc32` header value of reply bytes. */
export function checksumOf(bytes: Uint8Array): string {
  return String(crc32(bytes));
}

/**
 * `head`, then the JSON texts `parts` (as bytes) separated by commas, then `tail`, as one
 * array: stored items spliced into a reply body without being parsed. `head` and `tail` come
 * as text or, when constant, as their bytes encoded once. The bytes are a reply's, sent and
 * dropped (a view of a shared block, see keptSpace) unless `held`: then a buffer of their own.
 */
export function spliceJson(
  head: string | Uint8Array,
  parts: readonly Uint8Array[],
  tail: string | Uint8Array,
  held = false,
): Uint8Array<ArrayBuffer> {
  const start = typeof head === "string" ? encoder.encode(head) : head;
  const end = typeof tail === "string" ? encoder.encode(tail) : tail;
  let length = start.length + end.length + Math.max(0, parts.length - 1);
  for (const part of parts) length += part.length;
  const out = held ? new Uint8Array(length) : keptSpace(length);
  out.set(start);
  let at = start.length;
  parts.forEach((part, i) => {
    if (i > 0) out[at++] = COMMA;
    out.set(part, at);
    at += part.length;
  });
  out.set(end, at);
  return out;
}

/** How every Query or Scan reply of items starts (`{"Items":[`), as bytes. */
export const ITEMS_HEAD = encoder.encode('{"Items":[');

/**
 * The reply of a page of items as stored (their JSON bytes, in reply order): Items, Count and
 * ScannedCount, then LastEvaluatedKey when `lastKey` (its JSON) is given. `held` as for
 * {@link spliceJson}.
 */
export function itemsReply(
  items: readonly Uint8Array[],
  lastKey?: string,
  held = false,
): Uint8Array<ArrayBuffer> {
  const tail = `],"Count":${items.length},"ScannedCount":${items.length}` +
    (lastKey ? `,"LastEvaluatedKey":${lastKey}}` : "}");
  return spliceJson(ITEMS_HEAD, items, tail, held);
}

/** Encode a reply body with its checksum and request id. */
export function encodeReply(
  status: number,
  body: unknown,
  id: string,
  contentType = CONTENT_TYPE,
): EncodedReply {
  const encoded = typeof body === "object" && body !== null
    ? body as { [ENCODED]?: Uint8Array<ArrayBuffer>; [CHECKSUM]?: string }
    : undefined;
  const given = encoded?.[ENCODED];
  const bytes = given ?? encoder.encode(JSON.stringify(body));
  return {
    status,
    bytes,
    headers: {
      "content-type": contentType,
      "x-amzn-requestid": id,
      "x-amz-crc32": (given && encoded![CHECKSUM]) ?? checksumOf(bytes),
    },
  };
}

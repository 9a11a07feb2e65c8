/**
 * Primary keys: extracting and checking them against a table's key schema, and encoding them
 * as store keys (a digest of the partition key + the order-preserving sort key bytes).
 * @module
 */
import { latin1Text } from "../../../src/bytes.ts";
import { sha256 } from "../../../src/sha256.ts";
import type { Key, Selector } from "../../../src/store/mod.ts";
import type { AttributeValue, Item } from "../attribute_value.ts";
import {
  FORMATS,
  invalidKey,
  invalidParameter,
  KeyValidationError,
  MESSAGES,
  validation,
} from "../errors.ts";
import { encodeNumberKey } from "../number.ts";
import { setEntry } from "../expressions/values.ts";
import type { TableRecord } from "./tables.ts";
import { decodeBase64, typeOf, utf8Length } from "../types.ts";

/** Largest partition key value in bytes. */
export const MAX_HASH_KEY_BYTES = 2048;
/** Largest sort key value in bytes. */
export const MAX_RANGE_KEY_BYTES = 1024;

/** The store-key prefix under which all items live. */
export const ITEM_PREFIX = "item";

/** The key attribute names of a table: partition, then sort (if any). */
export function keyNames(table: TableRecord): string[] {
  return table.keySchema.map((k) => k.AttributeName);
}

function attrType(table: TableRecord, name: string): string {
  return table.attributeDefinitions.find((d) => d.AttributeName === name)?.AttributeType ?? "S";
}

function checkKeyValue(name: string, value: AttributeValue, isHash: boolean) {
  let bytes = 0;
  if ("S" in value) {
    if (value.S === "") {
      throw validation(FORMATS.emptyKeyValue("string", name));
    }
    bytes = utf8Length(value.S);
  } else if ("B" in value) {
    bytes = decodeBase64(value.B).length;
    if (bytes === 0) {
      throw validation(FORMATS.emptyKeyValue("binary", name));
    }
  }
  if (isHash && bytes > MAX_HASH_KEY_BYTES) {
    throw invalidParameter(FORMATS.hashKeyTooLarge(MAX_HASH_KEY_BYTES));
  }
  if (!isHash && bytes > MAX_RANGE_KEY_BYTES) {
    throw invalidParameter(FORMATS.rangeKeyTooLarge(MAX_RANGE_KEY_BYTES));
  }
}

/** Check a `Key` parameter (exactly the key attributes, right types) and return it. */
export function checkKey(table: TableRecord, key: Item): Item {
  const names = keyNames(table);
  if (Object.keys(key).length !== names.length) throw new KeyValidationError(MESSAGES.keySchema);
  names.forEach((name, i) => {
    const v = key[name];
    if (!v || typeOf(v) !== attrType(table, name)) {
      throw new KeyValidationError(MESSAGES.keySchema);
    }
    checkKeyValue(name, v, i === 0);
  });
  return key;
}

/** Check the key attributes inside a full item (PutItem) and return just the key. */
export function keyOfItem(table: TableRecord, item: Item): Item {
  const key: Item = {};
  keyNames(table).forEach((name, i) => {
    const v = item[name];
    if (!v) throw invalidKey(FORMATS.missingKey(name));
    const expected = attrType(table, name);
    if (typeOf(v) !== expected) {
      throw invalidKey(FORMATS.keyTypeMismatch(name, expected, typeOf(v)));
    }
    checkKeyValue(name, v, i === 0);
    setEntry(key, name, v);
  });
  for (const index of [...table.gsis, ...table.lsis]) {
    for (const k of index.KeySchema) {
      const v = item[k.AttributeName];
      const expected = attrType(table, k.AttributeName);
      if (v && typeOf(v) !== expected) {
        throw invalidParameter(
          FORMATS.indexKeyTypeMismatch(k.AttributeName, expected, typeOf(v), index.IndexName),
        );
      }
      if (v && (("S" in v && v.S === "") || ("B" in v && v.B === ""))) {
        throw validation(
          FORMATS.emptyIndexKeyValue(
            "S" in v ? "string" : "binary",
            index.IndexName,
            k.AttributeName,
          ),
        );
      }
    }
  }
  return key;
}

const encoder = new TextEncoder();
/** Strings up to this long are tried as ASCII in JS first. */
const ASCII_TRY_CHARS = 128;

/**
 * The UTF-8 bytes of `s` after `lead` zero bytes. A short ASCII string (most keys) is copied
 * here: TextEncoder is a call into the runtime, about a microsecond for a few bytes.
 */
function utf8After(lead: number, s: string): Uint8Array {
  if (s.length <= ASCII_TRY_CHARS) {
    const out = new Uint8Array(lead + s.length);
    let i = 0;
    for (; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      out[lead + i] = c;
    }
    if (i === s.length) return out;
  }
  if (lead === 0) return encoder.encode(s);
  const bytes = encoder.encode(s);
  const out = new Uint8Array(lead + bytes.length);
  out.set(bytes, lead);
  return out;
}

/** Bytes of a key value whose unsigned order is DynamoDB's order for its type. */
export function keyBytes(v: AttributeValue): Uint8Array {
  if ("S" in v) return utf8After(0, v.S);
  if ("B" in v) return decodeBase64(v.B);
  if ("N" in v) return encodeNumberKey(v.N);
  throw new TypeError(`Cannot encode a ${typeOf(v)} key value`);
}

/** Partition keys up to this many bytes are stored as they are; longer ones as a digest. */
export const INLINE_PARTITION_BYTES = 128;
const INLINE_TAG = 0x00;
const DIGEST_TAG = 0x01;

/**
 * The store-key part for a partition key: tag 0 + the key bytes when short (no hashing on the
 * hot path), else tag 1 + a 16-byte SHA-256 prefix, so any 2048-byte key fits Deno KV's
 * 2048-byte key limit next to a 1024-byte sort key. The tags keep the two forms apart.
 */
export function partitionPart(v: AttributeValue): Uint8Array {
  if ("S" in v) {
    // A string's bytes land after the tag directly: one array, no copy.
    const tagged = utf8After(1, v.S);
    if (tagged.length <= INLINE_PARTITION_BYTES + 1) {
      tagged[0] = INLINE_TAG;
      return tagged;
    }
  }
  const bytes = keyBytes(v);
  if (bytes.length <= INLINE_PARTITION_BYTES) {
    const out = new Uint8Array(bytes.length + 1);
    out[0] = INLINE_TAG;
    out.set(bytes, 1);
    return out;
  }
  const hash = sha256(bytes);
  const out = new Uint8Array(17);
  out[0] = DIGEST_TAG;
  out.set(hash.subarray(0, 16), 1);
  return out;
}

/** Where an item lives in the store: [item, tableId, partition part, sort bytes?]. */
export function itemStoreKey(table: TableRecord, key: Item): Key {
  const [hash, range] = keyNames(table);
  const h = key[hash];
  const r = range === undefined ? undefined : key[range];
  if (r !== undefined && "S" in h && "S" in r) {
    const both = asciiParts(h.S, r.S);
    if (both) return [ITEM_PREFIX, table.id, both[0], both[1]];
  }
  const parts: Deno.KvKeyPart[] = [ITEM_PREFIX, table.id, partitionPart(h)];
  if (r !== undefined) parts.push(keyBytes(r));
  return parts;
}

/**
 * The partition part and sort bytes of two ASCII strings as views of one buffer (a buffer of its
 * own costs up to ~1 µs in Deno 2.9, see src/kept_bytes.ts); null when either is not ASCII or the
 * partition is too long to store inline.
 */
function asciiParts(partition: string, sort: string): [Uint8Array, Uint8Array] | null {
  const split = 1 + partition.length;
  if (partition.length > INLINE_PARTITION_BYTES || sort.length > ASCII_TRY_CHARS) return null;
  const out = new Uint8Array(split + sort.length);
  out[0] = INLINE_TAG;
  for (let i = 0; i < partition.length; i++) {
    const c = partition.charCodeAt(i);
    if (c >= 0x80) return null;
    out[1 + i] = c;
  }
  for (let i = 0; i < sort.length; i++) {
    const c = sort.charCodeAt(i);
    if (c >= 0x80) return null;
    out[split + i] = c;
  }
  return [out.subarray(0, split), out.subarray(split)];
}

/**
 * A string naming one item exactly: the Set key of a request's same-item checks. Byte parts go
 * in as Latin-1 text (String() of bytes joins their decimal values, ~20x slower).
 */
export function itemId(table: TableRecord, key: Item): string {
  return JSON.stringify(
    itemStoreKey(table, key).map((part) =>
      part instanceof Uint8Array ? latin1Text(part) : String(part)
    ),
  );
}

/** Prefix of every item of a table. */
export function tableItemsPrefix(tableId: string): Key {
  return [ITEM_PREFIX, tableId];
}

/** The items of a table after store key `after` (all of them when null), in key order. */
export function tableItemsAfter(tableId: string, after: Key | null): Selector {
  const prefix = tableItemsPrefix(tableId);
  if (!after) return { prefix };
  return { prefix, start: [...after.slice(0, -1), successor(after.at(-1) as Uint8Array)] };
}

/** Unsigned byte order. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/** The smallest byte string after `b` (b + 0x00): turns "<= b" into "< successor". */
export function successor(b: Uint8Array): Uint8Array {
  const out = new Uint8Array(b.length + 1);
  out.set(b);
  return out;
}

/** The smallest byte string after every string starting with `p`, or null when none is. */
export function prefixEnd(p: Uint8Array): Uint8Array | null {
  for (let i = p.length - 1; i >= 0; i--) {
    if (p[i] !== 0xff) {
      const out = p.slice(0, i + 1);
      out[i]++;
      return out;
    }
  }
  return null;
}

/** FNV-1a of a partition part, to split a Scan into stable segments. */
export function segmentOf(part: Uint8Array, totalSegments: number): number {
  let h = 0x811c9dc5;
  for (const b of part) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h % totalSegments;
}

/**
 * The AttributeValue type system: validation with DynamoDB's messages, normalisation (numbers
 * as DynamoDB stores them), and item size computed the way DynamoDB bills and limits it.
 * @module
 */
import type { AttributeValue, Item } from "./attribute_value.ts";
import { FORMATS, invalidParameter, MESSAGES, serialization, validation } from "./errors.ts";
import { normalizeNumber, toDecimal } from "./number.ts";
import { setEntry } from "./expressions/values.ts";

/** Largest item (names + values), DynamoDB's 400 KB. */
export const MAX_ITEM_BYTES = 400 * 1024;
/** Deepest nesting of M/L values DynamoDB accepts. */
export const MAX_NESTING = 32;

const TYPES = ["S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS"] as const;
const SET_NAMES: Record<string, string> = { SS: "string", NS: "number" };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The Jackson token name AWS's deserializer quotes for a JSON value. */
function jsonToken(v: unknown): string {
  if (Array.isArray(v)) return "START_ARRAY";
  if (typeof v === "object" && v !== null) return "START_OBJECT";
  if (typeof v === "number") return Number.isInteger(v) ? "VALUE_NUMBER_INT" : "VALUE_NUMBER_FLOAT";
  if (typeof v === "boolean") return v ? "VALUE_TRUE" : "VALUE_FALSE";
  return "VALUE_STRING";
}

function expectString(v: unknown, _type: string): string {
  if (typeof v !== "string") {
    throw serialization(FORMATS.valueNotConvertible(jsonToken(v), "String"));
  }
  return v;
}

function expectArray(v: unknown, type: string): unknown[] {
  if (!Array.isArray(v)) throw serialization(FORMATS.unexpectedValueType(type));
  return v;
}

/** Decode base64 as DynamoDB does (SerializationException when malformed). */
export function decodeBase64(text: string): Uint8Array {
  try {
    const bin = atob(text);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  } catch {
    throw serialization(FORMATS.badBase64(text.length));
  }
}

function noDuplicates(values: readonly string[], shown: readonly string[]) {
  if (new Set(values).size !== values.length) {
    throw invalidParameter(FORMATS.duplicateSetMembers(shown));
  }
}

/** The AttributeValue member names, for membership tests. */
const TYPE_SET: ReadonlySet<string> = new Set(TYPES);

/**
 * The one type member of a request's AttributeValue, or DynamoDB's error for none, several or
 * an unknown one. Nearly every value has exactly one known, non-null member: that is checked
 * first, without the full pass's arrays.
 */
function valueType(value: Record<string, unknown>): typeof TYPES[number] {
  let only: string | undefined;
  let members = 0;
  for (const k in value) {
    only = k;
    if (++members > 1) break;
  }
  if (
    members === 1 && TYPE_SET.has(only!) && Object.hasOwn(value, only!) &&
    value[only!] !== undefined && value[only!] !== null
  ) {
    return only as typeof TYPES[number];
  }
  const present = TYPES.filter((t) => value[t] !== undefined && value[t] !== null);
  for (const k of Object.keys(value)) {
    if (!TYPE_SET.has(k)) throw serialization(FORMATS.unrecognizedField(k));
  }
  if (present.length === 0) throw validation(MESSAGES.emptyAttributeValue);
  if (present.length > 1) throw validation(MESSAGES.multipleTypes);
  return present[0];
}

/**
 * Validate one AttributeValue from a request and return it normalised (numbers in canonical
 * form). Throws DynamoError with DynamoDB's message on the first problem.
 */
export function normalizeValue(value: unknown, depth = 1): AttributeValue {
  if (!isObject(value)) throw serialization(FORMATS.unexpectedValueType("AttributeValue"));
  if (depth > MAX_NESTING) throw validation(MESSAGES.tooDeep);
  const type = valueType(value);
  const raw = value[type];
  switch (type) {
    case "S":
      return { S: expectString(raw, type) };
    case "N":
      return { N: normalizeNumber(expectString(raw, type)) };
    case "B":
      decodeBase64(expectString(raw, type));
      return { B: raw as string };
    case "BOOL":
      if (typeof raw !== "boolean") {
        throw serialization(FORMATS.valueNotConvertible(jsonToken(raw), "Boolean"));
      }
      return { BOOL: raw };
    case "NULL":
      if (raw !== true) throw validation(MESSAGES.nullNotTrue);
      return { NULL: true };
    case "M": {
      if (!isObject(raw)) throw serialization(FORMATS.unexpectedValueType("M"));
      const out: Record<string, AttributeValue> = {};
      for (const [k, v] of Object.entries(raw)) setEntry(out, k, normalizeValue(v, depth + 1));
      return { M: out };
    }
    case "L":
      return { L: expectArray(raw, type).map((v) => normalizeValue(v, depth + 1)) };
    case "SS":
    case "NS":
    case "BS": {
      const items = expectArray(raw, type).map((v) => expectString(v, type));
      if (items.length === 0) {
        // AWS words the binary case differently from the string and number ones.
        throw invalidParameter(
          type === "BS" ? MESSAGES.emptyBinarySet : FORMATS.emptySet(SET_NAMES[type]),
        );
      }
      if (type === "NS") {
        const norm = items.map(normalizeNumber);
        noDuplicates(norm, items);
        return { NS: norm };
      }
      if (type === "BS") {
        const hex = items.map((b) => Array.from(decodeBase64(b)).join(","));
        noDuplicates(hex, items);
        return { BS: items };
      }
      noDuplicates(items, items);
      return { SS: items };
    }
  }
}

/** Validate and normalise every attribute of an item (a map of name to AttributeValue). */
export function normalizeItem(item: unknown): Item {
  if (!isObject(item)) throw serialization(FORMATS.unexpectedValueType("Item"));
  const out: Item = {};
  for (const [name, v] of Object.entries(item)) setEntry(out, name, normalizeValue(v));
  return out;
}

const encoder = new TextEncoder();

/** UTF-8 length without allocating for ASCII-only strings. */
export function utf8Length(s: string): number {
  // deno-lint-ignore no-control-regex
  return /^[\x00-\x7f]*$/.test(s) ? s.length : encoder.encode(s).length;
}

function numberSize(n: string): number {
  const { digits: text, exponent } = toDecimal(n);
  const digits = text.length;
  if (digits === 0) return 1;
  // One byte per two significant digits, counted from an even exponent, plus one byte.
  return Math.ceil((digits + (exponent % 2 === 0 ? 0 : 1)) / 2) + 1;
}

function base64Length(b: string): number {
  const pad = b.endsWith("==") ? 2 : b.endsWith("=") ? 1 : 0;
  return Math.floor(b.length * 3 / 4) - pad;
}

/** Size of one value, as DynamoDB counts it (names not included). */
export function valueSize(v: AttributeValue): number {
  if ("S" in v) return utf8Length(v.S);
  if ("N" in v) return numberSize(v.N);
  if ("B" in v) return base64Length(v.B);
  if ("BOOL" in v || "NULL" in v) return 1;
  if ("SS" in v) return v.SS.reduce((n, s) => n + utf8Length(s), 0);
  if ("NS" in v) return v.NS.reduce((n, s) => n + numberSize(s), 0);
  if ("BS" in v) return v.BS.reduce((n, s) => n + base64Length(s), 0);
  if ("L" in v) return v.L.reduce((n, e) => n + 1 + valueSize(e), 3);
  return 3 + mapSize(v.M, 1);
}

/** Names' UTF-8 lengths plus values' sizes, plus `each` bytes per entry. */
function mapSize(map: Record<string, AttributeValue>, each: number): number {
  let size = 0;
  // for-in rather than Object.entries: no pair arrays (items are plain JSON objects).
  for (const name in map) size += each + utf8Length(name) + valueSize(map[name]);
  return size;
}

/** Item size: every attribute name's UTF-8 length plus its value's size. */
export function itemSize(item: Item): number {
  return mapSize(item, 0);
}

/** Throw DynamoDB's error when an item is over 400 KB. */
export function checkItemSize(item: Item): number {
  const size = itemSize(item);
  if (size > MAX_ITEM_BYTES) throw validation(MESSAGES.itemTooLarge);
  return size;
}

/** The single type tag of a value ("S", "N", ...). */
export function typeOf(v: AttributeValue): string {
  return Object.keys(v)[0];
}

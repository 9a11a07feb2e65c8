/**
 * DynamoDB's comparison semantics for AttributeValues: numbers numerically, strings and
 * binaries by unsigned byte order, sets as unordered collections, different types never equal.
 * @module
 */
import type { AttributeValue } from "../attribute_value.ts";
import { compareNumbers } from "../number.ts";

/** The type tag of a value (`S`, `N`, `M`, …). */
export function typeOf(value: AttributeValue): string {
  for (const key in value) return key;
  return "";
}

const encoder = new TextEncoder();

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/**
 * Decodes a B value's base64 text as leniently as Node's Buffer does (which DynamoDB Local and
 * earlier basekv used): stop at "=", skip characters outside the alphabet, accept the URL-safe
 * one, drop a lone trailing character.
 */
export function binaryBytes(base64: string): Uint8Array {
  const end = base64.indexOf("=");
  let text = (end < 0 ? base64 : base64.slice(0, end)).replace(/[^A-Za-z0-9+/_-]/g, "")
    .replaceAll("-", "+").replaceAll("_", "/");
  if (text.length % 4 === 1) text = text.slice(0, -1);
  return Uint8Array.fromBase64(text, { lastChunkHandling: "loose" });
}

/** Compares strings as DynamoDB does: by their UTF-8 bytes. */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  return compareBytes(encoder.encode(a), encoder.encode(b));
}

/** Compares two base64 binaries bytewise. */
export function compareBinaries(a: string, b: string): number {
  if (a === b) return 0;
  return compareBytes(binaryBytes(a), binaryBytes(b));
}

/**
 * Orders two scalar values of the same type (S, N or B).
 * @returns negative, zero or positive; null when the types differ or are not ordered
 */
export function compareAttributeValues(a: AttributeValue, b: AttributeValue): number | null {
  if ("S" in a && "S" in b) return compareStrings(a.S, b.S);
  if ("N" in a && "N" in b) return compareNumbers(a.N, b.N);
  if ("B" in a && "B" in b) return compareBinaries(a.B, b.B);
  return null;
}

function setHas(members: string[], member: string, equal: (x: string, y: string) => boolean) {
  return members.some((candidate) => equal(candidate, member));
}

function sameSet(a: string[], b: string[], equal: (x: string, y: string) => boolean): boolean {
  return a.length === b.length && a.every((member) => setHas(b, member, equal));
}

/** Equality of set members of one set type. */
export function memberEquals(type: "SS" | "NS" | "BS"): (x: string, y: string) => boolean {
  if (type === "NS") return (x, y) => compareNumbers(x, y) === 0;
  if (type === "BS") return (x, y) => compareBinaries(x, y) === 0;
  return (x, y) => x === y;
}

/** DynamoDB equality: same type and same value (sets unordered, numbers numerically). */
export function attributeValuesEqual(a: AttributeValue, b: AttributeValue): boolean {
  if ("S" in a) return "S" in b && a.S === b.S;
  if ("N" in a) return "N" in b && compareNumbers(a.N, b.N) === 0;
  if ("B" in a) return "B" in b && compareBinaries(a.B, b.B) === 0;
  if ("BOOL" in a) return "BOOL" in b && a.BOOL === b.BOOL;
  if ("NULL" in a) return "NULL" in b;
  if ("SS" in a) return "SS" in b && sameSet(a.SS, b.SS, memberEquals("SS"));
  if ("NS" in a) return "NS" in b && sameSet(a.NS, b.NS, memberEquals("NS"));
  if ("BS" in a) return "BS" in b && sameSet(a.BS, b.BS, memberEquals("BS"));
  if ("L" in a) {
    return "L" in b && a.L.length === b.L.length &&
      a.L.every((element, i) => attributeValuesEqual(element, b.L[i]));
  }
  if ("M" in a) {
    if (!("M" in b)) return false;
    const keys = Object.keys(a.M);
    return keys.length === Object.keys(b.M).length &&
      keys.every((key) => Object.hasOwn(b.M, key) && attributeValuesEqual(a.M[key], b.M[key]));
  }
  return false;
}

/**
 * Sets `record[key]` as an own property, even for keys such as `__proto__` that plain
 * assignment would treat specially (attribute names are arbitrary strings).
 */
export function setEntry<T>(record: Record<string, T>, key: string, value: NoInfer<T>): void {
  // Only `__proto__` is an accessor up a plain object's prototype chain; every other key is
  // assigned (defineProperty costs several times more, on every attribute of every item).
  if (key !== "__proto__") {
    record[key] = value;
    return;
  }
  Object.defineProperty(record, key, {
    value,
    writable: true,
    enumerable: true,
    configurable: true,
  });
}

/**
 * Deep copy of a value (items are plain JSON-shaped data). Walked here rather than by
 * structuredClone, whose serializer round trip costs several times more on small values.
 */
export function cloneValue<T extends AttributeValue>(value: T): T {
  if ("M" in value) {
    const map: Record<string, AttributeValue> = {};
    for (const name in value.M) setEntry(map, name, cloneValue(value.M[name]));
    return { M: map } as T;
  }
  if ("L" in value) return { L: value.L.map(cloneValue) } as T;
  if ("SS" in value) return { SS: [...value.SS] } as T;
  if ("NS" in value) return { NS: [...value.NS] } as T;
  if ("BS" in value) return { BS: [...value.BS] } as T;
  return { ...value };
}

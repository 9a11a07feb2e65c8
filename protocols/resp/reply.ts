/**
 * RESP replies as data: handlers return these, and the encoder renders each for the
 * connection's protocol (RESP2 or RESP3), so a command states its reply type once.
 * @module
 */

/** One reply. Comments give the RESP2 rendering where it differs from RESP3's. */
export type Reply =
  | { type: "simple"; value: string }
  /** Full text with its prefix word: "ERR …", "WRONGTYPE …", "NOAUTH …". */
  | { type: "error"; value: string }
  | { type: "integer"; value: number | bigint }
  | { type: "bulk"; value: Uint8Array | string }
  /** RESP2 `$-1`; RESP3 `_`. */
  | { type: "null" }
  /** RESP2 `*-1`; RESP3 `_`. */
  | { type: "nullArray" }
  | { type: "array"; value: Reply[] }
  /** RESP2: flat array of key, value, key, value. */
  | { type: "map"; value: [Reply, Reply][] }
  /** RESP2: array. */
  | { type: "set"; value: Reply[] }
  /**
   * RESP2: bulk string (`inf`, `-inf`, `nan`, shortest round-trip digits). `text`, when set, is
   * the digits to send instead (GEOPOS prints coordinates as `%.17Lf`, trimmed).
   */
  | { type: "double"; value: number; text?: string }
  /** RESP2: integer 1 or 0. */
  | { type: "boolean"; value: boolean }
  /** RESP2: bulk string. */
  | { type: "bignum"; value: bigint }
  /** RESP2: bulk string of `value` (without the format). */
  | { type: "verbatim"; format: string; value: string }
  /** Out-of-band (pub/sub, invalidation). RESP2: array. */
  | { type: "push"; value: Reply[] }
  /** RESP3 `|` metadata about `reply`, which follows it. RESP2: `reply` alone. */
  | { type: "attribute"; value: [Reply, Reply][]; reply: Reply }
  /** RESP3 `!` error with binary-safe text. RESP2: simple error. */
  | { type: "bulkError"; value: string }
  /** Sends nothing (CLIENT REPLY OFF/SKIP, QUIT after its +OK is handled by the server). */
  | { type: "none" }
  /** Several frames for one command, back to back (SUBSCRIBE a b confirms each channel). */
  | { type: "frames"; value: Reply[] };

export const OK: Reply = { type: "simple", value: "OK" };
export const NULL: Reply = { type: "null" };
export const NULL_ARRAY: Reply = { type: "nullArray" };
export const NONE: Reply = { type: "none" };

/** A simple string reply. */
export function simple(value: string): Reply {
  return { type: "simple", value };
}

/** An error reply; `value` starts with its code word, e.g. "ERR syntax error". */
export function error(value: string): Reply {
  return { type: "error", value };
}

/** Several frames sent back to back as one command's answer. */
export function frames(value: Reply[]): Reply {
  return { type: "frames", value };
}

/** An out-of-band push (RESP3 `>`, RESP2 array). */
export function push(value: Reply[]): Reply {
  return { type: "push", value };
}

/** An integer reply. */
export function integer(value: number | bigint): Reply {
  return { type: "integer", value };
}

/** A bulk string reply (binary-safe). */
export function bulk(value: Uint8Array | string): Reply {
  return { type: "bulk", value };
}

/** A bulk string, or null when absent. */
export function bulkOrNull(value: Uint8Array | string | null | undefined): Reply {
  return value === null || value === undefined ? NULL : bulk(value);
}

/** An array reply. */
export function array(value: Reply[]): Reply {
  return { type: "array", value };
}

/** A map reply (RESP2: flat array). */
export function map(value: [Reply, Reply][]): Reply {
  return { type: "map", value };
}

/** A double reply (RESP2: bulk string). */
export function double(value: number): Reply {
  return { type: "double", value };
}

/**
 * Every memcached error and status text basekv sends, byte for byte as memcached 1.6.18 sends
 * it, shared by the handlers and the tests; and which of them answers each store failure class.
 * @module
 */
import {
  ConflictError,
  DiskFullError,
  KeyTooLargeError,
  UnitTooLargeError,
  ValueTooLargeError,
} from "../../src/store/mod.ts";

/** Text-protocol reply lines (without the trailing CRLF). */
export const TEXT = {
  ERROR: "ERROR",
  /** Over -c with maxconns_fast (memcached 1.6 default), then the connection is closed. */
  TOO_MANY_CONNECTIONS: "ERROR Too many open connections",
  STORED: "STORED",
  NOT_STORED: "NOT_STORED",
  EXISTS: "EXISTS",
  NOT_FOUND: "NOT_FOUND",
  DELETED: "DELETED",
  TOUCHED: "TOUCHED",
  END: "END",
  OK: "OK",
  RESET: "RESET",
  BAD_FORMAT: "CLIENT_ERROR bad command line format",
  BAD_DELETE: "CLIENT_ERROR bad command line format.  Usage: delete <key> [noreply]",
  BAD_CHUNK: "CLIENT_ERROR bad data chunk",
  BAD_EXPTIME: "CLIENT_ERROR invalid exptime argument",
  BAD_DELTA: "CLIENT_ERROR invalid numeric delta argument",
  NON_NUMERIC: "CLIENT_ERROR cannot increment or decrement non-numeric value",
  TOO_LARGE: "SERVER_ERROR object too large for cache",
  OUT_OF_MEMORY: "SERVER_ERROR out of memory storing object",
  UNAUTHENTICATED: "CLIENT_ERROR unauthenticated",
  AUTH_FAILURE: "CLIENT_ERROR authentication failure",
  AUTH_FORMAT: "CLIENT_ERROR bad authentication token format",
  SHUTDOWN_DISABLED: "ERROR: shutdown not enabled",
  RATE_LIMITED: "SERVER_ERROR rate limit exceeded",
  SERVER_FAILURE: "SERVER_ERROR internal error",
  // Meta protocol.
  INVALID_FLAG: "CLIENT_ERROR invalid flag",
  DUPLICATE_FLAG: "CLIENT_ERROR duplicate flag",
  /** md and ma use one message for unknown, repeated and malformed flags. */
  FLAG_ERROR: "CLIENT_ERROR invalid or duplicate flag",
  STATS_DETAIL_USAGE: "CLIENT_ERROR usage: stats detail on|off|dump",
  METADUMP_PIPELINED: "ERROR cannot pipeline other commands before metadump",
  BAD_KEY_ENCODING: "CLIENT_ERROR error decoding key",
  BAD_MS_MODE: "CLIENT_ERROR invalid mode for ms M token",
  BAD_MA_MODE: "CLIENT_ERROR invalid mode for ma M token",
  BAD_TOKEN: "CLIENT_ERROR bad token in command line format",
  OPAQUE_TOO_LONG: "CLIENT_ERROR opaque token too long",
  BAD_INITIAL: "CLIENT_ERROR invalid numeric initial value",
  BAD_META_DELTA: "CLIENT_ERROR invalid numeric delta value",
  BAD_MODE_LENGTH: "CLIENT_ERROR incorrect length for M token",
} as const;

/** Binary-protocol response statuses. */
export const STATUS = {
  OK: 0x00,
  KEY_NOT_FOUND: 0x01,
  KEY_EXISTS: 0x02,
  TOO_LARGE: 0x03,
  INVALID_ARGUMENTS: 0x04,
  NOT_STORED: 0x05,
  NON_NUMERIC: 0x06,
  AUTH_ERROR: 0x20,
  UNKNOWN_COMMAND: 0x81,
  OUT_OF_MEMORY: 0x82,
  INTERNAL_ERROR: 0x84,
  TEMPORARY_FAILURE: 0x86,
} as const;

/** The body memcached sends with each binary error status. */
export const STATUS_TEXT: Readonly<Record<number, string>> = {
  [STATUS.KEY_NOT_FOUND]: "Not found",
  [STATUS.KEY_EXISTS]: "Data exists for key.",
  [STATUS.TOO_LARGE]: "Too large.",
  [STATUS.INVALID_ARGUMENTS]: "Invalid arguments",
  [STATUS.NOT_STORED]: "Not stored.",
  [STATUS.NON_NUMERIC]: "Non-numeric server-side value for incr or decr",
  [STATUS.AUTH_ERROR]: "Auth failure.",
  [STATUS.UNKNOWN_COMMAND]: "Unknown command",
  [STATUS.OUT_OF_MEMORY]: "Out of memory",
  // memcached never sends 0x84; basekv answers an unexpected store failure with it.
  [STATUS.INTERNAL_ERROR]: "Internal error",
  [STATUS.TEMPORARY_FAILURE]: "Temporary failure",
};

/** A store failure that says the item is too big, in whichever part the store measured. */
function tooLarge(error: unknown): boolean {
  return error instanceof ValueTooLargeError || error instanceof KeyTooLargeError ||
    error instanceof UnitTooLargeError;
}

/** The text reply to a command the store failed, chosen by the failure's class. */
export function storeFailureText(error: unknown): string {
  if (error instanceof DiskFullError) return TEXT.OUT_OF_MEMORY;
  if (tooLarge(error)) return TEXT.TOO_LARGE;
  return TEXT.SERVER_FAILURE;
}

/** The binary status for a request the store failed, chosen by the failure's class. */
export function storeFailureStatus(error: unknown): number {
  if (error instanceof DiskFullError) return STATUS.OUT_OF_MEMORY;
  if (tooLarge(error)) return STATUS.TOO_LARGE;
  // A conflict that outlived the write loop's re-runs may succeed when the client retries.
  if (error instanceof ConflictError) return STATUS.TEMPORARY_FAILURE;
  return STATUS.INTERNAL_ERROR;
}

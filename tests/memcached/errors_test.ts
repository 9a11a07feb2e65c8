/** Store failures reach the wire by their class: memcached's own reply for each, never a message. */
import assert from "node:assert/strict";
import {
  ConflictError,
  DiskFullError,
  KeyTooLargeError,
  UnitTooLargeError,
  ValueTooLargeError,
} from "../../src/store/mod.ts";
import {
  STATUS,
  storeFailureStatus,
  storeFailureText,
  TEXT,
} from "../../protocols/memcached/errors.ts";

Deno.test("each store failure class maps to memcached's text reply and binary status", () => {
  const cases: [Error, string, number][] = [
    [new DiskFullError(), TEXT.OUT_OF_MEMORY, STATUS.OUT_OF_MEMORY],
    [new ValueTooLargeError(10, 5), TEXT.TOO_LARGE, STATUS.TOO_LARGE],
    [new KeyTooLargeError(10, 5), TEXT.TOO_LARGE, STATUS.TOO_LARGE],
    [new UnitTooLargeError("too many mutations"), TEXT.TOO_LARGE, STATUS.TOO_LARGE],
    [new ConflictError(), TEXT.SERVER_FAILURE, STATUS.TEMPORARY_FAILURE],
    // A message that looks like a known failure is still an unknown one.
    [new RangeError("database or disk is full"), TEXT.SERVER_FAILURE, STATUS.INTERNAL_ERROR],
  ];
  for (const [error, text, status] of cases) {
    assert.equal(storeFailureText(error), text, error.name);
    assert.equal(storeFailureStatus(error), status, error.name);
  }
});

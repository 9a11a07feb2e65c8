/**
 * Redis 7.2's wire errors for the data commands (strings, keys, expiry, hashes), byte for byte,
 * beside the shared ones in reply.ts; handlers and tests import both from here.
 * @module
 */
import { ERRORS } from "./reply.ts";
import { MAX_KEY_BYTES } from "./storage/layout.ts";

export const DATA_ERRORS = {
  ...ERRORS,
  stringTooLong: "ERR string exceeds maximum allowed size (proto-max-bulk-len)",
  offsetRange: "ERR offset is out of range",
  nanOrInfinity: "ERR increment would produce NaN or Infinity",
  incrementNanOrInfinity: "ERR value is NaN or Infinity",
  decrementOverflow: "ERR decrement would overflow",
  lcsNotString: "ERR The specified keys must contain string values",
  lcsLenAndIdx: "ERR If you want both the length and indexes, please just use IDX.",
  sameObject: "ERR source and destination objects are the same",
  /** basekv only: a hash kept growing faster than COPY could page through it. */
  copyBusy: "ERR COPY source kept changing, try again",
  nxAndOthers: "ERR NX and XX, GT or LT options at the same time are not compatible",
  gtAndLt: "ERR GT and LT options at the same time are not compatible",
  unsupportedOption: (option: string) => `ERR Unsupported option ${option}`,
  invalidCursor: "ERR invalid cursor",
  hashNotInteger: "ERR hash value is not an integer",
  hashNotFloat: "ERR hash value is not a float",
  keyTooLarge: `ERR key too large (max ${MAX_KEY_BYTES} bytes)`,
  noLfu:
    "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.",
  numFields: "ERR Parameter `numFields` should be greater than 0",
  numFieldsMismatch: "ERR The `numfields` parameter must match the number of arguments",
  mandatoryFields: "ERR Mandatory argument FIELDS is missing or not at the right position",
  invalidDbIndex: "ERR invalid first DB index",
  invalidSecondDbIndex: "ERR invalid second DB index",
  valueOutOfRange: "ERR value is out of range",
  fieldExpireNegative: "ERR invalid expire time, must be >= 0",
} as const;

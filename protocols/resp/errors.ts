/**
 * Every wire error text of the RESP front-end, byte for byte as Redis 7.2 sends it (networking.c,
 * server.c, acl.c, config.c, t_*.c), and how the store's typed failures read on the wire.
 * @module
 */
import {
  ConflictError,
  DiskFullError,
  KeyTooLargeError,
  StoreError,
  ValueTooLargeError,
} from "../../src/store/mod.ts";
import { MAX_REDIS_KEY_BYTES } from "./storage/layout.ts";

/** Redis's common errors, byte for byte. */
export const ERRORS = {
  wrongType: "WRONGTYPE Operation against a key holding the wrong kind of value",
  syntax: "ERR syntax error",
  notInteger: "ERR value is not an integer or out of range",
  notFloat: "ERR value is not a valid float",
  overflow: "ERR increment or decrement would overflow",
  noAuth: "NOAUTH Authentication required.",
  wrongPass: "WRONGPASS invalid username-password pair or user is disabled.",
  noSuchKey: "ERR no such key",
  dbIndex: "ERR DB index is out of range",
  invalidExpire: (cmd: string) => `ERR invalid expire time in '${cmd}' command`,
  arity: (cmd: string) => `ERR wrong number of arguments for '${cmd}' command`,
} as const;

/** Errors of the data commands (strings, keys, expiry, hashes), with the common ones. */
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
  keyTooLarge: `ERR key too large (max ${MAX_REDIS_KEY_BYTES} bytes)`,
  lfuIdle:
    "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.",
  noLfu:
    "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.",
  numFields: "ERR Parameter `numFields` should be greater than 0",
  numFieldsMismatch: "ERR The `numfields` parameter must match the number of arguments",
  mandatoryFields: "ERR Mandatory argument FIELDS is missing or not at the right position",
  invalidDbIndex: "ERR invalid first DB index",
  invalidSecondDbIndex: "ERR invalid second DB index",
  valueOutOfRange: "ERR value is out of range",
  fieldExpireNegative: "ERR invalid expire time, must be >= 0",
  mustBePositive: "ERR value is out of range, must be positive",
  indexOutOfRange: "ERR index out of range",
  rankZero: "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second " +
    "... or use negative to start from the end of the list",
  countNegative: "ERR COUNT can't be negative",
  maxlenNegative: "ERR MAXLEN can't be negative",
  numkeysPositive: "ERR numkeys should be greater than 0",
  countPositive: "ERR count should be greater than 0",
  timeoutNotFloat: "ERR timeout is not a float or out of range",
  timeoutNegative: "ERR timeout is negative",
  timeoutOutOfRange: "ERR timeout is out of range",
  unblocked: "UNBLOCKED client unblocked via CLIENT UNBLOCK",
  /** getRangeLongFromObjectOrReply's text for [-LONG_MAX, LONG_MAX]. */
  longRange:
    "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807",
  /** getIntFromObjectOrReply's text for a value beyond 32 bits. */
  intRange: "ERR value is out of range, value must between -2147483648 and 2147483647",
  numkeysTooMany: "ERR Number of keys can't be greater than number of args",
  limitNegative: "ERR LIMIT can't be negative",
  sortNotDouble: "ERR One or more scores can't be converted into double",
} as const;

/** Errors of the bitmap commands (bitops.c). */
export const BIT_ERRORS = {
  offset: "ERR bit offset is not an integer or out of range",
  bit: "ERR bit is not an integer or out of range",
  bitposBit: "ERR The bit argument must be 1 or 0.",
  bitopNot: "ERR BITOP NOT must be called with a single source key.",
  fieldType:
    "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.",
  overflowType: "ERR Invalid OVERFLOW type specified",
  bitfieldRo: "ERR BITFIELD_RO only supports the GET subcommand",
} as const;

/** Errors of the HyperLogLog commands (hyperloglog.c). */
export const HLL_ERRORS = {
  notHll: "WRONGTYPE Key is not a valid HyperLogLog string value.",
  corrupt: "INVALIDOBJ Corrupted HLL object detected",
} as const;

/** Errors of DUMP and RESTORE (cluster.c). */
export const DUMP_ERRORS = {
  busyKey: "BUSYKEY Target key name already exists.",
  ttl: "ERR Invalid TTL value, must be >= 0",
  payload: "ERR DUMP payload version or checksum are wrong",
  badFormat: "ERR Bad data format",
  idletime: "ERR Invalid IDLETIME value, must be >= 0",
  freq: "ERR Invalid FREQ value, must be >= 0 and <= 255",
} as const;

/** Longest argument text Redis quotes in an error (its `%.128s`). */
export const MAX_QUOTED_ARG = 128;

/** Request-parser failures, the text after "ERR Protocol error: " (networking.c). */
export const PROTOCOL_ERRORS = {
  multibulkLength: "invalid multibulk length",
  bulkLength: "invalid bulk length",
  unauthenticatedMultibulk: "unauthenticated multibulk length",
  unauthenticatedBulk: "unauthenticated bulk length",
  expectedDollar: (got: string) => `expected '$', got '${got}'`,
  unbalancedQuotes: "unbalanced quotes in request",
  inlineTooBig: "too big inline request",
  mbulkTooBig: "too big mbulk count string",
  bulkTooBig: "too big bulk count string",
} as const;

/** Errors of the dispatch, connection and server commands, each starting with its code word. */
export const SERVER_ERRORS = {
  protocol: (detail: string) => `ERR Protocol error: ${detail}`,
  maxClients: "ERR max number of clients reached",
  multiNested: "ERR MULTI calls can not be nested",
  execWithoutMulti: "ERR EXEC without MULTI",
  discardWithoutMulti: "ERR DISCARD without MULTI",
  watchInMulti: "ERR WATCH inside MULTI is not allowed",
  execAbort: "EXECABORT Transaction discarded because of previous errors.",
  notInMulti: "ERR Command not allowed inside a transaction",
  subscribedMode: (name: string) =>
    `ERR Can't execute '${name}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`,
  unknownSubcommand: (sub: string, cmd: string) =>
    `ERR unknown subcommand '${sub.slice(0, MAX_QUOTED_ARG)}'. Try ${cmd.toUpperCase()} HELP.`,
  noProto: "NOPROTO unsupported protocol version",
  protoNotInteger: "ERR Protocol version is not an integer or out of range",
  helloOption: (opt: string) => `ERR Syntax error in HELLO option '${opt}'`,
  helloNoAuth: "NOAUTH HELLO must be called with the client already authenticated, otherwise the " +
    "HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select " +
    "the RESP protocol version at the same time",
  authNotConfigured: "ERR AUTH <password> called without any password configured for the " +
    "default user. Are you sure your configuration is correct?",
  clientName: "ERR Client names cannot contain spaces, newlines or special characters.",
  clientAttr: (attr: string) =>
    `ERR ${attr} cannot contain spaces, newlines or special characters.`,
  unrecognizedOption: (opt: string) => `ERR Unrecognized option '${opt}'`,
  noSuchClient: "ERR No such client",
  subcommandSyntax: (sub: string, cmd: string) =>
    `ERR unknown subcommand or wrong number of arguments for '${sub}'. Try ${cmd} HELP.`,
  unblockReason: "ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR",
  clientIdInvalid: "ERR client-id should be greater than 0",
  configSetUnknown: (name: string) =>
    `ERR Unknown option or number of arguments for CONFIG SET - '${name}'`,
  configSetImmutable: (name: string) =>
    `ERR CONFIG SET failed (possibly related to argument '${name}') - can't set immutable config`,
  configSetInvalid: (name: string, reason: string) =>
    `ERR CONFIG SET failed (possibly related to argument '${name}') - ${reason}`,
  cachingWithoutTracking: "ERR CLIENT CACHING can be called only when the client is in " +
    "tracking mode with OPTIN or OPTOUT mode enabled",
  configRewrite: "ERR The server is running without a config file",
  notInteger: "ERR value is not an integer or out of range",
  timeoutNegative: "ERR timeout is negative",
  timeoutNotInteger: "ERR timeout is not an integer or out of range",
  pauseMode: "ERR CLIENT PAUSE mode must be WRITE or ALL",
  clusterDisabled: "ERR This instance has cluster support disabled",
  slowlogCount: "ERR count should be greater than or equal to -1",
  unknownClientType: (type: string) => `ERR Unknown client type '${type}'`,
  invalidClientId: "ERR Invalid client ID",
  getkeysArity: "ERR Invalid number of arguments specified for command",
  getkeysUnknown: "ERR Invalid command specified",
  getkeysNoKeys: "ERR The command has no key arguments",
  /** DEBUG quotes the whole subcommand, unlike the container commands. */
  debugUnknownSubcommand: (sub: string) => `ERR unknown subcommand '${sub}'. Try DEBUG HELP.`,
  /** MONITOR inside MULTI (the client expects one reply per command: DENY_BLOCKING). */
  monitorDenyBlocking: "ERR MONITOR isn't allowed for DENY BLOCKING client",
  rateLimited: (rate: number) =>
    `ERR rate limit exceeded: max ${rate} requests per second per client`,
} as const;

/**
 * Redis's reply to a command name it does not know: the name and the first arguments quoted,
 * each followed by a space, arguments cut once 128 characters are quoted; newlines become spaces.
 */
export function unknownCommandError(name: string, args: string[]): string {
  let quoted = "";
  for (let i = 0; i < args.length && quoted.length < MAX_QUOTED_ARG; i++) {
    quoted += `'${args[i].slice(0, MAX_QUOTED_ARG - quoted.length)}' `;
  }
  const text = `ERR unknown command '${
    name.slice(0, MAX_QUOTED_ARG)
  }', with args beginning with: ${quoted}`;
  return text.replace(/[\r\n]/g, " ");
}

/** An error reply raised from deep inside a handler (also aborts a write unit). */
export class ReplyError extends Error {
  constructor(readonly reply: string) {
    super(reply);
  }
}

/**
 * The reply text of a store failure, chosen by its class. basekv's own wording: Redis has no
 * such limits, so clients see the store's reason after "ERR".
 */
export function storeErrorText(e: StoreError): string {
  if (e instanceof KeyTooLargeError) {
    return `ERR Key too large: ${e.size} bytes (max ${e.max} bytes)`;
  }
  if (e instanceof ValueTooLargeError) {
    return `ERR Value too large: ${e.size} bytes (max ${e.max} bytes)`;
  }
  if (e instanceof DiskFullError) return "ERR database or disk is full";
  if (e instanceof ConflictError) {
    return "ERR Commit conflict: a key read by the transaction changed";
  }
  // UnitTooLargeError carries its own reason (how far over which limit the unit went).
  return `ERR ${e.message}`;
}

/** CLIENT TRACKING / CACHING errors (networking.c). */
export const TRACKING_ERRORS = {
  singleRedirect: "ERR A client can only redirect to a single other client",
  noRedirectClient: "ERR The client ID you want redirect to does not exist",
  prefixNeedsBcast: "ERR PREFIX option requires BCAST mode to be enabled",
  switchBcast: "ERR You can't switch BCAST mode on/off before disabling tracking for this " +
    "client, and then re-enabling it with a different mode.",
  optBcast: "ERR OPTIN and OPTOUT are not compatible with BCAST",
  optinAndOptout: "ERR You can't specify both OPTIN mode and OPTOUT mode",
  switchOpt: "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this " +
    "client, and then re-enabling it with a different mode.",
  prefixOverlapsExisting: (prefix: string, existing: string) =>
    `ERR Prefix '${prefix}' overlaps with an existing prefix '${existing}'. ` +
    "Prefixes for a single client must not overlap.",
  prefixOverlapsProvided: (prefix: string, other: string) =>
    `ERR Prefix '${prefix}' overlaps with another provided prefix '${other}'. ` +
    "Prefixes for a single client must not overlap.",
  cachingYes: "ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.",
  cachingNo: "ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.",
} as const;

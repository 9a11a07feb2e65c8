/**
 * Stream argument parsing shared by the stream commands: IDs as t_stream.c reads them, trim
 * options, and their error texts.
 * @module
 */
import { ascii, parseInt64 } from "../numbers.ts";
import { DATA_ERRORS } from "../errors.ts";
import {
  MAX_ID,
  MIN_ID,
  nextId,
  prevId,
  type StreamId,
  type TrimSpec,
  UINT64_MAX,
} from "../storage/stream.ts";
import { fail, option } from "./common.ts";

/** t_stream.c's error texts. */
export const STREAM_ERRORS = {
  invalidId: "ERR Invalid stream ID specified as stream command argument",
  xaddZero: "ERR The ID specified in XADD must be greater than 0-0",
  xaddSmaller: "ERR The ID specified in XADD is equal or smaller than the target stream top item",
  exhausted: "ERR The stream has exhausted the last possible ID, unable to add more items",
  startInterval: "ERR invalid start ID for the interval",
  endInterval: "ERR invalid end ID for the interval",
  maxlenNegative: "ERR The MAXLEN argument must be >= 0.",
  limitNegative: "ERR The LIMIT argument must be >= 0.",
  limitWithoutApprox: "ERR syntax error, LIMIT cannot be used without the special ~ option",
  maxlenAndMinid: "ERR syntax error, MAXLEN and MINID options at the same time are not compatible",
  unbalanced: (cmd: string, symbol: string) =>
    `ERR Unbalanced '${cmd}' list of streams: for each stream key an ID or '${symbol}' must be specified.`,
  groupOnlyXreadgroup:
    "ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.",
  noackOnlyXreadgroup:
    "ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.",
  missingGroup: "ERR Missing GROUP option for XREADGROUP",
  dollarInGroup:
    "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.",
  gtOutsideGroup:
    "ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.",
  timeoutNotInteger: "ERR timeout is not an integer or out of range",
  noGroupRead: (key: string, group: string) =>
    `NOGROUP No such key '${key}' or consumer group '${group}' in XREADGROUP with GROUP option`,
  noGroup: (key: string, group: string) =>
    `NOGROUP No such key '${key}' or consumer group '${group}'`,
  noGroupForKey: (group: string, key: string) =>
    `NOGROUP No such consumer group '${group}' for key name '${key}'`,
  busyGroup: "BUSYGROUP Consumer Group name already exists",
  xgroupNoKey:
    "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.",
  claimArg: (what: string, cmd: string) => `ERR Invalid ${what} argument for ${cmd}`,
  claimOption: (opt: string) => `ERR Unrecognized XCLAIM option '${opt}'`,
  countPositive: "ERR COUNT must be > 0",
  streamGone: "UNBLOCKED the stream key no longer exists",
  groupGone: "NOGROUP the consumer group this client was blocked on no longer exists",
  entriesRead: "ERR value for ENTRIESREAD must be positive or -1",
  limitWithoutStrategy:
    "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy",
  trimStrategy: "ERR syntax error, XTRIM must be called with a trimming strategy",
  entriesAddedNegative: "ERR entries_added must be positive",
  maxDeletedGreater:
    "ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id",
  entriesAddedSmaller:
    "ERR The entries_added specified in XSETID is smaller than the target stream length",
  setidSmaller: "ERR The ID specified in XSETID is smaller than the target stream top item",
} as const;

const DIGITS = /^[0-9]+$/;

/** string2ull: an unsigned 64-bit decimal. */
function parseUint64(text: string): bigint | null {
  if (!DIGITS.test(text)) return null;
  const value = BigInt(text);
  return value > UINT64_MAX ? null : value;
}

/** A parsed ID; `seqGiven` false for XADD's "ms-*". */
export interface ParsedId extends StreamId {
  seqGiven: boolean;
}

/** streamGenericParseIDOrReply. */
export function parseId(
  arg: Uint8Array,
  missingSeq: bigint,
  strict: boolean,
  allowStarSeq = false,
): ParsedId {
  const text = ascii(arg);
  if (text.length > 127) fail(STREAM_ERRORS.invalidId);
  if (text === "-" || text === "+") {
    if (strict) fail(STREAM_ERRORS.invalidId);
    return { ...(text === "-" ? MIN_ID : MAX_ID), seqGiven: true };
  }
  const dash = text.indexOf("-");
  const ms = parseUint64(dash < 0 ? text : text.slice(0, dash));
  if (ms === null) fail(STREAM_ERRORS.invalidId);
  if (dash < 0) return { ms, seq: missingSeq, seqGiven: true };
  const rest = text.slice(dash + 1);
  if (allowStarSeq && rest === "*") return { ms, seq: 0n, seqGiven: false };
  const seq = parseUint64(rest);
  if (seq === null) fail(STREAM_ERRORS.invalidId);
  return { ms, seq, seqGiven: true };
}

/** A strict id ("-" and "+" refused). */
export function strictId(arg: Uint8Array, missingSeq = 0n): StreamId {
  const { ms, seq } = parseId(arg, missingSeq, true);
  return { ms, seq };
}

/** XRANGE's start: "-", an id, or "(id" for exclusive. */
export function rangeStart(arg: Uint8Array): StreamId {
  if (arg.length > 1 && arg[0] === 0x28) {
    const id = nextId(strictId(arg.subarray(1), 0n));
    if (!id) fail(STREAM_ERRORS.startInterval);
    return id;
  }
  const { ms, seq } = parseId(arg, 0n, false);
  return { ms, seq };
}

/** XRANGE's end: "+", an id, or "(id" for exclusive. */
export function rangeEnd(arg: Uint8Array): StreamId {
  if (arg.length > 1 && arg[0] === 0x28) {
    const id = prevId(strictId(arg.subarray(1), UINT64_MAX));
    if (!id) fail(STREAM_ERRORS.endInterval);
    return id;
  }
  const { ms, seq } = parseId(arg, UINT64_MAX, false);
  return { ms, seq };
}

/** A long long argument (getLongLongFromObjectOrReply). */
export function longArg(arg: Uint8Array): number {
  const value = parseInt64(arg);
  if (value === null) fail(DATA_ERRORS.notInteger);
  return Number(value);
}

/** A trim strategy's "~" (true) or "=" (false) before its threshold, or null when absent. */
function trimOperator(next: Uint8Array, more: number): boolean | null {
  const text = ascii(next);
  return (text === "~" || text === "=") && more >= 2 ? text === "~" : null;
}

/** What XADD and XTRIM options say. */
export interface AddOrTrimArgs {
  trim: TrimSpec | null;
  noMkStream: boolean;
  /** Index of XADD's ID argument. */
  idPos: number;
}

/** streamParseAddOrTrimArgsOrReply: options from argv[2] on. */
export function addOrTrimArgs(argv: Uint8Array[], xadd: boolean): AddOrTrimArgs {
  let maxlen = -1;
  let minid: StreamId | null = null;
  let approx = false;
  let limitGiven = false;
  let limit = 0;
  let noMkStream = false;
  let i = 2;
  for (; i < argv.length; i++) {
    const more = argv.length - 1 - i;
    const opt = option(argv[i]);
    if (xadd && opt === "*" && argv[i].length === 1) break;
    if (opt === "MAXLEN" && more >= 1) {
      if (maxlen >= 0 || minid) fail(STREAM_ERRORS.maxlenAndMinid);
      const op = trimOperator(argv[i + 1], more);
      if (op !== null) i++;
      approx = op ?? false;
      const n = longArg(argv[i + 1]);
      if (n < 0) fail(STREAM_ERRORS.maxlenNegative);
      i++;
      maxlen = n;
    } else if (opt === "MINID" && more >= 1) {
      if (maxlen >= 0 || minid) fail(STREAM_ERRORS.maxlenAndMinid);
      const op = trimOperator(argv[i + 1], more);
      if (op !== null) i++;
      approx = op ?? false;
      minid = strictId(argv[i + 1]);
      i++;
    } else if (opt === "LIMIT" && more >= 1) {
      const n = longArg(argv[i + 1]);
      if (n < 0) fail(STREAM_ERRORS.limitNegative);
      limit = n;
      limitGiven = true;
      i++;
    } else if (xadd && opt === "NOMKSTREAM") {
      noMkStream = true;
    } else if (xadd) {
      break;
    } else {
      fail(DATA_ERRORS.syntax);
    }
  }
  const strategy = maxlen >= 0 || minid !== null;
  if (limitGiven && limit > 0 && !strategy) fail(STREAM_ERRORS.limitWithoutStrategy);
  if (!xadd && !strategy) fail(STREAM_ERRORS.trimStrategy);
  if (limitGiven && !approx) fail(STREAM_ERRORS.limitWithoutApprox);
  // An approximate trim without LIMIT removes at most 100 nodes' worth (stream-node-max-entries).
  if (approx && !limitGiven) limit = 100 * 100;
  let trim: TrimSpec | null = null;
  if (maxlen >= 0) {
    trim = { kind: "maxlen", maxlen, minid: MIN_ID, approx, limit: approx ? limit : 0 };
  }
  if (minid) trim = { kind: "minid", maxlen: 0, minid, approx, limit: approx ? limit : 0 };
  return { trim, noMkStream, idPos: i };
}

/** getTimeoutFromObjectOrReply in milliseconds: an integer, 0 = forever. */
export function blockMs(arg: Uint8Array): number {
  const value = parseInt64(arg);
  if (value === null) fail(STREAM_ERRORS.timeoutNotInteger);
  if (value < 0n) fail(DATA_ERRORS.timeoutNegative);
  return Number(value);
}

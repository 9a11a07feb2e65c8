/**
 * What the sorted-set and geo commands share: scores parsed as Redis's string2d and strtod
 * read them, score and lex ranges as zslParseRange and zslParseLexRange do, and member
 * replies shaped per protocol.
 * @module
 */
import type { CommandContext } from "../command.ts";
import { ascii, FLOAT, INFINITY } from "../numbers.ts";
import { parseLongDouble } from "../long_double.ts";
import { array, bulk, double, type Reply } from "../reply.ts";
import type { LexRange, ScoreRange, ZMember } from "../storage/zset.ts";
import { DATA_ERRORS } from "../errors.ts";
import { fail } from "./common.ts";

/** Sorted-set error texts (t_zset.c), byte for byte. */
export const ZSET_ERRORS = {
  notFloat: "ERR min or max is not a float",
  notLex: "ERR min or max not valid string range item",
  nan: "ERR resulting score is not a number (NaN)",
  xxAndNx: "ERR XX and NX options at the same time are not compatible",
  gtLtNx: "ERR GT, LT, and/or NX options at the same time are not compatible",
  incrPair: "ERR INCR option supports a single increment-element pair",
  limitRank:
    "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX",
  withscoresLex: "ERR syntax error, WITHSCORES not supported in combination with BYLEX",
  weightNotFloat: "ERR weight value is not a float",
  atLeastOneKey: (cmd: string) => `ERR at least 1 input key is needed for '${cmd}' command`,
  mustBePositive: "ERR value is out of range, must be positive",
  numkeys: "ERR numkeys should be greater than 0",
  count: "ERR count should be greater than 0",
  limitNegative: "ERR LIMIT can't be negative",
  outOfRange: (min: bigint, max: bigint) =>
    `ERR value is out of range, value must between ${min} and ${max}`,
} as const;

const NAN = /^[+-]?nan/i;
const SPACE = /^[ \t\n\v\f\r]+/;

/** strtod over the whole text: the value, or null when characters are left over. */
function strtod(text: string): number | null {
  if (INFINITY.test(text)) return text.startsWith("-") ? -Infinity : Infinity;
  if (NAN.test(text) && /^[+-]?nan(\([0-9a-zA-Z_]*\))?$/i.test(text)) return NaN;
  if (!FLOAT.test(text)) return null;
  if (!/^[+-]?0[xX]/.test(text)) return Number(text);
  const ld = parseLongDouble(text);
  if (ld === null) return text.startsWith("-") ? -Infinity : Infinity;
  const value = Number(ld.m) * 2 ** ld.e;
  return ld.neg ? -value : value;
}

/** True when a number's significand has a digit other than 0 (so 0 means underflow). */
function hasNonZeroDigit(text: string): boolean {
  const hex = /^[+-]?0[xX]/.test(text);
  const significand = text.replace(/^[+-]?(0[xX])?/, "").split(hex ? /[pP]/ : /[eE]/)[0];
  return (hex ? /[1-9a-fA-F]/ : /[1-9]/).test(significand);
}

/** A score argument as string2d accepts it (ZADD, WEIGHTS, GEO radii), or null. */
export function parseScore(arg: Uint8Array): number | null {
  const text = ascii(arg);
  if (text.length === 0 || SPACE.test(text)) return null;
  const value = strtod(text);
  if (value === null || Number.isNaN(value)) return null;
  // string2d refuses results strtod flags ERANGE: overflow to infinity, underflow to zero.
  if (!Number.isFinite(value) && !INFINITY.test(text)) return null;
  if (value === 0 && hasNonZeroDigit(text)) return null;
  return value;
}

/** A float argument or Redis's "not a valid float" error (`message` overrides it). */
export function scoreArg(arg: Uint8Array, message: string = DATA_ERRORS.notFloat): number {
  const value = parseScore(arg);
  if (value === null) fail(message);
  return value;
}

/** One bound of a score range (zslParseRange: strtod, any leading space, no NaN). */
function rangeBound(arg: Uint8Array): [number, boolean] {
  let text = ascii(arg);
  const ex = text.startsWith("(");
  if (ex) text = text.slice(1);
  if (text.length === 0) return [0, ex];
  const value = strtod(text.replace(SPACE, ""));
  if (value === null || Number.isNaN(value)) fail(ZSET_ERRORS.notFloat);
  return [value, ex];
}

/** A score range from its min and max arguments. */
export function parseScoreRange(min: Uint8Array, max: Uint8Array): ScoreRange {
  const [lo, minex] = rangeBound(min);
  const [hi, maxex] = rangeBound(max);
  return { min: lo, max: hi, minex, maxex };
}

function lexBound(arg: Uint8Array, isMin: boolean): [Uint8Array | null | "+" | "-", boolean] {
  if (arg.length === 1 && arg[0] === 0x2b) return [isMin ? "+" : null, true];
  if (arg.length === 1 && arg[0] === 0x2d) return [isMin ? null : "-", true];
  if (arg[0] === 0x28) return [arg.subarray(1), true];
  if (arg[0] === 0x5b) return [arg.subarray(1), false];
  fail(ZSET_ERRORS.notLex);
}

/** A lex range from its min and max arguments. */
export function parseLexRange(min: Uint8Array, max: Uint8Array): LexRange {
  const [lo, minex] = lexBound(min, true);
  const [hi, maxex] = lexBound(max, false);
  return {
    min: lo as Uint8Array | null | "+",
    max: hi as Uint8Array | null | "-",
    minex,
    maxex,
  };
}

/** Members, with scores when asked: RESP3 nests [member, score] pairs, RESP2 flattens them. */
export function membersReply(
  ctx: CommandContext,
  members: readonly ZMember[],
  withScores: boolean,
): Reply {
  if (!withScores) return array(members.map((m) => bulk(m.member)));
  if (ctx.session.protocol === 3) {
    return array(members.map((m) => array([bulk(m.member), double(m.score)])));
  }
  return array(members.flatMap((m) => [bulk(m.member), double(m.score)]));
}

/** Members as [member, score] pairs in both protocols (ZMPOP, BZMPOP). */
export function pairsReply(members: readonly ZMember[]): Reply {
  return array(members.map((m) => array([bulk(m.member), double(m.score)])));
}

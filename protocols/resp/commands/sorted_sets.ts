/**
 * Redis sorted-set commands over storage/zset.ts: adds, scores, counts, ranges by rank, score
 * and lex, ranks, pops and random members. Set algebra (ZUNION…) is in zset_algebra.ts.
 * @module
 */
import { notify, ZSET } from "../notify.ts";
import type { WriteTx } from "../../../src/store/mod.ts";
import {
  command,
  type CommandContext,
  type CommandSpec,
  ONE_KEY as ONE,
  READONLY as R,
  READONLY_FAST as RF,
} from "../command.ts";
import { ascii, parseInt64 } from "../numbers.ts";
import { array, bulk, double, integer, NULL, NULL_ARRAY, type Reply } from "../reply.ts";
import { getKey, type KeyEntry } from "../storage/db.ts";
import {
  countLexRange,
  countScoreRange,
  endMembers,
  getScore,
  indexItems,
  type LexRange,
  lexRange,
  membersAtRanks,
  openZset,
  popMembers,
  putMember,
  rankOf,
  rankRange,
  removeMember,
  saveZset,
  type ScoreRange,
  scoreRange,
  storeZset,
  type ZMember,
  type ZsetLimits,
} from "../storage/zset.ts";
import type { Access } from "../storage/db.ts";
import { HELD_MAX_MEMBERS, heldRange, type HeldZsets, heldZsets } from "../storage/zset_held.ts";
import type { KeyMeta } from "../storage/layout.ts";
import { zsetLimits } from "../encoding_limits.ts";
import {
  checkKey,
  fail,
  getTyped,
  intArg,
  notifyStored,
  option,
  peekTyped,
  readSlot,
  writeChunks,
  writeSlot,
} from "./common.ts";
import {
  membersReply,
  pairsReply,
  parseLexRange,
  parseScoreRange,
  scoreArg,
  ZSET_ERRORS,
} from "./zset_args.ts";
import { DATA_ERRORS } from "../errors.ts";
import { COMMANDS as ALGEBRA } from "./zset_algebra.ts";

const LONG_MAX = 2n ** 63n - 1n;

/** A sorted set's entry for reading (null when absent), with the reader it came from. */
export function readZset(
  ctx: CommandContext,
  key: Uint8Array,
): Promise<{ r: Access; entry: KeyEntry | null }> {
  return readSlot(ctx, async (r, slot) => ({ r, entry: await getTyped(r, slot, key, "zset") }));
}

interface AddFlags {
  nx: boolean;
  xx: boolean;
  gt: boolean;
  lt: boolean;
  ch: boolean;
  incr: boolean;
}

interface AddResult {
  added: number;
  updated: number;
  processed: number;
  score: number;
}

/** ZADD and ZINCRBY (zaddGenericCommand); GEOADD calls it with its scores. */
export async function zaddGeneric(
  ctx: CommandContext,
  argv: Uint8Array[],
  incr: boolean,
): Promise<Reply> {
  const flags: AddFlags = { nx: false, xx: false, gt: false, lt: false, ch: false, incr };
  let i = 2;
  for (; i < argv.length; i++) {
    const opt = option(argv[i]);
    if (opt === "NX") flags.nx = true;
    else if (opt === "XX") flags.xx = true;
    else if (opt === "CH") flags.ch = true;
    else if (opt === "INCR") flags.incr = true;
    else if (opt === "GT") flags.gt = true;
    else if (opt === "LT") flags.lt = true;
    else break;
  }
  const elements = argv.length - i;
  if (elements % 2 !== 0 || elements === 0) fail(DATA_ERRORS.syntax);
  if (flags.nx && flags.xx) fail(ZSET_ERRORS.xxAndNx);
  if ((flags.gt && flags.nx) || (flags.lt && flags.nx) || (flags.gt && flags.lt)) {
    fail(ZSET_ERRORS.gtLtNx);
  }
  if (flags.incr && elements > 2) fail(ZSET_ERRORS.incrPair);
  const pairs: ZMember[] = [];
  for (; i < argv.length; i += 2) pairs.push({ score: scoreArg(argv[i]), member: argv[i + 1] });
  checkKey(argv[1]);
  for (const p of pairs) checkKey(p.member);
  const limits = zsetLimits(ctx);
  const results = await writeChunks(
    ctx,
    pairs,
    (tx, slot, chunk) => addMembers(tx, slot, argv[1], chunk, flags, pairs.length, limits),
  );
  const total = results.reduce((a, b) => ({
    added: a.added + b.added,
    updated: a.updated + b.updated,
    processed: a.processed + b.processed,
    score: b.score,
  }));
  if (flags.incr) return total.processed ? double(total.score) : NULL;
  return integer(flags.ch ? total.added + total.updated : total.added);
}

/** Apply score-member pairs to one sorted set (zsetAdd for each). */
async function addMembers(
  tx: WriteTx,
  slot: number,
  key: Uint8Array,
  pairs: readonly ZMember[],
  flags: AddFlags,
  sizeHint: number,
  limits: ZsetLimits,
): Promise<AddResult> {
  const out: AddResult = { added: 0, updated: 0, processed: 0, score: 0 };
  const entry = await getTyped(tx, slot, key, "zset");
  if (!entry && flags.xx) return out;
  const h = openZset(slot, key, entry, sizeHint, limits);
  // A new set has nothing to read; an existing one's scores are read all at once.
  const stored = entry === null
    ? pairs.map(() => null)
    : pairs.length === 1
    ? [await getScore(tx, h.meta, pairs[0].member)]
    : await Promise.all(pairs.map((p) => getScore(tx, h.meta, p.member)));
  // Repeated members see the score an earlier pair gave (one pair cannot repeat).
  const seen = pairs.length === 1 ? null : new Map<string, number>();
  pairs.forEach(({ member, score }, j) => {
    const name = seen === null ? "" : ascii(member);
    const current = seen?.has(name) ? seen.get(name)! : stored[j];
    if (current === null) {
      if (flags.xx) return;
      putMember(tx, h, member, score, null);
      seen?.set(name, score);
      out.added++;
      out.processed++;
      out.score = score;
      return;
    }
    if (flags.nx) return;
    const next = flags.incr ? current + score : score;
    if (Number.isNaN(next)) fail(ZSET_ERRORS.nan);
    if ((flags.lt && next >= current) || (flags.gt && next <= current)) return;
    if (next !== current) {
      putMember(tx, h, member, next, current);
      seen?.set(name, next);
      out.updated++;
    }
    out.processed++;
    out.score = next;
  });
  await saveZset(tx, h);
  if (out.added + out.updated > 0) notify(tx, ZSET, flags.incr ? "zincr" : "zadd", key);
  return out;
}

async function zrem(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  const counts = await writeChunks(ctx, argv.slice(2), async (tx, slot, members) => {
    const entry = await getTyped(tx, slot, argv[1], "zset");
    if (!entry) return 0;
    const h = openZset(slot, argv[1], entry);
    const scores = await Promise.all(members.map((m) => getScore(tx, h.meta, m)));
    const gone = new Set<string>();
    let removed = 0;
    members.forEach((member, j) => {
      const name = ascii(member);
      if (scores[j] === null || gone.has(name)) return;
      gone.add(name);
      removeMember(tx, h, member, scores[j]!);
      removed++;
    });
    await saveZset(tx, h);
    if (removed > 0) notify(tx, ZSET, "zrem", argv[1]);
    return removed;
  });
  return integer(counts.reduce((a, b) => a + b, 0));
}

async function zscore(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  const { r, entry } = await readZset(ctx, argv[1]);
  const score = entry ? await getScore(r, entry.meta!, argv[2]) : null;
  return score === null ? NULL : double(score);
}

/** The scores of `members` (null for each absent one, or all when the key is absent). */
export async function readScores(
  ctx: CommandContext,
  key: Uint8Array,
  members: Uint8Array[],
): Promise<(number | null)[]> {
  const { r, entry } = await readZset(ctx, key);
  if (!entry) return members.map(() => null);
  return await Promise.all(members.map((m) => getScore(r, entry.meta!, m)));
}

async function zmscore(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  const scores = await readScores(ctx, argv[1], argv.slice(2));
  return array(scores.map((s) => (s === null ? NULL : double(s))));
}

async function zcard(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  const { entry } = await readZset(ctx, argv[1]);
  return integer(entry?.meta?.n ?? 0);
}

async function zcount(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  const range = parseScoreRange(argv[2], argv[3]);
  const { r, entry } = await readZset(ctx, argv[1]);
  return integer(entry ? await countScoreRange(r, entry.meta!, range) : 0);
}

async function zlexcount(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  const range = parseLexRange(argv[2], argv[3]);
  const { r, entry } = await readZset(ctx, argv[1]);
  return integer(entry ? await countLexRange(r, entry.meta!, range) : 0);
}

/** A parsed ZRANGE-family request. */
interface RangeRequest {
  kind: "rank" | "score" | "lex";
  reverse: boolean;
  withScores: boolean;
  offset: number;
  limit: number;
  start: number;
  stop: number;
  score?: ScoreRange;
  lex?: LexRange;
}

/** How a ZRANGE-family command fixes its range kind and direction (null = from options). */
interface RangeShape {
  kind: RangeRequest["kind"] | null;
  reverse: boolean | null;
  store: boolean;
}

/** Parse `<key> <min> <max> [options]` starting at `at` (zrangeGenericCommand). */
function parseRange(argv: Uint8Array[], at: number, shape: RangeShape): RangeRequest {
  let kind = shape.kind;
  let reverse = shape.reverse;
  let withScores = false;
  let offset = 0;
  let limit = -1;
  for (let j = at + 3; j < argv.length; j++) {
    const left = argv.length - j - 1;
    const opt = option(argv[j]);
    if (!shape.store && opt === "WITHSCORES") withScores = true;
    else if (opt === "LIMIT" && left >= 2) {
      offset = intArg(argv[j + 1]);
      limit = intArg(argv[j + 2]);
      j += 2;
    } else if (shape.reverse === null && reverse === null && opt === "REV") reverse = true;
    else if (shape.kind === null && kind === null && opt === "BYLEX") kind = "lex";
    else if (shape.kind === null && kind === null && opt === "BYSCORE") kind = "score";
    else fail(DATA_ERRORS.syntax);
  }
  kind ??= "rank";
  reverse ??= false;
  if (limit !== -1 && kind === "rank") fail(ZSET_ERRORS.limitRank);
  if (withScores && kind === "lex") fail(ZSET_ERRORS.withscoresLex);
  let [min, max] = [argv[at + 1], argv[at + 2]];
  if (reverse && kind !== "rank") [min, max] = [max, min];
  const req: RangeRequest = { kind, reverse, withScores, offset, limit, start: 0, stop: 0 };
  if (kind === "rank") {
    req.start = intArg(min);
    req.stop = intArg(max);
  } else if (kind === "score") req.score = parseScoreRange(min, max);
  else req.lex = parseLexRange(min, max);
  return req;
}

/** The members a parsed range selects from a sorted set. */
async function runRange(r: Access, meta: KeyMeta, req: RangeRequest): Promise<ZMember[]> {
  const window = { reverse: req.reverse, offset: req.offset, limit: req.limit };
  if (req.kind === "score") return await scoreRange(r, meta, req.score!, window);
  if (req.kind === "lex") return await lexRange(r, meta, req.lex!, window);
  const clamped = clampRanks(req.start, req.stop, meta.n ?? 0);
  return clamped ? await rankRange(r, meta, clamped[0], clamped[1], req.reverse) : [];
}

/** Redis's rank sanitizing: negative ranks count from the end; null when the range is empty. */
function clampRanks(start: number, stop: number, n: number): [number, number] | null {
  if (start < 0) start = n + start;
  if (stop < 0) stop = n + stop;
  if (start < 0) start = 0;
  if (start > stop || start >= n) return null;
  return [start, Math.min(stop, n - 1)];
}

/**
 * ZRANGE, ZREVRANGE, ZRANGEBYSCORE, … (reply forms). Without a promise when memory knows the
 * key is absent or holds the small set (./storage/zset_held.ts).
 */
function rangeCommand(kind: RangeShape["kind"], reverse: boolean | null) {
  return (ctx: CommandContext, argv: Uint8Array[]): Reply | Promise<Reply> => {
    const req = parseRange(argv, 1, { kind, reverse, store: false });
    const known = peekTyped(ctx, argv[1], "zset");
    if (known === null) return membersReply(ctx, [], req.withScores);
    const held = req.kind !== "lex" ? heldZsets(ctx.store) : null;
    if (held === null) return storedRange(ctx, argv[1], req, null);
    // The key's entry not in memory: read, then answer from the held set all the same.
    if (known === undefined) return storedRange(ctx, argv[1], req, held);
    if ((known.meta!.n ?? 0) > HELD_MAX_MEMBERS) return storedRange(ctx, argv[1], req, null);
    return heldSetRange(ctx, held, known.meta!, req);
  };
}

/** A range read from the store, or from the held set (when small) once its key is read. */
async function storedRange(
  ctx: CommandContext,
  key: Uint8Array,
  req: RangeRequest,
  held: HeldZsets | null,
) {
  const { r, entry } = await readZset(ctx, key);
  if (!entry) return membersReply(ctx, [], req.withScores);
  const meta = entry.meta!;
  if (held === null || (meta.n ?? 0) > HELD_MAX_MEMBERS) {
    return membersReply(ctx, await runRange(r, meta, req), req.withScores);
  }
  return await heldSetRange(ctx, held, meta, req);
}

/** A small set's range from memory, reading the set whole first when it is not held yet. */
function heldSetRange(ctx: CommandContext, held: HeldZsets, meta: KeyMeta, req: RangeRequest) {
  const packed = held.get(meta.g!);
  if (packed) return membersReply(ctx, heldRange(packed, req), req.withScores);
  return loadedRange(ctx, held, meta, req);
}

/** A range of a small set not held yet: the set is read whole, and held. */
async function loadedRange(ctx: CommandContext, held: HeldZsets, meta: KeyMeta, req: RangeRequest) {
  const packed = await held.load(meta.g!, () => ctx.read((r) => indexItems(r, meta)));
  return membersReply(ctx, heldRange(packed, req), req.withScores);
}

async function zrangestore(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  const req = parseRange(argv, 2, { kind: null, reverse: null, store: true });
  checkKey(argv[1]);
  return await writeSlot(ctx, async (tx, slot) => {
    const source = await getTyped(tx, slot, argv[2], "zset");
    const members = source ? await runRange(tx, source.meta!, req) : [];
    const old = await getKey(tx, slot, argv[1]);
    await storeZset(tx, slot, argv[1], old, members, zsetLimits(ctx));
    notifyStored(tx, ZSET, "zrangestore", argv[1], members.length, old);
    return integer(members.length);
  });
}

/** ZRANK and ZREVRANK, with WITHSCORE (7.2). */
function rankCommand(reverse: boolean) {
  return async (ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> => {
    if (argv.length > 4) fail(DATA_ERRORS.arity(reverse ? "zrevrank" : "zrank"));
    const withScore = argv.length === 4;
    if (withScore && option(argv[3]) !== "WITHSCORE") fail(DATA_ERRORS.syntax);
    const { r, entry } = await readZset(ctx, argv[1]);
    const score = entry ? await getScore(r, entry.meta!, argv[2]) : null;
    if (score === null) return withScore ? NULL_ARRAY : NULL;
    const rank = await rankOf(r, entry!.meta!, argv[2], score);
    const value = reverse ? (entry!.meta!.n ?? 0) - 1 - rank : rank;
    return withScore ? array([integer(value), double(score)]) : integer(value);
  };
}

/** ZREMRANGEBYRANK, ZREMRANGEBYSCORE, ZREMRANGEBYLEX. */
function removeRange(kind: RangeRequest["kind"]) {
  return async (ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> => {
    const req = parseRemoveRange(kind, argv);
    return await writeSlot(ctx, async (tx, slot) => {
      const entry = await getTyped(tx, slot, argv[1], "zset");
      if (!entry) return integer(0);
      const h = openZset(slot, argv[1], entry);
      const members = await runRange(tx, h.meta, req);
      for (const { member, score } of members) removeMember(tx, h, member, score);
      await saveZset(tx, h);
      if (members.length > 0) notify(tx, ZSET, `zremrangeby${kind}`, argv[1]);
      return integer(members.length);
    });
  };
}

function parseRemoveRange(kind: RangeRequest["kind"], argv: Uint8Array[]): RangeRequest {
  const req: RangeRequest = {
    kind,
    reverse: false,
    withScores: false,
    offset: 0,
    limit: -1,
    start: 0,
    stop: 0,
  };
  if (kind === "rank") {
    req.start = intArg(argv[2]);
    req.stop = intArg(argv[3]);
  } else if (kind === "score") req.score = parseScoreRange(argv[2], argv[3]);
  else req.lex = parseLexRange(argv[2], argv[3]);
  return req;
}

/** A COUNT argument that must be >= 0 (getPositiveLongFromObjectOrReply). */
function positiveCount(arg: Uint8Array, message: string): number {
  const value = parseInt64(arg);
  if (value === null || value < 0n) fail(message);
  return Number(value);
}

/**
 * Pop up to `count` members from one end of the sorted set at (slot, key); null when the key
 * is absent. For the blocking pops (BZPOPMIN/BZPOPMAX/BZMPOP) as well.
 */
export async function popFrom(
  tx: WriteTx,
  slot: number,
  key: Uint8Array,
  count: number,
  where: "min" | "max",
): Promise<ZMember[] | null> {
  const entry = await getTyped(tx, slot, key, "zset");
  if (!entry) return null;
  const popped = await popMembers(tx, slot, key, entry, count, where);
  if (popped.length > 0) notify(tx, ZSET, where === "min" ? "zpopmin" : "zpopmax", key);
  return popped;
}

/** ZPOPMIN and ZPOPMAX. */
function popCommand(where: "min" | "max") {
  return async (ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> => {
    if (argv.length > 3) fail(DATA_ERRORS.syntax);
    const hasCount = argv.length === 3;
    const count = hasCount ? positiveCount(argv[2], ZSET_ERRORS.mustBePositive) : 1;
    const popped = await writeSlot(ctx, async (tx, slot) => {
      if (count === 0) return await getTyped(tx, slot, argv[1], "zset") && [];
      return await popFrom(tx, slot, argv[1], count, where);
    });
    if (!popped || popped.length === 0) return array([]);
    if (ctx.session.protocol === 3 && hasCount) return pairsReply(popped);
    return array(popped.flatMap((m) => [bulk(m.member), double(m.score)]));
  };
}

/** Parsed `numkeys key… MIN|MAX [COUNT n]` of ZMPOP (and BZMPOP after its timeout). */
export interface MpopArgs {
  keys: Uint8Array[];
  where: "min" | "max";
  count: number;
}

/** Parse ZMPOP's arguments from `at` (the numkeys position). */
export function parseMpop(argv: Uint8Array[], at: number): MpopArgs {
  const numkeys = parseInt64(argv[at]);
  if (numkeys === null || numkeys < 1n) fail(ZSET_ERRORS.numkeys);
  const whereAt = at + 1 + Number(numkeys);
  if (whereAt >= argv.length) fail(DATA_ERRORS.syntax);
  const side = option(argv[whereAt]);
  if (side !== "MIN" && side !== "MAX") fail(DATA_ERRORS.syntax);
  let count = -1;
  for (let j = whereAt + 1; j < argv.length; j++) {
    if (count === -1 && option(argv[j]) === "COUNT" && j + 1 < argv.length) {
      const value = parseInt64(argv[++j]);
      if (value === null || value < 1n) fail(ZSET_ERRORS.count);
      count = Number(value);
    } else fail(DATA_ERRORS.syntax);
  }
  return {
    keys: argv.slice(at + 1, whereAt),
    where: side === "MIN" ? "min" : "max",
    count: count === -1 ? 1 : count,
  };
}

/** Pop from the first non-empty key of a ZMPOP: [key, members], or null when all are empty. */
export async function mpop(
  tx: WriteTx,
  slot: number,
  args: MpopArgs,
): Promise<[Uint8Array, ZMember[]] | null> {
  for (const key of args.keys) {
    const popped = await popFrom(tx, slot, key, args.count, args.where);
    if (popped) return [key, popped];
  }
  return null;
}

/** ZMPOP's reply for a pop result (BZMPOP's too). */
export function mpopReply(result: [Uint8Array, ZMember[]] | null): Reply {
  return result ? array([bulk(result[0]), pairsReply(result[1])]) : NULL_ARRAY;
}

async function zmpop(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  const args = parseMpop(argv, 1);
  return mpopReply(await writeSlot(ctx, (tx, slot) => mpop(tx, slot, args)));
}

function randomIndex(n: number): number {
  return Math.floor(Math.random() * n);
}

async function zrandmember(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  if (argv.length < 3) {
    const { r, entry } = await readZset(ctx, argv[1]);
    if (!entry) return NULL;
    const at = randomIndex(entry.meta!.n ?? 0);
    const [picked] = await rankRange(r, entry.meta!, at, at);
    return bulk(picked.member);
  }
  const count = parseInt64(argv[2]);
  if (count === null) fail(DATA_ERRORS.notInteger);
  if (count < -LONG_MAX) fail(ZSET_ERRORS.outOfRange(-LONG_MAX, LONG_MAX));
  if (argv.length > 4 || (argv.length === 4 && option(argv[3]) !== "WITHSCORES")) {
    fail(DATA_ERRORS.syntax);
  }
  const withScores = argv.length === 4;
  if (withScores && (count < -LONG_MAX / 2n || count > LONG_MAX / 2n)) {
    fail(DATA_ERRORS.valueOutOfRange);
  }
  const { r, entry } = await readZset(ctx, argv[1]);
  if (!entry || count === 0n) return array([]);
  const n = entry.meta!.n ?? 0;
  // The whole set comes back highest first, as Redis replies then (a reverse rank range).
  if (count >= BigInt(n)) {
    return membersReply(ctx, await endMembers(r, entry.meta!, n, "max"), withScores);
  }
  // Random ranks (distinct unless the count is negative), read in one pass, in random order.
  const ranks = count < 0n
    ? Array.from({ length: Number(-count) }, () => randomIndex(n))
    : distinctRanks(n, Number(count));
  const members = await membersAtRanks(r, entry.meta!, ranks.sort((a, b) => a - b));
  return membersReply(ctx, shuffle(members), withScores);
}

/** `count` distinct ranks below `n` (count < n). */
function distinctRanks(n: number, count: number): number[] {
  const picked = new Set<number>();
  while (picked.size < count) picked.add(randomIndex(n));
  return [...picked];
}

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = randomIndex(i + 1);
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

const WF = ["write", "denyoom", "fast"];
const W = ["write"];

/** The sorted-set command family. */
export const COMMANDS: CommandSpec[] = [
  command("zadd", { arity: -4, flags: WF, keys: ONE }, (c, a) => zaddGeneric(c, a, false)),
  command("zincrby", { arity: 4, flags: WF, keys: ONE }, (c, a) => zaddGeneric(c, a, true)),
  command("zrem", { arity: -3, flags: ["write", "fast"], keys: ONE }, zrem),
  command("zscore", { arity: 3, flags: RF, keys: ONE }, zscore),
  command("zmscore", { arity: -3, flags: RF, keys: ONE }, zmscore),
  command("zcard", { arity: 2, flags: RF, keys: ONE }, zcard),
  command("zcount", { arity: 4, flags: RF, keys: ONE }, zcount),
  command("zlexcount", { arity: 4, flags: RF, keys: ONE }, zlexcount),
  command("zrange", { arity: -4, flags: R, keys: ONE }, rangeCommand(null, null)),
  command("zrangestore", { arity: -5, flags: ["write", "denyoom"], keys: [1, 2, 1] }, zrangestore),
  command("zrangebyscore", { arity: -4, flags: R, keys: ONE }, rangeCommand("score", false)),
  command("zrevrangebyscore", { arity: -4, flags: R, keys: ONE }, rangeCommand("score", true)),
  command("zrangebylex", { arity: -4, flags: R, keys: ONE }, rangeCommand("lex", false)),
  command("zrevrangebylex", { arity: -4, flags: R, keys: ONE }, rangeCommand("lex", true)),
  command("zrevrange", { arity: -4, flags: R, keys: ONE }, rangeCommand("rank", true)),
  command("zrank", { arity: -3, flags: RF, keys: ONE }, rankCommand(false)),
  command("zrevrank", { arity: -3, flags: RF, keys: ONE }, rankCommand(true)),
  command("zremrangebyrank", { arity: 4, flags: W, keys: ONE }, removeRange("rank")),
  command("zremrangebyscore", { arity: 4, flags: W, keys: ONE }, removeRange("score")),
  command("zremrangebylex", { arity: 4, flags: W, keys: ONE }, removeRange("lex")),
  command("zpopmin", { arity: -2, flags: ["write", "fast"], keys: ONE }, popCommand("min")),
  command("zpopmax", { arity: -2, flags: ["write", "fast"], keys: ONE }, popCommand("max")),
  command("zmpop", { arity: -4, flags: W, keys: [0, 0, 0] }, zmpop),
  command("zrandmember", { arity: -2, flags: R, keys: ONE }, zrandmember),
  ...ALGEBRA,
];

/**
 * Sorted-set algebra: ZUNION, ZINTER, ZDIFF, their STORE forms and ZINTERCARD
 * (zunionInterDiffGenericCommand). Sets count as sorted sets with every score 1.
 * @module
 */
import { memberName as setMemberName } from "../storage/set.ts";
import { command, type CommandContext, type CommandSpec, READONLY as R } from "../command.ts";
import { ascii, parseInt64 } from "../numbers.ts";
import { integer, type Reply } from "../reply.ts";
import { type Access, getKey, type KeyEntry } from "../storage/db.ts";
import { fieldPrefix, nameParts } from "../storage/layout.ts";
import { allMembers, getScore, storeZset, type ZMember } from "../storage/zset.ts";
import { zsetLimits } from "../encoding_limits.ts";
import { checkKey, fail, notifyStored, option, readSlot, slotFor, writeSlot } from "./common.ts";
import { ZSET } from "../notify.ts";
import { membersReply, scoreArg, ZSET_ERRORS } from "./zset_args.ts";
import { DATA_ERRORS, ReplyError } from "../errors.ts";
import { compareBytes } from "../scan.ts";

type Op = "union" | "inter" | "diff";
type Aggregate = "sum" | "min" | "max";

/** A parsed algebra request; `error` is an option error Redis reports after the type checks. */
interface AlgebraArgs {
  keys: Uint8Array[];
  weights: number[];
  aggregate: Aggregate;
  withScores: boolean;
  limit: number;
  error: ReplyError | null;
}

interface Shape {
  op: Op;
  name: string;
  /** Index of numkeys. */
  at: number;
  store: boolean;
  cardinality: boolean;
}

function parseAlgebra(argv: Uint8Array[], shape: Shape): AlgebraArgs {
  const setnum = parseInt64(argv[shape.at]);
  if (setnum === null) fail(DATA_ERRORS.notInteger);
  if (setnum < 1n) fail(ZSET_ERRORS.atLeastOneKey(shape.name));
  if (setnum > BigInt(argv.length - shape.at - 1)) fail(DATA_ERRORS.syntax);
  const n = Number(setnum);
  const args: AlgebraArgs = {
    keys: argv.slice(shape.at + 1, shape.at + 1 + n),
    weights: Array(n).fill(1),
    aggregate: "sum",
    withScores: false,
    limit: 0,
    error: null,
  };
  try {
    parseOptions(argv, shape, args);
  } catch (e) {
    if (!(e instanceof ReplyError)) throw e;
    args.error = e;
  }
  return args;
}

function parseOptions(argv: Uint8Array[], shape: Shape, args: AlgebraArgs): void {
  const n = args.keys.length;
  let j = shape.at + 1 + n;
  while (j < argv.length) {
    const remaining = argv.length - j;
    const opt = option(argv[j]);
    const algebra = shape.op !== "diff" && !shape.cardinality;
    if (algebra && remaining >= n + 1 && opt === "WEIGHTS") {
      for (let i = 0; i < n; i++) {
        args.weights[i] = scoreArg(argv[j + 1 + i], ZSET_ERRORS.weightNotFloat);
      }
      j += n + 1;
    } else if (algebra && remaining >= 2 && opt === "AGGREGATE") {
      const how = option(argv[j + 1]);
      if (how !== "SUM" && how !== "MIN" && how !== "MAX") fail(DATA_ERRORS.syntax);
      args.aggregate = how.toLowerCase() as Aggregate;
      j += 2;
    } else if (!shape.store && !shape.cardinality && opt === "WITHSCORES") {
      args.withScores = true;
      j++;
    } else if (shape.cardinality && remaining >= 2 && opt === "LIMIT") {
      const limit = parseInt64(argv[j + 1]);
      if (limit === null || limit < 0n) fail(ZSET_ERRORS.limitNegative);
      args.limit = Number(limit);
      j += 2;
    } else fail(DATA_ERRORS.syntax);
  }
}

/** One input: a sorted set, a set (every score 1) or nothing. */
interface Source {
  entry: KeyEntry | null;
  weight: number;
}

function sourceSize(s: Source): number {
  return s.entry?.meta?.n ?? 0;
}

/** A set's members (storage/set.ts), each with score 1, or a sorted set's. */
async function sourceMembers(r: Access, s: Source): Promise<ZMember[]> {
  if (!s.entry) return [];
  const meta = s.entry.meta!;
  if (meta.t === "zset") return await allMembers(r, meta);
  const entries = await r.list({ prefix: fieldPrefix(meta.g!) }, { keysOnly: true });
  return entries.map((e) => ({ member: setMemberName(e), score: 1 }));
}

async function sourceScore(r: Access, s: Source, member: Uint8Array): Promise<number | null> {
  if (!s.entry) return null;
  const meta = s.entry.meta!;
  if (meta.t === "zset") return await getScore(r, meta, member);
  return (await r.get([...fieldPrefix(meta.g!), ...nameParts(member)])) ? 1 : null;
}

/** Weighted score (zunionInterDiffGenericCommand: NaN, from inf × 0, becomes 0). */
function weighted(score: number, weight: number): number {
  const value = score * weight;
  return Number.isNaN(value) ? 0 : value;
}

function aggregate(target: number, value: number, how: Aggregate): number {
  if (how === "min") return value < target ? value : target;
  if (how === "max") return value > target ? value : target;
  const sum = target + value;
  return Number.isNaN(sum) ? 0 : sum;
}

/** Score order, ties by member bytes, as a sorted set holds its members. */
export function byScore(a: ZMember, b: ZMember): number {
  return a.score - b.score || compareBytes(a.member, b.member);
}

/** The inputs, type-checked, in argument order. */
async function readSources(r: Access, slot: number, args: AlgebraArgs): Promise<Source[]> {
  const entries = await Promise.all(args.keys.map((k) => getKey(r, slot, k)));
  const sources = entries.map((entry, i) => {
    const t = entry?.meta?.t as string | undefined;
    if (entry && t !== "zset" && t !== "set") fail(DATA_ERRORS.wrongType);
    return { entry, weight: args.weights[i] };
  });
  if (args.error) throw args.error;
  return sources;
}

/** The result set of `op`, in score order; stops early at `limit` members (0 = no limit). */
async function compute(
  r: Access,
  op: Op,
  args: AlgebraArgs,
  sources: Source[],
): Promise<ZMember[]> {
  if (op === "union") {
    const acc = new Map<string, ZMember>();
    for (const s of sources) {
      for (const m of await sourceMembers(r, s)) {
        const score = weighted(m.score, s.weight);
        const name = ascii(m.member);
        const known = acc.get(name);
        if (known) known.score = aggregate(known.score, score, args.aggregate);
        else acc.set(name, { member: m.member, score });
      }
    }
    return [...acc.values()].sort(byScore);
  }
  if (op === "diff") {
    const [first, ...rest] = sources;
    const out: ZMember[] = [];
    for (const m of await sourceMembers(r, first)) {
      const found = await Promise.all(rest.map((s) => sourceScore(r, s, m.member)));
      if (found.every((x) => x === null)) out.push(m);
    }
    return out.sort(byScore);
  }
  // Intersection: walk the smallest input, look each member up in the others.
  const order = sources.map((s, i) => ({ s, i })).sort((a, b) => sourceSize(a.s) - sourceSize(b.s));
  const [smallest, ...others] = order.map((o) => o.s);
  if (sources.some((s) => !s.entry)) return [];
  const out: ZMember[] = [];
  for (const m of await sourceMembers(r, smallest)) {
    const found = await Promise.all(others.map((s) => sourceScore(r, s, m.member)));
    if (found.some((x) => x === null)) continue;
    let score = weighted(m.score, smallest.weight);
    found.forEach((x, k) =>
      score = aggregate(score, weighted(x!, others[k].weight), args.aggregate)
    );
    out.push({ member: m.member, score });
    if (args.limit > 0 && out.length >= args.limit) break;
  }
  return out.sort(byScore);
}

function readCommand(op: Op, name: string) {
  return async (ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> => {
    const args = parseAlgebra(argv, { op, name, at: 1, store: false, cardinality: false });
    const members = await readSlot(
      ctx,
      async (r, slot) => compute(r, op, args, await readSources(r, slot, args)),
    );
    return membersReply(ctx, members, args.withScores);
  };
}

function storeCommand(op: Op, name: string) {
  return async (ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> => {
    checkKey(argv[1]);
    const args = parseAlgebra(argv, { op, name, at: 2, store: true, cardinality: false });
    return await writeSlot(ctx, async (tx, slot) => {
      const members = await compute(tx, op, args, await readSources(tx, slot, args));
      const old = await getKey(tx, slot, argv[1]);
      await storeZset(tx, slot, argv[1], old, members, zsetLimits(ctx));
      notifyStored(tx, ZSET, name, argv[1], members.length, old);
      return integer(members.length);
    });
  };
}

async function zintercard(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  const args = parseAlgebra(argv, {
    op: "inter",
    name: "zintercard",
    at: 1,
    store: false,
    cardinality: true,
  });
  const members = await ctx.read(async (r) => {
    const slot = await slotFor(ctx, r);
    return compute(r, "inter", args, await readSources(r, slot, args));
  });
  return integer(members.length);
}

const W = ["write", "denyoom"];
const STORE_KEYS: [number, number, number] = [1, 1, 1];

/** The algebra commands (merged into the sorted-set family). */
export const COMMANDS: CommandSpec[] = [
  command("zunion", { arity: -3, flags: R }, readCommand("union", "zunion")),
  command("zinter", { arity: -3, flags: R }, readCommand("inter", "zinter")),
  command("zdiff", { arity: -3, flags: R }, readCommand("diff", "zdiff")),
  command(
    "zunionstore",
    { arity: -4, flags: W, keys: STORE_KEYS },
    storeCommand("union", "zunionstore"),
  ),
  command(
    "zinterstore",
    { arity: -4, flags: W, keys: STORE_KEYS },
    storeCommand("inter", "zinterstore"),
  ),
  command(
    "zdiffstore",
    { arity: -4, flags: W, keys: STORE_KEYS },
    storeCommand("diff", "zdiffstore"),
  ),
  command("zintercard", { arity: -3, flags: R }, zintercard),
];

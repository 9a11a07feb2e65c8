/**
 * Redis set commands (t_set.c). Each member is its own entry under the set's generation:
 * SISMEMBER reads one entry, SCARD the counter in the meta entry; random picks probe the member
 * space (storage/set.ts). SSCAN lives with the rest of the SCAN family in commands/scan.ts.
 * @module
 */
import type { WriteTx } from "../../../src/store/mod.ts";
import { freshWrites } from "../../../src/store/mod.ts";
import {
  ALL_KEYS as ALL,
  command,
  type CommandContext,
  type CommandSpec,
  ONE_KEY as ONE,
  READONLY as R,
  READONLY_FAST as RF,
} from "../command.ts";
import { parseInt64 } from "../numbers.ts";
import { array, bulk, integer, NULL, type Reply } from "../reply.ts";
import { type Access, dropKey, getKey, type KeyEntry, putKey } from "../storage/db.ts";
import { type KeyMeta, newGeneration } from "../storage/layout.ts";
import {
  addAll,
  addMembers,
  dedupe,
  encodingAfterAdd,
  listMembers,
  memberId,
  memberPages,
  membership,
  openSet,
  redisOrder,
  removeMembers,
  sampleDistinct,
  sampleWithRepeats,
  saveSet,
  type SetEncoding,
  setEncoding,
  type SetLimits,
} from "../storage/set.ts";
import { setLimits } from "../encoding_limits.ts";
import {
  checkKey,
  fail,
  getTyped,
  notifyStored,
  option,
  readSlot,
  sameBytes,
  writeChunks,
  writeSlot,
} from "./common.ts";
import { DATA_ERRORS } from "../errors.ts";
import { notify, SET } from "../notify.ts";

/** LONG_MAX: the bound of SRANDMEMBER's negative count. */
const LONG_MAX = 2n ** 63n - 1n;

/** A RESP3 set reply (RESP2: array). */
function setReply(members: Uint8Array[]): Reply {
  return { type: "set", value: members.map((m) => bulk(m)) };
}

function readSet(ctx: CommandContext, key: Uint8Array) {
  return readSlot(ctx, async (r, slot) => ({ r, entry: await getTyped(r, slot, key, "set") }));
}

async function sadd(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  checkKey(argv[1]);
  const members = argv.slice(2).map(checkKey);
  const limits = setLimits(ctx);
  const added = await writeChunks(ctx, members, async (tx, slot, chunk) => {
    const entry = await getTyped(tx, slot, argv[1], "set");
    const h = openSet(slot, argv[1], entry, argv[2], argv.length - 2, limits);
    const n = await addAll(tx, h, chunk);
    saveSet(tx, h);
    if (n > 0) notify(tx, SET, "sadd", argv[1]);
    return n;
  });
  return integer(added.reduce((a, b) => a + b, 0));
}

async function srem(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  const counts = await writeChunks(ctx, argv.slice(2), async (tx, slot, chunk) => {
    const entry = await getTyped(tx, slot, argv[1], "set");
    if (!entry) return 0;
    const h = openSet(slot, argv[1], entry, chunk[0], 0);
    const unique = dedupe(chunk);
    const present = await membership(tx, h.meta, unique);
    const gone = unique.filter((_, i) => present[i]);
    removeMembers(tx, h, gone);
    saveSet(tx, h);
    if (gone.length > 0) notify(tx, SET, "srem", argv[1]);
    return gone.length;
  });
  return integer(counts.reduce((a, b) => a + b, 0));
}

async function smembers(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  const { r, entry } = await readSet(ctx, argv[1]);
  return setReply(entry ? await listMembers(r, entry.meta!) : []);
}

async function sismember(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  const found = await readSlot(ctx, async (r, slot) => {
    const entry = await getTyped(r, slot, argv[1], "set");
    return entry ? (await membership(r, entry.meta!, [argv[2]]))[0] : false;
  });
  return integer(found ? 1 : 0);
}

async function smismember(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  const members = argv.slice(2);
  const found = await readSlot(ctx, async (r, slot) => {
    const entry = await getTyped(r, slot, argv[1], "set");
    return entry ? await membership(r, entry.meta!, members) : members.map(() => false);
  });
  return array(found.map((f) => integer(f ? 1 : 0)));
}

async function scard(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  const entry = await readSlot(ctx, (r, slot) => getTyped(r, slot, argv[1], "set"));
  return integer(entry?.meta?.n ?? 0);
}

/** Remove and return `count` random members (the whole set, and the key, when it has fewer). */
function popMembers(ctx: CommandContext, key: Uint8Array, count: number) {
  return writeSlot(ctx, async (tx, slot) => {
    const entry = await getTyped(tx, slot, key, "set");
    if (!entry || count === 0) return entry ? [] : null;
    const h = openSet(slot, key, entry, key, 0);
    const picked = await sampleDistinct(tx, h.meta, count);
    removeMembers(tx, h, picked);
    saveSet(tx, h);
    if (picked.length > 0) notify(tx, SET, "spop", key);
    return picked;
  });
}

async function spop(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  if (argv.length > 3) fail(DATA_ERRORS.syntax);
  if (argv.length === 2) {
    const picked = await popMembers(ctx, argv[1], 1);
    return picked && picked.length > 0 ? bulk(picked[0]) : NULL;
  }
  // getPositiveLongFromObjectOrReply: a non-integer gets the same text as a negative count.
  const count = parseInt64(argv[2]);
  if (count === null || count < 0n) fail(DATA_ERRORS.mustBePositive);
  return setReply(await popMembers(ctx, argv[1], Number(count)) ?? []);
}

async function srandmember(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  if (argv.length > 3) fail(DATA_ERRORS.syntax);
  let count: bigint | null = null;
  if (argv.length === 3) {
    count = parseInt64(argv[2]);
    if (count === null) fail(DATA_ERRORS.notInteger);
    if (count < -LONG_MAX) fail(DATA_ERRORS.longRange);
  }
  const { r, entry } = await readSet(ctx, argv[1]);
  if (count === null) {
    if (!entry) return NULL;
    return bulk((await sampleDistinct(r, entry.meta!, 1))[0]);
  }
  if (!entry || count === 0n) return array([]);
  const picked = count > 0n
    ? await sampleDistinct(r, entry.meta!, Number(count))
    : await sampleWithRepeats(r, entry.meta!, Number(-count));
  return array(picked.map((m) => bulk(m)));
}

async function smove(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  const [from, to, member] = [argv[1], checkKey(argv[2]), checkKey(argv[3])];
  return await writeSlot(ctx, async (tx, slot) => {
    const source = await getKey(tx, slot, from);
    if (!source) return integer(0);
    const target = await getKey(tx, slot, to);
    if (source.meta?.t !== "set" || (target && target.meta?.t !== "set")) {
      fail(DATA_ERRORS.wrongType);
    }
    const [present] = await membership(tx, source.meta, [member]);
    if (sameBytes(from, to)) return integer(present ? 1 : 0);
    if (!present) return integer(0);
    const src = openSet(slot, from, source, member, 0);
    removeMembers(tx, src, [member]);
    saveSet(tx, src);
    notify(tx, SET, "srem", from);
    const dst = openSet(slot, to, target, member, 1, setLimits(ctx));
    const added = await addAll(tx, dst, [member]);
    saveSet(tx, dst);
    if (added > 0) notify(tx, SET, "sadd", to);
    return integer(1);
  });
}

/** The sets named by `keys` (null for a missing key), WRONGTYPE if any holds another type. */
function readSets(r: Access, slot: number, keys: readonly Uint8Array[]) {
  return Promise.all(keys.map((k) => getTyped(r, slot, k, "set")));
}

/** A result built as Redis builds its temporary set: member order and encoding as it would. */
class ResultSet {
  readonly members: { member: Uint8Array; seq?: number }[] = [];
  enc: SetEncoding = "intset";
  #ids = new Set<string>();

  constructor(readonly limits: SetLimits) {}

  add(member: Uint8Array): boolean {
    const id = memberId(member);
    if (this.#ids.has(id)) return false;
    this.#ids.add(id);
    this.enc = encodingAfterAdd(this.enc, this.members.length, member, this.limits);
    this.members.push({ member, seq: this.enc === "listpack" ? this.members.length : undefined });
    return true;
  }

  has(member: Uint8Array): boolean {
    return this.#ids.has(memberId(member));
  }

  ordered(): Uint8Array[] {
    return redisOrder([...this.members], this.enc);
  }
}

/** Iterate a set's members: small encodings in Redis's order, big ones page by page. */
async function* membersOf(r: Access, meta: KeyMeta): AsyncGenerator<Uint8Array[]> {
  if (setEncoding(meta) !== "hashtable") yield await listMembers(r, meta);
  else yield* memberPages(r, meta);
}

/** SINTER's members: the smallest set's members found in every other, up to `limit` (0 = all). */
async function intersect(
  r: Access,
  sets: readonly (KeyEntry | null)[],
  limit = 0,
): Promise<Uint8Array[]> {
  if (sets.some((s) => s === null)) return [];
  const sorted = [...sets as KeyEntry[]].sort((a, b) => (a.meta!.n ?? 0) - (b.meta!.n ?? 0));
  const out: Uint8Array[] = [];
  for await (const page of membersOf(r, sorted[0].meta!)) {
    let keep = page.map(() => true);
    for (const other of sorted.slice(1)) {
      const found = await membership(r, other.meta!, page);
      keep = keep.map((k, i) => k && found[i]);
    }
    for (let i = 0; i < page.length; i++) {
      if (!keep[i]) continue;
      out.push(page[i]);
      if (limit > 0 && out.length >= limit) return out;
    }
  }
  return out;
}

/** SUNION's or SDIFF's result, built in Redis's order. */
async function combine(
  r: Access,
  sets: readonly (KeyEntry | null)[],
  op: "union" | "diff",
  limits: SetLimits,
): Promise<ResultSet> {
  const result = new ResultSet(limits);
  if (op === "union") {
    for (const set of sets) {
      if (!set) continue;
      for await (const page of membersOf(r, set.meta!)) for (const m of page) result.add(m);
    }
    return result;
  }
  const [first, ...others] = sets;
  if (!first) return result;
  for await (const page of membersOf(r, first.meta!)) {
    let keep = page.map(() => true);
    for (const other of others) {
      if (!other) continue;
      const found = await membership(r, other.meta!, page);
      keep = keep.map((k, i) => k && !found[i]);
    }
    page.forEach((m, i) => keep[i] && result.add(m));
  }
  return result;
}

type SetOp = "inter" | "union" | "diff";

async function compute(
  r: Access,
  slot: number,
  keys: Uint8Array[],
  op: SetOp,
  limits: SetLimits,
) {
  const sets = await readSets(r, slot, keys);
  if (op !== "inter") return (await combine(r, sets, op, limits)).ordered();
  return await intersect(r, sets);
}

function setOperation(op: SetOp) {
  return async (ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> => {
    const keys = argv.slice(1);
    return setReply(
      await readSlot(ctx, (r, slot) => compute(r, slot, keys, op, setLimits(ctx))),
    );
  };
}

/** Write `members` as the set at `key` under a fresh generation (or delete it when empty). */
function storeSet(
  tx: WriteTx,
  slot: number,
  key: Uint8Array,
  members: Uint8Array[],
  old: KeyEntry | null,
  limits: SetLimits,
): void {
  if (members.length === 0) {
    if (old) dropKey(tx, slot, key, old);
    return;
  }
  // Redis builds the result from an empty intset, converting as members arrive.
  const meta: KeyMeta = { t: "set", g: newGeneration(), n: 0, e: "intset" };
  const h = { slot, key, entry: old, meta, dirty: true, limits };
  addMembers(freshWrites(tx), h, members, members.map(() => false));
  putKey(tx, { slot, key, record: { meta: h.meta, expiresAt: null }, old });
}

function storeOperation(op: SetOp) {
  return async (ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> => {
    const target = checkKey(argv[1]);
    const keys = argv.slice(2);
    return await writeSlot(ctx, async (tx, slot) => {
      const limits = setLimits(ctx);
      const members = await compute(tx, slot, keys, op, limits);
      const old = await getKey(tx, slot, target);
      storeSet(tx, slot, target, members, old, limits);
      notifyStored(tx, SET, `s${op}store`, target, members.length, old);
      return integer(members.length);
    });
  };
}

async function sintercard(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  const numkeys = parseInt64(argv[1]);
  if (numkeys === null || numkeys < 1n) fail(DATA_ERRORS.numkeysPositive);
  if (numkeys > BigInt(argv.length - 2)) fail(DATA_ERRORS.numkeysTooMany);
  const n = Number(numkeys);
  let limit = 0;
  for (let i = 2 + n; i < argv.length; i++) {
    if (option(argv[i]) === "LIMIT" && i + 1 < argv.length) {
      const value = parseInt64(argv[++i]);
      if (value === null || value < 0n) fail(DATA_ERRORS.limitNegative);
      limit = Number(value);
    } else fail(DATA_ERRORS.syntax);
  }
  const keys = argv.slice(2, 2 + n);
  const members = await readSlot(ctx, async (r, slot) => {
    const sets = await readSets(r, slot, keys);
    return await intersect(r, sets, limit);
  });
  return integer(members.length);
}

const WF = ["write", "fast"];
const WDF = ["write", "denyoom", "fast"];
const WD = ["write", "denyoom"];

/** The sets command family. */
export const COMMANDS: CommandSpec[] = [
  command("sadd", { arity: -3, flags: WDF, keys: ONE }, sadd),
  command("srem", { arity: -3, flags: WF, keys: ONE }, srem),
  command("smembers", { arity: 2, flags: R, keys: ONE }, smembers),
  command("sismember", { arity: 3, flags: RF, keys: ONE }, sismember),
  command("smismember", { arity: -3, flags: RF, keys: ONE }, smismember),
  command("scard", { arity: 2, flags: RF, keys: ONE }, scard),
  command("spop", { arity: -2, flags: WF, keys: ONE }, spop),
  command("srandmember", { arity: -2, flags: R, keys: ONE }, srandmember),
  command("smove", { arity: 4, flags: WF, keys: [1, 2, 1] }, smove),
  command("sinter", { arity: -2, flags: R, keys: ALL }, setOperation("inter")),
  command("sinterstore", { arity: -3, flags: WD, keys: ALL }, storeOperation("inter")),
  command("sintercard", { arity: -3, flags: ["readonly", "movablekeys"] }, sintercard),
  command("sunion", { arity: -2, flags: R, keys: ALL }, setOperation("union")),
  command("sunionstore", { arity: -3, flags: WD, keys: ALL }, storeOperation("union")),
  command("sdiff", { arity: -2, flags: R, keys: ALL }, setOperation("diff")),
  command("sdiffstore", { arity: -3, flags: WD, keys: ALL }, storeOperation("diff")),
];

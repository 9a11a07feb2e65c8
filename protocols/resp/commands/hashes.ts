/**
 * Redis hash commands. Each field is its own entry under the hash's generation: HGET reads one
 * entry, HLEN reads the counter in the meta entry. Field TTL commands are merged in.
 * @module
 */
import {
  command,
  type CommandContext,
  type CommandSpec,
  ONE_KEY as ONE,
  READONLY as R,
  READONLY_FAST as RF,
} from "../command.ts";
import { fitsInt64, parseInt64, parseLongDoubleArg } from "../numbers.ts";
import { addLongDouble, formatLongDouble, type LongDouble } from "../long_double.ts";
import { array, bulk, bulkOrNull, integer, map, NULL, OK, type Reply } from "../reply.ts";
import {
  deleteField,
  fieldName,
  getField,
  hashLength,
  listFields,
  openHash,
  saveHash,
  setField,
} from "../storage/hash.ts";
import { checkKey, fail, getTyped, option, readSlot, writeChunks, writeSlot } from "./common.ts";
import { COMMANDS as FIELD_TTL_COMMANDS } from "./hash_field_ttl.ts";
import { hashLimits } from "../encoding_limits.ts";
import { DATA_ERRORS } from "../errors.ts";
import { HASH, notify } from "../notify.ts";

const encoder = new TextEncoder();
const ZERO: LongDouble = { neg: false, m: 0n, e: 0 };
/** HRANDFIELD's count bound with WITHVALUES (LONG_MAX/2). */
const RANDFIELD_MAX_WITHVALUES = 2n ** 62n - 1n;

function readHash(ctx: CommandContext, key: Uint8Array) {
  return readSlot(ctx, async (r, slot) => ({ r, entry: await getTyped(r, slot, key, "hash") }));
}

/** HSET/HMSET: set field-value pairs, creating the hash; returns how many fields were new. */
async function setPairs(ctx: CommandContext, argv: Uint8Array[], name: string): Promise<number> {
  if (argv.length % 2 !== 0) fail(DATA_ERRORS.arity(name));
  checkKey(argv[1]);
  const pairs: [Uint8Array, Uint8Array][] = [];
  for (let i = 2; i < argv.length; i += 2) pairs.push([checkKey(argv[i]), argv[i + 1]]);
  const added = await writeChunks(ctx, pairs, async (tx, slot, chunk) => {
    const h = openHash(slot, argv[1], await getTyped(tx, slot, argv[1], "hash"), hashLimits(ctx));
    let n = 0;
    // One field of a hash this unit makes has nothing to read (several may repeat a field).
    const known = h.entry === null && chunk.length === 1 ? null : undefined;
    for (const [field, value] of chunk) if (await setField(tx, h, { field, value, known })) n++;
    await saveHash(tx, h);
    notify(tx, HASH, "hset", argv[1]);
    return n;
  });
  return added.reduce((a, b) => a + b, 0);
}

async function hset(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  return integer(await setPairs(ctx, argv, "hset"));
}

async function hmset(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  await setPairs(ctx, argv, "hmset");
  return OK;
}

async function hsetnx(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  checkKey(argv[1]);
  checkKey(argv[2]);
  return await writeSlot(ctx, async (tx, slot) => {
    const h = openHash(slot, argv[1], await getTyped(tx, slot, argv[1], "hash"), hashLimits(ctx));
    const old = h.entry ? await getField(tx, h.meta, argv[2]) : null;
    if (old) return integer(0);
    await setField(tx, h, { field: argv[2], value: argv[3], known: null });
    await saveHash(tx, h);
    notify(tx, HASH, "hset", argv[1]);
    return integer(1);
  });
}

async function hget(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  const field = await readSlot(ctx, async (r, slot) => {
    const entry = await getTyped(r, slot, argv[1], "hash");
    return entry ? await getField(r, entry.meta!, argv[2]) : null;
  });
  return bulkOrNull(field?.data);
}

async function hmget(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  const fields = argv.slice(2);
  const values = await readSlot(ctx, async (r, slot) => {
    const entry = await getTyped(r, slot, argv[1], "hash");
    if (!entry) return fields.map(() => null);
    return await Promise.all(fields.map((f) => getField(r, entry.meta!, f)));
  });
  return array(values.map((v) => bulkOrNull(v?.data)));
}

/** HGETALL, HKEYS, HVALS: every live field, in field order. */
function listing(shape: "all" | "keys" | "values") {
  return async (ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> => {
    const fields = await readSlot(ctx, async (r, slot) => {
      const entry = await getTyped(r, slot, argv[1], "hash");
      return entry ? await listFields(r, entry.meta!, shape === "keys") : [];
    });
    if (shape === "all") return map(fields.map((f) => [bulk(fieldName(f)), bulk(f.data)]));
    return array(fields.map((f) => bulk(shape === "keys" ? fieldName(f) : f.data)));
  };
}

async function hdel(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  const counts = await writeChunks(ctx, argv.slice(2), async (tx, slot, fields) => {
    const entry = await getTyped(tx, slot, argv[1], "hash");
    if (!entry) return 0;
    const h = openHash(slot, argv[1], entry, hashLimits(ctx));
    let removed = 0;
    for (const field of fields) if (await deleteField(tx, h, field)) removed++;
    await saveHash(tx, h);
    if (removed > 0) notify(tx, HASH, "hdel", argv[1]);
    return removed;
  });
  return integer(counts.reduce((a, b) => a + b, 0));
}

async function hexists(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  const field = await readSlot(ctx, async (r, slot) => {
    const entry = await getTyped(r, slot, argv[1], "hash");
    return entry ? await getField(r, entry.meta!, argv[2]) : null;
  });
  return integer(field ? 1 : 0);
}

async function hlen(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  return integer(
    await readSlot(ctx, async (r, slot) => {
      const entry = await getTyped(r, slot, argv[1], "hash");
      return entry ? await hashLength(r, entry.meta!) : 0;
    }),
  );
}

async function hstrlen(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  const field = await readSlot(ctx, async (r, slot) => {
    const entry = await getTyped(r, slot, argv[1], "hash");
    return entry ? await getField(r, entry.meta!, argv[2]) : null;
  });
  return integer(field?.data.length ?? 0);
}

/** HINCRBY/HINCRBYFLOAT: read-modify-write of one field, keeping the field's TTL. */
async function incrField(
  ctx: CommandContext,
  argv: Uint8Array[],
  event: string,
  next: (current: Uint8Array | null) => Uint8Array,
): Promise<Uint8Array> {
  checkKey(argv[1]);
  checkKey(argv[2]);
  return await writeSlot(ctx, async (tx, slot) => {
    const h = openHash(slot, argv[1], await getTyped(tx, slot, argv[1], "hash"), hashLimits(ctx));
    const old = h.entry ? await getField(tx, h.meta, argv[2]) : null;
    const value = next(old?.data ?? null);
    await setField(tx, h, {
      field: argv[2],
      value,
      expiresAt: old?.expiresAt ?? null,
      known: old,
    });
    await saveHash(tx, h);
    notify(tx, HASH, event, argv[1]);
    return value;
  });
}

async function hincrby(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  const delta = parseInt64(argv[3]);
  if (delta === null) fail(DATA_ERRORS.notInteger);
  let result = 0n;
  await incrField(ctx, argv, "hincrby", (current) => {
    const base = current === null ? 0n : parseInt64(current);
    if (base === null) fail(DATA_ERRORS.hashNotInteger);
    result = base + delta;
    if (!fitsInt64(result)) fail(DATA_ERRORS.overflow);
    return encoder.encode(result.toString());
  });
  return integer(result);
}

async function hincrbyfloat(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  const delta = parseLongDoubleArg(argv[3]);
  if (delta === null) fail(DATA_ERRORS.notFloat);
  if (delta === "inf") fail(DATA_ERRORS.incrementNanOrInfinity);
  const value = await incrField(ctx, argv, "hincrbyfloat", (current) => {
    const base = current === null ? ZERO : parseLongDoubleArg(current);
    if (base === null) fail(DATA_ERRORS.hashNotFloat);
    const sum = base === "inf" ? null : addLongDouble(base, delta);
    if (sum === null) fail(DATA_ERRORS.nanOrInfinity);
    return encoder.encode(formatLongDouble(sum));
  });
  return bulk(value);
}

function randomIndex(n: number): number {
  return Math.floor(Math.random() * n);
}

async function hrandfield(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  let count: bigint | null = null;
  let withValues = false;
  if (argv.length >= 3) {
    count = parseInt64(argv[2]);
    if (count === null) fail(DATA_ERRORS.notInteger);
    if (argv.length > 4 || (argv.length === 4 && option(argv[3]) !== "WITHVALUES")) {
      fail(DATA_ERRORS.syntax);
    }
    withValues = argv.length === 4;
    if (withValues && (count < -RANDFIELD_MAX_WITHVALUES || count > RANDFIELD_MAX_WITHVALUES)) {
      fail(DATA_ERRORS.valueOutOfRange);
    }
  }
  const { r, entry } = await readHash(ctx, argv[1]);
  const fields = entry ? await listFields(r, entry.meta!, !withValues) : [];
  if (count === null) {
    return fields.length === 0 ? NULL : bulk(fieldName(fields[randomIndex(fields.length)]));
  }
  let picked = fields;
  if (count < 0n) {
    const n = fields.length === 0 ? 0 : Number(-count);
    picked = Array.from({ length: n }, () => fields[randomIndex(fields.length)]);
  } else if (count < BigInt(fields.length)) {
    picked = [...fields];
    for (let i = picked.length - 1; i > 0; i--) {
      const j = randomIndex(i + 1);
      [picked[i], picked[j]] = [picked[j], picked[i]];
    }
    picked = picked.slice(0, Number(count));
  }
  return pairsReply(ctx, picked.map((f) => [fieldName(f), f.data]), withValues);
}

/** Field(-value) pairs: RESP3 nests each pair, RESP2 flattens them. */
function pairsReply(
  ctx: CommandContext,
  pairs: [Uint8Array, Uint8Array][],
  values: boolean,
): Reply {
  if (!values) return array(pairs.map(([f]) => bulk(f)));
  if (ctx.session.protocol === 3) return array(pairs.map(([f, v]) => array([bulk(f), bulk(v)])));
  return array(pairs.flatMap(([f, v]) => [bulk(f), bulk(v)]));
}

const WF = ["write", "denyoom", "fast"];

/** The hashes command family. */
export const COMMANDS: CommandSpec[] = [
  command("hset", { arity: -4, flags: WF, keys: ONE }, hset),
  command("hmset", { arity: -4, flags: WF, keys: ONE }, hmset),
  command("hsetnx", { arity: 4, flags: WF, keys: ONE }, hsetnx),
  command("hget", { arity: 3, flags: RF, keys: ONE }, hget),
  command("hmget", { arity: -3, flags: RF, keys: ONE }, hmget),
  command("hgetall", { arity: 2, flags: R, keys: ONE }, listing("all")),
  command("hkeys", { arity: 2, flags: R, keys: ONE }, listing("keys")),
  command("hvals", { arity: 2, flags: R, keys: ONE }, listing("values")),
  command("hdel", { arity: -3, flags: ["write", "fast"], keys: ONE }, hdel),
  command("hexists", { arity: 3, flags: RF, keys: ONE }, hexists),
  command("hlen", { arity: 2, flags: RF, keys: ONE }, hlen),
  command("hstrlen", { arity: 3, flags: RF, keys: ONE }, hstrlen),
  command("hincrby", { arity: 4, flags: WF, keys: ONE }, hincrby),
  command("hincrbyfloat", { arity: 4, flags: WF, keys: ONE }, hincrbyfloat),
  command("hrandfield", { arity: -2, flags: R, keys: ONE }, hrandfield),
  ...FIELD_TTL_COMMANDS,
];

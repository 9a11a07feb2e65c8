/**
 * Bitmap and bitfield commands on the string type (Redis's bitops.c): SETBIT, GETBIT, BITCOUNT,
 * BITPOS, BITOP, BITFIELD and BITFIELD_RO, with bitops.c's argument order and replies.
 * @module
 */
import { command, type CommandContext, type CommandSpec, ONE_KEY as ONE } from "../command.ts";
import { parseInt64, parseInteger } from "../numbers.ts";
import { array, integer, NULL, type Reply } from "../reply.ts";
import { dropKey, getKey, type KeyEntry, putKey } from "../storage/db.ts";
import { BIT_ERRORS, DATA_ERRORS } from "../errors.ts";
import { GENERIC, notify, STRING } from "../notify.ts";
import { checkKey, fail, getTyped, option, readSlot, saveRawString, writeSlot } from "./common.ts";

/** proto-max-bulk-len: a bit offset must address a byte below it. */
const MAX_BYTES = 512 * 1024 * 1024;
const EMPTY = new Uint8Array(0);

/** getBitOffsetFromArgument: a bit offset, or `#n` (n fields of `bits` bits) in BITFIELD. */
function bitOffset(arg: Uint8Array, bits = 0): number {
  const hash = bits > 0 && arg[0] === 0x23;
  const n = parseInteger(hash ? arg.subarray(1) : arg);
  if (n === null) fail(BIT_ERRORS.offset);
  const offset = hash ? n * bits : n;
  if (offset < 0 || Math.floor(offset / 8) >= MAX_BYTES) fail(BIT_ERRORS.offset);
  return offset;
}

/** A 64-bit integer argument (getLongLongFromObjectOrReply). */
function int64Arg(arg: Uint8Array): bigint {
  const n = parseInt64(arg);
  if (n === null) fail(DATA_ERRORS.notInteger);
  return n;
}

/** The string's bytes grown with zeros to hold byte `lastByte` (lookupStringForBitCommand). */
function grown(entry: KeyEntry | null, lastByte: number): { data: Uint8Array; grew: boolean } {
  const old = entry?.data ?? EMPTY;
  const length = Math.max(old.length, lastByte + 1);
  const data = new Uint8Array(length);
  data.set(old);
  return { data, grew: entry === null || length !== old.length };
}

function bitAt(data: Uint8Array, offset: number): number {
  const byte = Math.floor(offset / 8);
  return byte < data.length ? (data[byte] >> (7 - (offset & 7))) & 1 : 0;
}

async function setbit(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  checkKey(argv[1]);
  const offset = bitOffset(argv[2]);
  const on = parseInteger(argv[3]);
  if (on !== 0 && on !== 1) fail(BIT_ERRORS.bit);
  return await writeSlot(ctx, async (tx, slot) => {
    const old = await getTyped(tx, slot, argv[1], "string");
    const byte = Math.floor(offset / 8);
    const { data, grew } = grown(old, byte);
    const mask = 1 << (7 - (offset & 7));
    const previous = data[byte] & mask ? 1 : 0;
    data[byte] = on ? data[byte] | mask : data[byte] & ~mask;
    if (grew || previous !== on || old?.meta?.enc !== "raw") {
      saveRawString(tx, slot, argv[1], data, old);
    }
    // Redis signals only a created, grown or really flipped bit.
    if (grew || previous !== on) notify(tx, STRING, "setbit", argv[1]);
    return integer(previous);
  });
}

async function getbit(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  const offset = bitOffset(argv[2]);
  const entry = await readSlot(ctx, (r, slot) => getTyped(r, slot, argv[1], "string"));
  return integer(entry ? bitAt(entry.data, offset) : 0);
}

/** BYTE or BIT: the unit of a BITCOUNT/BITPOS range. */
function rangeUnit(arg: Uint8Array): boolean {
  const unit = option(arg);
  if (unit === "BIT") return true;
  if (unit !== "BYTE") fail(DATA_ERRORS.syntax);
  return false;
}

/** A start/end range resolved to bit positions [first, last] inside a string of `length` bytes. */
function bitRange(start: number, end: number, length: number, isBit: boolean) {
  const total = isBit ? length * 8 : length;
  if (start < 0) start = total + start;
  if (end < 0) end = total + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= total) end = total - 1;
  if (start > end) return null;
  return isBit ? { first: start, last: end } : { first: start * 8, last: end * 8 + 7 };
}

const POPCOUNT = Uint8Array.from({ length: 256 }, (_, i) => {
  let n = 0;
  for (let b = i; b; b >>= 1) n += b & 1;
  return n;
});

/** Set bits in bit positions [first, last]. */
function countBits(data: Uint8Array, first: number, last: number): number {
  const a = Math.floor(first / 8);
  const b = Math.floor(last / 8);
  let count = 0;
  for (let i = a; i <= b; i++) count += POPCOUNT[data[i]];
  count -= POPCOUNT[data[a] & ~(0xff >> (first & 7)) & 0xff];
  count -= POPCOUNT[data[b] & ((1 << (7 - (last & 7))) - 1)];
  return count;
}

async function bitcount(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  if (argv.length !== 2 && argv.length !== 4 && argv.length !== 5) fail(DATA_ERRORS.syntax);
  let start = 0;
  let end = -1;
  let isBit = false;
  if (argv.length > 2) {
    start = Number(int64Arg(argv[2]));
    end = Number(int64Arg(argv[3]));
    if (argv.length === 5) isBit = rangeUnit(argv[4]);
  }
  const entry = await readSlot(ctx, (r, slot) => getTyped(r, slot, argv[1], "string"));
  if (!entry) return integer(0);
  if (start < 0 && end < 0 && start > end) return integer(0);
  const range = bitRange(start, end, entry.data.length, isBit);
  return integer(range ? countBits(entry.data, range.first, range.last) : 0);
}

/** First bit equal to `bit` in positions [first, last], or -1. */
function findBit(data: Uint8Array, bit: number, first: number, last: number): number {
  const skip = bit ? 0 : 0xff;
  let pos = first;
  while (pos <= last) {
    const byte = Math.floor(pos / 8);
    if ((pos & 7) === 0 && pos + 7 <= last && data[byte] === skip) {
      pos += 8;
      continue;
    }
    if (((data[byte] >> (7 - (pos & 7))) & 1) === bit) return pos;
    pos++;
  }
  return -1;
}

async function bitpos(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  const bit = int64Arg(argv[2]);
  if (bit !== 0n && bit !== 1n) fail(BIT_ERRORS.bitposBit);
  if (argv.length > 6) fail(DATA_ERRORS.syntax);
  let start = 0;
  let end = -1;
  let isBit = false;
  const endGiven = argv.length >= 5;
  if (argv.length >= 4) {
    start = Number(int64Arg(argv[3]));
    if (argv.length === 6) isBit = rangeUnit(argv[5]);
    if (endGiven) end = Number(int64Arg(argv[4]));
  }
  const entry = await readSlot(ctx, (r, slot) => getTyped(r, slot, argv[1], "string"));
  // A missing key is an endless run of zero bits.
  if (!entry) return integer(bit ? -1 : 0);
  const range = bitRange(start, end, entry.data.length, isBit);
  if (!range) return integer(-1);
  const pos = findBit(entry.data, Number(bit), range.first, range.last);
  // Past an open-ended range the string counts as zero-padded.
  if (pos === -1 && bit === 0n && !endGiven) return integer(range.last + 1);
  return integer(pos);
}

type BitOp = "AND" | "OR" | "XOR" | "NOT";

async function bitop(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  const op = option(argv[1]) as BitOp;
  if (!["AND", "OR", "XOR", "NOT"].includes(op)) fail(DATA_ERRORS.syntax);
  if (op === "NOT" && argv.length !== 4) fail(BIT_ERRORS.bitopNot);
  const target = checkKey(argv[2]);
  const sources = argv.slice(3);
  return await writeSlot(ctx, async (tx, slot) => {
    const entries: (KeyEntry | null)[] = [];
    for (const key of sources) entries.push(await getTyped(tx, slot, key, "string"));
    const values = entries.map((e) => e?.data ?? EMPTY);
    const length = Math.max(0, ...values.map((v) => v.length));
    const old = await getKey(tx, slot, target);
    if (length === 0) {
      if (old) {
        dropKey(tx, slot, target, old);
        notify(tx, GENERIC, "del", target);
      }
      return integer(0);
    }
    const out = new Uint8Array(length);
    if (op === "NOT") {
      for (let i = 0; i < length; i++) out[i] = ~values[0][i] & 0xff;
    } else {
      out.set(values[0]);
      for (const v of values.slice(1)) {
        for (let i = 0; i < length; i++) {
          const b = i < v.length ? v[i] : 0;
          if (op === "AND") out[i] &= b;
          else if (op === "OR") out[i] |= b;
          else out[i] ^= b;
        }
      }
    }
    putKey(tx, {
      slot,
      key: target,
      record: { meta: { t: "string", enc: "raw" }, data: out, expiresAt: null },
      old,
    });
    notify(tx, STRING, "set", target);
    return integer(length);
  });
}

/** One parsed BITFIELD operation. */
interface FieldOp {
  op: "GET" | "SET" | "INCRBY";
  signed: boolean;
  bits: number;
  offset: number;
  value: bigint;
  overflow: "WRAP" | "SAT" | "FAIL";
}

/** getBitfieldTypeFromArgument: `i1`…`i64` or `u1`…`u63`, lower-case sign letter only. */
function fieldType(arg: Uint8Array): { signed: boolean; bits: number } {
  const signed = arg[0] === 0x69;
  if (!signed && arg[0] !== 0x75) fail(BIT_ERRORS.fieldType);
  const bits = parseInteger(arg.subarray(1));
  if (bits === null || bits < 1 || bits > (signed ? 64 : 63)) fail(BIT_ERRORS.fieldType);
  return { signed, bits };
}

function parseFieldOps(argv: Uint8Array[]): FieldOp[] {
  const ops: FieldOp[] = [];
  let overflow: FieldOp["overflow"] = "WRAP";
  for (let j = 2; j < argv.length; j++) {
    const remaining = argv.length - j - 1;
    const name = option(argv[j]);
    if (name === "OVERFLOW" && remaining >= 1) {
      const kind = option(argv[++j]);
      if (kind !== "WRAP" && kind !== "SAT" && kind !== "FAIL") fail(BIT_ERRORS.overflowType);
      overflow = kind;
      continue;
    }
    const isGet = name === "GET" && remaining >= 2;
    if (!isGet && !((name === "SET" || name === "INCRBY") && remaining >= 3)) {
      fail(DATA_ERRORS.syntax);
    }
    const { signed, bits } = fieldType(argv[j + 1]);
    const offset = bitOffset(argv[j + 2], bits);
    const value = isGet ? 0n : int64Arg(argv[j + 3]);
    ops.push({ op: name as FieldOp["op"], signed, bits, offset, value, overflow });
    j += isGet ? 2 : 3;
  }
  return ops;
}

/** The `bits`-bit big-endian field at bit `offset` (bits past the string's end read as 0). */
function readField(data: Uint8Array, offset: number, bits: number): bigint {
  let v = 0n;
  const first = Math.floor(offset / 8);
  const last = Math.floor((offset + bits - 1) / 8);
  for (let i = first; i <= last; i++) v = (v << 8n) | BigInt(i < data.length ? data[i] : 0);
  const tail = BigInt((last + 1) * 8 - (offset + bits));
  return (v >> tail) & ((1n << BigInt(bits)) - 1n);
}

function writeField(data: Uint8Array, offset: number, bits: number, value: bigint): void {
  const first = Math.floor(offset / 8);
  const last = Math.floor((offset + bits - 1) / 8);
  const tail = BigInt((last + 1) * 8 - (offset + bits));
  const mask = ((1n << BigInt(bits)) - 1n) << tail;
  let word = 0n;
  for (let i = first; i <= last; i++) word = (word << 8n) | BigInt(data[i]);
  word = (word & ~mask) | ((BigInt.asUintN(bits, value) << tail) & mask);
  for (let i = last; i >= first; i--) {
    data[i] = Number(word & 0xffn);
    word >>= 8n;
  }
}

/**
 * checkSigned/UnsignedBitfieldOverflow: the value to store, or null when FAIL refuses it.
 * An unsigned SET sees its argument as a u64, so a negative one saturates to the maximum.
 */
function fitField(f: FieldOp, old: bigint): bigint | null {
  const width = BigInt(f.bits);
  const max = f.signed ? (1n << (width - 1n)) - 1n : (1n << width) - 1n;
  const min = f.signed ? -max - 1n : 0n;
  let wanted = f.op === "INCRBY" ? old + f.value : f.value;
  if (!f.signed && f.op === "SET") wanted = BigInt.asUintN(64, wanted);
  if (wanted >= min && wanted <= max) return wanted;
  if (f.overflow === "FAIL") return null;
  if (f.overflow === "SAT") return wanted > max ? max : min;
  return f.signed ? BigInt.asIntN(f.bits, wanted) : BigInt.asUintN(f.bits, wanted);
}

function signedValue(f: { signed: boolean; bits: number }, raw: bigint): bigint {
  return f.signed ? BigInt.asIntN(f.bits, raw) : raw;
}

function bitfieldGeneric(readOnly: boolean) {
  return async (ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> => {
    const ops = parseFieldOps(argv);
    const writes = ops.filter((f) => f.op !== "GET");
    if (writes.length === 0) {
      const entry = await readSlot(ctx, (r, slot) => getTyped(r, slot, argv[1], "string"));
      const data = entry?.data ?? EMPTY;
      return array(ops.map((f) => integer(signedValue(f, readField(data, f.offset, f.bits)))));
    }
    if (readOnly) fail(BIT_ERRORS.bitfieldRo);
    checkKey(argv[1]);
    const lastBit = Math.max(...writes.map((f) => f.offset + f.bits - 1));
    return await writeSlot(ctx, async (tx, slot) => {
      const old = await getTyped(tx, slot, argv[1], "string");
      const { data, grew } = grown(old, Math.floor(lastBit / 8));
      let changed = grew;
      let writes = 0;
      const replies = ops.map((f) => {
        const previous = signedValue(f, readField(data, f.offset, f.bits));
        if (f.op === "GET") return integer(previous);
        const next = fitField(f, previous);
        if (next === null) return NULL;
        writeField(data, f.offset, f.bits, next);
        writes++;
        if (next !== previous) changed = true;
        return integer(f.op === "SET" ? previous : next);
      });
      if (changed || old?.meta?.enc !== "raw") saveRawString(tx, slot, argv[1], data, old);
      if (writes > 0) notify(tx, STRING, "setbit", argv[1]);
      return array(replies);
    });
  };
}

const W = ["write", "denyoom"];

/** The bitmap command family (COMMAND DOCS group "bitmap"). */
export const COMMANDS: CommandSpec[] = [
  command("setbit", { arity: 4, flags: W, keys: ONE }, setbit),
  command("getbit", { arity: 3, flags: ["readonly", "fast"], keys: ONE }, getbit),
  command("bitcount", { arity: -2, flags: ["readonly"], keys: ONE }, bitcount),
  command("bitpos", { arity: -3, flags: ["readonly"], keys: ONE }, bitpos),
  command("bitop", { arity: -4, flags: W, keys: [2, -1, 1] }, bitop),
  command("bitfield", { arity: -2, flags: W, keys: ONE }, bitfieldGeneric(false)),
  command(
    "bitfield_ro",
    { arity: -2, flags: ["readonly", "fast"], keys: ONE },
    bitfieldGeneric(true),
  ),
];

/**
 * HyperLogLog commands (PFADD, PFCOUNT, PFMERGE) over string values in Redis's own HLL byte
 * format (../storage/hyperloglog.ts), so counts and GET's bytes match redis-server's.
 * @module
 */
import { command, type CommandContext, type CommandSpec } from "../command.ts";
import { integer, OK, type Reply } from "../reply.ts";
import { type Access, getKey, type KeyEntry } from "../storage/db.ts";
import {
  cachedCount,
  emptyHll,
  estimate,
  HllValue,
  isHll,
  REGISTERS,
  registersOf,
  setCachedCount,
  toDense,
} from "../storage/hyperloglog.ts";
import { HLL_ERRORS } from "../errors.ts";
import { notify, STRING } from "../notify.ts";
import { checkKey, fail, getTyped, readSlot, saveRawString, writeSlot } from "./common.ts";
import { encodingLimits } from "../encoding_limits.ts";

/** A key's HLL entry (null if absent); WRONGTYPE for other types and non-HLL strings. */
async function getHll(r: Access, slot: number, key: Uint8Array): Promise<KeyEntry | null> {
  const entry = await getTyped(r, slot, key, "string");
  if (entry && !isHll(entry.data)) fail(HLL_ERRORS.notHll);
  return entry;
}

async function pfadd(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  checkKey(argv[1]);
  const sparseMax = encodingLimits(ctx).hllSparseMaxBytes;
  return await writeSlot(ctx, async (tx, slot) => {
    const old = await getHll(tx, slot, argv[1]);
    const hll = new HllValue(old ? old.data.slice() : emptyHll(), sparseMax);
    let updated = old ? 0 : 1;
    for (const element of argv.slice(2)) {
      const changed = hll.add(element);
      if (changed < 0) fail(HLL_ERRORS.corrupt);
      updated += changed;
    }
    if (!updated) return integer(0);
    hll.invalidate();
    saveRawString(tx, slot, argv[1], hll.bytes, old);
    notify(tx, STRING, "pfadd", argv[1]);
    return integer(1);
  });
}

/** The union's registers over `keys` (missing keys are empty). */
async function unionRegisters(r: Access, slot: number, keys: Uint8Array[]) {
  const max = new Uint8Array(REGISTERS);
  let dense = false;
  for (const key of keys) {
    const entry = await getHll(r, slot, key);
    if (!entry) continue;
    const registers = registersOf(entry.data);
    if (!registers) fail(HLL_ERRORS.corrupt);
    if (entry.data[4] === 0) dense = true;
    for (let i = 0; i < REGISTERS; i++) if (registers[i] > max[i]) max[i] = registers[i];
  }
  return { max, dense };
}

async function pfcount(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  const keys = argv.slice(1);
  if (keys.length > 1) {
    const { max } = await readSlot(ctx, (r, slot) => unionRegisters(r, slot, keys));
    return integer(estimate(max));
  }
  const entry = await readSlot(ctx, (r, slot) => getHll(r, slot, keys[0]));
  if (!entry) return integer(0);
  const cached = cachedCount(entry.data);
  if (cached !== null) return integer(cached);
  // A stale cache is refreshed in the value, as Redis does (GET then shows the same bytes).
  return await writeSlot(ctx, async (tx, slot) => {
    const current = await getHll(tx, slot, keys[0]);
    if (!current) return integer(0);
    const again = cachedCount(current.data);
    if (again !== null) return integer(again);
    const registers = registersOf(current.data);
    if (!registers) fail(HLL_ERRORS.corrupt);
    const card = estimate(registers);
    const data = current.data.slice();
    setCachedCount(data, card);
    saveRawString(tx, slot, keys[0], data, current);
    return integer(card);
  });
}

async function pfmerge(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  checkKey(argv[1]);
  const sparseMax = encodingLimits(ctx).hllSparseMaxBytes;
  return await writeSlot(ctx, async (tx, slot) => {
    const { max, dense } = await unionRegisters(tx, slot, argv.slice(1));
    const old = await getKey(tx, slot, argv[1]);
    let bytes: Uint8Array | null = old ? old.data.slice() : emptyHll();
    if (dense) bytes = toDense(bytes);
    if (!bytes) fail(HLL_ERRORS.corrupt);
    const hll = new HllValue(bytes, sparseMax);
    for (let i = 0; i < REGISTERS; i++) if (max[i]) hll.set(i, max[i]);
    hll.invalidate();
    saveRawString(tx, slot, argv[1], hll.bytes, old);
    notify(tx, STRING, "pfadd", argv[1]);
    return OK;
  });
}

/** The HyperLogLog family. */
export const COMMANDS: CommandSpec[] = [
  command("pfadd", { arity: -2, flags: ["write", "denyoom", "fast"], keys: [1, 1, 1] }, pfadd),
  command(
    "pfcount",
    { arity: -2, flags: ["readonly", "may_replicate"], keys: [1, -1, 1] },
    pfcount,
  ),
  command("pfmerge", { arity: -2, flags: ["write", "denyoom"], keys: [1, -1, 1] }, pfmerge),
];

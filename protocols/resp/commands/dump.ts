/**
 * DUMP and RESTORE (cluster.c): a key's value as a self-checking payload, and back, with
 * RESTORE's REPLACE, ABSTTL, IDLETIME and FREQ options (../storage/dump_format.ts encodes).
 * @module
 */
import { freshWrites } from "../../../src/store/mod.ts";
import { command, type CommandContext, type CommandSpec } from "../command.ts";
import { parseInt64 } from "../numbers.ts";
import { bulk, NULL, OK, type Reply } from "../reply.ts";
import { dropKey, getKey } from "../storage/db.ts";
import { BadPayload, dumpPayload, restorePayload, verifyPayload } from "../storage/dump_format.ts";
import { DATA_ERRORS, DUMP_ERRORS } from "../errors.ts";
import { GENERIC, notify } from "../notify.ts";
import { encodingLimits } from "../encoding_limits.ts";
import { checkKey, fail, option, readSlot, writeSlot } from "./common.ts";

async function dump(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  return await readSlot(ctx, async (r, slot) => {
    const entry = await getKey(r, slot, argv[1]);
    return entry ? bulk(await dumpPayload(r, entry, encodingLimits(ctx))) : NULL;
  });
}

function int64Arg(arg: Uint8Array): bigint {
  const n = parseInt64(arg);
  if (n === null) fail(DATA_ERRORS.notInteger);
  return n;
}

/** RESTORE's options after the payload, checked in Redis's order. */
function restoreOptions(argv: Uint8Array[]) {
  let replace = false;
  let absTtl = false;
  let idle = false;
  let freq = false;
  for (let j = 4; j < argv.length; j++) {
    const more = argv.length - j - 1;
    const name = option(argv[j]);
    if (name === "REPLACE") replace = true;
    else if (name === "ABSTTL") absTtl = true;
    else if (name === "IDLETIME" && more >= 1 && !freq) {
      if (int64Arg(argv[++j]) < 0n) fail(DUMP_ERRORS.idletime);
      idle = true;
    } else if (name === "FREQ" && more >= 1 && !idle) {
      const f = int64Arg(argv[++j]);
      if (f < 0n || f > 255n) fail(DUMP_ERRORS.freq);
      freq = true;
    } else {
      fail(DATA_ERRORS.syntax);
    }
  }
  return { replace, absTtl };
}

async function restore(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  const key = checkKey(argv[1]);
  const { replace, absTtl } = restoreOptions(argv);
  const limits = encodingLimits(ctx);
  return await writeSlot(ctx, async (tx, slot) => {
    const old = await getKey(tx, slot, key);
    if (!replace && old) fail(DUMP_ERRORS.busyKey);
    const ttl = int64Arg(argv[2]);
    if (ttl < 0n) fail(DUMP_ERRORS.ttl);
    if (!verifyPayload(argv[3])) fail(DUMP_ERRORS.payload);
    const expiresAt = ttl === 0n ? null : Number(ttl) + (absTtl ? 0 : tx.now);
    if (expiresAt !== null && expiresAt <= tx.now) {
      // Already expired: the old value goes (REPLACE), nothing is created.
      if (old) {
        dropKey(tx, slot, key, old);
        notify(tx, GENERIC, "del", key);
      }
      return OK;
    }
    try {
      const fresh = freshWrites(tx);
      await restorePayload(argv[3], { tx, fresh, slot, key, old, expiresAt, limits });
    } catch (e) {
      if (e instanceof BadPayload) fail(DUMP_ERRORS.badFormat);
      throw e;
    }
    notify(tx, GENERIC, "restore", key);
    return OK;
  });
}

/** DUMP and RESTORE. */
export const COMMANDS: CommandSpec[] = [
  command("dump", { arity: 2, flags: ["readonly"], keys: [1, 1, 1] }, dump),
  command("restore", { arity: -4, flags: ["write", "denyoom"], keys: [1, 1, 1] }, restore),
];

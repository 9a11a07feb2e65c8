/**
 * Hash field TTL commands (Redis 7.4): HEXPIRE, HPEXPIRE, HEXPIREAT, HPEXPIREAT, HTTL, HPTTL,
 * HEXPIRETIME, HPEXPIRETIME and HPERSIST, with per-field integer replies. A field's deadline is
 * its entry's own, so the store hides it exactly on time and the sweeper reclaims it.
 * @module
 */
import {
  command,
  type CommandContext,
  type CommandSpec,
  ONE_KEY as ONE,
  READONLY_FAST as RF,
} from "../command.ts";
import { parseInt64, parseInteger } from "../numbers.ts";
import { array, integer, type Reply } from "../reply.ts";
import type { Entry, WriteTx } from "../../../src/store/mod.ts";
import {
  type FieldMeta,
  getField,
  type HashHandle,
  openHash,
  retimeField,
  saveHash,
} from "../storage/hash.ts";
import { fieldKey } from "../storage/layout.ts";
import { setOwner } from "../storage/db.ts";
import { fail, getTyped, option, readSlot, writeChunks } from "./common.ts";
import { expireAllowed, type ExpireFlags } from "./expire.ts";
import { DATA_ERRORS } from "../errors.ts";
import { HASH, notify } from "../notify.ts";

/** Latest field deadline Redis accepts (HFE_MAX_ABS_TIME_MSEC = EB_EXPIRE_TIME_MAX >> 2). */
const MAX_FIELD_DEADLINE_MS = 2 ** 46 - 1;
/** Per-field replies, as Redis 7.4 documents them. */
const NO_FIELD = -2;
const NO_TTL = -1;
const CONDITION_FAILED = 0;
const UPDATED = 1;
const DELETED = 2;

/** Parse `FIELDS numfields field…` at argv[at]; returns the fields. */
function parseFields(argv: Uint8Array[], at: number): Uint8Array[] {
  if (at >= argv.length || option(argv[at]) !== "FIELDS") fail(DATA_ERRORS.mandatoryFields);
  const count = at + 1 < argv.length ? parseInteger(argv[at + 1]) : null;
  if (count === null || count <= 0) fail(DATA_ERRORS.numFields);
  const fields = argv.slice(at + 2);
  if (fields.length !== count) fail(DATA_ERRORS.numFieldsMismatch);
  return fields;
}

function parseCondition(argv: Uint8Array[], at: number): { flags: ExpireFlags; next: number } {
  const flags: ExpireFlags = { nx: false, xx: false, gt: false, lt: false };
  const opt = at < argv.length ? option(argv[at]) : "";
  if (opt === "NX" || opt === "XX" || opt === "GT" || opt === "LT") {
    flags[opt.toLowerCase() as keyof ExpireFlags] = true;
    return { flags, next: at + 1 };
  }
  return { flags, next: at };
}

/**
 * Run `decide` on each existing field of the hash at `key` (write units of bounded size) and
 * reply with the per-field codes; missing hashes and fields get NO_FIELD.
 */
async function eachField(
  ctx: CommandContext,
  key: Uint8Array,
  fields: Uint8Array[],
  event: string,
  decide: (
    tx: WriteTx,
    slot: number,
    h: HashHandle,
    field: Uint8Array,
    old: Entry<FieldMeta>,
  ) => number,
): Promise<Reply> {
  const chunks = await writeChunks(ctx, fields, async (tx, slot, chunk) => {
    const entry = await getTyped(tx, slot, key, "hash");
    if (!entry) return chunk.map(() => integer(NO_FIELD));
    const h = openHash(slot, key, entry);
    const codes: number[] = [];
    for (const field of chunk) {
      const old = await getField(tx, h.meta, field);
      codes.push(old ? decide(tx, slot, h, field, old) : NO_FIELD);
    }
    await saveHash(tx, h);
    if (codes.includes(UPDATED)) notify(tx, HASH, event, key);
    if (codes.includes(DELETED)) notify(tx, HASH, "hexpired", key);
    return codes.map((c) => integer(c));
  });
  return array(chunks.flat());
}

function hexpireGeneric(seconds: boolean, relative: boolean, name: string) {
  return async (ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> => {
    const value = parseInt64(argv[2]);
    if (value === null) fail(DATA_ERRORS.notInteger);
    if (value < 0n) fail(DATA_ERRORS.fieldExpireNegative);
    const { flags, next } = parseCondition(argv, 3);
    const fields = parseFields(argv, next);
    if (seconds && value > BigInt(Math.floor(MAX_FIELD_DEADLINE_MS / 1000))) {
      fail(DATA_ERRORS.invalidExpire(name));
    }
    const base = relative ? Date.now() : 0;
    const ms = Number(seconds ? value * 1000n : value);
    if (ms > MAX_FIELD_DEADLINE_MS - base) fail(DATA_ERRORS.invalidExpire(name));
    return await eachField(ctx, argv[1], fields, "hexpire", (tx, slot, h, field, old) => {
      // Relative to the transaction's clock, which a script or EXEC keeps frozen.
      const when = relative ? ms + tx.now : ms;
      if (!expireAllowed(flags, old.expiresAt, when)) return CONDITION_FAILED;
      if (when <= tx.now) {
        tx.delete(fieldKey(h.meta.g!, field));
        h.meta.n = Math.max(0, (h.meta.n ?? 1) - 1);
        h.dirty = true;
        return DELETED;
      }
      retimeField(tx, h.meta, old, when);
      if (!h.meta.fx) {
        h.meta.fx = true;
        h.dirty = true;
        setOwner(tx, h.meta.g!, slot, argv[1]);
      }
      return UPDATED;
    });
  };
}

function httlGeneric(ms: boolean, absolute: boolean) {
  return async (ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> => {
    const fields = parseFields(argv, 2);
    const [entries, now] = await readSlot(ctx, async (r, slot) => {
      const entry = await getTyped(r, slot, argv[1], "hash");
      if (!entry) return [fields.map(() => null), r.now] as const;
      return [await Promise.all(fields.map((f) => getField(r, entry.meta!, f))), r.now] as const;
    });
    return array(entries.map((field) => {
      if (!field) return integer(NO_FIELD);
      if (field.expiresAt === null) return integer(NO_TTL);
      const left = absolute ? field.expiresAt : field.expiresAt - now;
      return integer(ms ? left : Math.floor((left + 999) / 1000));
    }));
  };
}

async function hpersist(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  const fields = parseFields(argv, 2);
  return await eachField(ctx, argv[1], fields, "hpersist", (tx, _slot, h, _field, old) => {
    if (old.expiresAt === null) return NO_TTL;
    retimeField(tx, h.meta, old, null);
    return UPDATED;
  });
}

const WF = ["write", "denyoom", "fast"];

/** The hash field TTL commands. */
export const COMMANDS: CommandSpec[] = [
  command("hexpire", { arity: -6, flags: WF, keys: ONE }, hexpireGeneric(true, true, "hexpire")),
  command("hpexpire", { arity: -6, flags: WF, keys: ONE }, hexpireGeneric(false, true, "hpexpire")),
  command(
    "hexpireat",
    { arity: -6, flags: WF, keys: ONE },
    hexpireGeneric(true, false, "hexpireat"),
  ),
  command(
    "hpexpireat",
    { arity: -6, flags: WF, keys: ONE },
    hexpireGeneric(false, false, "hpexpireat"),
  ),
  command("httl", { arity: -5, flags: RF, keys: ONE }, httlGeneric(false, false)),
  command("hpttl", { arity: -5, flags: RF, keys: ONE }, httlGeneric(true, false)),
  command("hexpiretime", { arity: -5, flags: RF, keys: ONE }, httlGeneric(false, true)),
  command("hpexpiretime", { arity: -5, flags: RF, keys: ONE }, httlGeneric(true, true)),
  command("hpersist", { arity: -5, flags: ["write", "fast"], keys: ONE }, hpersist),
];

/**
 * Key expiry commands: EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT (NX|XX|GT|LT), TTL, PTTL,
 * EXPIRETIME, PEXPIRETIME and PERSIST, with exact-millisecond deadlines.
 * @module
 */
import {
  command,
  type CommandContext,
  type CommandSpec,
  ONE_KEY as ONE,
  READONLY_FAST as RF,
} from "../command.ts";
import { ascii } from "../numbers.ts";
import { integer, type Reply } from "../reply.ts";
import { dropKey, getKey, type KeyEntry, putKey } from "../storage/db.ts";
import { fail, option, readSlot, writeSlot } from "./common.ts";
import { expireDeadline, type ExpiryUnit } from "./expiry_args.ts";
import { DATA_ERRORS } from "../errors.ts";
import { GENERIC, notify } from "../notify.ts";

/** The NX/XX/GT/LT flags of the EXPIRE family. */
export interface ExpireFlags {
  nx: boolean;
  xx: boolean;
  gt: boolean;
  lt: boolean;
}

/** parseExtendedExpireArgumentsOrReply. */
export function parseExpireFlags(args: Uint8Array[]): ExpireFlags {
  const flags: ExpireFlags = { nx: false, xx: false, gt: false, lt: false };
  for (const arg of args) {
    const opt = option(arg);
    if (opt === "NX") flags.nx = true;
    else if (opt === "XX") flags.xx = true;
    else if (opt === "GT") flags.gt = true;
    else if (opt === "LT") flags.lt = true;
    else fail(DATA_ERRORS.unsupportedOption(ascii(arg)));
  }
  if (flags.nx && (flags.xx || flags.gt || flags.lt)) fail(DATA_ERRORS.nxAndOthers);
  if (flags.gt && flags.lt) fail(DATA_ERRORS.gtAndLt);
  return flags;
}

/** Whether a new deadline passes the flags against the current one (null = persistent). */
export function expireAllowed(flags: ExpireFlags, current: number | null, when: number): boolean {
  if (flags.nx && current !== null) return false;
  if (flags.xx && current === null) return false;
  if (flags.gt && (current === null || when <= current)) return false;
  if (flags.lt && current !== null && when >= current) return false;
  return true;
}

/** Rewrite a key's meta entry with a new deadline (null = persist). */
function retime(
  tx: Parameters<typeof putKey>[0],
  slot: number,
  key: Uint8Array,
  entry: KeyEntry,
  expiresAt: number | null,
): void {
  putKey(tx, {
    slot,
    key,
    record: { meta: entry.meta!, data: entry.data, expiresAt },
    old: entry,
  });
}

function expireGeneric(unit: ExpiryUnit, name: string) {
  return async (ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> => {
    const flags = parseExpireFlags(argv.slice(3));
    return await writeSlot(ctx, async (tx, slot) => {
      const when = expireDeadline(argv[2], unit, tx.now, name);
      const entry = await getKey(tx, slot, argv[1]);
      if (!entry) return integer(0);
      if (!expireAllowed(flags, entry.expiresAt, when)) return integer(0);
      if (when <= tx.now) {
        dropKey(tx, slot, argv[1], entry);
        notify(tx, GENERIC, "del", argv[1]);
      } else {
        retime(tx, slot, argv[1], entry, when);
        notify(tx, GENERIC, "expire", argv[1]);
      }
      return integer(1);
    });
  };
}

/** ttlGenericCommand: -2 no key, -1 no deadline; seconds round to nearest. */
function ttlGeneric(ms: boolean, absolute: boolean) {
  return async (ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> => {
    const [entry, now] = await readSlot(ctx, async (r, slot) => {
      return [await getKey(r, slot, argv[1]), r.now] as const;
    });
    if (!entry) return integer(-2);
    if (entry.expiresAt === null) return integer(-1);
    const ttl = Math.max(0, absolute ? entry.expiresAt : entry.expiresAt - now);
    return integer(ms ? ttl : Math.floor((ttl + 500) / 1000));
  };
}

async function persist(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  return await writeSlot(ctx, async (tx, slot) => {
    const entry = await getKey(tx, slot, argv[1]);
    if (!entry || entry.expiresAt === null) return integer(0);
    retime(tx, slot, argv[1], entry, null);
    notify(tx, GENERIC, "persist", argv[1]);
    return integer(1);
  });
}

const WF = ["write", "fast"];

/** The expiry command family. */
export const COMMANDS: CommandSpec[] = [
  command("expire", { arity: -3, flags: WF, keys: ONE }, expireGeneric("EX", "expire")),
  command("pexpire", { arity: -3, flags: WF, keys: ONE }, expireGeneric("PX", "pexpire")),
  command("expireat", { arity: -3, flags: WF, keys: ONE }, expireGeneric("EXAT", "expireat")),
  command("pexpireat", { arity: -3, flags: WF, keys: ONE }, expireGeneric("PXAT", "pexpireat")),
  command("ttl", { arity: 2, flags: RF, keys: ONE }, ttlGeneric(false, false)),
  command("pttl", { arity: 2, flags: RF, keys: ONE }, ttlGeneric(true, false)),
  command("expiretime", { arity: 2, flags: RF, keys: ONE }, ttlGeneric(false, true)),
  command("pexpiretime", { arity: 2, flags: RF, keys: ONE }, ttlGeneric(true, true)),
  command("persist", { arity: 2, flags: WF, keys: ONE }, persist),
];

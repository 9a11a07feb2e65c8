/**
 * Binary-protocol commands over the same items as the text protocol, with SASL PLAIN auth.
 * @module
 */
import {
  type BinaryRequest,
  type BinaryResponse,
  encodeBinary,
  encodeBinaryError,
  OP,
  readU32,
  readU64,
  u32,
  u64,
} from "../codec/binary.ts";
import { STATUS } from "../errors.ts";
import { type Item, KEY_MAX, type Status, type StoreMode } from "../storage/items.ts";
import { generalStats, itemsStats, settingsStats, slabsStats } from "../stats.ts";
import { VERSION } from "../version.ts";
import { type Chunk, type Reply, type Session, settingsOf } from "./context.ts";

/** incr/decr expiry meaning "do not create on miss". */
const NO_CREATE = 0xffffffff;
const enc = new TextEncoder();

const QUIET = new Set<number>([
  OP.GETQ,
  OP.GETKQ,
  OP.SETQ,
  OP.ADDQ,
  OP.REPLACEQ,
  OP.DELETEQ,
  OP.INCREMENTQ,
  OP.DECREMENTQ,
  OP.QUITQ,
  OP.FLUSHQ,
  OP.APPENDQ,
  OP.PREPENDQ,
  OP.GATQ,
  OP.GATKQ,
]);

const STORE_MODE: Readonly<Record<number, StoreMode>> = {
  [OP.SET]: "set",
  [OP.SETQ]: "set",
  [OP.ADD]: "add",
  [OP.ADDQ]: "add",
  [OP.REPLACE]: "replace",
  [OP.REPLACEQ]: "replace",
  [OP.APPEND]: "append",
  [OP.APPENDQ]: "append",
  [OP.PREPEND]: "prepend",
  [OP.PREPENDQ]: "prepend",
};

function respond(req: BinaryRequest, r: Omit<BinaryResponse, "opcode" | "opaque">): Chunk[] {
  return [encodeBinary({ opcode: req.opcode, opaque: req.opaque, ...r })];
}

function error(req: BinaryRequest, status: number): Chunk[] {
  return [encodeBinaryError(req, status)];
}

/** Success is silent for quiet opcodes; errors always answer. */
function ok(req: BinaryRequest, r: Omit<BinaryResponse, "opcode" | "opaque">): Chunk[] {
  return QUIET.has(req.opcode) ? [] : respond(req, r);
}

function statusOf(s: Status, mode?: StoreMode): number {
  switch (s) {
    case "not_found":
      return STATUS.KEY_NOT_FOUND;
    case "exists":
      return STATUS.KEY_EXISTS;
    case "non_numeric":
      return STATUS.NON_NUMERIC;
    case "too_large":
      return STATUS.TOO_LARGE;
    default:
      // memcached answers add-over-existing with EXISTS, replace-of-missing with NOT_FOUND.
      if (mode === "add") return STATUS.KEY_EXISTS;
      if (mode === "replace") return STATUS.KEY_NOT_FOUND;
      return STATUS.NOT_STORED;
  }
}

function itemResponse(req: BinaryRequest, item: Item, withKey: boolean): Chunk[] {
  return respond(req, {
    extras: u32(item.flags),
    key: withKey ? item.key : undefined,
    value: item.value,
    cas: BigInt(item.cas),
  });
}

function missResponse(req: BinaryRequest, withKey: boolean): Chunk[] {
  if (QUIET.has(req.opcode)) return [];
  if (withKey) return respond(req, { status: STATUS.KEY_NOT_FOUND, key: req.key });
  return error(req, STATUS.KEY_NOT_FOUND);
}

/** Extras length, whether a key is required, whether a value is allowed, per opcode family. */
function shape(op: number): [extras: number[], key: boolean | null, value: boolean] | null {
  switch (op) {
    case OP.GET:
    case OP.GETQ:
    case OP.GETK:
    case OP.GETKQ:
    case OP.DELETE:
    case OP.DELETEQ:
      return [[0], true, false];
    case OP.SET:
    case OP.SETQ:
    case OP.ADD:
    case OP.ADDQ:
    case OP.REPLACE:
    case OP.REPLACEQ:
      return [[8], true, true];
    case OP.APPEND:
    case OP.APPENDQ:
    case OP.PREPEND:
    case OP.PREPENDQ:
      return [[0], true, true];
    case OP.INCREMENT:
    case OP.INCREMENTQ:
    case OP.DECREMENT:
    case OP.DECREMENTQ:
      return [[20], true, false];
    case OP.TOUCH:
    case OP.GAT:
    case OP.GATQ:
    case OP.GATK:
    case OP.GATKQ:
      return [[4], true, false];
    case OP.FLUSH:
    case OP.FLUSHQ:
      return [[0, 4], false, false];
    case OP.NOOP:
    case OP.VERSION:
    case OP.QUIT:
    case OP.QUITQ:
      return [[0], false, false];
    default:
      return null;
  }
}

/** memcached's per-opcode packet checks (extras length, key presence and size, value). */
function wellFormed(req: BinaryRequest): boolean {
  if (req.key.length > KEY_MAX) return false;
  const rule = shape(req.opcode);
  if (!rule) return true;
  const [extras, key, value] = rule;
  if (!extras.includes(req.extras.length)) return false;
  if (key === true && req.key.length === 0) return false;
  if (key === false && req.key.length > 0) return false;
  return value || req.value.length === 0;
}

/** The binary CAS field: 0 means "no compare". */
function casOf(req: BinaryRequest): number | undefined {
  return req.cas === 0n ? undefined : Number(req.cas);
}

/** Run one binary request. */
export function runBinary(s: Session, req: BinaryRequest): Reply {
  const { items, counters, ctx } = s.shared;
  const op = req.opcode;
  const isSasl = op === OP.SASL_LIST_MECHS || op === OP.SASL_AUTH || op === OP.SASL_STEP;
  // memcached without SASL configured does not know the SASL opcodes.
  if (isSasl && !ctx.auth.required) return error(req, STATUS.UNKNOWN_COMMAND);
  if (op === OP.SASL_LIST_MECHS) return respond(req, { value: enc.encode("PLAIN") });
  if (op === OP.SASL_AUTH || op === OP.SASL_STEP) return saslAuth(s, req);
  if (!s.authenticated) return error(req, STATUS.AUTH_ERROR);
  if (!wellFormed(req)) {
    // memcached drops a connection that sent a malformed packet.
    s.closing = true;
    return error(req, STATUS.INVALID_ARGUMENTS);
  }
  switch (op) {
    case OP.GET:
    case OP.GETQ:
    case OP.GETK:
    case OP.GETKQ: {
      const withKey = op === OP.GETK || op === OP.GETKQ;
      return s.seq.read(() => items.getMany([req.key])).then(([item]) => {
        counters.cmdGet++;
        if (!item) {
          counters.getMisses++;
          return missResponse(req, withKey);
        }
        counters.getHits++;
        items.fetched(item, Date.now());
        return itemResponse(req, item, withKey);
      });
    }
    case OP.GAT:
    case OP.GATQ:
    case OP.GATK:
    case OP.GATKQ:
    case OP.TOUCH: {
      const withKey = op === OP.GATK || op === OP.GATKQ;
      const exptime = readU32(req.extras, 0);
      return s.seq.write(() => items.touch(req.key, exptime)).then((item) => {
        counters.cmdTouch++;
        if (!item) {
          counters.touchMisses++;
          return missResponse(req, withKey);
        }
        counters.touchHits++;
        if (op === OP.TOUCH) {
          return respond(req, { extras: u32(item.flags), cas: BigInt(item.cas) });
        }
        return itemResponse(req, item, withKey);
      });
    }
    case OP.SET:
    case OP.SETQ:
    case OP.ADD:
    case OP.ADDQ:
    case OP.REPLACE:
    case OP.REPLACEQ:
    case OP.APPEND:
    case OP.APPENDQ:
    case OP.PREPEND:
    case OP.PREPENDQ: {
      const mode = STORE_MODE[op];
      const concat = mode === "append" || mode === "prepend";
      const flags = concat ? 0 : readU32(req.extras, 0);
      if (!items.fits(req.key.length, req.value.length, flags)) {
        if (mode === "set") s.seq.write(() => items.delete(req.key)).catch(() => {});
        return error(req, STATUS.TOO_LARGE);
      }
      counters.cmdSet++;
      return s.seq.write(() =>
        items.store({
          mode,
          key: req.key,
          value: req.value,
          flags,
          exptime: concat ? 0 : readU32(req.extras, 4),
          cas: casOf(req),
        })
      ).then((r) => {
        if (r.status !== "ok") return error(req, statusOf(r.status, mode));
        counters.totalItems++;
        return ok(req, { cas: BigInt(r.cas) });
      });
    }
    case OP.DELETE:
    case OP.DELETEQ:
      return s.seq.write(() => items.delete(req.key, { cas: casOf(req) })).then((r) => {
        if (r.status !== "ok") {
          counters.deleteMisses++;
          return error(req, statusOf(r.status));
        }
        counters.deleteHits++;
        return ok(req, {});
      });
    case OP.INCREMENT:
    case OP.INCREMENTQ:
    case OP.DECREMENT:
    case OP.DECREMENTQ: {
      const incr = op === OP.INCREMENT || op === OP.INCREMENTQ;
      const delta = readU64(req.extras, 0);
      const initial = readU64(req.extras, 8);
      const exptime = readU32(req.extras, 16);
      const create = exptime === NO_CREATE ? undefined : { initial, exptime };
      return s.seq.write(() =>
        items.arith({ key: req.key, incr, delta, create, cas: Number(req.cas) })
      ).then((r) => {
        if (r.status !== "ok" || !r.item) {
          if (r.status === "not_found") incr ? counters.incrMisses++ : counters.decrMisses++;
          return error(req, statusOf(r.status));
        }
        incr ? counters.incrHits++ : counters.decrHits++;
        return ok(req, { value: u64(r.value), cas: BigInt(r.item.cas) });
      });
    }
    case OP.FLUSH:
    case OP.FLUSHQ: {
      const delay = req.extras.length === 4 ? readU32(req.extras, 0) : 0;
      counters.cmdFlush++;
      return s.seq.write(() => items.flush(delay)).then(() => ok(req, {}));
    }
    case OP.NOOP:
      return respond(req, {});
    case OP.VERSION:
      return respond(req, { value: enc.encode(VERSION) });
    case OP.QUIT:
      s.closing = true;
      return respond(req, {});
    case OP.QUITQ:
      s.closing = true;
      return [];
    case OP.STAT:
      return binaryStats(s, req);
    default:
      return error(req, STATUS.UNKNOWN_COMMAND);
  }
}

/** SASL PLAIN: `[authzid]\0user\0password`. */
function saslAuth(s: Session, req: BinaryRequest): Chunk[] {
  const { counters, ctx } = s.shared;
  counters.authCmds++;
  const mech = new TextDecoder().decode(req.key);
  const parts = new TextDecoder().decode(req.value).split("\0");
  if (req.opcode !== OP.SASL_AUTH || mech !== "PLAIN" || parts.length !== 3) {
    counters.authErrors++;
    return error(req, STATUS.AUTH_ERROR);
  }
  if (!ctx.auth.verify(parts[2])) {
    counters.authErrors++;
    return error(req, STATUS.AUTH_ERROR);
  }
  s.authenticated = true;
  return respond(req, { value: enc.encode("Authenticated") });
}

/** STAT: one packet per stat, then an empty one. */
async function binaryStats(s: Session, req: BinaryRequest): Promise<Chunk[]> {
  const { items, counters } = s.shared;
  const group = new TextDecoder().decode(req.key);
  if (group === "reset") {
    counters.reset();
    return respond(req, {});
  }
  let body: string;
  if (group === "settings") body = settingsStats(settingsOf(s.shared));
  else if (group === "" || group === "items" || group === "slabs") {
    const usage = await s.seq.read(() => items.usage());
    const input = { counters, itemMax: items.itemMax, ...usage };
    body = group === "items"
      ? itemsStats(input)
      : group === "slabs"
      ? slabsStats(input)
      : generalStats(input);
  } else return error(req, STATUS.KEY_NOT_FOUND);
  const out: Chunk[] = [];
  for (const l of body.split("\r\n")) {
    const m = /^STAT (\S+) (.*)$/.exec(l);
    if (m) out.push(...respond(req, { key: enc.encode(m[1]), value: enc.encode(m[2]) }));
  }
  out.push(...respond(req, {}));
  return out;
}

/**
 * Binary-protocol commands over the same items as the text protocol (SASL is in sasl.ts,
 * dispatch by opcode in binary_dispatch.ts).
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
import { KEY_MAX } from "../codec/limits.ts";
import { type Item, type Status, type StoreMode } from "../storage/items.ts";
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

/** One response packet answering `req`. */
export function respond(req: BinaryRequest, r: Omit<BinaryResponse, "opcode" | "opaque">): Chunk[] {
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
export function wellFormed(req: BinaryRequest): boolean {
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

/** A handler for one binary opcode (after the auth and packet checks). */
export type BinaryHandler = (s: Session, req: BinaryRequest) => Reply;

/** GET, GETQ, GETK, GETKQ. */
function get(s: Session, req: BinaryRequest): Reply {
  const { items, counters } = s.shared;
  const withKey = req.opcode === OP.GETK || req.opcode === OP.GETKQ;
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

/** TOUCH and GAT, GATQ, GATK, GATKQ. */
function touch(s: Session, req: BinaryRequest): Reply {
  const { items, counters } = s.shared;
  const op = req.opcode;
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

/** SET, ADD, REPLACE, APPEND, PREPEND and their quiet forms. */
function store(s: Session, req: BinaryRequest): Reply {
  const { items, counters } = s.shared;
  const mode = STORE_MODE[req.opcode];
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

/** DELETE, DELETEQ. */
function del(s: Session, req: BinaryRequest): Reply {
  const { items, counters } = s.shared;
  return s.seq.write(() => items.delete(req.key, { cas: casOf(req) })).then((r) => {
    if (r.status !== "ok") {
      counters.deleteMisses++;
      return error(req, statusOf(r.status));
    }
    counters.deleteHits++;
    return ok(req, {});
  });
}

/** INCREMENT, DECREMENT and their quiet forms. */
function arith(s: Session, req: BinaryRequest): Reply {
  const { items, counters } = s.shared;
  const incr = req.opcode === OP.INCREMENT || req.opcode === OP.INCREMENTQ;
  const delta = readU64(req.extras, 0);
  const initial = readU64(req.extras, 8);
  const exptime = readU32(req.extras, 16);
  const create = exptime === NO_CREATE ? undefined : { initial, exptime };
  return s.seq.write(() => items.arith({ key: req.key, incr, delta, create, cas: Number(req.cas) }))
    .then((r) => {
      if (r.status !== "ok" || !r.item) {
        if (r.status === "not_found") incr ? counters.incrMisses++ : counters.decrMisses++;
        return error(req, statusOf(r.status));
      }
      incr ? counters.incrHits++ : counters.decrHits++;
      return ok(req, { value: u64(r.value), cas: BigInt(r.item.cas) });
    });
}

/** FLUSH, FLUSHQ. */
function flush(s: Session, req: BinaryRequest): Reply {
  const delay = req.extras.length === 4 ? readU32(req.extras, 0) : 0;
  s.shared.counters.cmdFlush++;
  return s.seq.write(() => s.shared.items.flush(delay)).then(() => ok(req, {}));
}

/** QUIT answers before closing; QUITQ closes silently. */
function quit(s: Session, req: BinaryRequest): Reply {
  s.closing = true;
  return req.opcode === OP.QUITQ ? [] : respond(req, {});
}

/** The binary opcodes basekv serves, but SASL (see auth.ts). */
export const BINARY_COMMANDS: Readonly<Record<number, BinaryHandler>> = {
  [OP.GET]: get,
  [OP.GETQ]: get,
  [OP.GETK]: get,
  [OP.GETKQ]: get,
  [OP.TOUCH]: touch,
  [OP.GAT]: touch,
  [OP.GATQ]: touch,
  [OP.GATK]: touch,
  [OP.GATKQ]: touch,
  [OP.SET]: store,
  [OP.SETQ]: store,
  [OP.ADD]: store,
  [OP.ADDQ]: store,
  [OP.REPLACE]: store,
  [OP.REPLACEQ]: store,
  [OP.APPEND]: store,
  [OP.APPENDQ]: store,
  [OP.PREPEND]: store,
  [OP.PREPENDQ]: store,
  [OP.DELETE]: del,
  [OP.DELETEQ]: del,
  [OP.INCREMENT]: arith,
  [OP.INCREMENTQ]: arith,
  [OP.DECREMENT]: arith,
  [OP.DECREMENTQ]: arith,
  [OP.FLUSH]: flush,
  [OP.FLUSHQ]: flush,
  [OP.NOOP]: (_s, req) => respond(req, {}),
  [OP.VERSION]: (_s, req) => respond(req, { value: enc.encode(VERSION) }),
  [OP.QUIT]: quit,
  [OP.QUITQ]: quit,
  [OP.STAT]: binaryStats,
};

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
    const input = {
      counters,
      itemMax: items.itemMax,
      maxConns: s.shared.limits.maxConns,
      ...usage,
    };
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

/**
 * DUMP/RESTORE payloads: an RDB object (type byte, then the type's body) followed by Redis's
 * trailer (2-byte RDB version, 8-byte CRC64 of everything before it). Every type uses RDB's own
 * encodings (so redis-server can RESTORE them); each type is one entry of {@link CODECS}
 * (collections in ./dump_collections.ts, streams in ./dump_stream.ts).
 * @module
 */
import { latin1Text } from "../../../src/bytes.ts";
import type { EncodingLimits } from "../encoding_limits.ts";
import { type Access, type KeyEntry, putKey, setOwner } from "./db.ts";
import { fieldName, listFields, openHash, setField } from "./hash.ts";
import type { KeyMeta } from "./layout.ts";
import { decodeListpack, encodeListpack } from "./listpack.ts";
import { COLLECTION_CODECS, type RestoreTarget, type TypeCodec } from "./dump_collections.ts";
import { STREAM_CODEC } from "./dump_stream.ts";
import { BadPayload, PayloadReader, PayloadWriter, RDB_VERSION } from "./rdb_payload.ts";
import { crc64 } from "./rdb_payload.ts";

export { BadPayload, crc64 };
export type { RestoreTarget };

const RDB_TYPE_STRING = 0;
const RDB_TYPE_HASH = 4;
const RDB_TYPE_HASH_LISTPACK = 16;
/** basekv only: a hash whose fields carry deadlines (8-byte ms, 0 = none) after each value. */
const BASEKV_TYPE_HASH_TTL = 0xf4;

/** Per-type serializers, by the type name TYPE reports. */
const CODECS: Partial<Record<KeyMeta["t"], TypeCodec>> = {
  string: {
    types: [RDB_TYPE_STRING],
    dump(_r, entry, w) {
      w.byte(RDB_TYPE_STRING);
      w.string(entry.data);
      return Promise.resolve();
    },
    restore(_type, body, { tx, slot, key, old, expiresAt }) {
      const data = body.string();
      putKey(tx, { slot, key, record: { meta: { t: "string" }, data, expiresAt }, old });
    },
  },
  hash: {
    types: [RDB_TYPE_HASH, RDB_TYPE_HASH_LISTPACK, BASEKV_TYPE_HASH_TTL],
    async dump(r, entry, w, limits) {
      const fields = await listFields(r, entry.meta!);
      const live = fields.filter((f) => f.expiresAt === null || f.expiresAt > r.now);
      const withTtl = live.some((f) => f.expiresAt !== null);
      const small = !entry.meta!.big && live.length <= limits.hashMaxListpackEntries;
      if (small && !withTtl) {
        // A listpack hash: field, value, … in insertion order.
        w.byte(RDB_TYPE_HASH_LISTPACK);
        w.string(encodeListpack(live.flatMap((f) => [fieldName(f), f.data])));
        return;
      }
      w.byte(withTtl ? BASEKV_TYPE_HASH_TTL : RDB_TYPE_HASH);
      w.length(live.length);
      for (const field of live) {
        w.string(fieldName(field));
        w.string(field.data);
        if (withTtl) w.u64(field.expiresAt ?? 0);
      }
    },
    async restore(type, body, { tx, fresh, slot, key, old, expiresAt, limits }) {
      const h = openHash(slot, key, null, {
        entries: limits.hashMaxListpackEntries,
        value: limits.hashMaxListpackValue,
      });
      const packed = type === RDB_TYPE_HASH_LISTPACK ? decodeListpack(body.string()) : null;
      if (packed && packed.length % 2 !== 0) throw new BadPayload();
      const count = packed ? packed.length / 2 : body.count();
      if (count === 0) throw new BadPayload();
      const seen = new Set<string>();
      for (let i = 0; i < count; i++) {
        const field = packed ? packed[2 * i] : body.string();
        // Redis refuses a payload naming a field twice.
        const name = latin1Text(field);
        if (seen.has(name)) throw new BadPayload();
        seen.add(name);
        const value = packed ? packed[2 * i + 1] : body.string();
        const deadline = type === BASEKV_TYPE_HASH_TTL ? body.u64() || null : null;
        if (deadline !== null && !h.meta.fx) {
          h.meta.fx = true;
          setOwner(fresh, h.meta.g!, slot, key);
        }
        await setField(fresh, h, { field, value, expiresAt: deadline, known: null });
      }
      putKey(tx, { slot, key, record: { meta: h.meta, expiresAt }, old });
    },
  },
  ...COLLECTION_CODECS,
  stream: STREAM_CODEC,
};

/** DUMP's payload for a key's entry. */
export async function dumpPayload(
  r: Access,
  entry: KeyEntry,
  limits: EncodingLimits,
): Promise<Uint8Array> {
  const codec = CODECS[entry.meta!.t];
  if (!codec) throw new Error(`DUMP of type ${entry.meta!.t} is not supported yet`);
  const w = new PayloadWriter();
  await codec.dump(r, entry, w, limits);
  return w.finish();
}

/** verifyDumpPayload: at least a trailer, a version this server reads, a matching CRC64. */
export function verifyPayload(payload: Uint8Array): boolean {
  if (payload.length < 10) return false;
  const footer = payload.length - 10;
  const version = payload[footer] | (payload[footer + 1] << 8);
  if (version > RDB_VERSION) return false;
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  return view.getBigUint64(footer + 2, true) === crc64(payload.subarray(0, footer + 2));
}

/** Decode a verified payload into `to`; throws {@link BadPayload} for a body it cannot read. */
export async function restorePayload(payload: Uint8Array, to: RestoreTarget): Promise<void> {
  const body = new PayloadReader(payload.subarray(0, payload.length - 10));
  const type = body.byte();
  const codec = Object.values(CODECS).find((c) => c.types.includes(type));
  if (!codec) throw new BadPayload();
  await codec.restore(type, body, to);
  if (!body.done) throw new BadPayload();
}

/** RDB_OPCODE_FUNCTION2: one library's code in a FUNCTION DUMP payload. */
const RDB_OPCODE_FUNCTION2 = 245;

/** FUNCTION DUMP's payload: each library's code after its opcode, then Redis's trailer. */
export function functionsPayload(codes: readonly Uint8Array[]): Uint8Array {
  const w = new PayloadWriter();
  for (const code of codes) {
    w.byte(RDB_OPCODE_FUNCTION2);
    w.string(code);
  }
  return w.finish();
}

/**
 * The library codes of a verified FUNCTION RESTORE payload; throws {@link BadPayload} with
 * Redis's text when an entry is not a function.
 */
export function readFunctionsPayload(payload: Uint8Array): Uint8Array[] {
  const body = new PayloadReader(payload.subarray(0, payload.length - 10));
  const codes: Uint8Array[] = [];
  while (!body.done) {
    if (body.byte() !== RDB_OPCODE_FUNCTION2) throw new BadPayload("given type is not a function");
    codes.push(body.string());
  }
  return codes;
}

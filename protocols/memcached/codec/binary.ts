/**
 * Pure binary-protocol framing: request headers in, response packets out (no I/O).
 * @module
 */
import { STATUS_TEXT } from "../errors.ts";
import { REQUEST_MAGIC } from "./limits.ts";

export { REQUEST_MAGIC };
/** A response's magic byte. */
export const RESPONSE_MAGIC = 0x81;
/** Header length of every packet. */
export const HEADER_BYTES = 24;
/** A request body beyond this closes the connection (far over any item limit). */
export const BODY_MAX = 64 * 1024 * 1024;

/** Opcodes basekv serves. */
export const OP = {
  GET: 0x00,
  SET: 0x01,
  ADD: 0x02,
  REPLACE: 0x03,
  DELETE: 0x04,
  INCREMENT: 0x05,
  DECREMENT: 0x06,
  QUIT: 0x07,
  FLUSH: 0x08,
  GETQ: 0x09,
  NOOP: 0x0a,
  VERSION: 0x0b,
  GETK: 0x0c,
  GETKQ: 0x0d,
  APPEND: 0x0e,
  PREPEND: 0x0f,
  STAT: 0x10,
  SETQ: 0x11,
  ADDQ: 0x12,
  REPLACEQ: 0x13,
  DELETEQ: 0x14,
  INCREMENTQ: 0x15,
  DECREMENTQ: 0x16,
  QUITQ: 0x17,
  FLUSHQ: 0x18,
  APPENDQ: 0x19,
  PREPENDQ: 0x1a,
  TOUCH: 0x1c,
  GAT: 0x1d,
  GATQ: 0x1e,
  SASL_LIST_MECHS: 0x20,
  SASL_AUTH: 0x21,
  SASL_STEP: 0x22,
  GATK: 0x23,
  GATKQ: 0x24,
} as const;

/** One binary request. */
export interface BinaryRequest {
  opcode: number;
  key: Uint8Array;
  extras: Uint8Array;
  value: Uint8Array;
  opaque: number;
  cas: bigint;
}

/** Parse result: a request, a framing error (close), or null for "need more". */
export type BinaryParsed =
  | { request: BinaryRequest; consumed: number }
  | { error: "bad magic" | "too large" };

/** Parse one request starting at `start`. */
export function parseBinary(buf: Uint8Array, start: number): BinaryParsed | null {
  if (buf.length - start < HEADER_BYTES) return null;
  if (buf[start] !== REQUEST_MAGIC) return { error: "bad magic" };
  const view = new DataView(buf.buffer, buf.byteOffset + start, HEADER_BYTES);
  const keyLength = view.getUint16(2);
  const extrasLength = view.getUint8(4);
  const bodyLength = view.getUint32(8);
  if (bodyLength > BODY_MAX || keyLength + extrasLength > bodyLength) {
    return { error: "too large" };
  }
  const total = HEADER_BYTES + bodyLength;
  if (buf.length - start < total) return null;
  const body = start + HEADER_BYTES;
  return {
    request: {
      opcode: view.getUint8(1),
      // Copies: the connection reuses its buffer while the store may keep key and value.
      extras: buf.slice(body, body + extrasLength),
      key: buf.slice(body + extrasLength, body + extrasLength + keyLength),
      value: buf.slice(body + extrasLength + keyLength, start + total),
      opaque: view.getUint32(12),
      cas: view.getBigUint64(16),
    },
    consumed: total,
  };
}

/** What goes into one response packet. */
export interface BinaryResponse {
  opcode: number;
  status?: number;
  opaque: number;
  cas?: bigint;
  extras?: Uint8Array;
  key?: Uint8Array;
  value?: Uint8Array;
}

const EMPTY = new Uint8Array(0);

/** Encode one response packet. */
export function encodeBinary(r: BinaryResponse): Uint8Array {
  const extras = r.extras ?? EMPTY;
  const key = r.key ?? EMPTY;
  const value = r.value ?? EMPTY;
  const out = new Uint8Array(HEADER_BYTES + extras.length + key.length + value.length);
  const view = new DataView(out.buffer);
  view.setUint8(0, RESPONSE_MAGIC);
  view.setUint8(1, r.opcode);
  view.setUint16(2, key.length);
  view.setUint8(4, extras.length);
  view.setUint16(6, r.status ?? 0);
  view.setUint32(8, extras.length + key.length + value.length);
  view.setUint32(12, r.opaque);
  view.setBigUint64(16, r.cas ?? 0n);
  out.set(extras, HEADER_BYTES);
  out.set(key, HEADER_BYTES + extras.length);
  out.set(value, HEADER_BYTES + extras.length + key.length);
  return out;
}

/** An error packet: the status and memcached's text for it as the body. */
export function encodeBinaryError(
  req: Pick<BinaryRequest, "opcode" | "opaque">,
  status: number,
): Uint8Array {
  const value = new TextEncoder().encode(STATUS_TEXT[status] ?? "");
  return encodeBinary({ opcode: req.opcode, opaque: req.opaque, status, value });
}

/** Big-endian u32 extras (flags, expiry). */
export function u32(n: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n >>> 0);
  return out;
}

/** Big-endian u64 body (incr/decr results). */
export function u64(n: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, n);
  return out;
}

/** Read a big-endian u32 from extras at `offset`. */
export function readU32(bytes: Uint8Array, offset: number): number {
  return new DataView(bytes.buffer, bytes.byteOffset).getUint32(offset);
}

/** Read a big-endian u64 from extras at `offset`. */
export function readU64(bytes: Uint8Array, offset: number): bigint {
  return new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(offset);
}

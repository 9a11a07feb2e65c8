/**
 * The bytes of one fan-out log entry: the messages, key events and flushes one front-end
 * shipped in one commit, in the order it made them. Pure functions over Uint8Array.
 * @module
 */
import { concatBytes } from "../../src/bytes.ts";
import type { KeyEvent } from "./notify.ts";

/** One thing a front-end tells the others. */
export type Shipped =
  | { type: "publish"; channel: Uint8Array; message: Uint8Array; shard: boolean }
  | { type: "events"; events: KeyEvent[] }
  | { type: "flush" };

const PUBLISH = 1;
const SHARD_PUBLISH = 2;
const EVENT = 3;
const FLUSH = 4;

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

/** Encode items as tagged, length-prefixed fields. */
export function encodeShipped(items: readonly Shipped[]): Uint8Array {
  const parts: Uint8Array[] = [];
  let size = 0;
  const add = (bytes: Uint8Array) => {
    parts.push(bytes);
    size += bytes.length;
  };
  const u32 = (n: number) => {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, n);
    add(b);
  };
  const field = (bytes: Uint8Array) => {
    u32(bytes.length);
    add(bytes);
  };
  for (const item of items) {
    if (item.type === "publish") {
      add(Uint8Array.of(item.shard ? SHARD_PUBLISH : PUBLISH));
      field(item.channel);
      field(item.message);
    } else if (item.type === "events") {
      for (const e of item.events) {
        add(Uint8Array.of(EVENT));
        u32(e.db);
        u32(e.cls);
        field(utf8.encode(e.event));
        field(e.key);
      }
    } else {
      add(Uint8Array.of(FLUSH));
    }
  }
  return concatBytes(parts, size);
}

/**
 * Decode what {@link encodeShipped} wrote. Consecutive events come back as one item (one
 * commit's events are published together); they carry client 0, as no local client made them.
 */
export function decodeShipped(bytes: Uint8Array): Shipped[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Shipped[] = [];
  let at = 0;
  const u32 = () => {
    const n = view.getUint32(at);
    at += 4;
    return n;
  };
  const field = () => {
    const n = u32();
    const b = bytes.subarray(at, at + n);
    at += n;
    return b;
  };
  while (at < bytes.length) {
    const tag = bytes[at++];
    if (tag === PUBLISH || tag === SHARD_PUBLISH) {
      const channel = field();
      out.push({ type: "publish", channel, message: field(), shard: tag === SHARD_PUBLISH });
    } else if (tag === EVENT) {
      const db = u32();
      const cls = u32();
      const event = fromUtf8.decode(field());
      const e: KeyEvent = { db, cls, event, key: field(), client: 0 };
      const last = out.at(-1);
      if (last?.type === "events") last.events.push(e);
      else out.push({ type: "events", events: [e] });
    } else if (tag === FLUSH) {
      out.push({ type: "flush" });
    } else {
      throw new Error(`fan-out log entry: unknown tag ${tag}`);
    }
  }
  return out;
}

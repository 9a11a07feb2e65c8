/**
 * What a command handler gets (the connection's session) and what it gives back (reply chunks).
 * @module
 */
import type { ServiceContext } from "../../../src/server.ts";
import type { Chunk } from "../codec/reply.ts";
import type { Item, Items } from "../storage/items.ts";
import type { Sequencer } from "../sequencer.ts";
import type { Counters, SettingsInput } from "../stats.ts";

export type { Chunk };

/** A handler's reply: chunks now, or later. */
export type Reply = Chunk[] | Promise<Chunk[]>;

/** A text/meta command handler: the line's tokens, the command name first. */
export type LineHandler = (s: Session, tokens: Uint8Array[]) => Reply;

/** Shared by every connection of one service. */
export interface Shared {
  items: Items;
  counters: Counters;
  ctx: ServiceContext;
  /** The port the service listens on (stats settings). */
  port: number;
  /** memcached's -c and -R, as the listener and the connection loop enforce them. */
  limits: MemcachedLimits;
}

/** Connection limits with memcached's flags' names. */
export interface MemcachedLimits {
  /** Most open connections (-c); the next is told ERROR and closed (maxconns_fast). */
  maxConns: number;
  /** Requests one connection runs before letting the others in (-R). */
  reqsPerEvent: number;
}

/** One connection's state. */
export interface Session {
  shared: Shared;
  seq: Sequencer;
  /** False until text or SASL auth succeeds when a password is set. */
  authenticated: boolean;
  /** The client's address, for logs. */
  addr?: string;
  /** Set by quit (and fatal errors): stop after flushing replies. */
  closing: boolean;
  /** After `watch` the connection only listens (memcached streams logs; basekv has none). */
  watching?: boolean;
}

/** What `stats settings` reports about this service. */
export function settingsOf(shared: Shared): SettingsInput {
  return {
    itemMax: shared.items.itemMax,
    port: shared.port,
    host: shared.ctx.config.host,
    auth: shared.ctx.auth.required,
    ...shared.limits,
  };
}

/** A reply line. */
export function line(text: string): Chunk[] {
  return [text + "\r\n"];
}

const enc = new TextEncoder();

/** The `VALUE <key> <flags> <bytes> [<cas>]` block for one item. */
export function valueBlock(item: Item, withCas: boolean): Chunk[] {
  const head = enc.encode(
    " " + item.flags + " " + item.value.length +
      (withCas ? " " + item.cas : "") + "\r\n",
  );
  const out = new Uint8Array(6 + item.key.length + head.length + item.value.length + 2);
  out.set(VALUE_PREFIX);
  out.set(item.key, 6);
  out.set(head, 6 + item.key.length);
  out.set(item.value, 6 + item.key.length + head.length);
  out[out.length - 2] = 0x0d;
  out[out.length - 1] = 0x0a;
  return [out];
}

const VALUE_PREFIX = enc.encode("VALUE ");

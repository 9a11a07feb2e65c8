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

const VALUE_PREFIX = new TextEncoder().encode("VALUE ");
const END = new TextEncoder().encode("END\r\n");

/**
 * A retrieval's reply in one buffer: the `VALUE <key> <flags> <bytes> [<cas>]` block of each
 * item, then END.
 */
export function valueBlocks(items: readonly Item[], withCas: boolean): Chunk[] {
  // The rest of each VALUE line: ASCII digits and spaces, written a char code a byte.
  const heads = items.map((item) =>
    " " + item.flags + " " + item.value.length + (withCas ? " " + item.cas : "") + "\r\n"
  );
  let length = END.length;
  for (let i = 0; i < items.length; i++) {
    length += VALUE_PREFIX.length + items[i].key.length + heads[i].length +
      items[i].value.length + 2;
  }
  const out = new Uint8Array(length);
  let at = 0;
  for (let i = 0; i < items.length; i++) {
    const { key, value } = items[i];
    const head = heads[i];
    out.set(VALUE_PREFIX, at);
    at += VALUE_PREFIX.length;
    out.set(key, at);
    at += key.length;
    for (let j = 0; j < head.length; j++) out[at++] = head.charCodeAt(j);
    out.set(value, at);
    at += value.length;
    out[at++] = 0x0d;
    out[at++] = 0x0a;
  }
  out.set(END, at);
  return [out];
}

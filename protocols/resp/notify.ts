/**
 * Keyspace notifications (notify.c) and the key-change feed client tracking reads: handlers
 * report each change with one `notify(tx, class, event, key)` call inside their write unit; the
 * events are kept per unit run and published only after the unit commits, in order.
 * A server with notifications off and no tracking client does not even collect them.
 * @module
 */
import { latin1Text } from "../../src/bytes.ts";
import type { Change, Store, WriteOptions, WriteTx } from "../../src/store/mod.ts";
import type { Session } from "./command.ts";
import type { PubSub } from "./pubsub.ts";
import { KEYS_AND_SLOTS, type SlotMap, SLOTS_KEY } from "./storage/layout.ts";

/** Event classes (notify.c's NOTIFY_* bits). */
export const KEYSPACE = 1 << 0;
export const KEYEVENT = 1 << 1;
export const GENERIC = 1 << 2;
export const STRING = 1 << 3;
export const LIST = 1 << 4;
export const SET = 1 << 5;
export const HASH = 1 << 6;
export const ZSET = 1 << 7;
export const EXPIRED = 1 << 8;
export const EVICTED = 1 << 9;
export const STREAM = 1 << 10;
export const KEY_MISS = 1 << 11;
export const MODULE = 1 << 13;
export const NEW = 1 << 14;
/** 'A': every class but key-miss and new. */
const ALL = GENERIC | STRING | LIST | SET | HASH | ZSET | EXPIRED | EVICTED | STREAM | MODULE;

const LETTERS: Record<string, number> = {
  A: ALL,
  g: GENERIC,
  $: STRING,
  l: LIST,
  s: SET,
  h: HASH,
  z: ZSET,
  x: EXPIRED,
  e: EVICTED,
  K: KEYSPACE,
  E: KEYEVENT,
  t: STREAM,
  m: KEY_MISS,
  d: MODULE,
  n: NEW,
};

/** The CONFIG SET error for a bad letter (Redis's text). */
export const BAD_FLAGS = "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";

/** keyspaceEventsStringToFlags: the bits of a flags string, or null for a bad letter. */
export function parseEventFlags(text: string): number | null {
  let flags = 0;
  for (const c of text) {
    const bit = LETTERS[c];
    if (bit === undefined) return null;
    flags |= bit;
  }
  return flags;
}

/** keyspaceEventsFlagsToString: the canonical letters CONFIG GET shows. */
export function formatEventFlags(flags: number): string {
  let out = "";
  if ((flags & ALL) === ALL) {
    out = "A";
  } else {
    for (const c of "g$lshzxetdn") if (flags & LETTERS[c]) out += c;
  }
  for (const c of "KEm") if (flags & LETTERS[c]) out += c;
  return out;
}

/** One change a committed unit made. */
export interface KeyEvent {
  db: number;
  key: Uint8Array;
  cls: number;
  event: string;
  /** The client whose command made it (0: the server, e.g. expiry). */
  client: number;
}

/** Who receives committed events besides pub/sub: client tracking. */
export interface KeyChangeListener {
  /** True while some client tracks keys (events must be collected). */
  readonly active: boolean;
  changed(events: readonly KeyEvent[]): void;
}

/** Carries committed events to the other front-ends of a shared store (fanout.ts). */
export interface EventShipper {
  /** True while another front-end needs this one's events (they must be collected). */
  readonly wantsEvents: boolean;
  shipEvents(events: readonly KeyEvent[]): void;
}

/** What a unit's events are published through. */
export interface EventSink {
  /** notify-keyspace-events as bits. */
  flags(): number;
  pubsub: PubSub;
  tracking: KeyChangeListener;
  /** Set on a shared store only. */
  readonly fanout?: EventShipper | null;
}

/** True when nobody here or elsewhere needs the events a unit makes. */
function unheard(sink: EventSink): boolean {
  return sink.flags() === 0 && !sink.tracking.active && !sink.fanout?.wantsEvents;
}

interface Unit {
  session: Session;
  events: KeyEvent[];
  /** Generic "del"s of emptied collections, held until the command reports its own event. */
  emptied: KeyEvent[];
}

const units = new WeakMap<WriteTx, Unit>();

/**
 * Report a change inside a write unit (a no-op when nothing listens). Call it after the write
 * it reports. A collection emptied by the write reported its generic "del" from saveCollection
 * already; Redis sends the command's own event before that "del", so the "del" follows it.
 */
export function notify(
  tx: WriteTx,
  cls: number,
  event: string,
  key: Uint8Array,
  db?: number,
): void {
  const unit = units.get(tx);
  if (!unit) return;
  const e: KeyEvent = { db: db ?? unit.session.db, key, cls, event, client: unit.session.id };
  unit.events.push(e);
  const i = unit.emptied.findIndex((d) => d.db === e.db && sameKey(d.key, key));
  if (i >= 0) unit.events.push(...unit.emptied.splice(i, 1));
}

/** A collection's key was deleted because its last member went (saveCollection). */
export function notifyEmptied(tx: WriteTx, key: Uint8Array): void {
  const unit = units.get(tx);
  if (!unit) return;
  unit.emptied.push({
    db: unit.session.db,
    key,
    cls: GENERIC,
    event: "del",
    client: unit.session.id,
  });
}

/**
 * Run `fn` as a write unit of `session` and publish what it reported once it has committed.
 * Every run of the unit starts a fresh list (the store may re-run a unit).
 */
export function writeUnit<T>(
  sink: EventSink,
  session: Session,
  store: Store,
  fn: (tx: WriteTx) => T | Promise<T>,
  options?: WriteOptions,
): Promise<T> {
  if (unheard(sink)) return store.write(fn, options);
  let unit: Unit | null = null;
  const done = store.write((tx) => {
    unit = { session, events: [], emptied: [] };
    units.set(tx, unit);
    return fn(tx);
  }, options);
  return done.then((result) => {
    if (unit) publishEvents(sink, [...unit.events, ...unit.emptied]);
    return result;
  });
}

const encoder = new TextEncoder();

/**
 * Publish committed events on the keyspace/keyevent channels and tell tracking; `ship` also
 * hands them to the other front-ends (false for events that came from one).
 */
export function publishEvents(sink: EventSink, events: readonly KeyEvent[], ship = true): void {
  if (events.length === 0) return;
  if (ship) sink.fanout?.shipEvents(events);
  const flags = sink.flags();
  if (flags & (KEYSPACE | KEYEVENT)) {
    for (const e of events) {
      if (!(flags & e.cls)) continue;
      if (flags & KEYSPACE) {
        const channel = concat(encoder.encode(`__keyspace@${e.db}__:`), e.key);
        sink.pubsub.publish(channel, encoder.encode(e.event));
      }
      if (flags & KEYEVENT) {
        sink.pubsub.publish(encoder.encode(`__keyevent@${e.db}__:${e.event}`), e.key);
      }
    }
  }
  if (sink.tracking.active) sink.tracking.changed(events);
}

/**
 * Follow the store's expiry sweeper: each expired key is an "expired" event in the db its
 * storage slot currently belongs to. Returns an unsubscribe.
 */
export function attachExpiry(sink: EventSink, store: Store): () => void {
  let slots: SlotMap | null = null;
  store.get<SlotMap>(SLOTS_KEY).then((e) => slots ??= e?.meta ?? null, () => {});
  return store.onCommit((changes: Change[]) => {
    let events: KeyEvent[] | null = null;
    for (const { key, entry, cause } of changes) {
      if (key[0] === "slots") {
        const meta = entry?.meta as SlotMap | undefined;
        if (meta) slots = { map: [...meta.map], next: meta.next };
      } else if (cause === "expire" && key[0] === "k" && key.length === 3) {
        if (unheard(sink)) continue;
        const db = slots?.map.indexOf(key[1] as number) ?? (key[1] as number);
        if (db < 0) continue;
        (events ??= []).push({
          db,
          key: key[2] as Uint8Array,
          cls: EXPIRED,
          event: "expired",
          client: 0,
        });
      }
    }
    if (events) publishEvents(sink, events);
  }, { prefixes: KEYS_AND_SLOTS });
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function sameKey(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** A key as an exact map key (one char per byte). */
export function keyId(key: Uint8Array): string {
  return latin1Text(key);
}

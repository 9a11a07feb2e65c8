/**
 * Pub/sub, keyspace events and tracking invalidations across front-ends that share one store:
 * each front-end appends what it ships to its own log in the store and follows the others'.
 * Only a shared store (remote URL, shared file) runs this; a sole writer never does.
 *
 * Layout under the redis namespace:
 * - `["_fanout", "node", id]`: what the front-end's clients listen to (JSON), for PUBLISH
 *   counts and for knowing whether anyone elsewhere needs key events; refreshed as a heartbeat.
 * - `["_fanout", "head", id]`: its last log sequence number; the only key followers poll.
 * - `["_fanout", "log", id, seq]`: one entry per flush, the items in the order they were made.
 * One front-end writes its own keys only, so the log never conflicts; flushes run one at a
 * time, so sequence order is commit order and each publisher's messages arrive in order.
 * @module
 */
import { latin1Bytes, latin1Text } from "../../src/bytes.ts";
import type { Store } from "../../src/store/mod.ts";
import { globMatch } from "./glob.ts";
import { decodeShipped, encodeShipped, type Shipped } from "./fanout_codec.ts";
import { type EventShipper, type EventSink, type KeyEvent, publishEvents } from "./notify.ts";
import { type Kind } from "./pubsub.ts";
import type { Tracking } from "./tracking.ts";

/** How often every front-end re-reads who listens where (bounds when key events start to flow). */
const REGISTRY_POLL_MS = 200;
/** How often a front-end proves it is alive by rewriting its node and head entries. */
const HEARTBEAT_MS = 5_000;
/** A front-end not heard from for this long is gone: its entries expire. */
const NODE_TTL_MS = 30_000;
/** How long log entries are kept: a follower further behind than this loses messages. */
const LOG_TTL_MS = 30_000;
/** Items one log entry carries at most (bounds one commit; the rest go in the next flush). */
const MAX_FLUSH_BYTES = 512 * 1024;

const ROOT = "_fanout";
const NODES = [ROOT, "node"];
const HEADS = [ROOT, "head"];

/** An item in the outbox: shipped, dropped (nobody receives it) or waiting to know which. */
interface Outgoing {
  item: Shipped;
  state: "wait" | "ship" | "drop";
  /** Settles once the item is in the store (or dropped). */
  done: PromiseWithResolvers<void>;
}

/** Bytes an item adds to a log entry, roughly (for bounding one commit). */
function sizeOf(item: Shipped): number {
  if (item.type === "publish") return item.channel.length + item.message.length + 9;
  if (item.type === "events") return item.events.reduce((n, e) => n + e.key.length + 32, 0);
  return 1;
}

/** What one front-end's clients listen to, as stored in its node entry. */
interface Interest {
  /** Subscribers per channel, pattern and shard channel (latin1 names). */
  c: [string, number][];
  p: [string, number][];
  s: [string, number][];
  /** Some client tracks keys. */
  t: boolean;
}

/** Another front-end's interest, with names ready for matching. */
interface Listener {
  channels: Map<string, number>;
  patterns: { glob: Uint8Array; count: number }[];
  shards: Map<string, number>;
  /** Needs key events: tracks keys, or subscribes to a pattern or a keyspace channel. */
  events: boolean;
}

/** What the fan-out reads from the server it serves. */
export interface FanoutHost extends EventSink {
  tracking: Tracking;
}

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

/**
 * Run `fn` one call at a time: callers arriving while a run waits to start share it, so every
 * caller's run starts after its call (a read it gets back is at least as new as the call).
 */
function coalesced<T>(fn: () => Promise<T>): () => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  let queued: Promise<T> | null = null;
  return () => {
    if (queued) return queued;
    const run = tail.then(() => {
      queued = null;
      return fn();
    });
    queued = run;
    tail = run.catch(() => {});
    return run;
  };
}

function listenerOf(interest: Interest): Listener {
  return {
    channels: new Map(interest.c),
    patterns: interest.p.map(([p, count]) => ({ glob: latin1Bytes(p), count })),
    shards: new Map(interest.s),
    events: interest.t || interest.p.length > 0 ||
      interest.c.some(([c]) => c.startsWith("__keyspace@") || c.startsWith("__keyevent@")),
  };
}

/** The fan-out of one RESP server on a shared store. */
export class Fanout implements EventShipper {
  readonly id = crypto.randomUUID().slice(0, 13);
  readonly #store: Store;
  readonly #host: FanoutHost;
  /** Other live front-ends as last read (node id -> interest and the versionstamp parsed). */
  #others = new Map<string, { versionstamp: string; listener: Listener }>();
  /** True when some other front-end needs this one's key events. */
  wantsEvents = false;
  /** Items in the order they were made, waiting for a flush (or for a PUBLISH's count). */
  #outbox: Outgoing[] = [];
  #seq = 0;
  /** The next flush writes the head even with nothing to ship (start, heartbeat). */
  #beatDue = true;
  /** Followed logs: node id -> last sequence delivered. Null while not following. */
  #cursors: Map<string, number> | null = null;
  #following: Promise<void> | null = null;
  #timers: ReturnType<typeof setInterval>[] = [];
  #closed = false;
  readonly #pollMs: number;
  /** Re-read the registry; resolves with a read started after the call. */
  readonly #refresh = coalesced(() => this.#readRegistry());
  readonly #flush = coalesced(() => this.#flushOnce());
  readonly #announce = coalesced(() => this.#announceOnce());

  /** `pollMs`: how often the others' logs are polled while clients here listen. */
  constructor(store: Store, host: FanoutHost, pollMs: number) {
    this.#store = store;
    this.#host = host;
    this.#pollMs = pollMs;
  }

  /** Register this front-end, learn the others, and start the background polls. */
  async start(): Promise<void> {
    await this.#announce();
    await this.#flush();
    await this.#refresh();
    const poll = () => this.#refresh().catch(() => {});
    const beat = () => {
      this.#beatDue = true;
      return Promise.all([this.#announce(), this.#flush()]).catch(() => {});
    };
    this.#timers.push(setInterval(poll, REGISTRY_POLL_MS), setInterval(beat, HEARTBEAT_MS));
    for (const t of this.#timers) Deno.unrefTimer(t);
  }

  /** Stop polling and remove this front-end's entries (best effort: they expire anyway). */
  async close(): Promise<void> {
    this.#closed = true;
    for (const o of this.#outbox) o.done.resolve();
    this.#outbox = [];
    for (const t of this.#timers) clearInterval(t);
    this.#cursors = null;
    await this.#following;
    await this.#store.write((tx) => {
      tx.delete([...NODES, this.id]);
      tx.delete([...HEADS, this.id]);
    }).catch(() => {});
  }

  /**
   * Subscriptions or tracking changed: follow the others' logs while anyone here listens, and
   * publish what this front-end listens to. Resolves once the registry entry has committed.
   */
  changed(): Promise<void> {
    return this.#announce();
  }

  /**
   * Ship a PUBLISH to the front-ends whose clients receive it; resolves with how many do,
   * once the message is in the store. The count comes from a registry read started after this
   * call, so a subscription confirmed anywhere before it is counted and served. The message
   * leaves at once when the last read already shows receivers (else after the fresh read);
   * either way it keeps its place among this front-end's messages.
   */
  publish(channel: Uint8Array, message: Uint8Array, shard: boolean): Promise<number> {
    const guess = this.remoteReceivers(channel, shard);
    const out = this.#queue({ type: "publish", channel, message, shard }, guess > 0);
    const decide = (ship: boolean) => {
      if (out.state !== "wait") return;
      out.state = ship ? "ship" : "drop";
      if (!ship) out.done.resolve();
      this.#flush().catch(() => {});
    };
    return this.#refresh().then(async () => {
      const receivers = this.remoteReceivers(channel, shard);
      decide(receivers > 0);
      await out.done.promise;
      return receivers;
    }, (error) => {
      // The registry is out of reach: ship anyway (harmless), so later items are not held.
      decide(true);
      throw error;
    });
  }

  /**
   * PUBLISH inside a write unit (EXEC, a script): the unit must not wait on the store, so the
   * count is the last registry read's and the message goes out after the unit's commit.
   */
  publishLater(channel: Uint8Array, message: Uint8Array, shard: boolean): number {
    const receivers = this.remoteReceivers(channel, shard);
    if (receivers > 0) {
      this.#queue({ type: "publish", channel, message, shard }, true);
    }
    return receivers;
  }

  /**
   * Subscriptions on other front-ends that receive a message on `channel`, by the last registry
   * read.
   */
  remoteReceivers(channel: Uint8Array, shard: boolean): number {
    const name = latin1Text(channel);
    let receivers = 0;
    for (const { listener } of this.#others.values()) {
      if (shard) {
        receivers += listener.shards.get(name) ?? 0;
        continue;
      }
      receivers += listener.channels.get(name) ?? 0;
      for (const p of listener.patterns) if (globMatch(p.glob, channel)) receivers += p.count;
    }
    return receivers;
  }

  /** Committed key events, for the other front-ends' subscribers and tracking clients. */
  shipEvents(events: readonly KeyEvent[]): void {
    if (!this.wantsEvents || events.length === 0) return;
    this.#queue({ type: "events", events: [...events] }, true);
  }

  /** FLUSHDB/FLUSHALL: every tracking client elsewhere gets its null invalidation too. */
  shipFlush(): void {
    if (!this.wantsEvents) return;
    this.#queue({ type: "flush" }, true);
  }

  /**
   * Subscribers of `name` on the other front-ends (PUBSUB NUMSUB), read afresh unless `fresh`
   * is false (inside a write unit, which must not wait on the store).
   */
  async remoteSubscribers(
    kind: "channel" | "shard",
    name: Uint8Array,
    fresh = true,
  ): Promise<number> {
    if (fresh) await this.#refresh();
    const key = latin1Text(name);
    let n = 0;
    for (const { listener } of this.#others.values()) {
      n += (kind === "shard" ? listener.shards : listener.channels).get(key) ?? 0;
    }
    return n;
  }

  /** Names subscribed on the other front-ends (PUBSUB CHANNELS, SHARDCHANNELS, NUMPAT). */
  async remoteNames(kind: Kind, fresh = true): Promise<Set<string>> {
    if (fresh) await this.#refresh();
    const out = new Set<string>();
    for (const { listener } of this.#others.values()) {
      const names = kind === "pattern"
        ? listener.patterns.map((p) => latin1Text(p.glob))
        : (kind === "shard" ? listener.shards : listener.channels).keys();
      for (const name of names) out.add(name);
    }
    return out;
  }

  /** Add an item to the outbox; it ships once it and everything before it is decided. */
  #queue(item: Shipped, ship: boolean): Outgoing {
    const out: Outgoing = { item, state: ship ? "ship" : "wait", done: Promise.withResolvers() };
    // A failed flush is reported to whoever awaits the item; nobody may be (key events).
    out.done.promise.catch(() => {});
    this.#outbox.push(out);
    if (ship) this.#flush().catch(() => {});
    return out;
  }

  /**
   * Write the decided front of the outbox as the next log entry, and the head (alone, as a
   * heartbeat, when nothing is to ship). An item still waiting for its count holds back those
   * after it, so this front-end's items stay in the order they were made.
   */
  async #flushOnce(): Promise<void> {
    if (this.#closed) return;
    const taken: Outgoing[] = [];
    let size = 0;
    for (const out of this.#outbox) {
      if (out.state === "wait" || (size > MAX_FLUSH_BYTES && taken.length > 0)) break;
      taken.push(out);
      size += sizeOf(out.item);
    }
    if (taken.length === 0 && !this.#beatDue) return;
    this.#beatDue = false;
    this.#outbox = this.#outbox.slice(taken.length);
    const items = taken.filter((o) => o.state === "ship").map((o) => o.item);
    const seq = items.length > 0 ? this.#seq + 1 : this.#seq;
    try {
      await this.#store.write((tx) => {
        if (items.length > 0) {
          const data = encodeShipped(items);
          tx.set([ROOT, "log", this.id, seq], { data, expiresAt: tx.now + LOG_TTL_MS });
        }
        tx.set([...HEADS, this.id], { meta: seq, expiresAt: tx.now + NODE_TTL_MS });
      });
    } catch (error) {
      for (const o of taken) o.done.reject(error);
      throw error;
    }
    this.#seq = seq;
    for (const o of taken) o.done.resolve();
    if (this.#outbox.length > 0 && this.#outbox[0].state !== "wait") {
      this.#flush().catch(() => {});
    }
  }

  /** Publish this front-end's interest; start or stop following the others to match. */
  async #announceOnce(): Promise<void> {
    if (this.#closed) return;
    const { pubsub, tracking } = this.#host;
    const listening = !pubsub.idle || tracking.active;
    if (listening && this.#cursors === null) {
      // Where each log stands now, read before anyone can learn that this front-end listens:
      // whatever is shipped because of it lands past these cursors.
      const cursors = new Map<string, number>();
      for await (const e of this.#store.list<number>({ prefix: HEADS })) {
        cursors.set(e.key[2] as string, e.meta ?? 0);
      }
      this.#cursors = cursors;
      this.#following = this.#follow(cursors);
    } else if (!listening && this.#cursors !== null) {
      this.#cursors = null;
    }
    const interest = pubsub.interest();
    const entry: Interest = {
      c: interest.channel,
      p: interest.pattern,
      s: interest.shard,
      t: tracking.active,
    };
    const data = utf8.encode(JSON.stringify(entry));
    await this.#store.write((tx) => {
      tx.set([...NODES, this.id], { data, expiresAt: tx.now + NODE_TTL_MS });
    });
  }

  /** Read every other live front-end's interest (parsed once per version). */
  async #readRegistry(): Promise<void> {
    const next = new Map<string, { versionstamp: string; listener: Listener }>();
    let wants = false;
    for await (const e of this.#store.list({ prefix: NODES })) {
      const id = e.key[2] as string;
      if (id === this.id) continue;
      const known = this.#others.get(id);
      const listener = known?.versionstamp === e.versionstamp
        ? known.listener
        : listenerOf(JSON.parse(fromUtf8.decode(e.data)) as Interest);
      next.set(id, { versionstamp: e.versionstamp, listener });
      wants ||= listener.events;
    }
    this.#others = next;
    this.wantsEvents = wants;
  }

  /** Deliver the other front-ends' new log entries here until nobody listens any more. */
  async #follow(cursors: Map<string, number>): Promise<void> {
    while (this.#cursors === cursors && !this.#closed) {
      try {
        await this.#pollOnce(cursors);
      } catch {
        // The store is unreachable for now: try again on the next turn.
      }
      await new Promise((r) => setTimeout(r, this.#pollMs));
    }
  }

  async #pollOnce(cursors: Map<string, number>): Promise<void> {
    const heads = await Array.fromAsync(this.#store.list<number>({ prefix: HEADS }));
    // A front-end whose head expired is gone (or the namespace was reset: its log went too).
    const live = new Set(heads.map((h) => h.key[2] as string));
    for (const id of cursors.keys()) if (!live.has(id)) cursors.delete(id);
    for (const head of heads) {
      const id = head.key[2] as string;
      const seq = head.meta ?? 0;
      if (id === this.id) continue;
      // A front-end first seen now started after this one began to follow: its whole log.
      const at = cursors.get(id) ?? 0;
      if (seq <= at) {
        if (seq < at) cursors.set(id, seq);
        continue;
      }
      const log = this.#store.list({
        start: [ROOT, "log", id, at + 1],
        end: [ROOT, "log", id, seq + 1],
      });
      for await (const entry of log) {
        if (this.#cursors !== cursors) return;
        this.#deliver(decodeShipped(entry.data));
      }
      cursors.set(id, seq);
    }
  }

  /** Hand shipped items to this front-end's subscribers and tracking, as local ones are. */
  #deliver(items: Shipped[]): void {
    const host = this.#host;
    for (const item of items) {
      if (item.type === "publish") host.pubsub.publish(item.channel, item.message, item.shard);
      else if (item.type === "events") publishEvents(host, item.events, false);
      else host.tracking.flushed();
    }
  }
}

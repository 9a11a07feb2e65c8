/**
 * Pub/Sub within one server: channel, pattern and shard-channel subscriptions, PUBLISH fan-out
 * in publish order, and the counts PUBSUB reports. Each connection is one Subscriber whose
 * `deliver` queues a push frame on its socket.
 * @module
 */
import { keepBytes } from "../../src/kept_bytes.ts";
import { latin1Bytes, latin1Text } from "../../src/bytes.ts";
import { encodeReply, ReplyWriter } from "./codec/mod.ts";
import { globMatch } from "./glob.ts";
import { bulk, integer, push, type Reply } from "./reply.ts";

/** The three subscription kinds and the words their frames use. */
export type Kind = "channel" | "pattern" | "shard";
export const FRAME_WORDS: Record<Kind, { sub: string; unsub: string }> = {
  channel: { sub: "subscribe", unsub: "unsubscribe" },
  pattern: { sub: "psubscribe", unsub: "punsubscribe" },
  shard: { sub: "ssubscribe", unsub: "sunsubscribe" },
};

/** Channel names are bytes; as latin1 strings they are exact map keys. */
function name(bytes: Uint8Array): string {
  return latin1Text(bytes);
}

/** Where frames are encoded before their bytes are kept; replaced when a large one grew it. */
let scratch = new ReplyWriter(256);
const SCRATCH_KEEP = 64 * 1024;

/**
 * A push frame for subscribers, encoded at most once per protocol version however many
 * subscribers receive it (a PUBLISH to N subscribers encodes its message once, not N times).
 */
export class PushFrame {
  #v2: Uint8Array | null = null;
  #v3: Uint8Array | null = null;

  constructor(readonly reply: Reply) {}

  /** The frame's bytes for a connection speaking `protocol` (never changed: shared by all). */
  bytes(protocol: 2 | 3): Uint8Array {
    if (protocol === 2) return this.#v2 ??= this.#encode(2);
    return this.#v3 ??= this.#encode(3);
  }

  #encode(protocol: 2 | 3): Uint8Array {
    scratch.reset();
    encodeReply(scratch, this.reply, protocol);
    // A view of a shared block: one frame per message is no native allocation of its own.
    const bytes = keepBytes(scratch.view());
    if (scratch.length > SCRATCH_KEEP) scratch = new ReplyWriter(256);
    return bytes;
  }
}

/** The kinds' message words, as bytes (a string word would be encoded per frame). */
const WORDS = {
  message: latin1Bytes("message"),
  pmessage: latin1Bytes("pmessage"),
  smessage: latin1Bytes("smessage"),
};

/** The push frame of a message: its kind's word, then the names and body as bulk strings. */
function message(word: keyof typeof WORDS, ...parts: Uint8Array[]): PushFrame {
  const value: Reply[] = [bulk(WORDS[word])];
  for (const part of parts) value.push(bulk(part));
  return new PushFrame(push(value));
}

/** One connection's subscriptions. */
export class Subscriber {
  readonly subscriptions: Record<Kind, Set<string>> = {
    channel: new Set(),
    pattern: new Set(),
    shard: new Set(),
  };

  /** `deliver` sends one push frame to the connection (queued behind its pending writes). */
  constructor(readonly deliver: (frame: PushFrame) => void) {}

  /** Channels plus patterns: the count SUBSCRIBE/PSUBSCRIBE frames carry. */
  get count(): number {
    return this.subscriptions.channel.size + this.subscriptions.pattern.size;
  }

  /** Whether RESP2 subscribed-mode restrictions apply. */
  get active(): boolean {
    return this.count + this.subscriptions.shard.size > 0;
  }
}

/** Every subscription on this server. */
export class PubSub {
  #by: Record<Kind, Map<string, Set<Subscriber>>> = {
    channel: new Map(),
    pattern: new Map(),
    shard: new Map(),
  };

  /** Subscribe to each name; one confirmation frame per name. */
  subscribe(sub: Subscriber, kind: Kind, names: readonly Uint8Array[]): Reply[] {
    return names.map((raw) => {
      const key = name(raw);
      if (!sub.subscriptions[kind].has(key)) {
        sub.subscriptions[kind].add(key);
        const set = this.#by[kind].get(key) ?? new Set();
        set.add(sub);
        this.#by[kind].set(key, set);
      }
      return push([bulk(FRAME_WORDS[kind].sub), bulk(raw), integer(countFor(sub, kind))]);
    });
  }

  /** Unsubscribe from each name (all when none); one frame per name, or one with a null. */
  unsubscribe(sub: Subscriber, kind: Kind, names: readonly Uint8Array[]): Reply[] {
    const targets = names.length > 0 ? names.map(name) : [...sub.subscriptions[kind]];
    if (targets.length === 0) {
      return [
        push([bulk(FRAME_WORDS[kind].unsub), { type: "null" }, integer(countFor(sub, kind))]),
      ];
    }
    return targets.map((key) => {
      this.#drop(sub, kind, key);
      return push([
        bulk(FRAME_WORDS[kind].unsub),
        bulk(latin1Bytes(key)),
        integer(countFor(sub, kind)),
      ]);
    });
  }

  /** Forget a closed connection's subscriptions. */
  leave(sub: Subscriber): void {
    for (const kind of Object.keys(this.#by) as Kind[]) {
      for (const key of [...sub.subscriptions[kind]]) this.#drop(sub, kind, key);
    }
  }

  #drop(sub: Subscriber, kind: Kind, key: string): void {
    sub.subscriptions[kind].delete(key);
    const set = this.#by[kind].get(key);
    if (!set) return;
    set.delete(sub);
    if (set.size === 0) this.#by[kind].delete(key);
  }

  /** How many subscriptions a message on `channel` would reach now (PUBLISH's count). */
  receivers(channel: Uint8Array, shard = false): number {
    const key = name(channel);
    if (shard) return this.#by.shard.get(key)?.size ?? 0;
    let receivers = this.#by.channel.get(key)?.size ?? 0;
    for (const [pattern, subs] of this.#by.pattern) {
      if (globMatch(latin1Bytes(pattern), channel)) receivers += subs.size;
    }
    return receivers;
  }

  /** Deliver `body` on `channel`; returns how many subscriptions received it. */
  publish(channel: Uint8Array, body: Uint8Array, shard = false): number {
    const key = name(channel);
    let receivers = 0;
    if (shard) {
      const subs = this.#by.shard.get(key);
      if (!subs) return 0;
      const frame = message("smessage", channel, body);
      for (const sub of subs) {
        sub.deliver(frame);
        receivers++;
      }
      return receivers;
    }
    const subs = this.#by.channel.get(key);
    if (subs) {
      const frame = message("message", channel, body);
      for (const sub of subs) {
        sub.deliver(frame);
        receivers++;
      }
    }
    for (const [pattern, subs] of this.#by.pattern) {
      const glob = latin1Bytes(pattern);
      if (!globMatch(glob, channel)) continue;
      const frame = message("pmessage", glob, channel, body);
      for (const sub of subs) {
        sub.deliver(frame);
        receivers++;
      }
    }
    return receivers;
  }

  /** Active channel (or shard-channel) names, optionally matching a glob (PUBSUB CHANNELS). */
  channels(kind: "channel" | "shard", pattern: Uint8Array | null): Uint8Array[] {
    return [...this.#by[kind].keys()].map(latin1Bytes).filter((c) =>
      pattern === null || globMatch(pattern, c)
    );
  }

  /** Subscribers of one channel (PUBSUB NUMSUB / SHARDNUMSUB). */
  subscribers(kind: "channel" | "shard", channel: Uint8Array): number {
    return this.#by[kind].get(name(channel))?.size ?? 0;
  }

  /** Channels with at least one subscriber (INFO pubsub_channels). */
  get channelCount(): number {
    return this.#by.channel.size;
  }

  /** Patterns subscribed across all clients (PUBSUB NUMPAT). */
  get patternCount(): number {
    return this.#by.pattern.size;
  }

  /** True while no connection subscribes to anything. */
  get idle(): boolean {
    return this.#by.channel.size + this.#by.pattern.size + this.#by.shard.size === 0;
  }

  /** Subscribers per name of each kind (what other front-ends count in PUBLISH replies). */
  interest(): Record<Kind, [string, number][]> {
    const of = (kind: Kind) =>
      [...this.#by[kind]].map(([key, subs]): [string, number] => [key, subs.size]);
    return { channel: of("channel"), pattern: of("pattern"), shard: of("shard") };
  }
}

/** The count a frame carries: shard frames count shard subscriptions, others the rest. */
function countFor(sub: Subscriber, kind: Kind): number {
  return kind === "shard" ? sub.subscriptions.shard.size : sub.count;
}

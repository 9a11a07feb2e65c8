/**
 * Server-assisted client-side caching (tracking.c): which clients track which keys (default
 * mode) or prefixes (BCAST), and the invalidation messages sent when committed changes touch
 * them: a RESP3 `invalidate` push, or a `__redis__:invalidate` message to a RESP2 redirect.
 * Keys are tracked by name across databases, as Redis does.
 * @module
 */
import type { CommandSpec } from "./command.ts";
import { type KeyChangeListener, type KeyEvent, keyId } from "./notify.ts";
import { PushFrame } from "./pubsub.ts";
import { array, bulk, integer, NULL, push, type Reply } from "./reply.ts";
import type { ClientRecord } from "./server_state.ts";

/** One client's CLIENT TRACKING settings. */
export interface TrackingClient {
  bcast: boolean;
  optin: boolean;
  optout: boolean;
  noloop: boolean;
  /** Client id invalidations go to (0: this client). */
  redirect: number;
  /** BCAST prefixes (latin1 strings; "" matches every key). */
  prefixes: Set<string>;
  /** CLIENT CACHING was given for the next command. */
  caching: boolean;
  /** The CLIENT CACHING flag as it applies to the running command. */
  current: boolean;
  /** The redirect target was gone when a message was due. */
  brokenRedirect: boolean;
}

const INVALIDATE_CHANNEL = "__redis__:invalidate";

/** The tracking tables of one server. */
export class Tracking implements KeyChangeListener {
  readonly #clients: Map<number, ClientRecord>;
  readonly #tracking = new Map<number, TrackingClient>();
  /** Default mode: key name -> ids of clients that read it since its last invalidation. */
  readonly #keys = new Map<string, Set<number>>();

  constructor(clients: Map<number, ClientRecord>) {
    this.#clients = clients;
  }

  get active(): boolean {
    return this.#tracking.size > 0;
  }

  /** Clients with tracking on (INFO tracking_clients). */
  get clientCount(): number {
    return this.#tracking.size;
  }

  /** A client's settings, or undefined when tracking is off for it. */
  of(clientId: number): TrackingClient | undefined {
    return this.#tracking.get(clientId);
  }

  /** CLIENT TRACKING ON (after the command checked its options). */
  enable(
    clientId: number,
    options: Omit<TrackingClient, "caching" | "current" | "brokenRedirect">,
  ) {
    const old = this.#tracking.get(clientId);
    const prefixes = new Set(old?.prefixes);
    if (options.bcast && options.prefixes.size === 0) prefixes.add("");
    for (const p of options.prefixes) prefixes.add(p);
    this.#tracking.set(clientId, {
      ...options,
      prefixes,
      caching: false,
      current: false,
      brokenRedirect: false,
    });
  }

  /** CLIENT TRACKING OFF, or the client left. */
  disable(clientId: number): void {
    this.#tracking.delete(clientId);
  }

  /**
   * Before a command runs: remember the keys a read-only command reads (default mode, subject
   * to OPTIN/OPTOUT and CLIENT CACHING), and use up the CLIENT CACHING flag.
   */
  observe(clientId: number, spec: CommandSpec, argv: readonly Uint8Array[]): void {
    if (this.#tracking.size === 0) return;
    const t = this.#tracking.get(clientId);
    if (!t || spec.name === "caching") return;
    t.current = t.caching;
    t.caching = false;
    if (t.bcast || !spec.flags.includes("readonly") || spec.firstKey <= 0) return;
    if (t.optin && !t.current) return;
    if (t.optout && t.current) return;
    const last = spec.lastKey < 0 ? argv.length + spec.lastKey : spec.lastKey;
    for (let i = spec.firstKey; i <= last && i < argv.length; i += spec.step || 1) {
      const id = keyId(argv[i]);
      const set = this.#keys.get(id);
      if (set) set.add(clientId);
      else this.#keys.set(id, new Set([clientId]));
    }
  }

  /** Committed changes: invalidate the keys clients track. */
  changed(events: readonly KeyEvent[]): void {
    // BCAST: client -> prefix -> keys; Redis sends one message per prefix, prefixes in order.
    const bcast = new Map<number, Map<string, Uint8Array[]>>();
    const seen = new Set<string>();
    for (const e of events) {
      const id = keyId(e.key);
      if (seen.has(id)) continue;
      seen.add(id);
      const readers = this.#keys.get(id);
      if (readers) {
        this.#keys.delete(id);
        for (const reader of readers) {
          const t = this.#tracking.get(reader);
          if (!t || t.bcast || (t.noloop && reader === e.client)) continue;
          this.#send(reader, t, array([bulk(e.key)]), e.client);
        }
      }
      for (const [clientId, t] of this.#tracking) {
        if (!t.bcast || (t.noloop && clientId === e.client)) continue;
        for (const prefix of t.prefixes) {
          if (!id.startsWith(prefix)) continue;
          let byPrefix = bcast.get(clientId);
          if (!byPrefix) bcast.set(clientId, byPrefix = new Map());
          const keys = byPrefix.get(prefix);
          if (keys) keys.push(e.key);
          else byPrefix.set(prefix, [e.key]);
        }
      }
    }
    for (const [clientId, byPrefix] of bcast) {
      const t = this.#tracking.get(clientId)!;
      for (const prefix of [...byPrefix.keys()].sort()) {
        this.#send(clientId, t, array(byPrefix.get(prefix)!.map((k) => bulk(k))));
      }
    }
  }

  /** FLUSHDB/FLUSHALL: every tracking client gets a null invalidation; nothing stays tracked. */
  flushed(): void {
    this.#keys.clear();
    for (const [clientId, t] of this.#tracking) this.#send(clientId, t, NULL);
  }

  /**
   * sendTrackingMessage: to the client (RESP3) or its redirect (RESP3, or RESP2 in pub/sub).
   * A client invalidating its own key gets the message after the command's reply, as in Redis.
   */
  #send(clientId: number, t: TrackingClient, keys: Reply, writer = 0): void {
    const self = this.#clients.get(clientId);
    let target = self;
    if (t.redirect !== 0) {
      target = this.#clients.get(t.redirect);
      if (!target) {
        t.brokenRedirect = true;
        if (self && self.session.protocol === 3) {
          self.subscriber.deliver(
            new PushFrame(push([bulk("tracking-redir-broken"), integer(t.redirect)])),
          );
        }
        return;
      }
    }
    if (!target) return;
    let frame: PushFrame;
    if (target.session.protocol === 3) frame = new PushFrame(push([bulk("invalidate"), keys]));
    else if (t.redirect !== 0 && target.subscriber.active) {
      frame = new PushFrame(push([bulk("message"), bulk(INVALIDATE_CHANNEL), keys]));
    } else return;
    const to = target.subscriber;
    // The writer's reply is queued once its commit resolves; a timer runs after that.
    if (target.session.id === writer) setTimeout(() => to.deliver(frame), 0);
    else to.deliver(frame);
  }
}

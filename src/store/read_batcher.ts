/**
 * Point reads of Deno KV, coalesced: keys asked for while earlier reads are in flight leave
 * together, up to {@link READ_BATCH} per `getMany`, with a bounded number of calls out. Each call
 * is one hop to Deno KV's SQLite thread (or one request to a remote store), so under load a miss
 * costs a tenth of a hop; an idle store still sends a lone key at once.
 * @module
 */
import type { Key } from "./types.ts";

/** Keys one `getMany` may carry (Deno KV refuses more: "Too many ranges (max 10)"). */
export const READ_BATCH = 10;
/**
 * Calls out at once on a local file. Two keep SQLite busy while the previous result is decoded;
 * more only queue at the same SQLite thread (measured on a 2M-key file: 50 concurrent kv.get
 * cost 100-150 µs a key, a key in getMany(10) 43-65 µs).
 */
export const LOCAL_READS_IN_FLIGHT = 2;
/**
 * Calls out at once on a remote store, where a call's time is mostly the network's round trip:
 * enough that coalescing never caps throughput below what one request per key reached.
 */
export const REMOTE_READS_IN_FLIGHT = 64;

/** One key waiting for its read; `resolve` or `reject` is called (as a method), and must not throw. */
export interface Waiter {
  key: Key;
  resolve: (entry: Deno.KvEntryMaybe<unknown>) => void;
  reject: (error: unknown) => void;
}

/**
 * Waiters taken from a lane's front before it drops them: under steady load a lane is never
 * empty, and the waiters behind the head (with the entries their promises resolved to) would
 * otherwise stay reachable for as long as the load lasts.
 */
const LANE_COMPACT = 256;

/** A FIFO of waiters with a moving head (no shift() per key). */
export class Lane {
  items: Waiter[] = [];
  head = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  take(into: Waiter[], max: number): void {
    while (into.length < max && this.head < this.items.length) {
      into.push(this.items[this.head++]);
    }
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head >= LANE_COMPACT && this.head * 2 >= this.items.length) {
      // Copies at most as many waiters as were taken since the last copy: O(1) a key.
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}

/** Coalesces the point reads of one Deno KV handle. */
export class ReadBatcher {
  #kv: Deno.Kv;
  #maxInFlight: number;
  /** Reads the write loop waits on go before clients' reads. */
  #urgent = new Lane();
  #normal = new Lane();
  #inFlight = 0;
  #scheduled = false;
  /** Calls made and keys read through them (for stats and tests). */
  calls = 0;
  keys = 0;

  constructor(kv: Deno.Kv, maxInFlight: number) {
    this.#kv = kv;
    this.#maxInFlight = maxInFlight;
  }

  /**
   * Read one key (strong consistency: the read is issued after this call, so it sees every
   * commit acknowledged before it). `urgent` puts it ahead of reads already waiting.
   */
  get<T>(key: Key, urgent = false): Promise<Deno.KvEntryMaybe<T>> {
    return new Promise<Deno.KvEntryMaybe<T>>((resolve, reject) => {
      this.read({ key, resolve: resolve as Waiter["resolve"], reject }, urgent);
    });
  }

  /**
   * {@link get} for a caller that brings its own waiter: its `resolve` or `reject` is called as
   * a method once the read is done, with no promise made here (a miss under load makes one
   * promise, its caller's, instead of two and their closures).
   */
  read(waiter: Waiter, urgent = false): void {
    (urgent ? this.#urgent : this.#normal).items.push(waiter);
    // Keys asked for in the same turn join one call: send at the end of the turn.
    if (!this.#scheduled && this.#inFlight < this.#maxInFlight) {
      this.#scheduled = true;
      queueMicrotask(() => this.#pump());
    }
  }

  #pump(): void {
    this.#scheduled = false;
    while (this.#inFlight < this.#maxInFlight && this.#urgent.size + this.#normal.size > 0) {
      const group: Waiter[] = [];
      this.#urgent.take(group, READ_BATCH);
      this.#normal.take(group, READ_BATCH);
      this.#inFlight++;
      this.#send(group).finally(() => {
        this.#inFlight--;
        this.#pump();
      });
    }
  }

  async #send(group: Waiter[]): Promise<void> {
    this.calls++;
    this.keys += group.length;
    let entries: Deno.KvEntryMaybe<unknown>[];
    try {
      entries = await this.#kv.getMany(group.map((w) => w.key as Deno.KvKey));
    } catch (error) {
      if (group.length === 1) return group[0].reject(error);
      // One bad key (too large, say) must not fail the keys it travelled with: each alone.
      await Promise.all(
        group.map((w) =>
          this.#kv.get(w.key as Deno.KvKey).then((e) => w.resolve(e), (e) => w.reject(e))
        ),
      );
      return;
    }
    for (let i = 0; i < group.length; i++) group[i].resolve(entries[i]);
  }
}

/**
 * Group commit: every write runs here, one unit after another, against the latest state
 * (committed or staged earlier in the batch); whatever is pending is committed in as few
 * Deno KV atomics as the limits allow, and each unit's promise settles only after its commit.
 * @module
 */
import { EMPTY, type Envelope, INLINE_MAX_BYTES, isExpired, newId, toEntry } from "./envelope.ts";
import { chunkCount } from "./chunks.ts";
import { ConflictError, ValueTooLargeError } from "./errors.ts";
import {
  assertKeySize,
  compareKeys,
  encodedKeySize,
  hasPrefix,
  keyId,
  sameKey,
  samePart,
} from "./keys.ts";
import {
  type Entry,
  type Key,
  type ListOptions,
  MAX_DATA_BYTES,
  type Record,
  type Selector,
  type WriteTx,
} from "./types.ts";

/** A key's state as stored: envelope (null = absent), payload if resolved, versionstamp. */
export interface Raw {
  env: Envelope | null;
  data: Uint8Array | null;
  versionstamp: string | null;
}

/** A staged write: the new envelope (null = delete) and its full payload. */
export interface StagedWrite {
  key: Key;
  env: Envelope | null;
  data: Uint8Array;
  cause: "write" | "expire";
  /** Written by {@link WriteTx.setFresh}: known absent before, committed ahead if need be. */
  fresh?: boolean;
}

/** What one commit carries: final writes per key and the state each key had before. */
export interface Batch {
  writes: Map<string, StagedWrite>;
  bases: Map<string, { key: Key; raw: Raw }>;
}

/** What the loop needs from the storage backing. */
export interface LoopBackend {
  /** Checks allowed per atomic (Infinity when the loop is the sole writer and needs none). */
  readonly maxChecks: number;
  /**
   * A key's state with its payload when memory alone knows it (cached, or ruled out by the
   * existence index), else undefined. Synchronous: most reads of a write unit end here.
   * `key` is `prefix` + the rest, split so a caller holding the parts need not join them.
   */
  peek(id: string, prefix: Key, key: Key): Raw | undefined;
  /** `id` is the key's {@link keyId}, when the caller has it. */
  readRaw(key: Key, withData: boolean, id?: string): Promise<Raw>;
  /** Envelopes (no payloads) of many keys at once; `ids` are their {@link keyId}s, if known. */
  readManyRaw(keys: readonly Key[], ids?: readonly string[]): Promise<Raw[]>;
  /**
   * Warm whatever a unit's reads will need, or return undefined when that would not help (no
   * cache: a shared store). The promise never rejects.
   */
  prefetch(keys: readonly Key[]): Promise<void> | undefined;
  listRaw(selector: Selector, options: ListOptions): Promise<{ key: Key; raw: Raw }[]>;
  resolve(raw: Raw): Promise<Uint8Array>;
  /** Commit a batch durably; throws {@link ConflictError} when a check failed. */
  commit(batch: Batch): Promise<void>;
}

/**
 * How much one group commit takes: Deno KV's per-atomic limits, with margin for index records
 * and for the counter sums of counted prefixes (5 per group a batch touches).
 */
const MAX_MUTATIONS = 900;
const MAX_ATOMIC_BYTES = 760 * 1024;
const META_ESTIMATE = 256;
/**
 * How long a unit is re-run after write conflicts before giving up. A count of tries is not
 * enough: a unit wider than an atomic's checks on a shared store checks the commit sequence,
 * which every commit of every front-end moves, so while another front-end writes steadily it
 * can lose twenty tries in a row (seen in CI under load); it wins once the writes pause.
 */
const CONFLICT_RETRY_MS = 10_000;
/** Cap of the random wait before a re-run: two front-ends retrying in lockstep starve each other. */
const MAX_CONFLICT_BACKOFF_MS = 50;
/**
 * Longest a batch waits for the writers the previous commit just answered: over the network
 * they resubmit a round trip later, and a batch started at once would commit the first
 * arrival alone while the rest queue behind it (batches alternating one / many).
 */
const GATHER_MAX_MS = 1;
/** The loop holds full keys: nothing to put before them. */
const NO_PREFIX: Key = [];

/**
 * Frozen keys (constants such as a protocol's slot map, read by nearly every unit) with the
 * full key and id of their last prefix: made once, not per read.
 */
const constKeys = new WeakMap<Key, { prefix: Key; full: Key; id: string }>();

function constKey(key: Key, prefix: Key): { full: Key; id: string } {
  let known = constKeys.get(key);
  if (known === undefined || known.prefix !== prefix) {
    const full = prefix.length === 0 ? key : [...prefix, ...key];
    constKeys.set(key, known = { prefix, full, id: keyId(full) });
  }
  return known;
}

/** Most declared keys searched for an id (see LoopTx's #idOf). */
const DECLARED_SEARCH_MAX = 8;

/**
 * The keys a unit declared at submit, relative to its prefix, and their full keys' ids (made
 * then for the prefetch): the unit's reads and writes of them reuse the ids.
 */
export interface DeclaredKeys {
  keys: readonly Key[];
  ids: readonly string[];
}

function emptyBatch(): Batch {
  return { writes: new Map(), bases: new Map() };
}

function zeroCost(): Cost {
  return { mutations: 0, bytes: 0, checks: 0 };
}

function stagedEntry<M>(key: Key, w: StagedWrite, now: number): Entry<M> | null {
  if (w.env === null || isExpired(w.env, now)) return null;
  return toEntry<M>(key, w.env, w.data, "");
}

/**
 * A batch whose commit is in flight. Units staged meanwhile read its writes as if committed:
 * they are acknowledged only after their own later commit, and re-run if this one fails.
 */
interface InFlight {
  writes: Map<string, StagedWrite>;
  /** Set once the commit is durable (its writes are then the store's, cache included). */
  committed: boolean;
  /** True when every member committed as staged; false when any took another path. */
  done: Promise<boolean>;
}

/**
 * One transaction's view: its own writes over the batch's, over the in-flight batch's, over
 * the committed state.
 */
export class LoopTx implements WriteTx {
  readonly now = Date.now();
  readonly writes = new Map<string, StagedWrite>();
  readonly reads = new Map<string, { key: Key; raw: Raw }>();
  #backend: LoopBackend;
  #batch: Batch;
  #below: InFlight | null;
  #prefix: Key;
  /** The last full key whose id was made, and that id (see #idOf). */
  #lastKey: Key | null = null;
  #lastId = "";
  /** The keys the unit declared (relative to the prefix), with their ids made at submit. */
  #declared: DeclaredKeys | undefined;

  constructor(
    backend: LoopBackend,
    batch: Batch,
    prefix: Key,
    below: InFlight | null = null,
    declared?: DeclaredKeys,
  ) {
    this.#backend = backend;
    this.#batch = batch;
    this.#below = below;
    this.#prefix = prefix;
    this.#declared = declared;
  }

  /** The in-flight writes, until they are committed and readable as the store's own. */
  #pending(): Map<string, StagedWrite> | undefined {
    const below = this.#below;
    return below === null || below.committed ? undefined : below.writes;
  }

  #full(key: Key): Key {
    return this.#prefix.length === 0 ? key : [...this.#prefix, ...key];
  }

  #rel(key: Key): Key {
    return this.#prefix.length === 0 ? key : key.slice(this.#prefix.length);
  }

  #staged(id: string): StagedWrite | undefined {
    return this.writes.get(id) ?? this.#batch.writes.get(id) ?? this.#pending()?.get(id);
  }

  async #base(key: Key, id: string, withData: boolean): Promise<Raw> {
    let known = this.#batch.bases.get(id) ?? this.reads.get(id);
    if (!known) {
      known = { key, raw: await this.#backend.readRaw(key, withData, id) };
      this.reads.set(id, known);
    }
    if (withData && known.raw.data === null && known.raw.env) {
      // Raws may be shared with the read cache: replace, never mutate.
      known.raw = { ...known.raw, data: await this.#backend.resolve(known.raw) };
    }
    return known.raw;
  }

  /**
   * A key's entry as this unit sees it. What memory already holds (staged, read before, cached)
   * is answered without an async hop: a write unit's reads are nearly all such. `key` is
   * relative to the view, `full` the same key with the prefix.
   */
  #entry<M>(key: Key, full: Key, id: string): Promise<Entry<M> | null> {
    const staged = this.#staged(id);
    if (staged) return Promise.resolve(stagedEntry<M>(key, staged, this.now));
    let known = this.#batch.bases.get(id) ?? this.reads.get(id);
    if (!known) {
      const raw = this.#backend.peek(id, NO_PREFIX, full);
      if (raw !== undefined) this.reads.set(id, known = { key: full, raw });
    }
    if (known && (known.raw.data !== null || known.raw.env === null)) {
      return Promise.resolve(this.#live<M>(key, known.raw));
    }
    return this.#base(full, id, true).then((raw) => this.#live<M>(key, raw));
  }

  #live<M>(key: Key, raw: Raw): Entry<M> | null {
    if (raw.env === null || isExpired(raw.env, this.now)) return null;
    return toEntry<M>(key, raw.env, raw.data ?? EMPTY, raw.versionstamp ?? "");
  }

  get<M = unknown>(key: Key): Promise<Entry<M> | null> {
    if (Object.isFrozen(key)) {
      const known = constKey(key, this.#prefix);
      return this.#entry<M>(key, known.full, known.id);
    }
    const full = this.#full(key);
    return this.#entry<M>(key, full, this.#idOf(full, key));
  }

  getMany<M = unknown>(keys: readonly Key[]): Promise<(Entry<M> | null)[]> {
    return Promise.all(keys.map((k) => this.get<M>(k)));
  }

  /**
   * The id of `full`; the last one made is reused when `full` has the same parts (a unit reads
   * a key, then writes it back under a key array of its own making).
   */
  #idOf(full: Key, key: Key): string {
    const last = this.#lastKey;
    if (last !== null && sameKey(last, full)) return this.#lastId;
    this.#lastKey = full;
    const declared = this.#declared;
    // Only a short list is searched: a unit declaring thousands of keys (a big MSET) would pay
    // a scan per write, more than the id costs to make.
    if (declared !== undefined && declared.keys.length <= DECLARED_SEARCH_MAX) {
      for (let i = 0; i < declared.keys.length; i++) {
        if (sameKey(declared.keys[i], key)) return this.#lastId = declared.ids[i];
      }
    }
    return this.#lastId = keyId(full);
  }

  /** The raw envelope of a key, expired or not (for the TTL sweeper). */
  async rawEnvelope(key: Key): Promise<Envelope | null> {
    const id = keyId(key);
    const staged = this.#staged(id);
    if (staged) return staged.env;
    return (await this.#base(key, id, false)).env;
  }

  async list<M = unknown>(selector: Selector, options: ListOptions = {}): Promise<Entry<M>[]> {
    const full = fullSelector(selector, this.#prefix);
    // Every key in range starts with these parts: a string test rules out most staged writes
    // before the part-by-part comparison (a batch holds hundreds, and each unit may list).
    const lead = keyId(leadingParts(full));
    const inRange = (id: string, key: Key) => id.startsWith(lead) && selectorContains(full, key);
    const staged = new Map<string, StagedWrite>();
    const pending = this.#pending();
    if (pending) { for (const [id, w] of pending) if (inRange(id, w.key)) staged.set(id, w); }
    for (const [id, w] of this.#batch.writes) if (inRange(id, w.key)) staged.set(id, w);
    for (const [id, w] of this.writes) if (inRange(id, w.key)) staged.set(id, w);
    const limit = options.limit === undefined ? undefined : options.limit + staged.size;
    const committed = await this.#backend.listRaw(full, { ...options, limit });
    const out: { key: Key; entry: Entry<M> }[] = [];
    for (const { key, raw } of committed) {
      const id = keyId(key);
      if (staged.has(id)) continue;
      if (!this.reads.has(id) && !this.#batch.bases.has(id)) this.reads.set(id, { key, raw });
      if (raw.env === null || (!options.expired && isExpired(raw.env, this.now))) continue;
      const data = options.keysOnly ? EMPTY : raw.data ?? await this.#backend.resolve(raw);
      out.push({
        key,
        entry: toEntry<M>(this.#rel(key), raw.env, data, raw.versionstamp ?? ""),
      });
    }
    for (const w of staged.values()) {
      const entry = stagedEntry<M>(this.#rel(w.key), w, this.now);
      if (entry) {
        out.push({ key: w.key, entry: options.keysOnly ? { ...entry, data: EMPTY } : entry });
      }
    }
    // Committed entries come in order: only staged ones need sorting in.
    if (staged.size > 0) {
      out.sort((a, b) => options.reverse ? compareKeys(b.key, a.key) : compareKeys(a.key, b.key));
    }
    const entries = out.map((o) => o.entry);
    return options.limit === undefined ? entries : entries.slice(0, options.limit);
  }

  set<M = unknown>(key: Key, record: Record<M>): void {
    this.#put(key, record, false);
  }

  setFresh<M = unknown>(key: Key, record: Record<M>): void {
    this.#put(key, record, true);
  }

  #put<M>(key: Key, record: Record<M>, fresh: boolean): void {
    const full = this.#full(key);
    assertKeySize(full);
    const data = record.data ?? EMPTY;
    if (data.length > MAX_DATA_BYTES) {
      throw new ValueTooLargeError(data.length, MAX_DATA_BYTES);
    }
    const expiresAt = record.expiresAt ?? null;
    if (expiresAt !== null && expiresAt <= this.now) {
      if (fresh) this.writes.delete(keyId(full));
      else this.delete(key);
      return;
    }
    const env: Envelope = {};
    if (data.length > INLINE_MAX_BYTES) {
      env.c = { g: newId(), n: chunkCount(data.length), s: data.length };
    } else if (data.length > 0) {
      // V8 serializes a view's whole underlying buffer: store only this value's bytes.
      env.d = data.byteLength === data.buffer.byteLength ? data : data.slice();
    }
    if (record.meta !== undefined) env.m = record.meta;
    if (expiresAt !== null) env.e = expiresAt;
    const w: StagedWrite = { key: full, env, data, cause: "write" };
    if (fresh) w.fresh = true;
    this.writes.set(this.#idOf(full, key), w);
  }

  delete(key: Key): void {
    const full = this.#full(key);
    this.writes.set(this.#idOf(full, key), { key: full, env: null, data: EMPTY, cause: "write" });
  }

  /** Delete an expired entry on the sweeper's behalf (reported to hooks as an expiry). */
  expire(key: Key): void {
    this.writes.set(keyId(key), { key, env: null, data: EMPTY, cause: "expire" });
  }
}

/** Prefix every key of a selector. */
export function fullSelector(selector: Selector, prefix: Key): Selector {
  if (prefix.length === 0) return selector;
  const p = (k: Key) => [...prefix, ...k];
  if ("prefix" in selector) {
    if ("start" in selector) return { prefix: p(selector.prefix), start: p(selector.start) };
    if ("end" in selector) return { prefix: p(selector.prefix), end: p(selector.end) };
    return { prefix: p(selector.prefix) };
  }
  return { start: p(selector.start), end: p(selector.end) };
}

/** The parts every key a selector covers starts with. */
function leadingParts(selector: Selector): Key {
  if ("prefix" in selector) return selector.prefix;
  const { start, end } = selector;
  let n = 0;
  while (n < start.length && n < end.length && samePart(start[n], end[n])) n++;
  return start.slice(0, n);
}

function selectorContains(selector: Selector, key: Key): boolean {
  if ("prefix" in selector) {
    if (!hasPrefix(key, selector.prefix) || key.length === selector.prefix.length) return false;
    if ("start" in selector && compareKeys(key, selector.start) < 0) return false;
    if ("end" in selector && compareKeys(key, selector.end) >= 0) return false;
    return true;
  }
  return compareKeys(key, selector.start) >= 0 && compareKeys(key, selector.end) < 0;
}

interface Member {
  fn: (tx: LoopTx) => unknown;
  prefix: Key;
  /** Commits with no other unit: hooks see the units before it committed before it ran. */
  isolated?: boolean;
  /** The prefetch of the unit's declared keys, in flight since it was queued. */
  prefetch?: Promise<void>;
  declared?: DeclaredKeys;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  result?: unknown;
}

/** Cost of a batch in Deno KV's atomic limits, kept as running totals. */
interface Cost {
  mutations: number;
  bytes: number;
  checks: number;
}

/** Mutations a staged write may take: the entry, its TTL-index records. */
function writeMutations(w: StagedWrite): number {
  return w.env?.e === undefined ? 2 : 3;
}

/** Bytes a staged write may take (key thrice: entry, TTL-index key and value). */
function writeBytes(w: StagedWrite): number {
  return 3 * encodedKeySize(w.key) + META_ESTIMATE + (w.env?.d?.length ?? 0);
}

/** What adding `tx` to `batch` would cost on top of the batch's cost. */
function added(batch: Batch, tx: LoopTx): Cost {
  const c: Cost = { mutations: 0, bytes: 0, checks: 0 };
  for (const id of tx.reads.keys()) if (!batch.bases.has(id)) c.checks++;
  for (const [id, w] of tx.writes) {
    const prev = batch.writes.get(id);
    if (!w.fresh && !prev && !batch.bases.has(id) && !tx.reads.has(id)) c.checks++;
    if (prev) {
      c.bytes += writeBytes(w) - writeBytes(prev);
    } else {
      c.mutations += writeMutations(w);
      c.bytes += writeBytes(w);
    }
  }
  return c;
}

function merge(batch: Batch, cost: Cost, tx: LoopTx, delta: Cost): void {
  for (const [id, read] of tx.reads) if (!batch.bases.has(id)) batch.bases.set(id, read);
  for (const [id, w] of tx.writes) batch.writes.set(id, w);
  cost.mutations += delta.mutations;
  cost.bytes += delta.bytes;
  cost.checks += delta.checks;
}

/** The single writer: a FIFO of units, executed in order, committed in groups. */
export class WriteLoop {
  #backend: LoopBackend;
  /**
   * Stage the next batch while the previous one commits (the sole writer of a local store).
   * A shared store's commits check what units read, so each batch there waits for the last.
   */
  #pipelined: boolean;
  #queue: Member[] = [];
  /** Work that must run with no batch staged or committing. */
  #alone: (() => Promise<void>)[] = [];
  #running: Promise<void> | null = null;
  /** Wakes the loop when a unit arrives (or the in-flight commit ends). */
  #wake: (() => void) | null = null;
  /** The batch being staged, its cost in atomic limits, and its members. */
  #batch = emptyBatch();
  #cost: Cost = zeroCost();
  #group: Member[] = [];
  #inflight: InFlight | null = null;
  commits = 0;
  units = 0;

  constructor(backend: LoopBackend) {
    this.#backend = backend;
    this.#pipelined = backend.maxChecks === Infinity;
  }

  /**
   * Queue a unit; resolves with its result after its writes are durable. `keys` (full keys)
   * are the ones it declared: their prefetch starts now, while earlier batches run.
   */
  submit<T>(
    fn: (tx: LoopTx) => T | Promise<T>,
    prefix: Key = [],
    keys?: readonly Key[],
    isolated = false,
    declared?: DeclaredKeys,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const member: Member = {
        fn,
        prefix,
        isolated,
        declared,
        resolve: resolve as (v: unknown) => void,
        reject,
      };
      if (keys && keys.length > 0) member.prefetch = this.#backend.prefetch(keys);
      this.#queue.push(member);
      if (this.#running === null) this.#running = this.#drain();
      else this.#wake?.();
    });
  }

  /** Run `fn` between batches, with no unit staged or committing; resolves with its result. */
  runAlone<T>(fn: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#alone.push(() => fn().then(resolve, reject));
      if (this.#running === null) this.#running = this.#drain();
      else this.#wake?.();
    });
  }

  /** Resolves when every unit queued so far has settled. */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  async #drain(): Promise<void> {
    try {
      for (;;) {
        // One step of alone-work per turn, so a long recount never starves the writers.
        const step = this.#alone.shift();
        if (step) {
          await this.#flush();
          await this.#settle();
          await step();
        }
        if (this.#queue.length > 0) {
          const members = this.#queue.splice(0, this.#queue.length);
          for (const member of members) await this.#stage(member);
          if (!this.#pipelined) {
            await this.#flush();
            await this.#settle();
            if (members.length > 1 && this.#alone.length === 0) await this.#gather(members.length);
            continue;
          }
        }
        if (this.#alone.length > 0) continue;
        if (this.#group.length > 0 && this.#inflight === null) {
          await this.#flush();
        } else if (this.#inflight !== null) {
          // Keep staging arrivals into the open batch until the commit in flight ends.
          await this.#arrivalOrCommit(this.#inflight);
          if (this.#inflight.committed || this.#queue.length === 0) await this.#flush();
        } else if (this.#queue.length === 0) {
          return;
        }
      }
    } finally {
      this.#running = null;
    }
  }

  /** Wait until a unit arrives or `flight`'s commit ends, whichever is first. */
  async #arrivalOrCommit(flight: InFlight): Promise<void> {
    if (this.#queue.length > 0 || this.#alone.length > 0) return;
    await new Promise<void>((resolve) => {
      this.#wake = resolve;
      flight.done.then(() => resolve());
    });
    this.#wake = null;
  }

  /** Wait (briefly) until `expected` units are queued, as many as the last batch had. */
  async #gather(expected: number): Promise<void> {
    if (this.#queue.length >= expected) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#wake = null;
        resolve();
      };
      const timer = setTimeout(done, GATHER_MAX_MS);
      this.#wake = () => {
        if (this.#queue.length >= expected) done();
      };
    });
  }

  #fits(cost: Cost, delta: Cost): boolean {
    return cost.mutations + delta.mutations <= MAX_MUTATIONS &&
      cost.bytes + delta.bytes <= MAX_ATOMIC_BYTES &&
      (this.#backend.maxChecks === Infinity ||
        cost.checks + delta.checks <= this.#backend.maxChecks);
  }

  async #execute(member: Member, batch: Batch, below: InFlight | null): Promise<LoopTx> {
    if (member.prefetch) {
      await member.prefetch;
      member.prefetch = undefined;
    }
    const tx = new LoopTx(this.#backend, batch, member.prefix, below, member.declared);
    member.result = await member.fn(tx);
    return tx;
  }

  /** Run one unit into the open batch, committing what is staged first when it does not fit. */
  async #stage(member: Member): Promise<void> {
    // An isolated unit runs after everything before it committed, and commits alone.
    if (member.isolated) await this.#flushAndSettle();
    let tx: LoopTx;
    try {
      tx = await this.#execute(member, this.#batch, this.#inflight);
    } catch (error) {
      member.reject(error);
      return;
    }
    let delta = added(this.#batch, tx);
    if (!this.#fits(this.#cost, delta) && this.#group.length > 0) {
      // Commit what is staged, then re-run this unit on top of it in a fresh batch.
      await this.#flush();
      try {
        tx = await this.#execute(member, this.#batch, this.#inflight);
      } catch (error) {
        member.reject(error);
        return;
      }
      delta = added(this.#batch, tx);
    }
    const alone = member.isolated || !this.#fits(this.#cost, delta);
    merge(this.#batch, this.#cost, tx, delta);
    this.#group.push(member);
    // Larger than one atomic: the backend journals it; nothing else joins its commit.
    if (alone) await this.#flushAndSettle();
  }

  /**
   * Start committing the open batch, once the commit before it has ended. A batch staged on
   * top of a commit that failed is not committed: each of its units re-runs alone instead.
   */
  async #flush(): Promise<void> {
    if (!await this.#settle()) {
      const members = this.#group;
      this.#resetOpen();
      for (const member of members) await this.#commitAlone(member);
      return;
    }
    if (this.#group.length === 0) return;
    const batch = this.#batch;
    const group = this.#group;
    this.#resetOpen();
    const flight: InFlight = {
      writes: batch.writes,
      committed: false,
      done: Promise.resolve(true),
    };
    flight.done = this.#commitGroup(batch, group).then((ok) => {
      flight.committed = ok;
      return ok;
    });
    this.#inflight = flight;
  }

  async #flushAndSettle(): Promise<void> {
    await this.#flush();
    await this.#settle();
  }

  /** Wait for the commit in flight; false when it did not commit as staged. */
  async #settle(): Promise<boolean> {
    const flight = this.#inflight;
    if (flight === null) return true;
    const ok = await flight.done;
    if (this.#inflight === flight) this.#inflight = null;
    return ok;
  }

  #resetOpen(): void {
    this.#batch = emptyBatch();
    this.#cost = zeroCost();
    this.#group = [];
  }

  /** Commit a group; true when it committed as staged, false when members went alone. */
  async #commitGroup(batch: Batch, group: Member[]): Promise<boolean> {
    if (group.length === 0) return true;
    if (batch.writes.size === 0) {
      for (const m of group) m.resolve(m.result);
      return true;
    }
    try {
      await this.#fillBases(batch);
      await this.#backend.commit(batch);
      this.commits++;
      this.units += group.length;
      for (const m of group) m.resolve(m.result);
      return true;
    } catch (error) {
      if (group.length === 1 && !(error instanceof ConflictError)) {
        group[0].reject(error);
        return false;
      }
    }
    // One member's failure must not fail its neighbours: run each alone, re-reading state.
    for (const member of group) await this.#commitAlone(member);
    return false;
  }

  /** Learn, in one go, the stored state of every key written blind, so the commit can clean up. */
  async #fillBases(batch: Batch): Promise<void> {
    const ids: string[] = [];
    const keys: Key[] = [];
    for (const [id, w] of batch.writes) {
      if (w.fresh || batch.bases.has(id)) continue;
      ids.push(id);
      keys.push(w.key);
    }
    if (keys.length === 0) return;
    const raws = await this.#backend.readManyRaw(keys, ids);
    for (let i = 0; i < keys.length; i++) batch.bases.set(ids[i], { key: keys[i], raw: raws[i] });
  }

  async #commitAlone(member: Member): Promise<void> {
    const deadline = Date.now() + CONFLICT_RETRY_MS;
    for (let attempt = 0; Date.now() < deadline; attempt++) {
      try {
        const batch = emptyBatch();
        const tx = await this.#execute(member, batch, null);
        merge(batch, zeroCost(), tx, added(batch, tx));
        if (batch.writes.size > 0) {
          await this.#fillBases(batch);
          await this.#backend.commit(batch);
        }
        this.commits++;
        this.units++;
        member.resolve(member.result);
        return;
      } catch (error) {
        if (!(error instanceof ConflictError)) {
          member.reject(error);
          return;
        }
        const cap = Math.min(MAX_CONFLICT_BACKOFF_MS, 2 ** attempt);
        await new Promise((r) => setTimeout(r, Math.random() * cap));
      }
    }
    member.reject(new ConflictError());
  }
}

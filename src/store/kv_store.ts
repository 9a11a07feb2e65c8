/**
 * The Deno KV backing of the Store interface: opens a local file, an in-memory store or a
 * remote KV Connect URL, and owns the write loop, read cache, chunking and TTL sweeper.
 * This is the only module that calls `Deno.openKv`.
 * @module
 */
import { SecondTouch } from "./admission.ts";
import { ReadCache, type ReadTicket } from "./cache.ts";
import { Counters, type PendingCounts } from "./counters.ts";
import { ExistenceIndex } from "./existence.ts";
import { collectOrphanChunks, deleteChunks, readChunks, writeChunks } from "./chunks.ts";
import {
  EMPTY,
  type Envelope,
  isExpired,
  KV_EXPIRY_GRACE_MS,
  toEntry,
  TTL_INDEX,
} from "./envelope.ts";
import { ConflictError, DiskFullError, UnitTooLargeError } from "./errors.ts";
import { DiskReserve } from "./disk_reserve.ts";
import { sameBytes } from "../bytes.ts";
import { codesId, hashId, hasPrefix, keyId, keyIdCodes } from "./keys.ts";
import {
  applyGroups,
  type Check,
  commitJournaled,
  commitOne,
  fitsOneAtomic,
  type Mutation,
  replayJournals,
} from "./atomic_plan.ts";
import {
  LOCAL_READS_IN_FLIGHT,
  ReadBatcher,
  REMOTE_READS_IN_FLIGHT,
  type Waiter,
} from "./read_batcher.ts";
import { ReadGate } from "./read_gate.ts";
import { type DataLock, lockDataFile } from "./lock.ts";
import { Sweeper } from "./ttl.ts";
import type {
  Change,
  ChangeFilter,
  Counts,
  Entry,
  Key,
  ListOptions,
  ListPage,
  Record,
  Selector,
  Snapshot,
  Store,
  StoreInfo,
  StoreStats,
  WriteOptions,
  WriteTx,
} from "./types.ts";
import {
  type Batch,
  fullSelector,
  type LoopBackend,
  type Raw,
  type StagedWrite,
  WriteLoop,
} from "./write_loop.ts";

/** How to open a store. Exactly one of `path`, `memory` or `url`. */
export interface OpenStoreOptions {
  path?: string;
  memory?: boolean;
  url?: string;
  /** Read-cache budget in MiB (local stores only); 0 turns it off. */
  cacheMb?: number;
  /** TTL sweeper period in ms; 0 turns it off. */
  sweepIntervalMs?: number;
  /**
   * Open a local file as one of several writers, as a remote store is: no lock, no cache,
   * every read of a write checked at commit. Lets tests drive the remote path on one machine.
   */
  shared?: boolean;
  /**
   * Hold a spare file beside a local data file, given back when the disk fills so deletes still
   * commit (see disk_reserve.ts). The server's own store does; scratch stores (backups) need not.
   */
  diskReserve?: boolean;
}

/** Checks a self-hosted denokv server allows per atomic. */
const REMOTE_MAX_CHECKS = 10;
/**
 * Rewritten by every commit on a shared store (a blind set: no conflict between writers), so its
 * versionstamp moves whenever anything commits. A unit touching more keys than an atomic may
 * check re-reads its keys after reading this, then checks only this key at commit.
 */
const COMMIT_SEQ: Key = ["_seq"];
/** Keys one deletePrefix unit removes on an exclusive store (a shared one: its check limit). */
const DELETE_PREFIX_BATCH = 300;
/** Attempts to read a chunked payload while its generation is being replaced. */
const TORN_READ_RETRIES = 50;

type Hook = (changes: Change[]) => void;

/** A Store on Deno KV; `close()` drains the write loop and releases the file. */
export interface OpenedStore extends Store, AsyncDisposable {
  close(): Promise<void>;
}

class Engine implements LoopBackend {
  readonly kv: Deno.Kv;
  readonly info: StoreInfo;
  readonly maxChecks: number;
  readonly cache: ReadCache | null;
  /** Which client-read misses fill the cache (with the cache only). */
  readonly admission: SecondTouch | null;
  readonly loop: WriteLoop;
  readonly sweeper: Sweeper;
  /**
   * Commit hooks by the view prefix and filter they were registered with: a commit's changes
   * are scoped once per group, whatever number of hooks share it.
   */
  readonly hooks = new Map<string, HookGroup>();
  readonly counters: Counters;
  /** Which keys exist (sole writer only): a miss it rules out costs no read. */
  readonly existence: ExistenceIndex | null;
  /** Restore units run so far (see StoreStats.restores). */
  restores = 0;
  /** Keeps readers out while a journaled unit is half applied. */
  readonly gate = new ReadGate();
  /** Point reads, coalesced into getMany calls. */
  readonly reads: ReadBatcher;
  /**
   * The id of the last key a peek found neither cached nor ruled out: a get() of it that
   * follows (a command's peek falling back to its read) skips asking memory again. Only ever
   * skips a shortcut: the read then goes to the store, which is always right.
   */
  unknownId: string | null = null;
  #lock: DataLock | null;
  /** Spare space for deletes on a full disk (a local file store this process owns). */
  reserve: DiskReserve | null = null;
  /** Keys declared this turn, read together at its end. */
  #prefetching: { keys: Key[]; done: Promise<void> } | null = null;

  constructor(
    kv: Deno.Kv,
    info: StoreInfo,
    lock: DataLock | null,
    options: OpenStoreOptions,
  ) {
    this.kv = kv;
    this.reads = new ReadBatcher(
      kv,
      info.kind === "remote" ? REMOTE_READS_IN_FLIGHT : LOCAL_READS_IN_FLIGHT,
    );
    this.info = info;
    this.#lock = lock;
    this.maxChecks = info.exclusive ? Infinity : REMOTE_MAX_CHECKS;
    const cacheMb = options.cacheMb ?? 96;
    this.cache = info.exclusive && cacheMb > 0 ? new ReadCache(cacheMb * 1024 * 1024) : null;
    this.admission = this.cache ? new SecondTouch(cacheMb * 1024 * 1024, this.cache) : null;
    this.loop = new WriteLoop(this);
    this.counters = new Counters(kv, info.exclusive, (fn) => this.loop.runAlone(fn));
    this.existence = info.exclusive ? new ExistenceIndex(kv) : null;
    this.sweeper = new Sweeper(kv, this.loop, options.sweepIntervalMs ?? 250, this.maxChecks);
  }

  /**
   * Read a key from Deno KV. A chunked read that finds its generation gone lost a race with a
   * newer write that flipped the pointer: it re-reads the pointer.
   */
  async #fetch(key: Key, withData: boolean, urgent: boolean): Promise<Raw> {
    for (let i = 0; i < TORN_READ_RETRIES; i++) {
      const res = await this.reads.get<Envelope>(key, urgent);
      const raw = rawOf(res.value, res.versionstamp);
      if (!withData || !raw.env?.c) return raw;
      raw.data = await readChunks(this.kv, raw.env.c);
      if (raw.data) return raw;
    }
    throw new Error("Cannot read a consistent value: it is being rewritten continuously");
  }

  /**
   * What memory alone knows of a key with its payload: the cached state, or ABSENT when the
   * existence index rules the key out; undefined when only the store can tell. Never awaits,
   * so a hit costs no promise hop. The result is shared: never mutate it. `client`: a client's
   * read (see cache.ts: it protects the key), not the write loop's.
   */
  peek(id: string, prefix: Key, key: Key, client = false): Raw | undefined {
    const cached = this.cache?.get(id, client);
    if (cached) return cached.data !== null || !cached.env?.c ? cached : undefined;
    const existence = this.existence;
    return existence?.absent(firstPart(prefix, key), id) ? ABSENT : undefined;
  }

  /**
   * {@link peek} as the live entry at `now` (null: absent or expired), built straight from the
   * cache's slot: the hot path of point reads.
   */
  peekEntry<M>(
    id: string,
    prefix: Key,
    key: Key,
    now: number,
    hash?: number,
    client = true,
  ): Entry<M> | null | undefined {
    const cached = this.cache?.entry<M>(id, key, now, hash, client);
    if (cached !== undefined) return cached === false ? undefined : cached;
    return this.existence?.absent(firstPart(prefix, key), id) ? null : undefined;
  }

  /**
   * {@link peekEntry} of the key whose id `keyIdCodes` just left in `idCodes[0, n)`: a hit makes
   * no id string (a miss makes it for the existence index).
   */
  peekEntryByCodes<M>(
    n: number,
    prefix: Key,
    key: Key,
    now: number,
    client = true,
  ): Entry<M> | null | undefined {
    const cache = this.cache;
    if (cache !== null) {
      const cached = cache.entryByCodes<M>(n, key, now, client);
      if (cached !== undefined) return cached === false ? undefined : cached;
    }
    const existence = this.existence;
    if (existence === null) return undefined;
    const id = codesId(n);
    if (existence.absent(firstPart(prefix, key), id)) return null;
    // Memory cannot tell: the get() that follows this peek asks the store at once (see get).
    this.unknownId = id;
    return undefined;
  }

  /**
   * A key's stored state; from the cache when held. The result is shared: never mutate it.
   * The write loop's reads go ahead of clients' reads waiting for the store; a `client` read
   * fills the cache when admission.ts admits it (room, a second miss, recurring misses), while
   * the write loop's always do, since the unit that asked reads the key again from it.
   */
  async readRaw(key: Key, withData: boolean, knownId?: string, client = false): Promise<Raw> {
    const cache = this.cache;
    if (cache === null) {
      if (this.existence?.absent(key, knownId ?? keyId(key))) return ABSENT;
      return await this.#fetch(key, withData, !client);
    }
    const id = knownId ?? keyId(key);
    const cached = cache.get(id, client);
    if (cached && (!withData || cached.data !== null || !cached.env?.c)) return cached;
    if (!cached && this.existence?.absent(key, id)) return ABSENT;
    if (client && !this.admission!.admit(id)) return await this.#fetch(key, withData, false);
    const ticket = cache.begin(id);
    let raw: Raw;
    try {
      raw = await this.#fetch(key, withData, !client);
    } catch (error) {
      cache.end(id, ticket);
      throw error;
    }
    cache.fill(id, raw, ticket, client);
    return raw;
  }

  /**
   * A client's read of a key that {@link peek} just found neither cached nor ruled out, in this
   * same turn; `done` maps the state read (shared: never mutate). With the gate open and an
   * inline value this costs one promise hop past the read itself (the path of every miss under
   * load); a chunked value, or an apply holding the gate, takes {@link readRaw}'s way.
   */
  readClient<T>(key: Key, id: string, done: (raw: Raw) => T): Promise<T> {
    const gate = this.gate;
    if (!gate.open) return gate.read(() => this.readRaw(key, true, id, true)).then(done);
    const cache = this.cache;
    const ticket = cache !== null && this.admission!.admit(id) ? cache.begin(id) : null;
    gate.enter();
    return new Promise<T>((resolve, reject) => {
      this.reads.read(new ClientRead(this, key, id, ticket, done, resolve, reject));
    });
  }

  /** Stored states of many keys (payloads of chunked values not resolved). Shared: never mutate. */
  async readManyRaw(keys: readonly Key[], ids?: readonly string[]): Promise<Raw[]> {
    const cache = this.cache;
    const out: (Raw | undefined)[] = new Array(keys.length);
    const misses: { key: Key; at: number; id: string }[] = [];
    const existence = this.existence;
    for (let i = 0; i < keys.length; i++) {
      const id = ids?.[i] ?? (cache === null && existence === null ? "" : keyId(keys[i]));
      const cached = cache?.get(id);
      if (cached) out[i] = cached;
      else if (existence?.absent(keys[i], id)) out[i] = ABSENT;
      else misses.push({ key: keys[i], at: i, id });
    }
    if (misses.length === 0) return out as Raw[];
    // Every ticket is taken before the first read leaves (the callbacks run in order up to
    // their first await), so a commit landing meanwhile refuses every fill it may have raced.
    await Promise.all(misses.map(async (m) => {
      const ticket = cache?.begin(m.id);
      let res: Deno.KvEntryMaybe<Envelope>;
      try {
        res = await this.reads.get<Envelope>(m.key, true);
      } catch (error) {
        if (ticket) cache!.end(m.id, ticket);
        throw error;
      }
      const raw = rawOf(res.value, res.versionstamp);
      out[m.at] = raw;
      if (ticket) cache!.fill(m.id, raw, ticket);
    }));
    return out as Raw[];
  }

  /**
   * Warm the cache with keys units declared. Keys declared in one turn of the event loop are
   * read together (coalesced into getMany calls), not one read per unit.
   */
  prefetch(keys: readonly Key[]): Promise<void> | undefined {
    if (this.cache === null) return undefined;
    if (this.#prefetching === null) {
      const batch: Key[] = [];
      const done = Promise.resolve().then(() => {
        this.#prefetching = null;
        return this.readManyRaw(batch).then(() => {}, () => {});
      });
      this.#prefetching = { keys: batch, done };
    }
    for (const key of keys) this.#prefetching.keys.push(key);
    return this.#prefetching.done;
  }

  async resolve(raw: Raw): Promise<Uint8Array> {
    if (raw.data) return raw.data;
    if (!raw.env?.c) return raw.env?.d ?? EMPTY;
    const data = await readChunks(this.kv, raw.env.c);
    if (data === null) throw new Error("Value was rewritten while it was being read");
    return data;
  }

  async listRaw(selector: Selector, options: ListOptions): Promise<{ key: Key; raw: Raw }[]> {
    const iter = this.kv.list<Envelope>(selector as Deno.KvListSelector, {
      limit: options.limit,
      reverse: options.reverse,
      cursor: options.cursor,
      batchSize: Math.min(Math.max(options.limit ?? 500, 1), 500),
    });
    const out: { key: Key; raw: Raw }[] = [];
    for await (const { key, value, versionstamp } of iter) {
      out.push({ key, raw: rawOf(value, versionstamp) });
    }
    return out;
  }

  /** Turn a batch into KV mutations and checks (TTL-index upkeep included). */
  #plan(batch: Batch): Plan {
    const main: Mutation[] = [];
    const ahead: Mutation[] = [];
    const checks: Check[] = [];
    const shared = !this.info.exclusive;
    if (shared) {
      main.push({ key: COMMIT_SEQ, value: 0 });
      if (batch.bases.size <= this.maxChecks) {
        for (const { key, raw } of batch.bases.values()) {
          checks.push({ key, versionstamp: raw.versionstamp });
        }
      }
    }
    for (const [id, w] of batch.writes) {
      const old = batch.bases.get(id)?.raw.env ?? null;
      const env = w.env;
      // A fresh key is unreachable until the unit publishes it: it may be committed ahead.
      const mutations = shared && w.fresh ? ahead : main;
      // A counted entry leaves only through the sweeper, which counts it; Deno KV's own
      // collector (at open, after downtime) would remove it behind the counters' back.
      const expireAt = env?.e === undefined || this.counters.covers(w.key)
        ? undefined
        : env.e + KV_EXPIRY_GRACE_MS;
      if (env) {
        if (env.e !== undefined) env.t = old?.e === env.e && old.t ? old.t : env.t ?? newTtlId();
        mutations.push({ key: w.key, value: env, expireAt });
      } else if (old) mutations.push({ key: w.key });
      if (old?.t && old.t !== env?.t) mutations.push({ key: [TTL_INDEX, old.e!, old.t] });
      if (env?.t && env.t !== old?.t) {
        mutations.push({ key: [TTL_INDEX, env.e!, env.t], value: w.key, expireAt });
      }
    }
    const counted = this.counters.plan(batch.writes, batch.bases);
    for (const m of counted.mutations) main.push(m);
    return { mutations: main, ahead, checks, counted: counted.pending };
  }

  /**
   * Too many keys to check each at commit: read the commit sequence, then confirm every key
   * still has the versionstamp the unit read. Checking the sequence at commit then proves
   * nothing committed since, so the keys are still as read.
   */
  async #validateWide(batch: Batch): Promise<Check> {
    const seq = await this.kv.get(COMMIT_SEQ as Deno.KvKey);
    const bases = [...batch.bases.values()];
    const now = await this.readManyRaw(bases.map((b) => b.key));
    if (now.some((raw, i) => raw.versionstamp !== bases[i].raw.versionstamp)) {
      throw new ConflictError();
    }
    return { key: COMMIT_SEQ, versionstamp: seq.versionstamp };
  }

  async commit(batch: Batch): Promise<void> {
    // Full disk: keep the released reserve for deletes (a mixed batch is retried unit by unit).
    const full = this.reserve?.full ? this.reserve : null;
    const grows = full !== null && addsData(batch);
    if (full && !(await full.admits(grows))) throw new DiskFullError();
    const wide = batch.bases.size > this.maxChecks ? await this.#validateWide(batch) : null;
    const written: Envelope[] = [];
    /** Fresh keys committed ahead of an atomic that has not committed yet. */
    let ahead: Mutation[] = [];
    try {
      for (const w of batch.writes.values()) {
        if (w.env?.c) {
          await writeChunks(this.kv, w.key, w.env.c, w.data);
          written.push(w.env);
        }
      }
      const plan = this.#plan(batch);
      const { checks, counted } = plan;
      let { mutations } = plan;
      if (wide) checks.push(wide);
      if (plan.ahead.length > 0) {
        if (fitsOneAtomic([...plan.ahead, ...mutations], checks)) {
          mutations = [...plan.ahead, ...mutations];
        } else if (fitsOneAtomic(mutations, checks)) {
          // Only the publishing atomic needs checks; the fresh keys go first, unchecked.
          ahead = plan.ahead;
          await applyGroups(this.kv, ahead);
        }
      }
      if (fitsOneAtomic(mutations, checks)) {
        const versionstamp = await commitOne(this.kv, mutations, checks);
        if (versionstamp === null) throw new ConflictError();
        ahead = [];
        this.#applied(batch, versionstamp, counted);
      } else if (!this.info.exclusive) {
        throw new UnitTooLargeError(
          "Transaction too large for one atomic commit on a shared store (max 1000 writes)",
        );
      } else if (this.info.kind === "memory") {
        // Nothing outlives a crash of an in-memory store: no journal, readers still wait.
        await this.gate.exclusive(async () => {
          const vs = await applyGroups(this.kv, mutations);
          this.#applied(batch, vs, counted);
          return vs;
        });
      } else {
        // Readers wait while the store is between states; they resume seeing the whole unit.
        await commitJournaled(
          this.kv,
          newTtlId(),
          mutations,
          (apply) =>
            this.gate.exclusive(async () => {
              const vs = await apply();
              this.#applied(batch, vs, counted);
              return vs;
            }),
        );
      }
    } catch (error) {
      for (const env of written) await deleteChunks(this.kv, env.c!).catch(() => {});
      if (ahead.length > 0) {
        await applyGroups(this.kv, ahead.map((m) => ({ key: m.key }))).catch(() => {});
      }
      // SQLite's busy timeout ran out under another writer on the same file: nothing was
      // written, so this is a conflict the loop retries, not a failure.
      if (error instanceof TypeError && /database is locked/.test(error.message)) {
        await new Promise((r) => setTimeout(r, 2 + Math.random() * 8));
        throw new ConflictError();
      }
      // Deno KV reports SQLite's SQLITE_FULL only by its text; past this point it is typed.
      if (error instanceof Error && /database or disk is full/.test(error.message)) {
        await this.reserve?.release();
        throw new DiskFullError();
      }
      throw error;
    }
    if (full && !grows) full.deleted();
    // Old generations are unreachable now; readers that still hold the old pointer re-read.
    for (const [id, w] of batch.writes) {
      const old = batch.bases.get(id)?.raw.env?.c;
      if (old && old.g !== w.env?.c?.g) await deleteChunks(this.kv, old);
    }
  }

  #applied(batch: Batch, versionstamp: string, counted: PendingCounts): void {
    this.counters.applied(counted);
    const cache = this.cache;
    if (cache) {
      // One versionstamp string for the whole commit: counted once.
      let shared = false;
      for (const [id, w] of batch.writes) {
        cache.commit(id, { env: w.env, data: w.data, versionstamp }, shared);
        shared = true;
      }
    }
    const existence = this.existence;
    if (existence) {
      // A key stored before (its base has an envelope) is in the index already.
      for (const [id, w] of batch.writes) {
        if (w.env && !batch.bases.get(id)?.raw.env) existence.add(w.key, id);
      }
    }
    for (const group of this.hooks.values()) {
      const mine = scopeChanges(batch.writes, group, versionstamp);
      if (mine === null) continue;
      for (const hook of group.hooks) {
        try {
          hook(mine);
        } catch {
          // A hook's failure is its own; the commit is durable and other hooks still run.
        }
      }
    }
  }

  async close(): Promise<void> {
    this.existence?.stop();
    this.counters.stop();
    await this.sweeper.stop();
    await this.loop.idle();
    // Best effort: without it the next open rebuilds the index by scanning.
    await this.existence?.save().catch(() => {});
    this.kv.close();
    this.#lock?.close();
  }
}

/**
 * One committed write as hooks see it. Its entry is built on first use: most hooks look only
 * at keys and causes, and every commit reports every write to each hooked prefix.
 */
class CommittedChange implements Change {
  readonly key: Key;
  readonly cause: "write" | "expire";
  readonly #write: StagedWrite;
  readonly #versionstamp: string;
  #entry: Entry | null | undefined = undefined;

  constructor(key: Key, write: StagedWrite, versionstamp: string) {
    this.key = key;
    this.cause = write.cause;
    this.#write = write;
    this.#versionstamp = versionstamp;
  }

  get entry(): Entry | null {
    if (this.#entry === undefined) {
      const w = this.#write;
      this.#entry = w.env ? toEntry(this.key, w.env, w.data, this.#versionstamp) : null;
    }
    return this.#entry;
  }
}

/** Hooks registered on one view prefix with one filter. */
interface HookGroup {
  /** The view's prefix: changes are keyed relative to it. */
  prefix: Key;
  /** Full key prefixes a change must fall under (one of them). */
  scopes: Key[];
  expiries: boolean;
  hooks: Set<Hook>;
}

/**
 * The changes of a commit a hook group is given, keyed relative to its view (null: none).
 * Shared by every hook of the group: hooks only read them. Only these get a change object:
 * most writes of a collection command are member entries no hook looks at.
 */
function scopeChanges(
  writes: ReadonlyMap<string, StagedWrite>,
  group: HookGroup,
  versionstamp: string,
): Change[] | null {
  let mine: Change[] | null = null;
  const { prefix, scopes, expiries } = group;
  for (const w of writes.values()) {
    if (expiries && w.cause !== "expire") continue;
    let under = false;
    for (const scope of scopes) {
      if (hasPrefix(w.key, scope)) {
        under = true;
        break;
      }
    }
    if (!under) continue;
    const key = prefix.length === 0 ? w.key : w.key.slice(prefix.length);
    (mine ??= []).push(new CommittedChange(key, w, versionstamp));
  }
  return mine;
}

/** A stored envelope as a Raw: inline payloads resolved, chunked ones left for later. */
function rawOf(env: Envelope | null, versionstamp: string | null): Raw {
  return { env, data: env?.c ? null : env?.d ?? EMPTY, versionstamp };
}

/**
 * A client's read waiting in the batcher ({@link Engine.readClient}): it settles the client's
 * promise itself when the entry arrives, so a miss costs that one promise and this object.
 */
class ClientRead<T> implements Waiter {
  constructor(
    readonly engine: Engine,
    readonly key: Key,
    readonly id: string,
    readonly ticket: ReadTicket | null,
    readonly done: (raw: Raw) => T,
    readonly ok: (value: T | Promise<T>) => void,
    readonly fail: (error: unknown) => void,
  ) {}

  resolve(res: Deno.KvEntryMaybe<unknown>): void {
    const { engine, id, ticket } = this;
    const raw = rawOf(res.value as Envelope | null, res.versionstamp);
    if (raw.data === null) {
      // Chunked: readRaw reads the pointer again with the payload (see #fetch).
      if (ticket) engine.cache!.end(id, ticket);
      const gate = engine.gate;
      this.ok(
        engine.readRaw(this.key, true, id, true).finally(() => gate.leave()).then(this.done),
      );
      return;
    }
    engine.gate.leave();
    if (ticket) engine.cache!.fill(id, raw, ticket, true);
    try {
      this.ok(this.done(raw));
    } catch (error) {
      this.fail(error);
    }
  }

  reject(error: unknown): void {
    this.engine.gate.leave();
    if (this.ticket) this.engine.cache!.end(this.id, this.ticket);
    this.fail(error);
  }
}

/** A batch as KV mutations: `ahead` holds fresh keys a shared store may commit first. */
interface Plan {
  mutations: Mutation[];
  ahead: Mutation[];
  checks: Check[];
  counted: PendingCounts;
}

/** Whether a batch writes any value (else it only deletes). */
function addsData(batch: Batch): boolean {
  for (const w of batch.writes.values()) if (w.env !== null) return true;
  return false;
}

/** What a read of a key that does not exist finds. Shared: never mutate. */
const ABSENT: Raw = Object.freeze({ env: null, data: EMPTY, versionstamp: null }) as Raw;

function newTtlId(): string {
  return crypto.randomUUID().slice(0, 18);
}

function stripPrefix(key: Key, prefix: Key): Key {
  return prefix.length === 0 ? key : key.slice(prefix.length);
}

/**
 * A key that starts as `prefix` + `key` does, for the existence index's coverage check (which
 * looks only at the first part): no array is built on the hot path.
 */
function firstPart(prefix: Key, key: Key): Key {
  return prefix.length === 0 ? key : prefix;
}

function prefixed(prefix: Key, key: Key): Key {
  return prefix.length === 0 ? key : [...prefix, ...key];
}

/** A view of the engine on one key prefix. */
class KvStoreView implements OpenedStore {
  #engine: Engine;
  #prefix: Key;
  /** The prefix's id, which every full key's id starts with (see keyId). */
  #prefixId: string;
  /**
   * Ids of frozen keys (constants such as a namespace's settings key, peeked on every read):
   * made and hashed once, not per read.
   */
  #constIds = new WeakMap<Key, { id: string; hash: number }>();

  constructor(engine: Engine, prefix: Key) {
    this.#engine = engine;
    this.#prefix = prefix;
    this.#prefixId = keyId(prefix);
  }

  get info(): StoreInfo {
    return this.#engine.info;
  }

  get<M = unknown>(key: Key): Promise<Entry<M> | null> {
    const id = this.#id(key);
    const engine = this.#engine;
    // Memory could not tell a moment ago (a miss of a stored key pays the existence filter's
    // probes, a few µs at millions of keys, and a cache lookup): ask the store straight away.
    if (engine.unknownId === id) {
      engine.unknownId = null;
      return this.#getSlow<M>(key, id);
    }
    const known = this.#peek<M>(key, id);
    return known !== undefined ? Promise.resolve(known) : this.#getSlow<M>(key, id);
  }

  peek<M = unknown>(key: Key, write = false): Entry<M> | null | undefined {
    const engine = this.#engine;
    // A journaled apply in progress (gate held) sends every reader the slow way, to wait for it.
    if (!engine.gate.open) return undefined;
    const frozen = Object.isFrozen(key);
    const n = frozen ? -1 : keyIdCodes(key, this.#prefixId);
    // By the key's codes: a hit makes no id string (the engine notes an unknown's id itself).
    if (n >= 0) return engine.peekEntryByCodes<M>(n, this.#prefix, key, Date.now(), !write);
    const { id, hash } = frozen ? this.#constId(key) : { id: keyId(key, this.#prefixId) };
    const known = engine.peekEntry<M>(id, this.#prefix, key, Date.now(), hash, !write);
    // The get() that follows an unknown goes straight to the store (see get).
    if (known === undefined) engine.unknownId = id;
    return known;
  }

  /** The full key's id; a frozen key's (a constant, read on every command) made once. */
  #id(key: Key): string {
    return Object.isFrozen(key) ? this.#constId(key).id : keyId(key, this.#prefixId);
  }

  #constId(key: Key): { id: string; hash: number } {
    let known = this.#constIds.get(key);
    if (known === undefined) {
      const id = keyId(key, this.#prefixId);
      this.#constIds.set(key, known = { id, hash: hashId(id) });
    }
    return known;
  }

  /** `id` is the full key's {@link keyId}. */
  #peek<M>(key: Key, id: string): Entry<M> | null | undefined {
    const engine = this.#engine;
    // A journaled apply in progress (gate held) sends every reader the slow way, to wait for it.
    if (!engine.gate.open) return undefined;
    return engine.peekEntry<M>(id, this.#prefix, key, Date.now());
  }

  #getSlow<M>(key: Key, id: string): Promise<Entry<M> | null> {
    const full = prefixed(this.#prefix, key);
    return this.#engine.readClient(full, id, (raw) => live<M>(key, raw, Date.now()));
  }

  getMany<M = unknown>(keys: readonly Key[]): Promise<(Entry<M> | null)[]> {
    const engine = this.#engine;
    const fulls = keys.map((k) => prefixed(this.#prefix, k));
    const ids = keys.map((k) => keyId(k, this.#prefixId));
    if (engine.gate.open) {
      const now = Date.now();
      const known: (Entry<M> | null)[] = [];
      for (let i = 0; i < fulls.length; i++) {
        const entry = engine.peekEntry<M>(ids[i], this.#prefix, keys[i], now);
        if (entry === undefined) break;
        known.push(entry);
      }
      if (known.length === keys.length) return Promise.resolve(known);
    }
    return this.#getManySlow<M>(keys, fulls, ids);
  }

  async #getManySlow<M>(
    keys: readonly Key[],
    fulls: Key[],
    ids: string[],
  ): Promise<(Entry<M> | null)[]> {
    const engine = this.#engine;
    const now = Date.now();
    if (engine.gate.open) {
      return await Promise.all(fulls.map((full, i) => {
        const toEntry = (raw: Raw) => live<M>(keys[i], raw, now);
        const known = engine.peek(ids[i], this.#prefix, keys[i], true);
        return known !== undefined ? toEntry(known) : engine.readClient(full, ids[i], toEntry);
      }));
    }
    const raws = await engine.gate.read(() =>
      Promise.all(fulls.map((k, i) => engine.readRaw(k, true, ids[i], true)))
    );
    return raws.map((raw, i) => live<M>(keys[i], raw, now));
  }

  async *list<M = unknown>(selector: Selector, options: ListOptions = {}): AsyncIterable<Entry<M>> {
    let remaining = options.limit ?? Infinity;
    let cursor = options.cursor;
    while (remaining > 0) {
      const page = await this.listPage<M>(selector, {
        ...options,
        cursor,
        limit: Math.min(remaining, 500),
      });
      for (const entry of page.entries) yield entry;
      remaining -= page.entries.length;
      if (!page.cursor) return;
      cursor = page.cursor;
    }
  }

  listPage<M = unknown>(selector: Selector, options: ListOptions = {}): Promise<ListPage<M>> {
    return this.#engine.gate.read(() => this.#listPage<M>(selector, options));
  }

  async #listPage<M>(selector: Selector, options: ListOptions): Promise<ListPage<M>> {
    const limit = options.limit ?? 500;
    const iter = this.#engine.kv.list<Envelope>(
      fullSelector(selector, this.#prefix) as Deno.KvListSelector,
      {
        limit,
        reverse: options.reverse,
        cursor: options.cursor || undefined,
        batchSize: Math.min(Math.max(limit, 1), 500),
      },
    );
    const now = Date.now();
    const entries: Entry<M>[] = [];
    let seen = 0;
    for await (const { key, value, versionstamp } of iter) {
      seen++;
      if (isExpired(value, now)) continue;
      let data = value.c || options.keysOnly ? null : value.d ?? EMPTY;
      if (data === null && !options.keysOnly) {
        data = (await this.#engine.readRaw(key, true)).data ?? EMPTY;
      }
      entries.push(toEntry<M>(stripPrefix(key, this.#prefix), value, data ?? EMPTY, versionstamp));
    }
    return { entries, cursor: seen < limit ? "" : iter.cursor };
  }

  write<T>(fn: (tx: WriteTx) => T | Promise<T>, options?: WriteOptions): Promise<T> {
    const keys = options?.keys;
    if (keys === undefined || this.#engine.cache === null) {
      return this.#engine.loop.submit(fn, this.#prefix, undefined, options?.isolated);
    }
    const ids = keys.map((key) => keyId(key, this.#prefixId));
    return this.#engine.loop.submit(
      fn,
      this.#prefix,
      this.#toFetch(keys, ids),
      options?.isolated,
      { keys, ids },
    );
  }

  /**
   * The declared keys memory cannot answer (neither cached nor ruled out), as full keys: only
   * those are worth a prefetch. Nearly every unit's keys are known, and a unit with nothing to
   * fetch then runs without waiting on a prefetch promise. `ids` are the full keys' ids.
   */
  #toFetch(keys: readonly Key[], ids: readonly string[]): Key[] | undefined {
    const { cache, existence } = this.#engine;
    let out: Key[] | undefined;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i];
      const id = ids[i];
      if (cache!.has(id) || existence?.absent(firstPart(this.#prefix, key), id)) continue;
      (out ??= []).push(prefixed(this.#prefix, key));
    }
    return out;
  }

  countKeys(prefix: Key, depth = 0): Promise<void> {
    return this.#engine.counters.register(prefixed(this.#prefix, prefix), depth);
  }

  count(group: Key): Promise<Counts> {
    return this.#engine.counters.count(prefixed(this.#prefix, group));
  }

  set<M = unknown>(key: Key, record: Record<M>): Promise<void> {
    return this.write((tx) => tx.set(key, record), { keys: [key] });
  }

  delete(key: Key): Promise<void> {
    return this.write((tx) => tx.delete(key), { keys: [key] });
  }

  async deletePrefix(prefix: Key): Promise<number> {
    let removed = 0;
    while (true) {
      const n = await this.write(async (tx) => {
        const limit = Math.min(DELETE_PREFIX_BATCH, this.#engine.maxChecks);
        const entries = await tx.list({ prefix }, { limit, keysOnly: true });
        for (const { key } of entries) tx.delete(key);
        return entries.length;
      });
      removed += n;
      if (n === 0) return removed;
    }
  }

  snapshot(prefixes: readonly Key[]): Promise<Snapshot> {
    return this.write(async (tx) => {
      const entries: Entry[] = [];
      for (const prefix of prefixes) {
        for (const entry of await tx.list({ prefix })) entries.push(entry);
      }
      // A copy: entries may share buffers and meta with the read cache.
      return structuredClone({ prefixes, entries, takenAt: tx.now });
    });
  }

  restore(snapshot: Snapshot): Promise<void> {
    return this.write(async (tx) => {
      this.#engine.restores++;
      const current = new Map<string, Entry>();
      for (const prefix of snapshot.prefixes) {
        // Expired entries too: left behind, the sweeper would report their expiry later, and
        // protocols act on expiries (Redis reclaims a flushed slot when its marker expires).
        for (const e of await tx.list({ prefix }, { expired: true })) current.set(keyId(e.key), e);
      }
      // Only what differs is written: restoring after a test that changed a few keys costs a
      // listing and those few writes.
      for (const e of snapshot.entries) {
        const id = keyId(e.key);
        const now = current.get(id);
        current.delete(id);
        if (now && sameEntry(now, e)) continue;
        // A copy, so the snapshot can be restored again whatever the cache does with it.
        const { data, meta } = structuredClone({ data: e.data, meta: e.meta });
        tx.set(e.key, { data, meta, expiresAt: e.expiresAt });
      }
      for (const e of current.values()) tx.delete(e.key);
    }, { isolated: true });
  }

  onCommit(hook: (changes: Change[]) => void, filter: ChangeFilter = {}): () => void {
    const hooks = this.#engine.hooks;
    const prefixes = filter.prefixes ?? [[]];
    const expiries = filter.expiries === true;
    // Hooks with the same view and filter share a group (and the changes made for it).
    const id = keyId(this.#prefix) + "|" + prefixes.map((p) => keyId(p)).join("|") +
      (expiries ? "|expiries" : "");
    let group = hooks.get(id);
    if (!group) {
      const scopes = prefixes.map((p) => prefixed(this.#prefix, p));
      hooks.set(id, group = { prefix: this.#prefix, scopes, expiries, hooks: new Set() });
    }
    // Each registration is its own (a hook may be registered twice).
    const mine: Hook = (changes) => hook(changes);
    group.hooks.add(mine);
    return () => {
      group.hooks.delete(mine);
      if (group.hooks.size === 0 && hooks.get(id) === group) hooks.delete(id);
    };
  }

  scope(prefix: Key): Store {
    return new KvStoreView(this.#engine, prefixed(this.#prefix, prefix));
  }

  stats(): StoreStats {
    const e = this.#engine;
    return {
      commits: e.loop.commits,
      writes: e.loop.units,
      cacheHits: e.cache?.hits ?? 0,
      cacheMisses: e.cache?.misses ?? 0,
      cacheBytes: e.cache?.bytes ?? 0,
      expired: e.sweeper.expired,
      existence: e.existence === null ? "off" : e.existence.ready ? "ready" : "building",
      restores: e.restores,
      storeReads: e.reads.keys,
      storeReadCalls: e.reads.calls,
    };
  }

  close(): Promise<void> {
    return this.#engine.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/** True when two entries hold the same payload, meta and deadline. */
function sameEntry(a: Entry, b: Entry): boolean {
  return a.expiresAt === b.expiresAt && sameBytes(a.data, b.data) && sameValue(a.meta, b.meta);
}

/** Deep equality of V8-serializable metadata (plain objects, arrays, bytes, primitives). */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    return a instanceof Uint8Array && b instanceof Uint8Array && sameBytes(a, b);
  }
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (!sameValue((a as { [k: string]: unknown })[k], (b as { [k: string]: unknown })[k])) {
      return false;
    }
  }
  return true;
}

function live<M>(key: Key, raw: Raw, now: number): Entry<M> | null {
  if (raw.env === null || isExpired(raw.env, now)) return null;
  return toEntry<M>(key, raw.env, raw.data ?? EMPTY, raw.versionstamp ?? "");
}

async function ensureDir(path: string): Promise<void> {
  const slash = path.lastIndexOf("/");
  if (slash > 0) await Deno.mkdir(path.slice(0, slash), { recursive: true });
}

/**
 * Open the store: a local SQLite file (locked against a second process), an in-memory
 * store, or a remote KV Connect URL (cache off, checks on every conditional write).
 */
export async function openStore(options: OpenStoreOptions): Promise<OpenedStore> {
  // Deno KV is unstable: without the flag (or deno.json's "unstable") the API is simply absent.
  if (typeof Deno.openKv !== "function") {
    throw new Error("Deno KV is not enabled: run Deno with --unstable-kv");
  }
  let kv: Deno.Kv;
  let info: StoreInfo;
  let lock: DataLock | null = null;
  if (options.url) {
    kv = await Deno.openKv(options.url);
    info = { kind: "remote", exclusive: false, location: options.url };
  } else if (options.memory || !options.path) {
    kv = await Deno.openKv(":memory:");
    info = { kind: "memory", exclusive: true, location: ":memory:" };
  } else {
    const path = options.path;
    const fail = (error: unknown) =>
      new Error(`Cannot open data file ${path}: ${(error as Error).message}`);
    try {
      await ensureDir(path);
      if (!options.shared) lock = lockDataFile(path);
    } catch (error) {
      throw (error as Error).message.includes("another basekv") ? error : fail(error);
    }
    try {
      kv = await Deno.openKv(path);
    } catch (error) {
      lock?.close();
      throw fail(error);
    }
    info = { kind: "file", exclusive: !options.shared, location: path };
  }
  const engine = new Engine(kv, info, lock, options);
  if (options.diskReserve && info.kind === "file" && info.exclusive) {
    engine.reserve = await DiskReserve.open(info.location);
  }
  // A memory store starts empty: no journal, orphan chunk or saved index to look for.
  if (info.exclusive && info.kind !== "memory") {
    await replayJournals(kv);
    await collectOrphanChunks(kv);
    await engine.existence?.restore();
  } else if (info.kind === "file") {
    // Another writer may change the file: a saved existence index would go stale.
    await kv.delete(["_exists", "valid"]);
  }
  engine.sweeper.start();
  // In the background: reads ask SQLite until the index is built.
  engine.existence?.start();
  return new KvStoreView(engine, []);
}

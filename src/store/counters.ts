/**
 * Counted prefixes: per-group entry counts kept as Deno KV `sum` counters in the same atomic as
 * the writes they count, so DBSIZE-like questions read one counter instead of listing. Stores
 * written before a prefix was counted get a one-time recount, between write batches.
 * @module
 */
import type { Envelope } from "./envelope.ts";
import { compareKeys, hasPrefix, keyId } from "./keys.ts";
import type { Mutation } from "./atomic_plan.ts";
import type { Counts, Key } from "./types.ts";

/** Counter entries: [COUNTERS, depth, prefix length, ...group, field]. */
const COUNTERS = "_cnt";
/** Present once a prefix's counters are complete: [COUNTED, depth, ...prefix]. */
const COUNTED = "_cntok";
/** The figures kept per group, in this order: entries, with a deadline, deadline sum, bytes. */
const FIELDS = ["n", "x", "t", "b", "k"] as const;
/** Deadlines are summed in seconds after this (2025-01-01) so 5M of them fit in a double. */
const DEADLINE_BASE_S = 1_735_689_600;
/** Entries one recount step reads (a step holds the write loop while it lists). */
const RECOUNT_PAGE = 1000;
/** Groups whose sums one atomic carries (5 fields each, under the 1000-mutation limit). */
const GROUPS_PER_ATOMIC = 150;
const U64 = 64;

/** One step of work that must run with no write batch in flight. */
export type RunAlone = <T>(fn: () => Promise<T>) => Promise<T>;

interface Group {
  key: Key;
  values: bigint[];
}

interface Registration {
  prefix: Key;
  depth: number;
  /** Counters complete: every commit adds its deltas. */
  ready: boolean;
  /** While recounting: the last key counted (writes past it are counted by the scan). */
  scanned: Key | null;
  /** Exclusive stores: the counters, mirrored in memory. */
  groups: Map<string, Group>;
  whenReady: Promise<void>;
}

/**
 * Deltas of one batch, applied to the mirrors once the batch is durable. Kept as numbers while
 * the batch is planned (a batch's deltas stay far below 2^53; BigInt arithmetic per write
 * would allocate on every step), made BigInt once per group.
 */
export type PendingCounts = { reg: Registration; id: string; group: Key; d: bigint[] }[];
/** A group's deltas while a batch is planned: `d` by field, but the deadline sum in `t`. */
type Planned = { reg: Registration; group: Key; d: number[]; t: bigint };

function partBytes(p: Deno.KvKeyPart): number {
  return p instanceof Uint8Array || typeof p === "string" ? p.length : 8;
}

/**
 * Add (sign 1) or take away (sign -1) what one stored envelope adds to its group's figures.
 * The deadline sum stays BigInt: one far deadline (Redis allows ~2^63 ms) breaks a double.
 */
function addContribution(p: Planned, key: Key, glen: number, env: Envelope, sign: 1 | -1): void {
  const d = p.d;
  const e = env.e;
  d[0] += sign;
  if (e !== undefined) {
    d[1] += sign;
    const t = BigInt(Math.floor(e / 1000) - DEADLINE_BASE_S);
    p.t = sign === 1 ? p.t + t : p.t - t;
  }
  d[3] += sign * (env.c ? env.c.s : env.d?.length ?? 0);
  let k = 0;
  for (let i = glen; i < key.length; i++) k += partBytes(key[i]);
  d[4] += sign * k;
}

/** A planned group's figures as the counters' BigInt deltas. */
function deltas(p: Planned): bigint[] {
  return [BigInt(p.d[0]), BigInt(p.d[1]), p.t, BigInt(p.d[3]), BigInt(p.d[4])];
}

function counterKey(reg: Registration, group: Key, field: string): Key {
  return [COUNTERS, reg.depth, reg.prefix.length, ...group, field];
}

function countsOf(values: readonly bigint[]): Counts {
  const [n, x, t, b, k] = values.map((v) => Number(BigInt.asIntN(U64, v)));
  return {
    keys: n,
    expiring: x,
    meanExpiresAt: x > 0 ? Math.round((t / x + DEADLINE_BASE_S) * 1000) : null,
    dataBytes: b,
    keyBytes: k,
  };
}

const ZERO: Counts = { keys: 0, expiring: 0, meanExpiresAt: null, dataBytes: 0, keyBytes: 0 };

/** The registry of counted prefixes of one store. */
export class Counters {
  #kv: Deno.Kv;
  #exclusive: boolean;
  #runAlone: RunAlone;
  #regs: Registration[] = [];
  #stopped = false;

  constructor(kv: Deno.Kv, exclusive: boolean, runAlone: RunAlone) {
    this.#kv = kv;
    this.#exclusive = exclusive;
    this.#runAlone = runAlone;
  }

  /** True when some registration counts `key` (such entries must not expire inside Deno KV). */
  covers(key: Key): boolean {
    for (const reg of this.#regs) {
      if (key.length > reg.prefix.length + reg.depth && hasPrefix(key, reg.prefix)) return true;
    }
    return false;
  }

  /**
   * Count entries under `prefix`, grouped by the next `depth` key parts. Resolves once the
   * counters are complete (at once for a store that had them, after a recount otherwise).
   */
  register(prefix: Key, depth: number): Promise<void> {
    const same = this.#regs.find((r) =>
      r.depth === depth && r.prefix.length === prefix.length && hasPrefix(r.prefix, prefix)
    );
    if (same) return same.whenReady;
    const reg: Registration = {
      prefix: [...prefix],
      depth,
      ready: false,
      scanned: null,
      groups: new Map(),
      whenReady: Promise.resolve(),
    };
    this.#regs.push(reg);
    reg.whenReady = this.#start(reg);
    // A failed recount surfaces through count(); nothing else awaits it.
    reg.whenReady.catch(() => {});
    return reg.whenReady;
  }

  async #start(reg: Registration): Promise<void> {
    const marker = await this.#kv.get([COUNTED, reg.depth, ...reg.prefix]);
    if (marker.versionstamp !== null) {
      if (this.#exclusive) await this.#loadMirror(reg);
      reg.ready = true;
      return;
    }
    await this.#recount(reg);
  }

  async #loadMirror(reg: Registration): Promise<void> {
    const prefix = [COUNTERS, reg.depth, reg.prefix.length, ...reg.prefix];
    for await (const { key, value } of this.#kv.list<Deno.KvU64>({ prefix })) {
      const group = key.slice(3, key.length - 1);
      const field = FIELDS.indexOf(key[key.length - 1] as typeof FIELDS[number]);
      const id = keyId(group);
      let g = reg.groups.get(id);
      if (!g) reg.groups.set(id, g = { key: group, values: [0n, 0n, 0n, 0n, 0n] });
      g.values[field] = value.value;
    }
  }

  /** Drop partial counters, then count every entry, one page per step between batches. */
  async #recount(reg: Registration): Promise<void> {
    await this.#runAlone(async () => {
      const prefix = [COUNTERS, reg.depth, reg.prefix.length, ...reg.prefix];
      const stale: Key[] = [];
      for await (const { key } of this.#kv.list({ prefix })) stale.push(key);
      for (let i = 0; i < stale.length; i += 900) {
        const op = this.#kv.atomic();
        for (const key of stale.slice(i, i + 900)) op.delete(key as Deno.KvKey);
        await op.commit();
      }
      reg.groups.clear();
      reg.scanned = null;
    });
    let cursor: string | undefined;
    let done = false;
    // A closing store abandons the recount (its marker unwritten: the next open starts over).
    while (!done && !this.#stopped) {
      done = await this.#runAlone(async () => {
        const iter = this.#kv.list<Envelope>({ prefix: reg.prefix as Deno.KvKey }, {
          cursor,
          limit: RECOUNT_PAGE,
          batchSize: RECOUNT_PAGE,
        });
        const sums = new Map<string, Planned>();
        let seen = 0;
        let last: Key | null = null;
        for await (const { key, value } of iter) {
          seen++;
          last = key;
          const glen = reg.prefix.length + reg.depth;
          if (key.length <= glen || value === null || typeof value !== "object") continue;
          const group = key.slice(0, glen);
          const id = keyId(group);
          let g = sums.get(id);
          if (!g) sums.set(id, g = { reg, group, d: [0, 0, 0, 0, 0], t: 0n });
          addContribution(g, key, glen, value, 1);
        }
        const finished = seen < RECOUNT_PAGE;
        const groups = [...sums].map(([id, p]): [string, Group] => [id, {
          key: p.group,
          values: deltas(p),
        }]);
        for (let i = 0; i === 0 || i < groups.length; i += GROUPS_PER_ATOMIC) {
          const op = this.#kv.atomic();
          for (const [, g] of groups.slice(i, i + GROUPS_PER_ATOMIC)) {
            for (let f = 0; f < FIELDS.length; f++) {
              if (g.values[f] === 0n) continue;
              op.sum(
                counterKey(reg, g.key, FIELDS[f]) as Deno.KvKey,
                BigInt.asUintN(U64, g.values[f]),
              );
            }
          }
          if (finished && i + GROUPS_PER_ATOMIC >= groups.length) {
            op.set([COUNTED, reg.depth, ...reg.prefix], true);
          }
          await op.commit();
        }
        for (const [id, g] of groups) this.#addToMirror(reg, id, g.key, g.values);
        if (last) reg.scanned = last;
        cursor = iter.cursor;
        if (finished) reg.ready = true;
        return finished;
      });
    }
  }

  #addToMirror(reg: Registration, id: string, group: Key, d: readonly bigint[]): void {
    if (!this.#exclusive) return;
    let g = reg.groups.get(id);
    if (!g) reg.groups.set(id, g = { key: group, values: [0n, 0n, 0n, 0n, 0n] });
    for (let f = 0; f < FIELDS.length; f++) g.values[f] = BigInt.asUintN(U64, g.values[f] + d[f]);
  }

  /**
   * The counter mutations for a batch's writes (by key id; `bases` holds, by the same id, the
   * envelope each replaces), and the deltas to mirror once the batch is durable.
   */
  plan(
    writes: ReadonlyMap<string, { key: Key; env: Envelope | null }>,
    bases: ReadonlyMap<string, { raw: { env: Envelope | null } }>,
  ): { mutations: Mutation[]; pending: PendingCounts } {
    const pending: PendingCounts = [];
    if (this.#regs.length === 0) return { mutations: [], pending };
    // Per registration, the groups seen, by keyId of the group: a batch touches few groups.
    const byReg = new Map<Registration, { last: Planned | null; groups: Map<string, Planned> }>();
    for (const [id, { key, env }] of writes) {
      const old = bases.get(id)?.raw.env ?? null;
      if (old === null && env === null) continue;
      for (const reg of this.#regs) {
        const glen = reg.prefix.length + reg.depth;
        if (key.length <= glen || !hasPrefix(key, reg.prefix)) continue;
        if (!reg.ready && (reg.scanned === null || compareKeys(key, reg.scanned) > 0)) continue;
        let seen = byReg.get(reg);
        if (!seen) byReg.set(reg, seen = { last: null, groups: new Map() });
        // Almost every write of a batch falls in the group of the one before it: no keyId.
        let p = seen.last !== null && hasPrefix(key, seen.last.group) ? seen.last : undefined;
        if (!p) {
          const group = key.slice(0, glen);
          const id = keyId(group);
          p = seen.groups.get(id);
          if (!p) seen.groups.set(id, p = { reg, group, d: [0, 0, 0, 0, 0], t: 0n });
          seen.last = p;
        }
        if (old) addContribution(p, key, glen, old, -1);
        if (env) addContribution(p, key, glen, env, 1);
      }
    }
    const mutations: Mutation[] = [];
    for (const { groups } of byReg.values()) {
      for (const [id, p] of groups) pending.push({ reg: p.reg, id, group: p.group, d: deltas(p) });
    }
    for (const p of pending) {
      // The sole writer knows each counter's value: it writes the new one, which a replayed
      // journal may apply twice; other writers add to it (a wrapping sum needs no read).
      const mirror = this.#exclusive ? p.reg.groups.get(p.id)?.values : undefined;
      for (let f = 0; f < FIELDS.length; f++) {
        if (p.d[f] === 0n) continue;
        const key = counterKey(p.reg, p.group, FIELDS[f]);
        if (this.#exclusive) {
          const value = BigInt.asUintN(U64, (mirror?.[f] ?? 0n) + p.d[f]);
          mutations.push({ key, value: new Deno.KvU64(value) });
        } else mutations.push({ key, sum: BigInt.asUintN(U64, p.d[f]) });
      }
    }
    return { mutations, pending };
  }

  /** Stop recounts in progress (the store is closing). */
  stop(): void {
    this.#stopped = true;
  }

  /** Mirror a durable batch's deltas. */
  applied(pending: PendingCounts): void {
    for (const p of pending) this.#addToMirror(p.reg, p.id, p.group, p.d);
  }

  /** Figures of one group: `prefix` is a registered prefix plus exactly `depth` more parts. */
  async count(prefix: Key): Promise<Counts> {
    const reg = this.#regs.find((r) =>
      prefix.length === r.prefix.length + r.depth && hasPrefix(prefix, r.prefix)
    );
    if (!reg) throw new Error("count() of a prefix no countKeys() registered");
    if (!reg.ready) await reg.whenReady;
    if (this.#exclusive) {
      const g = reg.groups.get(keyId(prefix));
      return g ? countsOf(g.values) : ZERO;
    }
    const res = await this.#kv.getMany<Deno.KvU64[]>(
      FIELDS.map((f) => counterKey(reg, prefix, f) as Deno.KvKey),
    );
    return countsOf(res.map((r) => r.value?.value ?? 0n));
  }
}

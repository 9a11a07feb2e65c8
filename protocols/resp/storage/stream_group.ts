/**
 * A stream consumer group inside one write unit: its entry, its consumers and its pending
 * entries list (PEL), each its own entry under the stream's generation, with the pending
 * counters of the group and of each consumer kept in step.
 * @module
 */
import { latin1Text } from "../../../src/bytes.ts";
import type { Entry, WriteTx } from "../../../src/store/mod.ts";
import type { Access } from "./db.ts";
import {
  consumerKey,
  type ConsumerMeta,
  consumerPrefix,
  groupKey,
  type GroupMeta,
  groupPrefix,
  keyId,
  nextId,
  pendingKey,
  type PendingMeta,
  pendingPrefix,
  type StreamId,
} from "./stream.ts";

/** A consumer name as a map key. */
function nameId(name: Uint8Array): string {
  return latin1Text(name);
}

/** A pending entry as listed. */
export interface Pending extends PendingMeta {
  id: StreamId;
}

/** A consumer as listed. */
export interface Consumer extends ConsumerMeta {
  name: Uint8Array;
}

/** A group's entry, or null. */
export async function readGroup(r: Access, g: string, name: Uint8Array): Promise<GroupMeta | null> {
  const e = await r.get<GroupMeta>(groupKey(g, name));
  return e?.meta ?? null;
}

/** Every group of a stream in name order. */
export async function listGroups(r: Access, g: string) {
  const entries = await r.list<GroupMeta>({ prefix: groupPrefix(g) }, { keysOnly: true });
  return entries.map((e) => ({ name: e.key[e.key.length - 1] as Uint8Array, meta: e.meta! }));
}

/** Every consumer of a group in name order. */
export async function listConsumers(r: Access, g: string, group: Uint8Array): Promise<Consumer[]> {
  const entries = await r.list<ConsumerMeta>({ prefix: consumerPrefix(g, group) }, {
    keysOnly: true,
  });
  return entries.map((e) => ({ name: e.key[e.key.length - 1] as Uint8Array, ...e.meta! }));
}

function toPending(e: Entry<PendingMeta>): Pending {
  return { id: keyId(e.key), ...e.meta! };
}

/** Pending entries from `start` on (to `end` inclusive when given), at most `limit`. */
export async function listPending(
  r: Access,
  g: string,
  group: Uint8Array,
  start: StreamId,
  limit: number,
  reverse = false,
  end: StreamId | null = null,
): Promise<Pending[]> {
  if (limit <= 0) return [];
  const after = end ? nextId(end) : null;
  const selector = after
    ? { start: pendingKey(g, group, start), end: pendingKey(g, group, after) }
    : { prefix: pendingPrefix(g, group), start: pendingKey(g, group, start) };
  const entries = await r.list<PendingMeta>(selector, {
    limit: Math.min(limit, 2 ** 31 - 1),
    reverse,
    keysOnly: true,
  });
  return entries.map(toPending);
}

/** A group being changed in a write unit; `save` writes what changed. */
export class GroupWrite {
  readonly consumers = new Map<string, Consumer & { dirty: boolean }>();
  dirty = false;
  /** Consumers this unit created (each is an "xgroup-createconsumer" event in Redis). */
  created = 0;

  constructor(
    readonly tx: WriteTx,
    readonly g: string,
    readonly name: Uint8Array,
    readonly meta: GroupMeta,
  ) {}

  /** A consumer, read once per unit; created (seen now, never active) when `create`. */
  async consumer(
    name: Uint8Array,
    create: boolean,
  ): Promise<(Consumer & { dirty: boolean }) | null> {
    const id = nameId(name);
    const cached = this.consumers.get(id);
    if (cached) return cached;
    const e = await this.tx.get<ConsumerMeta>(consumerKey(this.g, this.name, name));
    if (!e && !create) return null;
    const c = e
      ? { name, ...e.meta!, dirty: false }
      : { name, s: this.tx.now, a: -1, p: 0, dirty: true };
    if (!e) {
      this.meta.c++;
      this.created++;
      this.dirty = true;
    }
    this.consumers.set(id, c);
    return c;
  }

  /** The pending entries with these ids (null where not pending). */
  async pending(ids: readonly StreamId[]): Promise<(PendingMeta | null)[]> {
    const found = await this.tx.getMany<PendingMeta>(
      ids.map((id) => pendingKey(this.g, this.name, id)),
    );
    return found.map((e) => e?.meta ?? null);
  }

  /** Record `id` as pending for `owner` (moving it from its previous owner when it had one). */
  async setPending(
    id: StreamId,
    owner: Uint8Array,
    prev: PendingMeta | null,
    t: number,
    n: number,
  ) {
    const to = (await this.consumer(owner, true))!;
    if (!prev) {
      this.meta.p++;
      this.dirty = true;
      to.p++;
      to.dirty = true;
    } else if (nameId(prev.c) !== nameId(owner)) {
      const from = await this.consumer(prev.c, false);
      if (from) {
        from.p--;
        from.dirty = true;
      }
      to.p++;
      to.dirty = true;
    }
    this.tx.set<PendingMeta>(pendingKey(this.g, this.name, id), {
      meta: { c: owner.slice(), t, n },
    });
  }

  /** Drop a pending entry. */
  async dropPending(id: StreamId, prev: PendingMeta): Promise<void> {
    this.tx.delete(pendingKey(this.g, this.name, id));
    this.meta.p--;
    this.dirty = true;
    const from = await this.consumer(prev.c, false);
    if (from) {
      from.p--;
      from.dirty = true;
    }
  }

  /** Delete a consumer and its pending entries; returns how many were pending. */
  async deleteConsumer(name: Uint8Array): Promise<number> {
    const c = await this.consumer(name, false);
    if (!c) return 0;
    let dropped = 0;
    if (c.p > 0) {
      const owned = nameId(name);
      for (
        const p of await listPending(this.tx, this.g, this.name, { ms: 0n, seq: 0n }, Infinity)
      ) {
        if (nameId(p.c) !== owned) continue;
        this.tx.delete(pendingKey(this.g, this.name, p.id));
        dropped++;
      }
    }
    this.tx.delete(consumerKey(this.g, this.name, name));
    this.consumers.delete(nameId(name));
    this.meta.p -= dropped;
    this.meta.c--;
    this.dirty = true;
    return dropped;
  }

  save(): void {
    if (this.dirty) this.tx.set<GroupMeta>(groupKey(this.g, this.name), { meta: { ...this.meta } });
    for (const c of this.consumers.values()) {
      if (!c.dirty) continue;
      this.tx.set<ConsumerMeta>(consumerKey(this.g, this.name, c.name), {
        meta: { s: c.s, a: c.a, p: c.p },
      });
    }
  }
}

/** Delete a group with its consumers and pending entries. */
export async function destroyGroup(tx: WriteTx, g: string, name: Uint8Array): Promise<void> {
  tx.delete(groupKey(g, name));
  for (const prefix of [pendingPrefix(g, name), consumerPrefix(g, name)]) {
    for (const e of await tx.list({ prefix }, { keysOnly: true })) tx.delete(e.key);
  }
}

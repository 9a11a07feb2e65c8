/**
 * Background reclaim of unreachable data: fields of dropped or expired hashes, whole flushed
 * slots, and hashes whose last field expired. Driven by markers the sweeper expires, so the
 * work survives a restart.
 * @module
 */
import type { Change, Key, Store } from "../../../src/store/mod.ts";
import { dropKey } from "./db.ts";
import {
  fieldPrefix,
  genMarkerKey,
  type KeyMeta,
  metaKey,
  ownerKey,
  slotPrefix,
} from "./layout.ts";

/** Entries one reclaim unit deletes. */
const DROP_BATCH = 300;
/** Fields examined to decide whether a hash with field TTLs still has a live field. */
const LIVE_FIELD_PROBE = 1000;

/** Who owns a generation with field TTLs. */
export interface Owner {
  slot: number;
  key: Uint8Array;
}

const installed = new WeakSet<Store>();
const queues = new WeakMap<Store, Promise<void>>();
/** Generations with an emptiness check queued: a burst of expiring fields needs only one. */
const pendingChecks = new Set<string>();

/** Subscribe `store` (the redis namespace) to expiry events once. */
export function installReclaimer(store: Store): void {
  if (installed.has(store)) return;
  installed.add(store);
  store.onCommit((changes) => {
    for (const change of changes) {
      if (change.cause === "expire") onExpired(store, change);
    }
  }, { expiries: true });
}

function onExpired(store: Store, change: Change): void {
  const [kind, id] = change.key;
  if (kind === "gc" && typeof id === "string") {
    enqueue(store, (stale) => reclaimGeneration(store, id, stale));
  } else if (kind === "gcs" && typeof id === "number") {
    enqueue(store, (stale) => reclaimSlot(store, id, stale));
  } else if (kind === "f" && typeof id === "string" && !pendingChecks.has(id)) {
    pendingChecks.add(id);
    enqueue(store, () => {
      pendingChecks.delete(id);
      return dropIfEmpty(store, id);
    });
  }
}

/** True once a restore (or reset) replaced the state a job was planned on. */
type Stale = () => boolean;

/**
 * Run reclaim jobs one at a time per store; a closed store just ends them. A job planned
 * before a restore stops: the slot or generation it would drop may hold restored data.
 */
function enqueue(store: Store, job: (stale: Stale) => Promise<unknown>): void {
  const epoch = store.stats().restores;
  const stale = () => store.stats().restores !== epoch;
  const previous = queues.get(store) ?? Promise.resolve();
  queues.set(store, previous.then(() => job(stale)).then(() => {}, () => {}));
}

/**
 * Delete everything under `prefix`, a batch a unit, each unit checking the job is not stale.
 * The batch is listed outside the write loop: nothing writes under a retired prefix, so the
 * listing stays true until its unit deletes it, and the loop never waits on a range read (an
 * emptied collection's generation usually holds nothing, so no unit runs at all).
 */
async function dropPrefix(store: Store, prefix: Key, stale: Stale): Promise<boolean> {
  // A shared store checks every key written at commit: at most its 10 checks a unit.
  const limit = store.info.exclusive ? DROP_BATCH : 10;
  while (true) {
    if (stale()) return false;
    const keys: Key[] = [];
    for await (const entry of store.list({ prefix }, { limit, keysOnly: true })) {
      keys.push(entry.key);
    }
    if (keys.length === 0) return true;
    const done = await store.write((tx) => {
      if (stale()) return false;
      for (const key of keys) tx.delete(key);
      return true;
    });
    if (!done) return false;
  }
}

async function reclaimGeneration(store: Store, gen: string, stale: Stale): Promise<void> {
  if (!(await dropPrefix(store, fieldPrefix(gen), stale))) return;
  await store.write((tx) => {
    if (stale()) return;
    tx.delete(genMarkerKey(gen));
    tx.delete(ownerKey(gen));
  });
}

async function reclaimSlot(store: Store, slot: number, stale: Stale): Promise<void> {
  for await (const entry of store.list<KeyMeta>({ prefix: slotPrefix(slot) }, { keysOnly: true })) {
    if (stale()) return;
    if (entry.meta?.g) await reclaimGeneration(store, entry.meta.g, stale);
  }
  await dropPrefix(store, slotPrefix(slot), stale);
}

/** A hash whose fields all expired is deleted, as Redis deletes an empty hash. */
async function dropIfEmpty(store: Store, gen: string): Promise<void> {
  await store.write(async (tx) => {
    const owner = await tx.get<Owner>(ownerKey(gen));
    if (!owner?.meta) return;
    const { slot, key } = owner.meta;
    const meta = await tx.get<KeyMeta>(metaKey(slot, key));
    if (!meta || meta.meta?.g !== gen) return;
    const live = await tx.list({ prefix: fieldPrefix(gen) }, {
      limit: LIVE_FIELD_PROBE,
      keysOnly: true,
    });
    if (live.length === 0) dropKey(tx, slot, key, meta);
  });
}

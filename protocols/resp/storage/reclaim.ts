/**
 * Background reclaim of unreachable data: fields of dropped or expired hashes, whole flushed
 * slots, and hashes whose last field expired. Driven by markers the sweeper expires, so the
 * work survives a restart.
 * @module
 */
import type { Change, Store } from "../../../src/store/mod.ts";
import { dropKey } from "./db.ts";
import {
  fieldPrefix,
  genMarkerKey,
  type KeyMeta,
  metaKey,
  ownerKey,
  slotPrefix,
} from "./layout.ts";

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
  });
}

function onExpired(store: Store, change: Change): void {
  const [kind, id] = change.key;
  if (kind === "gc" && typeof id === "string") {
    enqueue(store, () => reclaimGeneration(store, id));
  } else if (kind === "gcs" && typeof id === "number") {
    enqueue(store, () => reclaimSlot(store, id));
  } else if (kind === "f" && typeof id === "string" && !pendingChecks.has(id)) {
    pendingChecks.add(id);
    enqueue(store, () => {
      pendingChecks.delete(id);
      return dropIfEmpty(store, id);
    });
  }
}

/** Run reclaim jobs one at a time per store; a closed store just ends them. */
function enqueue(store: Store, job: () => Promise<unknown>): void {
  const previous = queues.get(store) ?? Promise.resolve();
  queues.set(store, previous.then(job).then(() => {}, () => {}));
}

async function reclaimGeneration(store: Store, gen: string): Promise<void> {
  await store.deletePrefix(fieldPrefix(gen));
  await store.write((tx) => {
    tx.delete(genMarkerKey(gen));
    tx.delete(ownerKey(gen));
  });
}

async function reclaimSlot(store: Store, slot: number): Promise<void> {
  for await (const entry of store.list<KeyMeta>({ prefix: slotPrefix(slot) }, { keysOnly: true })) {
    if (entry.meta?.g) await reclaimGeneration(store, entry.meta.g);
  }
  await store.deletePrefix(slotPrefix(slot));
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

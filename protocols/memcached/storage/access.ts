/**
 * Which item versions were fetched and when, for meta `h`/`l` and `me`'s fetch/la. Kept in
 * memory per process (reads never write to the store), keyed by CAS unique, bounded.
 * @module
 */

/** Item versions tracked at most; the oldest are forgotten first. */
export const ACCESS_TRACKED_MAX = 100_000;

/** An item version's access state. */
export interface Access {
  fetched: boolean;
  /** Last access (or store), ms epoch. */
  at: number;
}

/** Access state of recently fetched item versions. */
export class AccessLog {
  #map = new Map<number, Access>();

  /** The state before now, without recording a fetch (`since` = the item's store time). */
  peek(cas: number, since: number): Access {
    return this.#map.get(cas) ?? { fetched: false, at: since };
  }

  /** Record a fetch at `now`; returns the state before it. */
  fetch(cas: number, since: number, now: number): Access {
    const before = this.peek(cas, since);
    this.#map.delete(cas);
    this.#map.set(cas, { fetched: true, at: now });
    if (this.#map.size > ACCESS_TRACKED_MAX) {
      this.#map.delete(this.#map.keys().next().value!);
    }
    return before;
  }
}

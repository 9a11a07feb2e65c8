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

/**
 * Access state of recently fetched item versions. A version fetched again is updated in place,
 * not moved to the back: the versions forgotten first are those first fetched longest ago (an
 * approximate LRU, so a hit does not reorganise the map).
 */
export class AccessLog {
  #map = new Map<number, Access>();

  /** The state before now, without recording a fetch (`since` = the item's store time). */
  peek(cas: number, since: number): Access {
    const known = this.#map.get(cas);
    return known ? { fetched: known.fetched, at: known.at } : { fetched: false, at: since };
  }

  /** Record a fetch at `now`; returns the state before it. */
  fetch(cas: number, since: number, now: number): Access {
    const known = this.#map.get(cas);
    if (known) {
      const before = { fetched: known.fetched, at: known.at };
      known.at = now;
      return before;
    }
    this.#map.set(cas, { fetched: true, at: now });
    if (this.#map.size > ACCESS_TRACKED_MAX) {
      this.#map.delete(this.#map.keys().next().value!);
    }
    return { fetched: false, at: since };
  }
}

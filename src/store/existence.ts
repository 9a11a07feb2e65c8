/**
 * Which keys exist, for the sole writer: a {@link KeyFilter} over every namespace's keys,
 * built at open by a background scan and fed by every commit, so a read of a key it rules out
 * needs no SQLite read. Until the scan completes, nothing is ruled out.
 * @module
 */
import { KeyFilter } from "./key_filter.ts";
import { keyId } from "./keys.ts";
import type { Key } from "./types.ts";

/** Entries one scan page reads (values too: Deno KV has no keys-only listing). */
const SCAN_PAGE = 1000;
/**
 * Namespaces are words; internal key spaces start with "_" and are never asked about. These
 * two ranges hold every string-named namespace except the internal ones.
 */
const RANGES: Deno.KvListSelector[] = [
  { start: [""], end: ["_"] },
  { start: ["`"], end: [false] },
];

function covered(key: Key): boolean {
  const first = key[0];
  return typeof first === "string" && first[0] !== "_";
}

/** The existence index of one store. */
export class ExistenceIndex {
  #kv: Deno.Kv;
  /** Answers reads once complete. */
  #ready: KeyFilter | null = null;
  /** Being built: fed by the scan and by every commit since the scan began. */
  #building: KeyFilter | null = null;
  #stopped = false;
  #scan: Promise<void> | null = null;

  constructor(kv: Deno.Kv) {
    this.#kv = kv;
  }

  /** True while the index is complete (for stats and tests). */
  get ready(): boolean {
    return this.#ready !== null;
  }

  /** Begin the background scan. */
  start(): void {
    if (this.#scan) return;
    const filter = new KeyFilter();
    // Commits from here on feed the new filter, so a key written behind the scan is not missed.
    this.#building = filter;
    this.#scan = this.#build(filter).then(
      () => {
        if (this.#stopped) return;
        this.#ready = filter;
        this.#building = null;
      },
      () => {
        // A failed scan leaves the index off; reads keep asking SQLite.
        this.#building = null;
      },
    );
  }

  async #build(filter: KeyFilter): Promise<void> {
    for (const selector of RANGES) {
      const iter = this.#kv.list(selector, { batchSize: SCAN_PAGE });
      for await (const { key } of iter) {
        if (this.#stopped) return;
        if (covered(key)) filter.add(keyId(key));
      }
    }
  }

  /** Stop a scan in progress (on close). */
  stop(): void {
    this.#stopped = true;
  }

  /** Wait for the scan (tests). */
  async whenBuilt(): Promise<void> {
    await this.#scan;
  }

  /** True only when `key` (whose id is `id`) certainly does not exist. */
  absent(key: Key, id: string): boolean {
    const ready = this.#ready;
    return ready !== null && covered(key) && !ready.mayHave(id);
  }

  /** Record that a commit stored `key`. */
  add(key: Key, id: string): void {
    if (!covered(key)) return;
    this.#ready?.add(id);
    this.#building?.add(id);
  }
}

/**
 * Which keys exist, for the sole writer: a {@link KeyFilter} over every namespace's keys, fed by
 * every commit, so a read of a key it rules out needs no SQLite read. A clean close saves it and
 * the next open restores it (once: the saved copy is invalidated before any write); otherwise it
 * is rebuilt by a background scan, and until that completes nothing is ruled out.
 * @module
 */
import { KeyFilter, type LayerImage } from "./key_filter.ts";
import { keyId } from "./keys.ts";
import type { Key } from "./types.ts";

/** Entries one scan page reads (values too: Deno KV has no keys-only listing). */
const SCAN_PAGE = 1000;
/**
 * Namespaces are words; internal key spaces start with "_" and are never asked about. These
 * two ranges hold every string-named namespace except the internal ones.
 */
/** The saved filter: [SAVED, "meta"], chunks [SAVED, layer, i], and the validity mark. */
const SAVED = "_exists";
const SAVED_MARK = [SAVED, "valid"];
/** Bytes per saved chunk (under the 64 KiB value limit) and chunks per atomic. */
const SAVE_CHUNK = 60 * 1024;
const SAVE_CHUNKS_PER_ATOMIC = 12;

interface SavedMeta {
  layers: { capacity: number; count: number; chunks: number; bytes: number }[];
}

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

  /**
   * Restore the filter a clean close saved, and invalidate the saved copy before any write can
   * make it stale. Returns false when there was none (or it was unreadable).
   */
  async restore(): Promise<boolean> {
    const mark = await this.#kv.get(SAVED_MARK);
    if (mark.versionstamp === null) return false;
    await this.#kv.delete(SAVED_MARK);
    try {
      const meta = (await this.#kv.get<SavedMeta>([SAVED, "meta"])).value;
      if (!meta) return false;
      const images: LayerImage[] = [];
      for (let l = 0; l < meta.layers.length; l++) {
        const { capacity, count, chunks, bytes } = meta.layers[l];
        const buf = new Uint8Array(bytes);
        let offset = 0;
        const iter = this.#kv.list<Uint8Array>({ prefix: [SAVED, l] }, { batchSize: 500 });
        for await (const { key, value } of iter) {
          if ((key[2] as number) >= chunks) break;
          buf.set(value, offset);
          offset += value.length;
        }
        if (offset !== bytes) return false;
        images.push({ capacity, count, bits: new Uint32Array(buf.buffer) });
      }
      this.#ready = new KeyFilter(images);
      this.#scan = Promise.resolve();
      return true;
    } catch {
      return false;
    }
  }

  /** Save the filter for the next open (on a clean close, after the last commit). */
  async save(): Promise<void> {
    const filter = this.#ready;
    if (filter === null) return;
    const meta: SavedMeta = { layers: [] };
    const images = filter.images();
    for (let l = 0; l < images.length; l++) {
      const bytes = new Uint8Array(images[l].bits.buffer);
      const chunks = Math.ceil(bytes.length / SAVE_CHUNK);
      meta.layers.push({
        capacity: images[l].capacity,
        count: images[l].count,
        chunks,
        bytes: bytes.length,
      });
      for (let first = 0; first < chunks; first += SAVE_CHUNKS_PER_ATOMIC) {
        const op = this.#kv.atomic();
        for (let i = first; i < Math.min(chunks, first + SAVE_CHUNKS_PER_ATOMIC); i++) {
          op.set([SAVED, l, i], bytes.subarray(i * SAVE_CHUNK, (i + 1) * SAVE_CHUNK));
        }
        await op.commit();
      }
    }
    await this.#kv.atomic().set([SAVED, "meta"], meta).set(SAVED_MARK, true).commit();
  }

  /** Begin the background scan (unless {@link restore} already made the index ready). */
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

/**
 * Spare disk space beside a file store, given back when the disk fills so that deletes (which
 * SQLite must also log to its WAL) can still commit and free room inside the database.
 * @module
 */
/**
 * Bytes held: more than SQLite's WAL grows between checkpoints (1000 pages, ~4 MiB), so deletes
 * can cycle the WAL and checkpoint it into the main file while the disk is otherwise full.
 */
export const RESERVE_BYTES = 8 * 1024 * 1024;
/**
 * While full, how often a growing write may try to take the reserve back; it does once the disk
 * has room for the reserve and as much again for data (else it would fill again at once).
 */
const REFILL_INTERVAL_MS = 1000;

/**
 * `<data file>.reserve`. Normal: held, writes go on. Full (after SQLite said so): the file is
 * deleted, only writes that add nothing run (deletes), and a growing write runs again once the
 * reserve could be written back (space freed outside) or deletes committed since.
 */
export class DiskReserve {
  #full = false;
  #deletedSinceFull = false;
  #nextRefill = 0;

  readonly path: string;

  private constructor(readonly dataPath: string) {
    this.path = `${dataPath}.reserve`;
  }

  /**
   * Hold the reserve beside `dataPath`. Best effort: on a disk already too full for it, writes go
   * on without one (as before there was a reserve) until SQLite says the disk is full.
   */
  static async open(dataPath: string): Promise<DiskReserve> {
    const reserve = new DiskReserve(dataPath);
    const size = await Deno.stat(reserve.path).then((s) => s.size, () => -1);
    if (size !== RESERVE_BYTES) await reserve.#write();
    return reserve;
  }

  /** True from a full disk until the reserve is held again. */
  get full(): boolean {
    return this.#full;
  }

  /** Whether a write may go to SQLite now; `grows` when it writes any value. */
  async admits(grows: boolean): Promise<boolean> {
    if (!this.#full || !grows) return true;
    if (Date.now() >= this.#nextRefill) {
      this.#nextRefill = Date.now() + REFILL_INTERVAL_MS;
      if (await freeBytes(this.dataPath) >= 2 * RESERVE_BYTES && await this.#write()) {
        this.#full = false;
        return true;
      }
    }
    // Deletes freed pages inside the database: a write may fit there without the reserve.
    return this.#deletedSinceFull;
  }

  /** A delete committed while full: it freed pages inside the database. */
  deleted(): void {
    this.#deletedSinceFull = true;
  }

  /** SQLite reported a full disk: give the space back for the deletes that follow. */
  async release(): Promise<void> {
    this.#full = true;
    this.#deletedSinceFull = false;
    await Deno.remove(this.path).catch(() => {});
  }

  async #write(): Promise<boolean> {
    try {
      await Deno.writeFile(this.path, new Uint8Array(RESERVE_BYTES));
      return true;
    } catch {
      await Deno.remove(this.path).catch(() => {});
      return false;
    }
  }
}

/** Bytes an unprivileged writer may still use on the filesystem holding `path` (0 if unknown). */
async function freeBytes(path: string): Promise<number> {
  try {
    // Imported only here, on a full disk: node:fs brings in Deno's Node layer (~60 ms of start).
    const { statfs } = await import("node:fs/promises");
    const fs = await statfs(path);
    return fs.bavail * fs.bsize;
  } catch {
    return 0;
  }
}

/**
 * The data-file lock: two processes committing to one SQLite file corrupt each other's
 * commits, so a store on a local file holds an exclusive lock on a sidecar file.
 * @module
 */

/** A held lock; closing it releases the lock. */
export interface DataLock {
  path: string;
  close(): void;
}

/** Take the exclusive lock next to `dataPath`, or throw an Error naming the holder's file. */
export function lockDataFile(dataPath: string): DataLock {
  const path = `${dataPath}.lock`;
  const file = Deno.openSync(path, { read: true, write: true, create: true });
  let locked = false;
  try {
    locked = file.tryLockSync(true);
  } catch {
    locked = false;
  }
  if (!locked) {
    file.close();
    throw new Error(
      `Cannot open ${dataPath}: another basekv process is using it (lock held on ${path})`,
    );
  }
  return {
    path,
    close() {
      try {
        file.unlockSync();
      } finally {
        file.close();
      }
    },
  };
}

/**
 * The store's typed failures. Protocols map each class to their own wire error; nothing
 * outside the store looks at an error's message to tell what went wrong.
 * @module
 */

/** Base of every failure the store reports on purpose (as opposed to a bug). */
export class StoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A key is longer than Deno KV allows once its namespace is added. */
export class KeyTooLargeError extends StoreError {
  constructor(readonly size: number, readonly max: number) {
    super(`Key too large: ${size} bytes (max ${max} bytes)`);
  }
}

/** A payload is larger than one entry may hold. */
export class ValueTooLargeError extends StoreError {
  constructor(readonly size: number, readonly max: number) {
    super(`Value too large: ${size} bytes (max ${max} bytes)`);
  }
}

/** A write unit cannot be committed as one unit (on a shared store: more than one atomic). */
export class UnitTooLargeError extends StoreError {
  constructor(message: string) {
    super(message);
  }
}

/** The disk (or the database's size limit) is full: nothing was written. */
export class DiskFullError extends StoreError {
  constructor() {
    super("database or disk is full");
  }
}

/** A batch's checks failed: another writer changed a key this batch read. */
export class ConflictError extends StoreError {
  constructor() {
    super("Commit conflict: a key read by the transaction changed");
  }
}

/**
 * The shared shape of everything basekv loads on first use: one load at a time, remembered once
 * it succeeded; a failure is not remembered, so the next caller tries again.
 * @module
 */

/** `load` wrapped so that callers share one run of it until one succeeds. */
export function loadOnce<T>(load: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | null = null;
  return () =>
    pending ??= load().catch((error) => {
      pending = null;
      throw error;
    });
}

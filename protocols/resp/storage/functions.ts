/**
 * Where FUNCTION LOAD keeps libraries so they survive a restart: each library's code under
 * ["fn", name] in the redis namespace (outside every db, so FLUSHALL leaves them, as Redis's).
 * @module
 */
import type { Key, Store, WriteTx } from "../../../src/store/mod.ts";
import type { Library, ScriptEngine } from "../scripting/mod.ts";

/** The prefix of every stored library. */
export const FUNCTIONS_PREFIX: Key = ["fn"];

/** The key of the library `name`. */
export function functionKey(name: string): Key {
  return [...FUNCTIONS_PREFIX, name];
}

/**
 * Load every stored library (at start) into the engine `load` gives, which is asked for only when
 * a library is stored; returns how many loaded.
 */
export async function loadStoredFunctions(
  store: Store,
  load: () => Promise<ScriptEngine>,
): Promise<number> {
  let n = 0;
  for await (const entry of store.list({ prefix: FUNCTIONS_PREFIX })) {
    if (!("error" in (await load()).loadLibrary(entry.data, true))) n++;
  }
  return n;
}

/** Make the stored libraries exactly `libraries` (FUNCTION FLUSH, RESTORE). */
export async function storeLibraries(tx: WriteTx, libraries: readonly Library[]): Promise<void> {
  for (const entry of await tx.list({ prefix: FUNCTIONS_PREFIX })) tx.delete(entry.key);
  for (const lib of libraries) tx.set(functionKey(lib.name), { data: lib.code });
}

/**
 * Where FUNCTION LOAD keeps libraries so they survive a restart: each library's code under
 * ["fn", name] in the redis namespace (outside every db, so FLUSHALL leaves them, as Redis's).
 * @module
 */
import type { Key, Store } from "../../../src/store/mod.ts";
import type { ScriptEngine } from "../scripting/mod.ts";

/** The prefix of every stored library. */
export const FUNCTIONS_PREFIX: Key = ["fn"];

/** The key of the library `name`. */
export function functionKey(name: string): Key {
  return [...FUNCTIONS_PREFIX, name];
}

/** Load every stored library into `engine` (at start); returns how many loaded. */
export async function loadStoredFunctions(store: Store, engine: ScriptEngine): Promise<number> {
  let n = 0;
  for await (const entry of store.list({ prefix: FUNCTIONS_PREFIX })) {
    if (!("error" in engine.loadLibrary(entry.data, true))) n++;
  }
  return n;
}

/**
 * The flags a script (`#!lua flags=…`) or a function (register_function's `flags`) declares.
 * @module
 */

export type ScriptFlag =
  | "no-writes"
  | "allow-oom"
  | "allow-stale"
  | "no-cluster"
  | "allow-cross-slot-keys";

export const SCRIPT_FLAG_NAMES: ReadonlySet<string> = new Set<ScriptFlag>([
  "no-writes",
  "allow-oom",
  "allow-stale",
  "no-cluster",
  "allow-cross-slot-keys",
]);

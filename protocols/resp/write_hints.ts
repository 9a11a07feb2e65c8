/**
 * Write hints from the command table: the store keys a single command's write unit will touch
 * (each key's meta entry), so the store fetches them before the unit runs.
 * @module
 */
import type { Key } from "../../src/store/mod.ts";
import type { CommandSpec } from "./command.ts";
import { metaKey } from "./storage/layout.ts";

/** More keys than this are left unhinted: the unit reads the rest itself. */
export const MAX_HINTED_KEYS = 64;

/**
 * The keys to prefetch for a write command, from its key positions; undefined when it names
 * none. The db stands in for its storage slot: they match until FLUSHDB or SWAPDB, and a wrong
 * hint only costs a useless prefetch.
 */
export function writeHints(
  spec: CommandSpec,
  argv: readonly Uint8Array[],
  db: number,
): Key[] | undefined {
  if (spec.firstKey <= 0 || !spec.flags.includes("write")) return undefined;
  const last = spec.lastKey < 0 ? argv.length + spec.lastKey : spec.lastKey;
  const step = spec.step > 0 ? spec.step : 1;
  // Not the slot map, though every unit reads it: that read keeps it cached, so hinting it cost
  // a second prefetch lookup per command (the prefetch led the store's profile) for nothing.
  const keys: Key[] = [];
  for (let i = spec.firstKey; i <= last && i < argv.length; i += step) {
    if (keys.length >= MAX_HINTED_KEYS) break;
    keys.push(metaKey(db, argv[i]));
  }
  return keys.length > 0 ? keys : undefined;
}

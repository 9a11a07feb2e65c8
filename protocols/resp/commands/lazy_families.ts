/**
 * The command families loaded on first use (lazy.ts), each with its module. specs.ts holds their
 * declarations, generated from these modules by scripts/command_specs.ts.
 * @module
 */
import type { FamilyModule } from "./lazy.ts";

/** Family name → its module (literal imports, so `deno compile` and `deno bundle` keep them). */
export const LAZY_FAMILIES = {
  client: () => import("./client.ts"),
  replication: () => import("./replication.ts"),
  command_info: () => import("./command_info.ts"),
  config: () => import("./config.ts"),
  admin: () => import("./admin.ts"),
  pubsub: () => import("./pubsub.ts"),
  acl: () => import("./acl.ts"),
  strings: () => import("./strings.ts"),
  keys: () => import("./keys.ts"),
  hashes: () => import("./hashes.ts"),
  lists: () => import("./lists.ts"),
  blocking_lists: () => import("./blocking_lists.ts"),
  sets: () => import("./sets.ts"),
  scan: () => import("./scan.ts"),
  sort: () => import("./sort.ts"),
  bitmaps: () => import("./bitmaps.ts"),
  hyperloglog: () => import("./hyperloglog.ts"),
  dump: () => import("./dump.ts"),
  sorted_sets: () => import("./sorted_sets.ts"),
  blocking_sorted_sets: () => import("./blocking_sorted_sets.ts"),
  geo: () => import("./geo.ts"),
  streams: () => import("./streams.ts"),
  stream_groups: () => import("./stream_groups.ts"),
  stream_info: () => import("./stream_info.ts"),
  scripting: () => import("./scripting.ts"),
} satisfies Record<string, () => Promise<FamilyModule>>;

/** A family loaded on first use. */
export type LazyFamilyName = keyof typeof LAZY_FAMILIES;

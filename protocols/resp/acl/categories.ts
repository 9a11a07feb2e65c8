/**
 * The ACL categories of one command as Redis assigns them: Redis's own table for the commands it
 * lists, otherwise derived from the command's flags and COMMAND DOCS group the way Redis's
 * setImplicitACLCategories does. ACL rules and COMMAND INFO both read this.
 * @module
 */
import type { CommandSpec } from "../command.ts";
import type { CommandTable } from "../command_table.ts";
import type { CommandNames } from "./user.ts";
import { CATEGORIES, knownCategories } from "./category_table.ts";

export { CATEGORIES, commandsIn } from "./category_table.ts";

const BY_FLAG: Readonly<Record<string, string>> = {
  write: "write",
  readonly: "read",
  admin: "admin",
  fast: "fast",
  blocking: "blocking",
};

/** The category a COMMAND DOCS group implies. */
const BY_GROUP: Readonly<Record<string, string>> = {
  string: "string",
  hash: "hash",
  list: "list",
  set: "set",
  "sorted-set": "sortedset",
  geo: "geo",
  stream: "stream",
  bitmap: "bitmap",
  hyperloglog: "hyperloglog",
  generic: "keyspace",
  connection: "connection",
  pubsub: "pubsub",
  scripting: "scripting",
  transactions: "transaction",
};

const cache = new Map<string, readonly string[]>();

/** The categories of `spec` called as `fullName`, in ACL CAT's order (without the @). */
export function categoriesOf(
  spec: CommandSpec,
  fullName: string,
  group: string,
): readonly string[] {
  const cached = cache.get(fullName);
  if (cached) return cached;
  let set = knownCategories(fullName);
  if (!set) {
    const derived = new Set<string>();
    for (const flag of spec.flags) if (BY_FLAG[flag]) derived.add(BY_FLAG[flag]);
    if (spec.flags.includes("admin")) derived.add("dangerous");
    // A container (CLIENT, CONFIG, …) is only @slow itself: its subcommands carry the rest.
    if (!spec.subcommands?.length && BY_GROUP[group]) derived.add(BY_GROUP[group]);
    if (!spec.flags.includes("fast")) derived.add("slow");
    set = derived;
  }
  const ordered = CATEGORIES.filter((c) => set.has(c));
  cache.set(fullName, ordered);
  return ordered;
}

/** What ACL rules need to know of `table`: which names exist and their categories. */
export function tableNames(table: CommandTable): CommandNames {
  return {
    exists(name, sub) {
      const spec = table.get(name);
      if (!spec) return false;
      return sub === undefined || Boolean(spec.subcommands?.some((s) => s.name === sub));
    },
    categories(fullName) {
      const [name, sub] = fullName.split("|");
      const base = table.get(name);
      const spec = sub === undefined ? base : base?.subcommands?.find((s) => s.name === sub);
      return spec ? categoriesOf(spec, fullName, table.group(name)) : [];
    },
  };
}

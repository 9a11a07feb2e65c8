/**
 * How COMMAND INFO and COMMAND DOCS describe one command of the table. Apart from the table
 * because INFO's ACL categories need the category index: both load with COMMAND's first use.
 * @module
 */
import type { CommandSpec } from "./command.ts";
import { array, bulk, integer, map, type Reply, simple } from "./reply.ts";
import { categoriesOf } from "./acl/categories.ts";

/** A map whose keys are field names (COMMAND's key specs and docs). */
function fields(entries: [string, Reply][]): Reply {
  return map(entries.map(([name, value]) => [bulk(name), value]));
}

/** A key spec's search step: its kind and that kind's parameters. */
function searchStep(type: string, spec: [string, Reply][]): Reply {
  return fields([["type", bulk(type)], ["spec", fields(spec)]]);
}

function emptySet(): Reply {
  return { type: "set", value: [] };
}

/** One COMMAND INFO entry (Redis 7.2 shape: 10 fields, subcommands nested). */
export function commandInfo(spec: CommandSpec, group: string, fullName = spec.name): Reply {
  const keySpecs: Reply[] = spec.firstKey > 0
    ? [fields([
      ["flags", emptySet()],
      ["begin_search", searchStep("index", [["index", integer(spec.firstKey)]])],
      [
        "find_keys",
        searchStep("range", [
          ["lastkey", integer(spec.lastKey < 0 ? spec.lastKey : spec.lastKey - spec.firstKey)],
          ["keystep", integer(spec.step)],
          ["limit", integer(0)],
        ]),
      ],
    ])]
    : [];
  return array([
    bulk(fullName),
    integer(spec.arity),
    { type: "set", value: spec.flags.map(simple) },
    integer(spec.firstKey),
    integer(spec.lastKey),
    integer(spec.step),
    { type: "set", value: categoriesOf(spec, fullName, group).map((c) => simple(`@${c}`)) },
    emptySet(),
    array(keySpecs),
    array((spec.subcommands ?? []).map((s) => commandInfo(s, group, `${spec.name}|${s.name}`))),
  ]);
}

/** One COMMAND DOCS entry: summary, since, group and subcommands. */
export function commandDocs(spec: CommandSpec, group: string): Reply {
  const entries: [string, Reply][] = [
    ["summary", bulk(spec.summary ?? "")],
    ["since", bulk("1.0.0")],
    ["group", bulk(group)],
  ];
  if (spec.subcommands?.length) {
    entries.push([
      "subcommands",
      fields(spec.subcommands.map((s) => [`${spec.name}|${s.name}`, commandDocs(s, group)])),
    ]);
  }
  return fields(entries);
}

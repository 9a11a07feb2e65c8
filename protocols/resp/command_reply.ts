/**
 * How COMMAND INFO and COMMAND DOCS describe one command of the table. Apart from the table
 * because INFO's ACL categories need the category index: both load with COMMAND's first use.
 * @module
 */
import type { CommandSpec } from "./command.ts";
import type { Reply } from "./reply.ts";
import { categoriesOf } from "./acl/categories.ts";

function status(value: string): Reply {
  return { type: "simple", value };
}

/** One COMMAND INFO entry (Redis 7.2 shape: 10 fields, subcommands nested). */
export function commandInfo(spec: CommandSpec, group: string, fullName = spec.name): Reply {
  const keySpecs: Reply[] = spec.firstKey > 0
    ? [{
      type: "map",
      value: [
        [{ type: "bulk", value: "flags" }, { type: "set", value: [] }],
        [{ type: "bulk", value: "begin_search" }, {
          type: "map",
          value: [
            [{ type: "bulk", value: "type" }, { type: "bulk", value: "index" }],
            [{ type: "bulk", value: "spec" }, {
              type: "map",
              value: [[{ type: "bulk", value: "index" }, {
                type: "integer",
                value: spec.firstKey,
              }]],
            }],
          ],
        }],
        [{ type: "bulk", value: "find_keys" }, {
          type: "map",
          value: [
            [{ type: "bulk", value: "type" }, { type: "bulk", value: "range" }],
            [{ type: "bulk", value: "spec" }, {
              type: "map",
              value: [
                [{ type: "bulk", value: "lastkey" }, {
                  type: "integer",
                  value: spec.lastKey < 0 ? spec.lastKey : spec.lastKey - spec.firstKey,
                }],
                [{ type: "bulk", value: "keystep" }, { type: "integer", value: spec.step }],
                [{ type: "bulk", value: "limit" }, { type: "integer", value: 0 }],
              ],
            }],
          ],
        }],
      ],
    }]
    : [];
  return {
    type: "array",
    value: [
      { type: "bulk", value: fullName },
      { type: "integer", value: spec.arity },
      { type: "set", value: spec.flags.map(status) },
      { type: "integer", value: spec.firstKey },
      { type: "integer", value: spec.lastKey },
      { type: "integer", value: spec.step },
      {
        type: "set",
        value: categoriesOf(spec, fullName, group).map((c) => status(`@${c}`)),
      },
      { type: "set", value: [] },
      { type: "array", value: keySpecs },
      {
        type: "array",
        value: (spec.subcommands ?? []).map((s) => commandInfo(s, group, `${spec.name}|${s.name}`)),
      },
    ],
  };
}

/** One COMMAND DOCS entry: summary, since, group and subcommands. */
export function commandDocs(spec: CommandSpec, group: string): Reply {
  const fields: [Reply, Reply][] = [
    [{ type: "bulk", value: "summary" }, { type: "bulk", value: spec.summary ?? "" }],
    [{ type: "bulk", value: "since" }, { type: "bulk", value: "1.0.0" }],
    [{ type: "bulk", value: "group" }, { type: "bulk", value: group }],
  ];
  if (spec.subcommands?.length) {
    fields.push([{ type: "bulk", value: "subcommands" }, {
      type: "map",
      value: spec.subcommands.map((s) => [
        { type: "bulk", value: `${spec.name}|${s.name}` },
        commandDocs(s, group),
      ]),
    }]);
  }
  return { type: "map", value: fields };
}

/**
 * The families loaded on first use: specs.ts (generated) declares exactly what their modules
 * do, the table built with stubs describes itself (COMMAND INFO, DOCS) as the eager one does,
 * and a family's first call leaves its handlers in place of the stubs.
 * @module
 */
import assert from "node:assert/strict";
import { type CommandFamily, CommandTable } from "../../../protocols/resp/command_table.ts";
import { commandDocs, commandInfo } from "../../../protocols/resp/command_reply.ts";
import { families } from "../../../protocols/resp/commands/mod.ts";
import { loadHandler, specData } from "../../../protocols/resp/commands/lazy.ts";
import {
  LAZY_FAMILIES,
  type LazyFamilyName,
} from "../../../protocols/resp/commands/lazy_families.ts";
import { SPECS } from "../../../protocols/resp/commands/specs.ts";

const NAMES = Object.keys(LAZY_FAMILIES) as LazyFamilyName[];

Deno.test("specs.ts declares each lazy family's commands as its module does", async () => {
  assert.deepEqual(Object.keys(SPECS).sort(), [...NAMES].sort());
  for (const name of NAMES) {
    const { COMMANDS } = await LAZY_FAMILIES[name]();
    assert.deepEqual(
      SPECS[name],
      COMMANDS.map(specData),
      `${name}: run \`deno run -A scripts/command_specs.ts\``,
    );
  }
});

/** The same families with each lazy one's module loaded up front in place of its stubs. */
async function eagerFamilies(): Promise<CommandFamily[]> {
  return await Promise.all(
    families().map(async (family) => {
      const first = family.commands[0];
      if (!("load" in first.handler)) return family;
      const name = NAMES.find((n) => SPECS[n][0][0] === first.name)!;
      return { group: family.group, commands: (await LAZY_FAMILIES[name]()).COMMANDS };
    }),
  );
}

Deno.test("the table with stubs describes every command as the eager table does", async () => {
  const lazy = new CommandTable(families());
  const eager = new CommandTable(await eagerFamilies());
  assert.deepEqual(lazy.specs.map((s) => s.name), eager.specs.map((s) => s.name));
  for (const spec of eager.specs) {
    const stub = lazy.get(spec.name)!;
    assert.deepEqual(
      commandInfo(stub, lazy.group(stub.name)),
      commandInfo(spec, eager.group(spec.name)),
    );
    assert.deepEqual(
      commandDocs(stub, lazy.group(stub.name)),
      commandDocs(spec, eager.group(spec.name)),
    );
  }
});

Deno.test("a family's first call replaces its stubs with the module's handlers", async () => {
  const table = new CommandTable(families());
  const stub = table.get("xinfo")!;
  const stubHandler = stub.handler;
  const stubSub = stub.subcommands!.find((s) => s.name === "stream")!.handler;
  await loadHandler(stub);
  const { COMMANDS } = await LAZY_FAMILIES.stream_info();
  const real = COMMANDS.find((s) => s.name === "xinfo")!;
  assert.notEqual(stub.handler, stubHandler);
  assert.equal(stub.handler, real.handler);
  const sub = stub.subcommands!.find((s) => s.name === "stream")!;
  assert.notEqual(sub.handler, stubSub);
  assert.equal(sub.handler, real.subcommands!.find((s) => s.name === "stream")!.handler);
  // Loaded: nothing left to load, and the next table starts with stubs of its own.
  assert.equal(loadHandler(stub), undefined);
  assert.notEqual(new CommandTable(families()).get("xinfo")!.handler, real.handler);
});

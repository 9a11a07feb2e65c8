/**
 * Command families loaded on first use: the table holds each command's declaration from the
 * generated specs.ts at start, and the family's module (handlers and the storage only they use)
 * is imported when one of its commands first runs; its handlers then replace the stubs, so later
 * calls go straight to them.
 * @module
 */
import type { CommandContext, CommandSpec, Handler } from "../command.ts";
import type { CommandFamily } from "../command_table.ts";

/**
 * A command's declaration without its handler: name, arity, flags, first key, last key, step,
 * summary (null when none) and subcommands (the same shape; absent when none).
 */
export type SpecData = readonly [
  name: string,
  arity: number,
  flags: readonly string[],
  firstKey: number,
  lastKey: number,
  step: number,
  summary: string | null,
  subcommands?: readonly SpecData[],
];

/** A family module: its file exports `COMMANDS`. */
export type FamilyModule = { COMMANDS: readonly CommandSpec[] };

/** A stub handler: loads its family (the one await a first call pays). */
interface LazyHandler extends Handler {
  load(): Promise<void>;
}

/** The declaration of `spec` (and its subcommands) as specs.ts stores it. */
export function specData(spec: CommandSpec): SpecData {
  const head = [
    spec.name,
    spec.arity,
    spec.flags,
    spec.firstKey,
    spec.lastKey,
    spec.step,
    spec.summary ?? null,
  ] as const;
  return spec.subcommands ? [...head, spec.subcommands.map(specData)] : head;
}

/** The spec `data` declares, each (sub)command's handler made by `stub` for that spec. */
function stubSpec(data: SpecData, stub: (spec: CommandSpec) => Handler): CommandSpec {
  const [name, arity, flags, firstKey, lastKey, step, summary, subcommands] = data;
  const spec: CommandSpec = {
    name,
    arity,
    flags: [...flags],
    firstKey,
    lastKey,
    step,
    summary: summary ?? undefined,
    subcommands: subcommands?.map((s) => stubSpec(s, stub)),
    handler: () => {
      throw new Error(`${name}: no handler`);
    },
  };
  spec.handler = stub(spec);
  return spec;
}

/** Give each stub in `stubs` the handler of its namesake in `real`, subcommands included. */
function graft(stubs: readonly CommandSpec[], real: readonly CommandSpec[], family: string): void {
  const byName = new Map(real.map((s) => [s.name, s]));
  for (const stub of stubs) {
    const spec = byName.get(stub.name);
    if (!spec) throw new Error(`${family}: no command ${stub.name} (regenerate specs.ts)`);
    stub.handler = spec.handler;
    if (stub.subcommands) graft(stub.subcommands, spec.subcommands ?? [], family);
  }
}

/** A family whose handlers load with `load` the first time one of its commands runs. */
export function lazyFamily(
  group: string,
  family: string,
  specs: readonly SpecData[],
  load: () => Promise<FamilyModule>,
): CommandFamily {
  let loading: Promise<void> | null = null;
  const install = (): Promise<void> =>
    loading ??= load().then(
      (module) => graft(commands, module.COMMANDS, family),
      (error) => {
        // A failed import is retried by the next call rather than remembered.
        loading = null;
        throw error;
      },
    );
  // Once grafted, the stub's own spec holds the real handler: the call goes on to it.
  const stub = (spec: CommandSpec): LazyHandler =>
    Object.assign(
      async (ctx: CommandContext, argv: Uint8Array[]) => {
        await install();
        return await spec.handler(ctx, argv);
      },
      { load: install },
    );
  const commands = specs.map((data) => stubSpec(data, stub));
  return { group, commands };
}

/** Load the family of `spec` if it is still a stub (EXEC loads before its write unit starts). */
export function loadHandler(spec: CommandSpec): Promise<void> | undefined {
  return (spec.handler as Partial<LazyHandler>).load?.();
}

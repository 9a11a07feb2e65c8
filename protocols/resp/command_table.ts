/**
 * The one command table: merges the command families, looks a request up the way Redis 7.2's
 * processCommand does (container subcommands, then existence, then arity) with its exact errors.
 * COMMAND INFO / DOCS entries are rendered by command_reply.ts.
 * @module
 */
import { latin1Text } from "../../src/bytes.ts";
import { command, type CommandSpec } from "./command.ts";
import { ERRORS, SERVER_ERRORS, unknownCommandError } from "./errors.ts";
import { array, simple } from "./reply.ts";

/** Argument text as Redis's `%s` prints it: up to the first NUL byte. */
export function argText(arg: Uint8Array): string {
  const nul = arg.indexOf(0);
  return latin1Text(nul < 0 ? arg : arg.subarray(0, nul));
}

/** A container command's HELP subcommand: `lines` as simple strings (Redis's addReplyHelp). */
export function helpSubcommand(lines: readonly string[]): CommandSpec {
  return command("help", {
    arity: 2,
    flags: ["loading", "stale"],
    summary: "Returns helpful text about the different subcommands.",
  }, () => array(lines.map(simple)));
}

/**
 * A looked-up command: the spec to run and its full name ("client|list"), or the error reply
 * (with the spec and name when the command is known but its arity is wrong: a rejected call).
 */
export type Lookup =
  | { spec: CommandSpec; fullName: string }
  | { error: string; spec?: CommandSpec; fullName?: string };

/** Longest command name worth a table lookup; longer names are unknown without decoding. */
const MAX_NAME_BYTES = 64;

/** Char codes of the name being lower-cased, reused: one string per name, none per char. */
const nameCodes: number[] = [];

/** ASCII-lower-cased command name (hot path: avoids a TextDecoder per command). */
function lowerName(arg: Uint8Array): string {
  if (arg.length > MAX_NAME_BYTES) return "";
  for (let i = 0; i < arg.length; i++) {
    const c = arg[i];
    nameCodes[i] = c >= 65 && c <= 90 ? c + 32 : c;
  }
  nameCodes.length = arg.length;
  return String.fromCharCode.apply(null, nameCodes);
}

/** 32-bit FNV-1a of a command name's ASCII-lower-cased bytes (or of a lower-case name). */
function nameHash(arg: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < arg.length; i++) {
    const c = arg[i];
    h = Math.imul(h ^ (c >= 65 && c <= 90 ? c + 32 : c), 0x01000193);
  }
  return h;
}

function textHash(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h;
}

/** Whether `arg`, ASCII-lower-cased, spells `name` (a lower-case ASCII command name). */
function spells(arg: Uint8Array, name: string): boolean {
  if (arg.length !== name.length) return false;
  for (let i = 0; i < arg.length; i++) {
    const c = arg[i];
    if ((c >= 65 && c <= 90 ? c + 32 : c) !== name.charCodeAt(i)) return false;
  }
  return true;
}

function arityOk(arity: number, argc: number): boolean {
  return arity > 0 ? argc === arity : argc >= -arity;
}

/** A command family and the COMMAND DOCS group its commands belong to. */
export interface CommandFamily {
  group: string;
  commands: readonly CommandSpec[];
}

/** Name → spec for every family, with Redis's dispatch rules. */
export class CommandTable {
  #byName = new Map<string, CommandSpec>();
  /**
   * Every command by {@link nameHash} of its name (null where two names share a hash): the hot
   * lookup, which makes no string of the name.
   */
  #byHash = new Map<number, CommandSpec | null>();
  #groups = new Map<string, string>();
  /** The lookup of each command without subcommands, made once (shared: never mutate). */
  #found = new Map<CommandSpec, { spec: CommandSpec; fullName: string }>();

  constructor(families: readonly CommandFamily[]) {
    for (const family of families) {
      for (const spec of family.commands) {
        this.#byName.set(spec.name, spec);
        const h = textHash(spec.name);
        const other = this.#byHash.get(h);
        this.#byHash.set(h, other === undefined || other?.name === spec.name ? spec : null);
        this.#groups.set(spec.name, family.group);
        this.#found.set(spec, { spec, fullName: spec.name });
      }
    }
  }

  /** The COMMAND DOCS group of a command. */
  group(name: string): string {
    return this.#groups.get(name) ?? "generic";
  }

  /** Every command, in registration order. */
  get specs(): CommandSpec[] {
    return [...this.#byName.values()];
  }

  /** The spec named `name` (case-insensitive), or undefined. */
  get(name: string): CommandSpec | undefined {
    return this.#byName.get(name.toLowerCase());
  }

  /** The command `arg` names (any case), or undefined. */
  #base(arg: Uint8Array): CommandSpec | undefined {
    if (arg.length > MAX_NAME_BYTES) return undefined;
    const hashed = this.#byHash.get(nameHash(arg));
    if (hashed === undefined) return undefined;
    if (hashed === null) return this.#byName.get(lowerName(arg));
    return spells(arg, hashed.name) ? hashed : undefined;
  }

  /** Resolve argv to a spec, or to Redis's unknown-command / subcommand / arity error. */
  lookup(argv: Uint8Array[]): Lookup {
    const base = this.#base(argv[0]);
    if (!base) {
      return { error: unknownCommandError(argText(argv[0]), argv.slice(1).map(argText)) };
    }
    let spec = base;
    let fullName = base.name;
    if (base.subcommands && argv.length >= 2) {
      const subName = lowerName(argv[1]);
      const sub = base.subcommands.find((s) => s.name === subName);
      if (!sub) {
        return { error: SERVER_ERRORS.unknownSubcommand(argText(argv[1]), argText(argv[0])) };
      }
      spec = sub;
      fullName = `${base.name}|${sub.name}`;
    }
    if (!arityOk(spec.arity, argv.length)) return { error: ERRORS.arity(fullName), spec, fullName };
    return spec === base ? this.#found.get(base)! : { spec, fullName };
  }
}

/**
 * INFO and TIME: what the server reports about itself (the INFO text is rendered by ../info.ts).
 * @module
 */
import { latin1Text } from "../../../src/bytes.ts";
import { command as spec, type CommandContext, type CommandSpec } from "../command.ts";
import { infoSections, infoText, needsKeyspace } from "../info.ts";
import { type DbStats, keyspaceStats } from "../keyspace.ts";
import { array, bulk, type Reply } from "../reply.ts";

async function info(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  const sections = infoSections(argv.slice(1).map((a) => latin1Text(a)));
  const keyspace = needsKeyspace(sections)
    ? await ctx.read(() => keyspaceStats(ctx.store))
    : new Map<number, DbStats>();
  const text = infoText(sections, {
    state: ctx.server,
    keyspace,
    expiredKeys: ctx.store.stats().expired,
  });
  return { type: "verbatim", format: "txt", value: text };
}

function time(): Reply {
  const us = BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000));
  return array([bulk(String(us / 1_000_000n)), bulk(String(us % 1_000_000n))]);
}

/** The INFO family. */
export const COMMANDS: CommandSpec[] = [
  spec("info", {
    arity: -1,
    flags: ["loading", "stale"],
    summary: "Returns information and statistics about the server.",
  }, info),
  spec("time", {
    arity: 1,
    flags: ["loading", "stale", "fast"],
    summary: "Returns the server time.",
  }, time),
];

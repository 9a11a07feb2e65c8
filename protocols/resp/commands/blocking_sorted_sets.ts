/**
 * The blocking sorted-set pops (BZPOPMIN, BZPOPMAX, BZMPOP): each is its non-blocking form as
 * the attempt of a wait in blocking.ts, woken by a commit that writes one of its keys.
 * @module
 */
import { parseTimeout, serveOrBlock } from "../blocking.ts";
import { command, type CommandContext, type CommandSpec } from "../command.ts";
import { array, bulk, double, type Reply } from "../reply.ts";
import { writeSlot } from "./common.ts";
import { mpop, mpopReply, parseMpop, popFrom } from "./sorted_sets.ts";

/** BZPOPMIN/BZPOPMAX key [key ...] timeout: [key, member, score] from the first non-empty set. */
function bzpop(where: "min" | "max") {
  return (ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> => {
    const timeoutMs = parseTimeout(argv[argv.length - 1]);
    const keys = argv.slice(1, -1);
    return serveOrBlock(ctx, {
      keys,
      timeoutMs,
      attempt: async () => {
        const popped = await writeSlot(ctx, async (tx, slot) => {
          for (const key of keys) {
            const members = await popFrom(tx, slot, key, 1, where);
            if (members && members.length > 0) return { key, member: members[0] };
          }
          return null;
        });
        if (!popped) return null;
        return array([bulk(popped.key), bulk(popped.member.member), double(popped.member.score)]);
      },
    });
  };
}

/** BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]. */
function bzmpop(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  const timeoutMs = parseTimeout(argv[1]);
  const args = parseMpop(argv, 2);
  return serveOrBlock(ctx, {
    keys: args.keys,
    timeoutMs,
    attempt: async () => {
      const result = await writeSlot(ctx, (tx, slot) => mpop(tx, slot, args));
      return result ? mpopReply(result) : null;
    },
  });
}

const BLOCKING = ["write", "noscript", "blocking", "fast"];

/** The blocking sorted-set commands. */
export const COMMANDS: CommandSpec[] = [
  command("bzpopmin", { arity: -3, flags: BLOCKING, keys: [1, -2, 1] }, bzpop("min")),
  command("bzpopmax", { arity: -3, flags: BLOCKING, keys: [1, -2, 1] }, bzpop("max")),
  command("bzmpop", { arity: -5, flags: ["write", "blocking", "movablekeys"] }, bzmpop),
];

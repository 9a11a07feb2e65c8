/**
 * The blocking list pops (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP): each is its non-blocking
 * form as the attempt of a wait in blocking.ts.
 * @module
 */
import { parseTimeout, serveOrBlock } from "../blocking.ts";
import { command, type CommandContext, type CommandSpec } from "../command.ts";
import { array, bulk, type Reply } from "../reply.ts";
import type { Side } from "../storage/list.ts";
import { moveElement, mpopArgs, mpopReply, popFirst, sideArg } from "./lists.ts";

/** BLPOP/BRPOP key [key ...] timeout: [key, value] from the first non-empty list. */
function bpop(side: Side) {
  return (ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> => {
    const timeoutMs = parseTimeout(argv[argv.length - 1]);
    const keys = argv.slice(1, -1);
    return serveOrBlock(ctx, {
      keys,
      timeoutMs,
      attempt: async () => {
        const popped = await popFirst(ctx, keys, side, 1);
        return popped ? array([bulk(popped.key), bulk(popped.values[0])]) : null;
      },
    });
  };
}

/** BLMOVE and BRPOPLPUSH. */
function bmove(ctx: CommandContext, argv: Uint8Array[], from: Side, to: Side, timeout: Uint8Array) {
  const timeoutMs = parseTimeout(timeout);
  return serveOrBlock(ctx, {
    keys: [argv[1]],
    timeoutMs,
    attempt: () => moveElement(ctx, argv[1], argv[2], from, to),
  });
}

function blmove(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  const from = sideArg(argv[3]);
  const to = sideArg(argv[4]);
  return bmove(ctx, argv, from, to, argv[5]);
}

function brpoplpush(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  return bmove(ctx, argv, "right", "left", argv[3]);
}

function blmpop(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  const { keys, side, count } = mpopArgs(argv, 2);
  const timeoutMs = parseTimeout(argv[1]);
  return serveOrBlock(ctx, {
    keys,
    timeoutMs,
    attempt: async () => {
      const popped = await popFirst(ctx, keys, side, count);
      return popped ? mpopReply(popped) : null;
    },
  });
}

const BLOCKING = ["write", "noscript", "blocking"];
const BLOCKING_DENYOOM = ["write", "denyoom", "noscript", "blocking"];

/** The blocking list commands. */
export const COMMANDS: CommandSpec[] = [
  command("blpop", { arity: -3, flags: BLOCKING, keys: [1, -2, 1] }, bpop("left")),
  command("brpop", { arity: -3, flags: BLOCKING, keys: [1, -2, 1] }, bpop("right")),
  command("blmove", { arity: 6, flags: BLOCKING_DENYOOM, keys: [1, 2, 1] }, blmove),
  command("brpoplpush", { arity: 4, flags: BLOCKING_DENYOOM, keys: [1, 2, 1] }, brpoplpush),
  command("blmpop", { arity: -5, flags: ["write", "blocking", "movablekeys"] }, blmpop),
];

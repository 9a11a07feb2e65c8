/**
 * Pub/Sub commands: (P|S)SUBSCRIBE, (P|S)UNSUBSCRIBE, PUBLISH, SPUBLISH and PUBSUB, with Redis
 * 7.2's frames (RESP3 pushes, RESP2 arrays). Delivery and the registry are in pubsub.ts.
 * @module
 */
import { latin1Bytes, latin1Text } from "../../../src/bytes.ts";
import { command as spec, type CommandContext, type CommandSpec } from "../command.ts";
import { helpSubcommand } from "../command_table.ts";
import { globMatch } from "../glob.ts";
import { type Kind } from "../pubsub.ts";
import { array, bulk, frames, integer, type Reply } from "../reply.ts";

/**
 * On a shared store, a subscription is confirmed once other front-ends can count it (inside
 * EXEC it cannot wait on the store: it is announced after the commit).
 */
function subscribeTo(kind: Kind) {
  return (ctx: CommandContext, argv: Uint8Array[]): Reply | Promise<Reply> => {
    const reply = frames(ctx.server.pubsub.subscribe(ctx.subscriber, kind, argv.slice(1)));
    const announced = ctx.server.fanout?.changed();
    if (!announced || ctx.inTransaction) {
      announced?.catch(() => {});
      return reply;
    }
    return announced.then(() => reply);
  };
}

function unsubscribeFrom(kind: Kind) {
  return (ctx: CommandContext, argv: Uint8Array[]): Reply => {
    const reply = frames(ctx.server.pubsub.unsubscribe(ctx.subscriber, kind, argv.slice(1)));
    ctx.server.fanout?.changed().catch(() => {});
    return reply;
  };
}

/**
 * Local subscribers get it at once; on a shared store the count adds other front-ends'. A
 * subscriber it wakes must read the writes sent before it, as with Redis: after this
 * connection's writes in flight (a pipelined SET k, PUBLISH k), and inside a write unit (EXEC, a
 * script) once the unit committed (Celery's result backend: SETEX + PUBLISH in a MULTI), the
 * count taken at the command and only the committed run delivering.
 */
function publishTo(shard: boolean) {
  const publish = publishNow(shard);
  return (ctx: CommandContext, argv: Uint8Array[]): Reply | Promise<Reply> => {
    const pending = ctx.afterCommit ? null : ctx.pendingWrites?.() ?? null;
    return pending ? pending.then(() => publish(ctx, argv)) : publish(ctx, argv);
  };
}

/** PUBLISH once what it must follow is done (see {@link publishTo}). */
function publishNow(shard: boolean) {
  return (ctx: CommandContext, argv: Uint8Array[]): Reply | Promise<Reply> => {
    const fanout = ctx.server.fanout;
    const deferTo = ctx.afterCommit;
    if (deferTo) {
      const [channel, message] = [argv[1].slice(), argv[2].slice()];
      const here = ctx.server.pubsub.receivers(channel, shard);
      const there = fanout?.remoteReceivers(channel, shard) ?? 0;
      deferTo(() => {
        ctx.server.pubsub.publish(channel, message, shard);
        fanout?.publishLater(channel, message, shard);
      });
      return integer(here + there);
    }
    const here = ctx.server.pubsub.publish(argv[1], argv[2], shard);
    if (!fanout) return integer(here);
    if (ctx.inTransaction) return integer(here + fanout.publishLater(argv[1], argv[2], shard));
    // Its place among this front-end's messages is taken now: pipelined PUBLISHes overlap.
    ctx.queued?.();
    return fanout.publish(argv[1], argv[2], shard).then((there) => integer(here + there));
  };
}

function channelsOf(kind: "channel" | "shard") {
  return async (ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> => {
    const pattern = argv[2] ?? null;
    const here = ctx.server.pubsub.channels(kind, pattern);
    const fanout = ctx.server.fanout;
    if (!fanout) return array(here.map(bulk));
    const names = new Set(here.map((c) => latin1Text(c)));
    for (const name of await fanout.remoteNames(kind, !ctx.inTransaction)) {
      if (!names.has(name) && (pattern === null || globMatch(pattern, latin1Bytes(name)))) {
        names.add(name);
        here.push(latin1Bytes(name));
      }
    }
    return array(here.map(bulk));
  };
}

function numsubOf(kind: "channel" | "shard") {
  return async (ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> => {
    const fanout = ctx.server.fanout;
    const out: Reply[] = [];
    for (const c of argv.slice(2)) {
      const there = fanout ? await fanout.remoteSubscribers(kind, c, !ctx.inTransaction) : 0;
      out.push(bulk(c), integer(ctx.server.pubsub.subscribers(kind, c) + there));
    }
    return array(out);
  };
}

async function numpat(ctx: CommandContext): Promise<Reply> {
  const fanout = ctx.server.fanout;
  if (!fanout) return integer(ctx.server.pubsub.patternCount);
  const names = await fanout.remoteNames("pattern", !ctx.inTransaction);
  for (const [p] of ctx.server.pubsub.interest().pattern) names.add(p);
  return integer(names.size);
}

const SUB_FLAGS = ["pubsub", "noscript", "loading", "stale"];
const PUBSUB_FLAGS = ["pubsub", "loading", "stale"];

const PUBSUB_SUBCOMMANDS: CommandSpec[] = [
  spec(
    "channels",
    { arity: -2, flags: PUBSUB_FLAGS, summary: "Returns the active channels." },
    channelsOf("channel"),
  ),
  spec("numpat", {
    arity: 2,
    flags: PUBSUB_FLAGS,
    summary: "Returns a count of unique pattern subscriptions.",
  }, numpat),
  spec("numsub", {
    arity: -2,
    flags: PUBSUB_FLAGS,
    summary: "Returns a count of subscribers to channels.",
  }, numsubOf("channel")),
  spec("shardchannels", {
    arity: -2,
    flags: PUBSUB_FLAGS,
    summary: "Returns the active shard channels.",
  }, channelsOf("shard")),
  spec("shardnumsub", {
    arity: -2,
    flags: PUBSUB_FLAGS,
    summary: "Returns the count of subscribers of shard channels.",
  }, numsubOf("shard")),
  helpSubcommand([
    "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "CHANNELS [<pattern>]",
    "    Return the currently active channels matching a <pattern> (default: '*').",
    "NUMPAT",
    "    Return number of subscriptions to patterns.",
    "NUMSUB [<channel> ...]",
    "    Return the number of subscribers for the specified channels, excluding",
    "    pattern subscriptions(default: no channels).",
    "SHARDCHANNELS [<pattern>]",
    "    Return the currently active shard level channels matching a <pattern> (default: '*').",
    "SHARDNUMSUB [<shardchannel> ...]",
    "    Return the number of subscribers for the specified shard level channel(s)",
    "HELP",
    "    Prints this help.",
  ]),
];

export const COMMANDS: CommandSpec[] = [
  spec("subscribe", {
    arity: -2,
    flags: SUB_FLAGS,
    summary: "Listens for messages published to channels.",
  }, subscribeTo("channel")),
  spec("unsubscribe", {
    arity: -1,
    flags: SUB_FLAGS,
    summary: "Stops listening to messages posted to channels.",
  }, unsubscribeFrom("channel")),
  spec("psubscribe", {
    arity: -2,
    flags: SUB_FLAGS,
    summary: "Listens for messages published to channels that match one or more patterns.",
  }, subscribeTo("pattern")),
  spec("punsubscribe", {
    arity: -1,
    flags: SUB_FLAGS,
    summary: "Stops listening to messages published to channels that match one or more patterns.",
  }, unsubscribeFrom("pattern")),
  spec("ssubscribe", {
    arity: -2,
    flags: SUB_FLAGS,
    keys: [1, -1, 1],
    summary: "Listens for messages published to shard channels.",
  }, subscribeTo("shard")),
  spec("sunsubscribe", {
    arity: -1,
    flags: SUB_FLAGS,
    keys: [1, -1, 1],
    summary: "Stops listening to messages posted to shard channels.",
  }, unsubscribeFrom("shard")),
  spec("publish", {
    arity: 3,
    flags: ["pubsub", "loading", "stale", "fast", "may_replicate"],
    summary: "Posts a message to a channel.",
  }, publishTo(false)),
  spec("spublish", {
    arity: 3,
    flags: ["pubsub", "loading", "stale", "fast", "may_replicate"],
    keys: [1, 1, 1],
    summary: "Post a message to a shard channel",
  }, publishTo(true)),
  spec("pubsub", {
    arity: -2,
    flags: [],
    summary: "A container for Pub/Sub commands.",
    subcommands: PUBSUB_SUBCOMMANDS,
  }, () => array([])),
];

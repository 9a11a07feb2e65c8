/**
 * Pub/Sub commands: (P|S)SUBSCRIBE, (P|S)UNSUBSCRIBE, PUBLISH, SPUBLISH and PUBSUB, with Redis
 * 7.2's frames (RESP3 pushes, RESP2 arrays). Delivery and the registry are in pubsub.ts.
 * @module
 */
import { command as spec, type CommandContext, type CommandSpec } from "../command.ts";
import { helpSubcommand } from "../command_table.ts";
import type { Kind } from "../pubsub.ts";
import { array, bulk, frames, integer, type Reply } from "../reply.ts";

function subscribeTo(kind: Kind) {
  return (ctx: CommandContext, argv: Uint8Array[]): Reply =>
    frames(ctx.server.pubsub.subscribe(ctx.subscriber, kind, argv.slice(1)));
}

function unsubscribeFrom(kind: Kind) {
  return (ctx: CommandContext, argv: Uint8Array[]): Reply =>
    frames(ctx.server.pubsub.unsubscribe(ctx.subscriber, kind, argv.slice(1)));
}

function publish(ctx: CommandContext, argv: Uint8Array[]): Reply {
  return integer(ctx.server.pubsub.publish(argv[1], argv[2]));
}

function spublish(ctx: CommandContext, argv: Uint8Array[]): Reply {
  return integer(ctx.server.pubsub.publish(argv[1], argv[2], true));
}

function channelsOf(kind: "channel" | "shard") {
  return (ctx: CommandContext, argv: Uint8Array[]): Reply =>
    array(ctx.server.pubsub.channels(kind, argv[2] ?? null).map(bulk));
}

function numsubOf(kind: "channel" | "shard") {
  return (ctx: CommandContext, argv: Uint8Array[]): Reply =>
    array(argv.slice(2).flatMap((c) => [bulk(c), integer(ctx.server.pubsub.subscribers(kind, c))]));
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
  }, (ctx) => integer(ctx.server.pubsub.patternCount)),
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
  }, publish),
  spec("spublish", {
    arity: 3,
    flags: ["pubsub", "loading", "stale", "fast", "may_replicate"],
    keys: [1, 1, 1],
    summary: "Post a message to a shard channel",
  }, spublish),
  spec("pubsub", {
    arity: -2,
    flags: [],
    summary: "A container for Pub/Sub commands.",
    subcommands: PUBSUB_SUBCOMMANDS,
  }, () => array([])),
];

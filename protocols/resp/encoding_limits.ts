/**
 * The encoding thresholds CONFIG SET may change (hash-max-listpack-entries, …): one typed
 * snapshot, so OBJECT ENCODING and every collection type read them the same way.
 * @module
 */
import type { CommandContext } from "./command.ts";
import type { HashLimits } from "./storage/hash.ts";
import type { SetLimits } from "./storage/set.ts";
import type { ZsetLimits } from "./storage/zset.ts";

/** Redis's conversion thresholds, as numbers (CONFIG names in the comments). */
export interface EncodingLimits {
  /** hash-max-listpack-entries (alias hash-max-ziplist-entries). */
  hashMaxListpackEntries: number;
  /** hash-max-listpack-value (alias hash-max-ziplist-value). */
  hashMaxListpackValue: number;
  /** list-max-listpack-size (alias list-max-ziplist-size): >0 entries, -1..-5 = 4..64 KiB. */
  listMaxListpackSize: number;
  /** list-compress-depth. */
  listCompressDepth: number;
  /** set-max-intset-entries. */
  setMaxIntsetEntries: number;
  /** set-max-listpack-entries. */
  setMaxListpackEntries: number;
  /** set-max-listpack-value. */
  setMaxListpackValue: number;
  /** zset-max-listpack-entries (alias zset-max-ziplist-entries). */
  zsetMaxListpackEntries: number;
  /** zset-max-listpack-value (alias zset-max-ziplist-value). */
  zsetMaxListpackValue: number;
  /** hll-sparse-max-bytes. */
  hllSparseMaxBytes: number;
  /** stream-node-max-bytes. */
  streamNodeMaxBytes: number;
  /** stream-node-max-entries. */
  streamNodeMaxEntries: number;
}

/** Parse the thresholds from CONFIG values (`value(name)` gives one parameter's text). */
export function limitsFrom(value: (name: string) => string): EncodingLimits {
  const n = (name: string) => Number(value(name));
  return {
    hashMaxListpackEntries: n("hash-max-listpack-entries"),
    hashMaxListpackValue: n("hash-max-listpack-value"),
    listMaxListpackSize: n("list-max-listpack-size"),
    listCompressDepth: n("list-compress-depth"),
    setMaxIntsetEntries: n("set-max-intset-entries"),
    setMaxListpackEntries: n("set-max-listpack-entries"),
    setMaxListpackValue: n("set-max-listpack-value"),
    zsetMaxListpackEntries: n("zset-max-listpack-entries"),
    zsetMaxListpackValue: n("zset-max-listpack-value"),
    hllSparseMaxBytes: n("hll-sparse-max-bytes"),
    streamNodeMaxBytes: n("stream-node-max-bytes"),
    streamNodeMaxEntries: n("stream-node-max-entries"),
  };
}

/** The thresholds in force on this connection's server (cheap: a parsed snapshot). */
export function encodingLimits(ctx: Pick<CommandContext, "server">): EncodingLimits {
  return ctx.server.config.limits;
}

/** The hash listpack thresholds in force (what storage/hash.ts's openHash takes). */
export function hashLimits(ctx: Pick<CommandContext, "server">): HashLimits {
  const limits = ctx.server.config.limits;
  return { entries: limits.hashMaxListpackEntries, value: limits.hashMaxListpackValue };
}

/** The set intset/listpack thresholds in force (what storage/set.ts's openSet takes). */
export function setLimits(ctx: Pick<CommandContext, "server">): SetLimits {
  const limits = ctx.server.config.limits;
  return {
    intsetEntries: limits.setMaxIntsetEntries,
    listpackEntries: limits.setMaxListpackEntries,
    listpackValue: limits.setMaxListpackValue,
  };
}

/** The sorted-set listpack thresholds in force (what storage/zset.ts's openZset takes). */
export function zsetLimits(ctx: Pick<CommandContext, "server">): ZsetLimits {
  const limits = ctx.server.config.limits;
  return { entries: limits.zsetMaxListpackEntries, value: limits.zsetMaxListpackValue };
}

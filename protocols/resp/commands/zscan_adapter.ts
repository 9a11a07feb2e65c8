/**
 * ZSCAN's view of a sorted set: the member → score entries, paged in member order, or (when
 * Redis would keep it in a listpack) every member at once in score order. Reads go through
 * storage/collection_adapters.ts, to be pointed at storage/zset.ts when it lands.
 * @module
 */
import type { Access, KeyEntry } from "../storage/db.ts";
import {
  formatScore,
  zsetIsSmall,
  zsetMemberName,
  zsetMemberParent,
  zsetMemberScore,
  zsetMembersInOrder,
} from "../storage/collection_adapters.ts";
import type { ScanItem, ScanSource } from "./scan.ts";

const encoder = new TextEncoder();

/** How ZSCAN reads `entry`'s members. */
export function zsetScanSource(r: Access, entry: KeyEntry): ScanSource {
  const meta = entry.meta!;
  return {
    whole: zsetIsSmall(meta)
      ? async () =>
        (await zsetMembersInOrder(r, meta)).map((m): ScanItem => [
          m.member,
          encoder.encode(formatScore(m.score)),
        ])
      : undefined,
    parent: zsetMemberParent(meta),
    item: (e) => [zsetMemberName(e), encoder.encode(formatScore(zsetMemberScore(e)))],
    needsData: true,
  };
}

/** DescribeTimeToLive: whether TTL is on for a table, and its attribute. */
import type { OperationContext } from "../context.ts";
import { getTable } from "../storage/tables.ts";
import type { Body } from "../validation.ts";
import { checkTableName } from "./describe_table.ts";

/** DescribeTimeToLive. */
export async function describeTimeToLive(ctx: OperationContext, body: Body) {
  const table = await getTable(ctx.store, checkTableName(body), true);
  return {
    TimeToLiveDescription: table.ttl?.enabled
      ? { TimeToLiveStatus: table.ttl.status ?? "ENABLED", AttributeName: table.ttl.attribute }
      : { TimeToLiveStatus: "DISABLED" },
  };
}

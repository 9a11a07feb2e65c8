/** DescribeEndpoints: the regional endpoint, as DynamoDB answers it. */
import type { OperationContext } from "../context.ts";

/** DescribeEndpoints. */
export function describeEndpoints(ctx: OperationContext) {
  return Promise.resolve({
    Endpoints: [{ Address: `dynamodb.${ctx.region}.amazonaws.com`, CachePeriodInMinutes: 1440 }],
  });
}

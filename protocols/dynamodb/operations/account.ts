/** DescribeEndpoints and DescribeLimits: fixed answers in DynamoDB's shape. */
import type { OperationContext } from "../context.ts";

/** Account and table capacity limits DynamoDB reports by default. */
export const LIMITS = {
  AccountMaxReadCapacityUnits: 80000,
  AccountMaxWriteCapacityUnits: 80000,
  TableMaxReadCapacityUnits: 40000,
  TableMaxWriteCapacityUnits: 40000,
} as const;

/** DescribeEndpoints. */
export function describeEndpoints(ctx: OperationContext) {
  return Promise.resolve({
    Endpoints: [{ Address: `dynamodb.${ctx.region}.amazonaws.com`, CachePeriodInMinutes: 1440 }],
  });
}

/** DescribeLimits. */
export function describeLimits() {
  return Promise.resolve({ ...LIMITS });
}

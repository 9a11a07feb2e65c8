/** DescribeLimits: DynamoDB's default account and table capacity limits. */

/** Account and table capacity limits DynamoDB reports by default. */
export const LIMITS = {
  AccountMaxReadCapacityUnits: 80000,
  AccountMaxWriteCapacityUnits: 80000,
  TableMaxReadCapacityUnits: 40000,
  TableMaxWriteCapacityUnits: 40000,
} as const;

/** DescribeLimits. */
export function describeLimits() {
  return Promise.resolve({ ...LIMITS });
}

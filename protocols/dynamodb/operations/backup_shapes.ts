/**
 * What the backup and restore operations share: AWS's BackupDetails, BackupSummary and
 * BackupDescription shapes, and reading a restore request's overrides (billing mode,
 * throughput, secondary indexes) against the source table's definition.
 * @module
 */
import type { BackupRecord } from "../storage/backups.ts";
import type { TableOverrides } from "../storage/restore.ts";
import type { TableRecord } from "../storage/tables.ts";
import { type Body, checkShape, Constraints } from "../validation.ts";
import { checkIndexes, checkThroughput, parseIndexes } from "./table_schema.ts";

/** BackupDetails (CreateBackup, and inside BackupDescription). */
export function backupDetails(backup: BackupRecord, status: string = backup.status) {
  return {
    BackupArn: backup.arn,
    BackupName: backup.name,
    BackupSizeBytes: backup.sizeBytes,
    BackupStatus: status,
    BackupType: "USER",
    BackupCreationDateTime: backup.createdAt,
  };
}

/** One BackupSummaries entry of ListBackups. */
export function backupSummary(backup: BackupRecord) {
  return {
    TableName: backup.table.name,
    TableId: backup.table.id,
    TableArn: backup.table.arn,
    ...backupDetails(backup),
  };
}

/** BackupDescription: details, the source table and its features when backed up. */
export function backupDescription(backup: BackupRecord, status: string = backup.status) {
  const t = backup.table;
  const features: Record<string, unknown> = {};
  if (t.lsis.length > 0) {
    features.LocalSecondaryIndexes = t.lsis.map((i) => ({
      IndexName: i.IndexName,
      KeySchema: i.KeySchema,
      Projection: i.Projection,
    }));
  }
  if (t.gsis.length > 0) {
    features.GlobalSecondaryIndexes = t.gsis.map((i) => ({
      IndexName: i.IndexName,
      KeySchema: i.KeySchema,
      Projection: i.Projection,
      ...(i.ProvisionedThroughput ? { ProvisionedThroughput: i.ProvisionedThroughput } : {}),
    }));
  }
  if (t.stream?.StreamEnabled) features.StreamDescription = t.stream;
  if (t.ttl?.enabled) {
    features.TimeToLiveDescription = {
      AttributeName: t.ttl.attribute,
      TimeToLiveStatus: "ENABLED",
    };
  }
  return {
    BackupDetails: backupDetails(backup, status),
    SourceTableDetails: {
      TableName: t.name,
      TableId: t.id,
      TableArn: t.arn,
      TableSizeBytes: backup.sizeBytes,
      KeySchema: t.keySchema,
      TableCreationDateTime: t.createdAt,
      ProvisionedThroughput: {
        ReadCapacityUnits: t.readCapacity,
        WriteCapacityUnits: t.writeCapacity,
      },
      ItemCount: backup.itemCount,
      BillingMode: t.billingMode,
    },
    SourceTableFeatureDetails: features,
  };
}

/** The override members both restore operations take. */
const OVERRIDES = {
  TargetTableName: "string",
  BillingModeOverride: "string",
  ProvisionedThroughputOverride: "object",
  GlobalSecondaryIndexOverride: "array",
  LocalSecondaryIndexOverride: "array",
  SSESpecificationOverride: "object",
  OnDemandThroughputOverride: "object",
} as const;

/** Check TargetTableName and the overrides, as CreateTable checks the same settings. */
export function readRestoreTarget(
  body: Body,
  c: Constraints,
): { target: unknown; check: (source: TableRecord) => TableOverrides } {
  const request = checkShape(body, OVERRIDES);
  c.name("targetTableName", request.TargetTableName);
  c.oneOf("billingModeOverride", request.BillingModeOverride, ["PROVISIONED", "PAY_PER_REQUEST"]);
  return {
    target: request.TargetTableName,
    check(source) {
      const billingMode = (request.BillingModeOverride ?? source.billingMode) as TableRecord[
        "billingMode"
      ];
      const switched = billingMode !== source.billingMode;
      // Provisioned capacity must be given when the source had none.
      const throughput = request.ProvisionedThroughputOverride ||
          (switched && billingMode === "PROVISIONED")
        ? checkThroughput(
          billingMode,
          request.ProvisionedThroughputOverride,
          "provisionedThroughputOverride",
        )
        : undefined;
      const gsis = request.GlobalSecondaryIndexOverride
        ? parseIndexes(request.GlobalSecondaryIndexOverride, "global")
        : undefined;
      const lsis = request.LocalSecondaryIndexOverride
        ? parseIndexes(request.LocalSecondaryIndexOverride, "local")
        : undefined;
      if (gsis || lsis || switched) {
        // Kept GSIs lose their capacity on demand (the restored record drops it too).
        const kept = source.gsis.map((g) =>
          billingMode === "PROVISIONED" ? g : { ...g, ProvisionedThroughput: undefined }
        );
        checkIndexes(
          source.keySchema,
          source.attributeDefinitions,
          gsis ?? kept,
          lsis ?? source.lsis,
          billingMode,
        );
      }
      return { billingMode, throughput, gsis, lsis };
    },
  };
}

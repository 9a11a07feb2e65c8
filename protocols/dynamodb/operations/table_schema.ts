/**
 * Key schema, secondary index and throughput rules shared by CreateTable and UpdateTable,
 * with DynamoDB's messages.
 * @module
 */
import { FORMATS, invalidParameter, MESSAGES, validation } from "../errors.ts";
import type {
  AttributeDefinition,
  IndexRecord,
  KeySchemaElement,
  Projection,
} from "../storage/tables.ts";
import { Constraints } from "../validation.ts";

/** Most GSIs per table (DynamoDB's default quota). */
export const MAX_GSIS = 20;
/** Most LSIs per table. */
export const MAX_LSIS = 5;
/** The table classes CreateTable and UpdateTable accept. */
export const TABLE_CLASSES = ["STANDARD", "STANDARD_INFREQUENT_ACCESS"] as const;

/**
 * A key schema: every key attribute defined, HASH first, distinct names, RANGE second. A table's
 * definitions are checked first, as AWS does.
 */
export function checkKeySchema(
  schema: readonly KeySchemaElement[],
  defs: readonly AttributeDefinition[],
  indexName?: string,
): void {
  const what = indexName ? "Index KeySchema" : "KeySchema";
  if (!indexName) checkTableKeyDefined(schema, defs);
  if (schema[0].KeyType !== "HASH") {
    throw validation(FORMATS.firstKeyNotHash(what));
  }
  if (schema[1] && schema[1].AttributeName === schema[0].AttributeName) {
    throw validation(FORMATS.hashAndRangeSameName(what));
  }
  if (schema[1] && schema[1].KeyType !== "RANGE") {
    throw validation(FORMATS.secondKeyNotRange(what));
  }
  if (indexName) checkDefined(schema, defs);
}

/**
 * A table's key attributes against its definitions. AWS names the missing attributes only for a
 * one-attribute key with some definitions; a two-attribute key naming one attribute twice, or
 * missing one, gets its generic sentence.
 */
function checkTableKeyDefined(
  schema: readonly KeySchemaElement[],
  defs: readonly AttributeDefinition[],
): void {
  const undefinedKey = schema.some((k) => !defs.some((d) => d.AttributeName === k.AttributeName));
  const repeated = schema.length === 2 && schema[0].AttributeName === schema[1].AttributeName;
  if (repeated || (undefinedKey && (schema.length > 1 || defs.length === 0))) {
    throw validation(MESSAGES.undefinedKeySchemaAttribute);
  }
  checkDefined(schema, defs);
}

/** Every key attribute must be in AttributeDefinitions. */
function checkDefined(
  schema: readonly KeySchemaElement[],
  defs: readonly AttributeDefinition[],
): void {
  const missing = schema.filter((k) => !defs.some((d) => d.AttributeName === k.AttributeName));
  if (missing.length > 0) {
    throw invalidParameter(
      FORMATS.undefinedKeyAttributes(
        missing.map((k) => k.AttributeName),
        defs.map((d) => d.AttributeName),
      ),
    );
  }
}

/** Most partition (and, apart, sort) attributes a multi-attribute GSI key may have. */
export const MAX_KEY_ATTRIBUTES = 4;

/**
 * A GSI key schema: one to four HASH attributes, then up to four RANGE attributes (AWS's
 * multi-attribute keys), distinct and defined; one HASH and one RANGE follow the table rules.
 */
export function checkGsiKeySchema(
  schema: readonly KeySchemaElement[],
  defs: readonly AttributeDefinition[],
  indexName: string,
): void {
  const hashes = schema.filter((k) => k.KeyType === "HASH").length;
  if (schema.length <= 2 || schema[0].KeyType !== "HASH") {
    return checkKeySchema(schema, defs, indexName);
  }
  const what = "Index KeySchema";
  if (schema.slice(hashes).some((k) => k.KeyType === "HASH")) {
    throw validation(FORMATS.hashAfterRange(what));
  }
  if (hashes > MAX_KEY_ATTRIBUTES || schema.length - hashes > MAX_KEY_ATTRIBUTES) {
    throw validation(FORMATS.tooManyKeyAttributes(what, MAX_KEY_ATTRIBUTES));
  }
  const names = new Set(schema.map((k) => k.AttributeName));
  if (names.size !== schema.length) throw validation(FORMATS.duplicateKeyAttribute(what));
  checkDefined(schema, defs);
}

/** ProvisionedThroughput against BillingMode; returns the capacities (0 when on demand). */
export function checkThroughput(
  billingMode: string,
  value: unknown,
  path = "provisionedThroughput",
): { ReadCapacityUnits: number; WriteCapacityUnits: number } {
  const pt = value as { ReadCapacityUnits?: number; WriteCapacityUnits?: number } | undefined;
  if (billingMode === "PAY_PER_REQUEST") {
    if (pt) {
      throw invalidParameter(MESSAGES.throughputOnDemand);
    }
    return { ReadCapacityUnits: 0, WriteCapacityUnits: 0 };
  }
  if (!pt || pt.ReadCapacityUnits == null || pt.WriteCapacityUnits == null) {
    throw invalidParameter(MESSAGES.throughputProvisioned);
  }
  const c = new Constraints();
  c.range(`${path}.readCapacityUnits`, pt.ReadCapacityUnits, 1);
  c.range(`${path}.writeCapacityUnits`, pt.WriteCapacityUnits, 1);
  c.throwIfAny();
  return { ReadCapacityUnits: pt.ReadCapacityUnits, WriteCapacityUnits: pt.WriteCapacityUnits };
}

function checkProjection(p: Projection | undefined, index: string): Projection {
  if (!p || !p.ProjectionType) {
    throw invalidParameter(FORMATS.projectionTypeMissing(index));
  }
  if (p.ProjectionType === "INCLUDE" && !p.NonKeyAttributes?.length) {
    throw invalidParameter(MESSAGES.includeWithoutAttributes);
  }
  if (p.ProjectionType !== "INCLUDE" && p.NonKeyAttributes) {
    throw invalidParameter(FORMATS.attributesWithoutInclude(p.ProjectionType));
  }
  return p.ProjectionType === "INCLUDE"
    ? { ProjectionType: "INCLUDE", NonKeyAttributes: p.NonKeyAttributes }
    : { ProjectionType: p.ProjectionType };
}

/** Read GlobalSecondaryIndexes / LocalSecondaryIndexes from a request. */
export function parseIndexes(value: unknown, kind: "global" | "local"): IndexRecord[] {
  if (value === undefined || value === null) return [];
  const list = value as IndexRecord[];
  const path = kind === "global" ? "globalSecondaryIndexes" : "localSecondaryIndexes";
  const c = new Constraints();
  if (list.length === 0) {
    throw invalidParameter(
      FORMATS.emptyIndexList(
        kind === "global" ? "GlobalSecondaryIndexes" : "LocalSecondaryIndexes",
      ),
    );
  }
  list.forEach((index, i) => {
    c.name(`${path}.${i + 1}.member.indexName`, index?.IndexName);
    c.required(`${path}.${i + 1}.member.keySchema`, index?.KeySchema);
    c.required(`${path}.${i + 1}.member.projection`, index?.Projection);
  });
  c.throwIfAny();
  return list.map((index) => ({
    IndexName: index.IndexName,
    id: crypto.randomUUID(),
    KeySchema: index.KeySchema,
    Projection: checkProjection(index.Projection, index.IndexName),
    ProvisionedThroughput: index.ProvisionedThroughput
      ? {
        ReadCapacityUnits: index.ProvisionedThroughput.ReadCapacityUnits,
        WriteCapacityUnits: index.ProvisionedThroughput.WriteCapacityUnits,
      }
      : undefined,
  }));
}

/** Index rules: unique names, key schemas valid, LSIs share the table's hash key, quotas. */
export function checkIndexes(
  schema: readonly KeySchemaElement[],
  defs: readonly AttributeDefinition[],
  gsis: readonly IndexRecord[],
  lsis: readonly IndexRecord[],
  billingMode: string,
): void {
  const names = new Set<string>();
  for (const index of [...lsis, ...gsis]) {
    if (names.has(index.IndexName)) {
      throw invalidParameter(FORMATS.duplicateIndex(index.IndexName));
    }
    names.add(index.IndexName);
    if (gsis.includes(index)) checkGsiKeySchema(index.KeySchema, defs, index.IndexName);
    else checkKeySchema(index.KeySchema, defs, index.IndexName);
  }
  if (lsis.length > 0 && schema.length < 2) {
    throw invalidParameter(MESSAGES.lsiWithoutRangeKey);
  }
  for (const index of lsis) {
    if (index.KeySchema.length !== 2) {
      throw invalidParameter(FORMATS.indexWithoutRangeKey(index.IndexName));
    }
    if (index.KeySchema[0].AttributeName !== schema[0].AttributeName) {
      throw invalidParameter(FORMATS.lsiHashKeyDiffers(index.IndexName));
    }
  }
  if (lsis.length > MAX_LSIS) {
    throw invalidParameter(FORMATS.tooManyLsis(MAX_LSIS));
  }
  if (gsis.length > MAX_GSIS) {
    throw invalidParameter(FORMATS.tooManyGsis(MAX_GSIS));
  }
  for (const index of gsis) {
    if (billingMode === "PROVISIONED") {
      if (!index.ProvisionedThroughput) {
        throw invalidParameter(FORMATS.indexThroughputMissing(index.IndexName));
      }
      checkThroughput("PROVISIONED", index.ProvisionedThroughput);
    } else if (index.ProvisionedThroughput) {
      throw invalidParameter(FORMATS.indexThroughputOnDemand(index.IndexName));
    }
  }
}

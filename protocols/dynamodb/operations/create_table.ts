/** CreateTable: validate the schema as DynamoDB does, store the table ACTIVE at once. */
import type { OperationContext } from "../context.ts";
import { heldPartitions } from "../storage/held_partitions.ts";
import { CONSTRAINTS, FORMATS, invalidParameter, MESSAGES, tableExists } from "../errors.ts";
import {
  type AttributeDefinition,
  describeTable,
  type IndexRecord,
  type KeySchemaElement,
  tableArn,
  tableKey,
  type TableRecord,
  type Tag,
} from "../storage/tables.ts";
import {
  type Body,
  checkShape,
  Constraints,
  listOf,
  type Request,
  structure,
  type WithRequired,
} from "../validation.ts";
import {
  checkIndexes,
  checkKeySchema,
  checkThroughput,
  parseIndexes,
  TABLE_CLASSES,
} from "./table_schema.ts";
import { requireTableName } from "./describe_table.ts";

/** Most tags per resource. */
export const MAX_TAGS = 50;

/** CreateTable's members, as AWS's deserializer types them. */
const SHAPE = {
  TableName: "string",
  AttributeDefinitions: listOf<AttributeDefinition>(),
  KeySchema: listOf<KeySchemaElement>(),
  LocalSecondaryIndexes: "array",
  GlobalSecondaryIndexes: "array",
  BillingMode: "string",
  ProvisionedThroughput: "object",
  StreamSpecification: structure<NonNullable<TableRecord["stream"]>>(),
  Tags: listOf<Tag>(),
  DeletionProtectionEnabled: "boolean",
  TableClass: "string",
} as const;

/** A CreateTable request past its member checks. */
type CreateTableRequest = WithRequired<
  Request<typeof SHAPE>,
  "TableName" | "AttributeDefinitions" | "KeySchema"
>;

/** The member checks, in AWS's order. */
function readRequest(body: Body): CreateTableRequest {
  const request = checkShape(body, SHAPE);
  requireTableName(request.TableName);
  const c = new Constraints();
  const defs = request.AttributeDefinitions;
  const schema = request.KeySchema;
  c.required("attributeDefinitions", defs);
  defs?.forEach((d, i) => {
    c.required(`attributeDefinitions.${i + 1}.member.attributeName`, d?.AttributeName);
    c.required(`attributeDefinitions.${i + 1}.member.attributeType`, d?.AttributeType);
    c.oneOf(`attributeDefinitions.${i + 1}.member.attributeType`, d?.AttributeType, [
      "B",
      "N",
      "S",
    ]);
  });
  c.name("tableName", request.TableName);
  c.required("keySchema", schema);
  if (schema && (schema.length < 1 || schema.length > 2)) {
    c.fail(
      "keySchema",
      `[${
        schema.map((k) =>
          `KeySchemaElement(attributeName=${k?.AttributeName}, keyType=${k?.KeyType})`
        ).join(", ")
      }]`,
      schema.length < 1 ? CONSTRAINTS.minLength(1) : CONSTRAINTS.maxLength(2),
    );
  }
  schema?.forEach((k, i) => {
    c.required(`keySchema.${i + 1}.member.attributeName`, k?.AttributeName);
    c.required(`keySchema.${i + 1}.member.keyType`, k?.KeyType);
    c.oneOf(`keySchema.${i + 1}.member.keyType`, k?.KeyType, ["HASH", "RANGE"]);
  });
  c.oneOf("billingMode", request.BillingMode, ["PROVISIONED", "PAY_PER_REQUEST"]);
  c.oneOf("tableClass", request.TableClass, TABLE_CLASSES);
  return c.checked(request, "TableName", "AttributeDefinitions", "KeySchema");
}

/** The schema, index, tag and stream rules CreateTable applies after the member checks. */
function checkDefinition(request: CreateTableRequest, billingMode: TableRecord["billingMode"]) {
  const { KeySchema: schema, AttributeDefinitions: defs } = request;
  checkKeySchema(schema, defs);
  const gsis = parseIndexes(request.GlobalSecondaryIndexes, "global");
  const lsis = parseIndexes(request.LocalSecondaryIndexes, "local");
  checkIndexes(schema, defs, gsis, lsis, billingMode);
  const used = new Set(
    [...schema, ...gsis.flatMap((i) => i.KeySchema), ...lsis.flatMap((i) => i.KeySchema)].map((
      k,
    ) => k.AttributeName),
  );
  if (used.size !== defs.length || defs.some((d) => !used.has(d.AttributeName))) {
    throw invalidParameter(MESSAGES.keySchemaAttributeCount);
  }
  if ((request.Tags ?? []).length > MAX_TAGS) {
    throw invalidParameter(FORMATS.tooManyTags(MAX_TAGS));
  }
  const stream = request.StreamSpecification;
  if (stream?.StreamEnabled && !stream.StreamViewType) {
    throw invalidParameter(MESSAGES.streamViewTypeMissing);
  }
  return { gsis, lsis };
}

/** CreateTable. */
export async function createTable(ctx: OperationContext, body: Body) {
  const request = readRequest(body);
  const name = request.TableName;
  // readRequest checked BillingMode is one of the two (or absent).
  const billingMode = request.BillingMode === "PAY_PER_REQUEST" ? "PAY_PER_REQUEST" : "PROVISIONED";
  const throughput = checkThroughput(billingMode, request.ProvisionedThroughput);
  const { gsis, lsis } = checkDefinition(request, billingMode);
  const stream = request.StreamSpecification;
  const now = Date.now() / 1000;
  const table: TableRecord = {
    name,
    id: crypto.randomUUID(),
    arn: tableArn(ctx.region, name),
    createdAt: now,
    keySchema: request.KeySchema,
    attributeDefinitions: request.AttributeDefinitions,
    billingMode,
    payPerRequestSince: billingMode === "PAY_PER_REQUEST" ? now : undefined,
    readCapacity: throughput.ReadCapacityUnits,
    writeCapacity: throughput.WriteCapacityUnits,
    decreasesToday: 0,
    gsis: gsis.map((i: IndexRecord) =>
      billingMode === "PROVISIONED" ? i : { ...i, ProvisionedThroughput: undefined }
    ),
    lsis,
    stream: stream?.StreamEnabled ? stream : undefined,
    streamLabel: stream?.StreamEnabled ? new Date().toISOString().replace("Z", "") : undefined,
    tags: request.Tags ?? [],
    deletionProtection: request.DeletionProtectionEnabled === true,
    tableClass: request.TableClass,
  };
  // Before the record commits: no item is stored under the new id, and memory sees each one
  // written from the table's first.
  if (table.keySchema.length === 2) heldPartitions(ctx.store)?.startEmpty(table.id);
  await ctx.store.write(async (tx) => {
    if (await tx.get(tableKey(name))) throw tableExists(name);
    tx.set(tableKey(name), { meta: table });
  });
  return {
    TableDescription: describeTable(table, { itemCount: 0, sizeBytes: 0, indexes: new Map() }),
  };
}

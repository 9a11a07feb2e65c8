/** CreateTable: validate the schema as DynamoDB does, store the table ACTIVE at once. */
import type { OperationContext } from "../context.ts";
import { CONSTRAINTS, FORMATS, invalidParameter, MESSAGES, tableExists } from "../errors.ts";
import {
  type AttributeDefinition,
  describeTable,
  type IndexRecord,
  type KeySchemaElement,
  tableArn,
  tableKey,
  type TableRecord,
} from "../storage/tables.ts";
import { type Body, checkShape, Constraints } from "../validation.ts";
import { checkIndexes, checkKeySchema, checkThroughput, parseIndexes } from "./table_schema.ts";

/** Most tags per resource. */
export const MAX_TAGS = 50;

/** CreateTable. */
export async function createTable(ctx: OperationContext, body: Body) {
  checkShape(body, {
    TableName: "string",
    AttributeDefinitions: "array",
    KeySchema: "array",
    LocalSecondaryIndexes: "array",
    GlobalSecondaryIndexes: "array",
    BillingMode: "string",
    ProvisionedThroughput: "object",
    StreamSpecification: "object",
    Tags: "array",
    DeletionProtectionEnabled: "boolean",
    TableClass: "string",
  });
  const c = new Constraints();
  const defs = (body.AttributeDefinitions ?? null) as AttributeDefinition[] | null;
  const schema = (body.KeySchema ?? null) as KeySchemaElement[] | null;
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
  c.name("tableName", body.TableName);
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
  c.oneOf("billingMode", body.BillingMode, ["PROVISIONED", "PAY_PER_REQUEST"]);
  c.oneOf("tableClass", body.TableClass, ["STANDARD", "STANDARD_INFREQUENT_ACCESS"]);
  c.throwIfAny();

  const name = body.TableName as string;
  const billingMode = (body.BillingMode ?? "PROVISIONED") as TableRecord["billingMode"];
  const throughput = checkThroughput(billingMode, body.ProvisionedThroughput);
  checkKeySchema(schema!, defs!);
  const gsis = parseIndexes(body.GlobalSecondaryIndexes, "global");
  const lsis = parseIndexes(body.LocalSecondaryIndexes, "local");
  checkIndexes(schema!, defs!, gsis, lsis, billingMode);
  const used = new Set(
    [...schema!, ...gsis.flatMap((i) => i.KeySchema), ...lsis.flatMap((i) => i.KeySchema)].map((
      k,
    ) => k.AttributeName),
  );
  if (used.size !== defs!.length || defs!.some((d) => !used.has(d.AttributeName))) {
    throw invalidParameter(MESSAGES.keySchemaAttributeCount);
  }
  const tags = (body.Tags ?? []) as { Key: string; Value: string }[];
  if (tags.length > MAX_TAGS) {
    throw invalidParameter(FORMATS.tooManyTags(MAX_TAGS));
  }
  const stream = body.StreamSpecification as TableRecord["stream"];
  if (stream?.StreamEnabled && !stream.StreamViewType) {
    throw invalidParameter(MESSAGES.streamViewTypeMissing);
  }
  const now = Date.now() / 1000;
  const table: TableRecord = {
    name,
    id: crypto.randomUUID(),
    arn: tableArn(ctx.region, name),
    createdAt: now,
    keySchema: schema!,
    attributeDefinitions: defs!,
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
    tags,
    deletionProtection: body.DeletionProtectionEnabled === true,
    tableClass: body.TableClass as string | undefined,
  };
  await ctx.store.write(async (tx) => {
    if (await tx.get(tableKey(name))) throw tableExists(name);
    tx.set(tableKey(name), { meta: table });
  });
  return {
    TableDescription: describeTable(table, { itemCount: 0, sizeBytes: 0, indexes: new Map() }),
  };
}

/**
 * UpdateTable: billing mode, provisioned throughput, stream and deletion-protection settings,
 * and creating (CREATING while a background backfill runs), updating and deleting GSIs.
 * @module
 */
import type { OperationContext } from "../context.ts";
import { livePastStreams } from "../storage/streams.ts";
import { FORMATS, invalidParameter, MESSAGES, resourceNotFound, validation } from "../errors.ts";
import {
  checkGsiKeySchema,
  checkIndexes,
  checkThroughput,
  parseIndexes,
  TABLE_CLASSES,
} from "./table_schema.ts";
import {
  type AttributeDefinition,
  describeTable,
  getTable,
  type IndexRecord,
  tableKey,
  type TableRecord,
  tableStats,
} from "../storage/tables.ts";
import {
  type Body,
  checkShape,
  Constraints,
  listOf,
  type Request,
  structure,
} from "../validation.ts";
import { checkTableName } from "./describe_table.ts";
import { indexId } from "../storage/indexes.ts";
import { backfillIndex, dropIndexEntries } from "../storage/index_backfill.ts";

interface GsiUpdate {
  Create?: IndexRecord;
  Update?: { IndexName: string; ProvisionedThroughput?: IndexRecord["ProvisionedThroughput"] };
  Delete?: { IndexName: string };
}

function applyGsiUpdates(
  table: TableRecord,
  updates: GsiUpdate[],
  defs: AttributeDefinition[],
): IndexRecord[] {
  let gsis = [...table.gsis];
  for (const u of updates) {
    if (u.Create) {
      const [index] = parseIndexes([u.Create], "global");
      if (gsis.some((g) => g.IndexName === index.IndexName)) {
        throw validation(MESSAGES.indexExists);
      }
      index.IndexStatus = "CREATING";
      checkGsiKeySchema(index.KeySchema, defs, index.IndexName);
      gsis.push(
        table.billingMode === "PROVISIONED"
          ? index
          : { ...index, ProvisionedThroughput: undefined },
      );
    } else if (u.Delete) {
      const name = u.Delete.IndexName;
      if (!gsis.some((g) => g.IndexName === name)) {
        throw resourceNotFound();
      }
      gsis = gsis.filter((g) => g.IndexName !== name);
    } else if (u.Update) {
      const name = u.Update.IndexName;
      const i = gsis.findIndex((g) => g.IndexName === name);
      if (i < 0) throw resourceNotFound();
      gsis[i] = { ...gsis[i], ProvisionedThroughput: u.Update.ProvisionedThroughput };
    }
  }
  checkIndexes(table.keySchema, defs, gsis, table.lsis, table.billingMode);
  return gsis;
}

const SHAPE = {
  AttributeDefinitions: listOf<AttributeDefinition>(),
  BillingMode: "string",
  ProvisionedThroughput: "object",
  GlobalSecondaryIndexUpdates: listOf<GsiUpdate>(),
  StreamSpecification: structure<NonNullable<TableRecord["stream"]>>(),
  DeletionProtectionEnabled: "boolean",
  TableClass: "string",
} as const;

/** An UpdateTable request's members (TableName is checked on its own, first). */
type UpdateTableRequest = Request<typeof SHAPE>;

/** UpdateTable. */
export async function updateTable(ctx: OperationContext, body: Body) {
  const name = checkTableName(body);
  const request = checkShape(body, SHAPE);
  const c = new Constraints();
  c.oneOf("billingMode", request.BillingMode, ["PROVISIONED", "PAY_PER_REQUEST"]);
  c.oneOf("tableClass", request.TableClass, TABLE_CLASSES);
  c.throwIfAny();
  if (
    request.ProvisionedThroughput === undefined && request.BillingMode === undefined &&
    request.GlobalSecondaryIndexUpdates === undefined &&
    request.StreamSpecification === undefined &&
    request.DeletionProtectionEnabled === undefined && request.TableClass === undefined
  ) {
    throw validation(MESSAGES.updateTableNothing);
  }
  const before = await getTable(ctx.store, name, true);
  const now = Date.now() / 1000;
  const [previous, table] = await ctx.store.write(async (tx) => {
    const entry = await tx.get<TableRecord>(tableKey(before.name));
    if (!entry?.meta) throw resourceNotFound(before.name);
    const t: TableRecord = { ...entry.meta };
    applyBilling(t, request, now);
    applyThroughput(t, request, now);
    if (request.GlobalSecondaryIndexUpdates !== undefined) {
      applyIndexUpdates(t, request.GlobalSecondaryIndexUpdates, request.AttributeDefinitions);
    }
    if (request.StreamSpecification !== undefined) applyStream(t, request.StreamSpecification);
    if (request.DeletionProtectionEnabled !== undefined) {
      t.deletionProtection = request.DeletionProtectionEnabled;
    }
    if (request.TableClass !== undefined) t.tableClass = request.TableClass;
    tx.set(tableKey(t.name), { meta: t });
    return [entry.meta, t] as const;
  });
  startIndexWork(ctx, previous, table);
  return { TableDescription: describeTable(table, await tableStats(ctx.store, table)) };
}

/** Backfill the GSIs this update created and drop the entries of those it deleted. */
function startIndexWork(ctx: OperationContext, before: TableRecord, after: TableRecord): void {
  const ids = (t: TableRecord) => new Set(t.gsis.map(indexId));
  const was = ids(before);
  const now = ids(after);
  for (const g of after.gsis) {
    if (!was.has(indexId(g))) ctx.background(backfillIndex(ctx.store, after.name, indexId(g)));
  }
  for (const g of before.gsis) {
    if (!now.has(indexId(g))) ctx.background(dropIndexEntries(ctx.store, after, g));
  }
}

/** A BillingMode change (checked to be one of the two). */
function applyBilling(t: TableRecord, request: UpdateTableRequest, now: number): void {
  if (request.BillingMode === undefined || request.BillingMode === t.billingMode) return;
  t.billingMode = request.BillingMode === "PAY_PER_REQUEST" ? "PAY_PER_REQUEST" : "PROVISIONED";
  if (t.billingMode === "PAY_PER_REQUEST") {
    t.payPerRequestSince = now;
    t.readCapacity = 0;
    t.writeCapacity = 0;
    t.gsis = t.gsis.map((g) => ({ ...g, ProvisionedThroughput: undefined }));
  } else if (!request.ProvisionedThroughput) {
    throw invalidParameter(MESSAGES.throughputProvisioned);
  }
}

/** A ProvisionedThroughput change, with DynamoDB's increase/decrease bookkeeping. */
function applyThroughput(t: TableRecord, request: UpdateTableRequest, now: number): void {
  if (request.ProvisionedThroughput === undefined) return;
  const pt = checkThroughput(t.billingMode, request.ProvisionedThroughput);
  // Also with BillingMode PROVISIONED restated: a table switching from on demand has 0 units,
  // which no valid request equals.
  if (
    pt.ReadCapacityUnits === t.readCapacity && pt.WriteCapacityUnits === t.writeCapacity &&
    !request.GlobalSecondaryIndexUpdates
  ) {
    throw validation(
      FORMATS.throughputUnchanged(
        [t.readCapacity, t.writeCapacity],
        [pt.ReadCapacityUnits, pt.WriteCapacityUnits],
      ),
    );
  }
  if (pt.ReadCapacityUnits > t.readCapacity || pt.WriteCapacityUnits > t.writeCapacity) {
    t.lastIncrease = now;
  }
  if (pt.ReadCapacityUnits < t.readCapacity || pt.WriteCapacityUnits < t.writeCapacity) {
    t.lastDecrease = now;
    t.decreasesToday++;
  }
  t.readCapacity = pt.ReadCapacityUnits;
  t.writeCapacity = pt.WriteCapacityUnits;
}

/** GSI creates/updates/deletes; attribute definitions keep only the keys still used. */
function applyIndexUpdates(
  t: TableRecord,
  updates: GsiUpdate[],
  added: AttributeDefinition[] | undefined,
): void {
  const defs = mergeDefinitions(t.attributeDefinitions, added);
  t.gsis = applyGsiUpdates(t, updates, defs);
  const used = new Set(
    [
      ...t.keySchema,
      ...t.gsis.flatMap((g) => g.KeySchema),
      ...t.lsis.flatMap((l) => l.KeySchema),
    ].map((k) => k.AttributeName),
  );
  t.attributeDefinitions = defs.filter((d) => used.has(d.AttributeName));
}

/** Enable or disable the stream (each only from the other state). */
function applyStream(t: TableRecord, s: NonNullable<TableRecord["stream"]>): void {
  if (s.StreamEnabled && t.stream?.StreamEnabled) {
    throw validation(FORMATS.streamAlreadyEnabled(`${t.arn}/stream/${t.streamLabel}`));
  }
  if (!s.StreamEnabled && !t.stream?.StreamEnabled) {
    throw validation(MESSAGES.streamAlreadyDisabled);
  }
  if (s.StreamEnabled && t.streamLabel) {
    // The old stream stays readable (closed) for its records' 24 hours under its own ARN.
    t.pastStreams = [
      ...livePastStreams(t),
      { label: t.streamLabel, viewType: t.stream?.StreamViewType },
    ];
  }
  t.stream = s.StreamEnabled ? s : { ...t.stream!, StreamEnabled: false };
  if (s.StreamEnabled) t.streamLabel = new Date().toISOString().replace("Z", "");
}

function mergeDefinitions(
  existing: AttributeDefinition[],
  added: AttributeDefinition[] | undefined,
): AttributeDefinition[] {
  const out = [...existing];
  for (const d of added ?? []) {
    const i = out.findIndex((e) => e.AttributeName === d.AttributeName);
    if (i >= 0 && out[i].AttributeType !== d.AttributeType) {
      throw invalidParameter(FORMATS.attributeTypeChange(d.AttributeName));
    }
    if (i < 0) out.push(d);
  }
  return out;
}

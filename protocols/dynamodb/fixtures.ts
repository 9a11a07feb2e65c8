/**
 * The `dynamodb` section of a fixture: `{ "tables": [<CreateTable input, plus an optional
 * TimeToLiveSpecification>], "items": { "<table>": [<item in DynamoDB JSON>] } }`, loaded
 * through the operations themselves (CreateTable, UpdateTimeToLive, PutItem) and exported from
 * DescribeTable and Scan.
 * @module
 */
import { arrayAt, FixtureError, member, objectAt } from "../../src/fixtures.ts";
import type { Key, Store } from "../../src/store/mod.ts";
import type { OperationContext } from "./context.ts";
import { DynamoError } from "./errors.ts";
import { ExpressionError } from "./expressions/errors.ts";
import { NumberError } from "./number.ts";
import { operationTables } from "./operations/load.ts";
import { tableIndexesPrefix } from "./storage/indexes.ts";
import { tableItemsPrefix } from "./storage/keys.ts";
import { changeLogPrefix } from "./storage/pitr.ts";
import { findTable } from "./storage/tables.ts";
import type { Body } from "./validation.ts";

const SECTION_FIELDS = new Set(["tables", "items"]);
/** Items put at once (their commits group). */
const PUT_CONCURRENCY = 64;

/** Which part of the data a call covers: every table, or those the admin API named. */
export type TableFilter = (name: string) => boolean;

function reason(error: unknown): string {
  if (error instanceof DynamoError) return `${error.type.split("#").pop()}: ${error.message}`;
  if (error instanceof ExpressionError || error instanceof NumberError) {
    return `ValidationException: ${error.message}`;
  }
  return (error as Error)?.message ?? String(error);
}

async function run(ctx: OperationContext, op: string, body: Body, path: string) {
  try {
    const { OPERATIONS } = await operationTables();
    return await OPERATIONS[op](ctx, structuredClone(body));
  } catch (error) {
    throw new FixtureError(path, reason(error));
  }
}

/** The admin API's table parameters as a filter; null when the parameter is not DynamoDB's. */
export function tableFilter(param: string, value: string): TableFilter | null {
  if (param === "table") return (name) => name === value;
  if (param === "prefix") return (name) => name.startsWith(value);
  return null;
}

/** Load a `dynamodb` section (only the tables `only` accepts). */
export async function seedDynamo(
  ctx: OperationContext,
  section: unknown,
  path: string,
  only: TableFilter = () => true,
): Promise<void> {
  const s = objectAt(section, path);
  for (const field of Object.keys(s)) {
    if (!SECTION_FIELDS.has(field)) throw new FixtureError(member(path, field), "unknown field");
  }
  const tablesPath = member(path, "tables");
  for (const [i, raw] of arrayAt(s.tables ?? [], tablesPath).entries()) {
    const at = member(tablesPath, i);
    const { TimeToLiveSpecification: ttl, ...input } = objectAt(raw, at);
    const name = typeof input.TableName === "string" ? input.TableName : "";
    if (!only(name)) continue;
    // A table kept in a data file from an earlier run stays as it is; its items are put again.
    if (!(await findTable(ctx.store, name))) await run(ctx, "CreateTable", input, at);
    if (ttl !== undefined) {
      const spec = objectAt(ttl, member(at, "TimeToLiveSpecification"));
      const current = await run(ctx, "DescribeTimeToLive", { TableName: name }, at);
      const status = (current.TimeToLiveDescription as Body | undefined)?.TimeToLiveStatus;
      if ((status === "ENABLED") !== (spec.Enabled === true)) {
        await run(ctx, "UpdateTimeToLive", {
          TableName: name,
          TimeToLiveSpecification: spec,
        }, member(at, "TimeToLiveSpecification"));
      }
    }
  }
  const itemsPath = member(path, "items");
  for (const [table, list] of Object.entries(objectAt(s.items ?? {}, itemsPath))) {
    if (!only(table)) continue;
    const at = member(itemsPath, table);
    const items = arrayAt(list, at);
    for (let i = 0; i < items.length; i += PUT_CONCURRENCY) {
      await Promise.all(
        items.slice(i, i + PUT_CONCURRENCY).map((item, j) => {
          const itemPath = member(at, i + j);
          return run(
            ctx,
            "PutItem",
            { TableName: table, Item: objectAt(item, itemPath) },
            itemPath,
          );
        }),
      );
    }
  }
}

/**
 * Where the items (and their index entries and PITR history, which only make sense with
 * them) of the tables `only` accepts live.
 */
export async function itemPrefixes(store: Store, only: TableFilter): Promise<Key[]> {
  const prefixes: Key[] = [];
  for await (const entry of store.list<{ id: string }>({ prefix: ["table"] })) {
    const name = entry.key[1];
    if (typeof name !== "string" || !only(name) || !entry.meta) continue;
    prefixes.push(
      tableItemsPrefix(entry.meta.id),
      tableIndexesPrefix(entry.meta.id),
      changeLogPrefix(entry.meta.id),
    );
  }
  return prefixes;
}

/** Clear the items of the tables `only` accepts, keeping their definitions (one write unit). */
export async function clearTables(store: Store, only: TableFilter): Promise<void> {
  const prefixes = await itemPrefixes(store, only);
  if (prefixes.length > 0) await store.restore({ prefixes, entries: [], takenAt: Date.now() });
}

/** CreateTable's input rebuilt from DescribeTable's output. */
function createInput(d: Body): Body {
  const throughput = (p: Body | undefined) =>
    p && (p.ReadCapacityUnits || p.WriteCapacityUnits)
      ? { ReadCapacityUnits: p.ReadCapacityUnits, WriteCapacityUnits: p.WriteCapacityUnits }
      : undefined;
  const billing = (d.BillingModeSummary as Body | undefined)?.BillingMode ?? "PROVISIONED";
  const index = (x: Body) => {
    const out: Body = { IndexName: x.IndexName, KeySchema: x.KeySchema, Projection: x.Projection };
    if (billing === "PROVISIONED" && throughput(x.ProvisionedThroughput as Body)) {
      out.ProvisionedThroughput = throughput(x.ProvisionedThroughput as Body);
    }
    return out;
  };
  const input: Body = {
    TableName: d.TableName,
    KeySchema: d.KeySchema,
    AttributeDefinitions: d.AttributeDefinitions,
    BillingMode: billing,
  };
  if (billing === "PROVISIONED") {
    input.ProvisionedThroughput = throughput(d.ProvisionedThroughput as Body);
  }
  const gsis = d.GlobalSecondaryIndexes as Body[] | undefined;
  if (gsis?.length) input.GlobalSecondaryIndexes = gsis.map(index);
  const lsis = d.LocalSecondaryIndexes as Body[] | undefined;
  if (lsis?.length) input.LocalSecondaryIndexes = lsis.map(index);
  if (d.StreamSpecification) input.StreamSpecification = d.StreamSpecification;
  const tableClass = (d.TableClassSummary as Body | undefined)?.TableClass;
  if (tableClass) input.TableClass = tableClass;
  if (d.DeletionProtectionEnabled) input.DeletionProtectionEnabled = true;
  return input;
}

/** Every table and item as a `dynamodb` section. */
export async function exportDynamo(ctx: OperationContext): Promise<Body> {
  const tables: Body[] = [];
  const items: Record<string, Body[]> = {};
  const { OPERATIONS } = await operationTables();
  let start: string | undefined;
  do {
    const page = await OPERATIONS.ListTables(ctx, start ? { ExclusiveStartTableName: start } : {});
    for (const name of page.TableNames as string[]) {
      const { Table } = await OPERATIONS.DescribeTable(ctx, { TableName: name });
      const input = createInput(Table as Body);
      const ttl = await OPERATIONS.DescribeTimeToLive(ctx, { TableName: name });
      const t = ttl.TimeToLiveDescription as Body | undefined;
      if (t?.TimeToLiveStatus === "ENABLED") {
        input.TimeToLiveSpecification = { Enabled: true, AttributeName: t.AttributeName };
      }
      tables.push(input);
      const list: Body[] = [];
      let key: Body | undefined;
      do {
        const scan = await OPERATIONS.Scan(
          ctx,
          key ? { TableName: name, ExclusiveStartKey: key } : { TableName: name },
        );
        list.push(...scan.Items as Body[]);
        key = scan.LastEvaluatedKey as Body | undefined;
      } while (key);
      if (list.length > 0) items[name] = list;
    }
    start = page.LastEvaluatedTableName as string | undefined;
  } while (start);
  return { tables, items };
}

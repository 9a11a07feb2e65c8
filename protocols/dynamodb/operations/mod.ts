/**
 * The DynamoDB API actions basekv implements, by X-Amz-Target operation name.
 * @module
 */
import type { Operation } from "../context.ts";
import { describeEndpoints, describeLimits } from "./account.ts";
import { batchGetItem } from "./batch_get_item.ts";
import { batchWriteItem } from "./batch_write_item.ts";
import { createTable } from "./create_table.ts";
import { deleteItem } from "./delete_item.ts";
import { deleteTable } from "./delete_table.ts";
import { describeTable } from "./describe_table.ts";
import {
  batchExecuteStatement,
  executeStatement,
  executeTransaction,
} from "./execute_statement.ts";
import { getItem } from "./get_item.ts";
import { listTables } from "./list_tables.ts";
import { putItem } from "./put_item.ts";
import { query } from "./query.ts";
import { scan } from "./scan.ts";
import { describeStream, getRecords, getShardIterator, listStreams } from "./streams.ts";
import { listTagsOfResource, tagResource, untagResource } from "./tags.ts";
import { describeTimeToLive, updateTimeToLive } from "./time_to_live.ts";
import { transactGetItems } from "./transact_get_items.ts";
import { transactWriteItems } from "./transact_write_items.ts";
import { updateItem } from "./update_item.ts";
import { updateTable } from "./update_table.ts";

/** Operation name -> handler. */
export const OPERATIONS: Readonly<Record<string, Operation>> = {
  CreateTable: createTable,
  DescribeTable: describeTable,
  ListTables: listTables,
  DeleteTable: deleteTable,
  UpdateTable: updateTable,
  UpdateTimeToLive: updateTimeToLive,
  DescribeTimeToLive: describeTimeToLive,
  TagResource: tagResource,
  UntagResource: untagResource,
  ListTagsOfResource: listTagsOfResource,
  DescribeEndpoints: describeEndpoints,
  DescribeLimits: describeLimits,
  PutItem: putItem,
  GetItem: getItem,
  UpdateItem: updateItem,
  DeleteItem: deleteItem,
  Query: query,
  Scan: scan,
  BatchGetItem: batchGetItem,
  BatchWriteItem: batchWriteItem,
  TransactWriteItems: transactWriteItems,
  TransactGetItems: transactGetItems,
  ExecuteStatement: executeStatement,
  BatchExecuteStatement: batchExecuteStatement,
  ExecuteTransaction: executeTransaction,
};

/** DynamoDB Streams operation name -> handler (X-Amz-Target DynamoDBStreams_20120810.*). */
export const STREAM_OPERATIONS: Readonly<Record<string, Operation>> = {
  ListStreams: listStreams,
  DescribeStream: describeStream,
  GetShardIterator: getShardIterator,
  GetRecords: getRecords,
};

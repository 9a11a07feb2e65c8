/**
 * The DynamoDB API actions basekv implements, by X-Amz-Target operation name.
 * @module
 */
import type { Operation } from "../context.ts";
import { describeEndpoints } from "./describe_endpoints.ts";
import { describeLimits } from "./describe_limits.ts";
import { batchGetItem } from "./batch_get_item.ts";
import { batchWriteItem } from "./batch_write_item.ts";
import { createTable } from "./create_table.ts";
import { deleteItem } from "./delete_item.ts";
import { deleteTable } from "./delete_table.ts";
import { describeTable } from "./describe_table.ts";
import { batchExecuteStatement } from "./batch_execute_statement.ts";
import { executeStatement } from "./execute_statement.ts";
import { executeTransaction } from "./execute_transaction.ts";
import { getItem } from "./get_item.ts";
import { listTables } from "./list_tables.ts";
import { putItem } from "./put_item.ts";
import { query } from "./query.ts";
import { scan } from "./scan.ts";
import { describeStream } from "./describe_stream.ts";
import { getRecords } from "./get_records.ts";
import { getShardIterator } from "./get_shard_iterator.ts";
import { listStreams } from "./list_streams.ts";
import { listTagsOfResource } from "./list_tags_of_resource.ts";
import { tagResource } from "./tag_resource.ts";
import { untagResource } from "./untag_resource.ts";
import { describeTimeToLive } from "./describe_time_to_live.ts";
import { updateTimeToLive } from "./update_time_to_live.ts";
import { transactGetItems } from "./transact_get_items.ts";
import { transactWriteItems } from "./transact_write_items.ts";
import { updateItem } from "./update_item.ts";
import { updateTable } from "./update_table.ts";
import { createBackup } from "./create_backup.ts";
import { describeBackup } from "./describe_backup.ts";
import { listBackups } from "./list_backups.ts";
import { deleteBackup } from "./delete_backup.ts";
import { restoreTableFromBackup } from "./restore_table_from_backup.ts";
import { describeContinuousBackups } from "./describe_continuous_backups.ts";
import { updateContinuousBackups } from "./update_continuous_backups.ts";
import { restoreTableToPointInTime } from "./restore_table_to_point_in_time.ts";

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
  CreateBackup: createBackup,
  DescribeBackup: describeBackup,
  ListBackups: listBackups,
  DeleteBackup: deleteBackup,
  RestoreTableFromBackup: restoreTableFromBackup,
  DescribeContinuousBackups: describeContinuousBackups,
  UpdateContinuousBackups: updateContinuousBackups,
  RestoreTableToPointInTime: restoreTableToPointInTime,
};

/** DynamoDB Streams operation name -> handler (X-Amz-Target DynamoDBStreams_20120810.*). */
export const STREAM_OPERATIONS: Readonly<Record<string, Operation>> = {
  ListStreams: listStreams,
  DescribeStream: describeStream,
  GetShardIterator: getShardIterator,
  GetRecords: getRecords,
};

/**
 * Every DynamoDB wire error basekv sends: its `__type`, HTTP status and message text, in one
 * place shared by the handlers and the tests, so the SDKs raise the same exception classes.
 * @module
 */
import { KeyTooLargeError, UnitTooLargeError, ValueTooLargeError } from "../../src/store/mod.ts";

const DYNAMO = "com.amazonaws.dynamodb.v20120810#";
const CORAL = "com.amazon.coral.service#";
const VALIDATE = "com.amazon.coral.validate#";

/**
 * The body member carrying an error's text. Most DynamoDB errors send `message`; the shapes the
 * service model declares with a capitalised `Message` (TransactionCanceledException,
 * IdempotentParameterMismatchException, ...) send that, and clients that expose raw body members
 * (SDK v2's `err.Message`) see the difference.
 */
type MessageKey = "message" | "Message";

/** A DynamoDB error reply: rendered as `{"__type", "message"}` with its HTTP status. */
export class DynamoError extends Error {
  /** The full `__type` (namespace#Name). */
  readonly type: string;
  readonly status: number;
  /** Extra members of the error body (e.g. the old `Item` of a failed condition). */
  readonly extra: Record<string, unknown>;
  readonly messageKey: MessageKey;

  constructor(type: string, message: string, options: {
    status?: number;
    extra?: Record<string, unknown>;
    messageKey?: MessageKey;
  } = {}) {
    super(message);
    this.name = "DynamoError";
    this.type = type;
    this.status = options.status ?? 400;
    this.extra = options.extra ?? {};
    this.messageKey = options.messageKey ?? "message";
  }

  /** The JSON body DynamoDB sends for this error. */
  body(): Record<string, unknown> {
    const out: Record<string, unknown> = { __type: this.type };
    if (this.message !== "") out[this.messageKey] = this.message;
    return { ...out, ...this.extra };
  }
}

/** `ValidationException` with a message. */
export function validation(message: string): DynamoError {
  return new DynamoError(`${VALIDATE}ValidationException`, message);
}

/** `SerializationException` (malformed JSON, wrong member types). */
export function serialization(message = ""): DynamoError {
  return new DynamoError(`${CORAL}SerializationException`, message);
}

/** `UnknownOperationException` for an unknown or missing X-Amz-Target. */
export function unknownOperation(): DynamoError {
  return new DynamoError(`${CORAL}UnknownOperationException`, "");
}

/** `ResourceNotFoundException`; item operations say only "Requested resource not found". */
export function resourceNotFound(table?: string): DynamoError {
  return new DynamoError(
    `${DYNAMO}ResourceNotFoundException`,
    table === undefined
      ? "Requested resource not found"
      : `Requested resource not found: Table: ${table} not found`,
  );
}

/**
 * A key that does not fit its table's schema. Single-item operations answer it as a
 * ValidationException; inside a transaction AWS reports it as the action's cancellation reason.
 */
export class KeyValidationError extends DynamoError {
  constructor(message: string) {
    super(`${VALIDATE}ValidationException`, message);
  }
}

/** `AccessDeniedException`, as AWS answers a request naming a resource the caller cannot see. */
export function accessDenied(action: string, resource: string): DynamoError {
  return new DynamoError(
    `${CORAL}AccessDeniedException`,
    FORMATS.notAuthorized(action, resource),
  );
}

/** `ResourceNotFoundException` for an ARN naming no table (tags API). */
export function resourceArnNotFound(arn: string): DynamoError {
  return new DynamoError(
    `${DYNAMO}ResourceNotFoundException`,
    `Requested resource not found: ResourcArn: ${arn} not found`,
  );
}

/** `ResourceNotFoundException` for a stream ARN naming no stream. */
export function streamNotFound(arn: string): DynamoError {
  return new DynamoError(
    `${DYNAMO}ResourceNotFoundException`,
    `Requested resource not found: Stream: ${arn} not found`,
  );
}

/** `ResourceNotFoundException` for a ShardId the stream does not have. */
export function shardNotFound(): DynamoError {
  return new DynamoError(
    `${DYNAMO}ResourceNotFoundException`,
    "Requested resource not found: Shard does not exist",
  );
}

/** `LimitExceededException` (too many tags on a resource). */
export function limitExceeded(message: string): DynamoError {
  return new DynamoError(`${DYNAMO}LimitExceededException`, message);
}

/** `ResourceInUseException` for CreateTable on an existing name. */
export function tableExists(table: string): DynamoError {
  return new DynamoError(`${DYNAMO}ResourceInUseException`, `Table already exists: ${table}`);
}

/** `TableAlreadyExistsException`: a restore's target table name is taken. */
export function tableAlreadyExists(table: string): DynamoError {
  return new DynamoError(`${DYNAMO}TableAlreadyExistsException`, `Table already exists: ${table}`);
}

/** `TableNotFoundException`: the source table of a backup or restore does not exist. */
export function tableNotFound(table: string): DynamoError {
  return new DynamoError(`${DYNAMO}TableNotFoundException`, `Table not found: ${table}`);
}

/** `BackupNotFoundException` for an ARN naming no backup. */
export function backupNotFound(arn: string): DynamoError {
  return new DynamoError(`${DYNAMO}BackupNotFoundException`, `Backup not found: ${arn}`);
}

/** `BackupInUseException`: the backup is still being created. */
export function backupInUse(arn: string): DynamoError {
  return new DynamoError(
    `${DYNAMO}BackupInUseException`,
    `Backup is being created: ${arn}`,
  );
}

/** `PointInTimeRecoveryUnavailableException`: PITR is off for the source table. */
export function pitrUnavailable(table: string): DynamoError {
  return new DynamoError(
    `${DYNAMO}PointInTimeRecoveryUnavailableException`,
    `Point in time recovery is not enabled for table '${table}'`,
  );
}

/** `InvalidRestoreTimeException`: the time is outside the restorable window. */
export function invalidRestoreTime(): DynamoError {
  return new DynamoError(
    `${DYNAMO}InvalidRestoreTimeException`,
    "An invalid restore time was specified. RestoreDateTime must be between " +
      "EarliestRestorableDateTime and LatestRestorableDateTime.",
  );
}

/** `ResourceInUseException` with a message (index already exists, ...). */
export function resourceInUse(message: string): DynamoError {
  return new DynamoError(`${DYNAMO}ResourceInUseException`, message);
}

/** `ConditionalCheckFailedException`, optionally carrying the old item. */
export function conditionalCheckFailed(item?: Record<string, unknown>): DynamoError {
  return new DynamoError(
    `${DYNAMO}ConditionalCheckFailedException`,
    MESSAGES.conditionFailed,
    item ? { extra: { Item: item } } : {},
  );
}

/** One entry of a cancelled transaction's CancellationReasons. */
export interface CancellationReason {
  Code: string;
  Message?: string;
  Item?: Record<string, unknown>;
}

/** `TransactionCanceledException` listing each action's reason, in action order. */
export function transactionCanceled(reasons: readonly CancellationReason[]): DynamoError {
  return new DynamoError(
    `${DYNAMO}TransactionCanceledException`,
    `Transaction cancelled, please refer cancellation reasons for specific reasons [${
      reasons.map((r) => r.Code).join(", ")
    }]`,
    { extra: { CancellationReasons: reasons }, messageKey: "Message" },
  );
}

/** `IdempotentParameterMismatchException`: a reused ClientRequestToken with other parameters. */
export function idempotentMismatch(): DynamoError {
  return new DynamoError(
    `${DYNAMO}IdempotentParameterMismatchException`,
    "The request uses the same client token as a previous, but non-identical request.",
    { messageKey: "Message" },
  );
}

/** `DuplicateItemException`: a PartiQL INSERT of an existing primary key. */
export function duplicateItem(): DynamoError {
  return new DynamoError(`${DYNAMO}DuplicateItemException`, MESSAGES.duplicateItem);
}

/** `MissingAuthenticationTokenException` (no Authorization header with a password set). */
export function missingAuthToken(): DynamoError {
  return new DynamoError(
    `${CORAL}MissingAuthenticationTokenException`,
    "Request is missing Authentication Token",
  );
}

/** `UnrecognizedClientException` (unknown access key). */
export function unrecognizedClient(): DynamoError {
  return new DynamoError(
    `${DYNAMO}UnrecognizedClientException`,
    "The security token included in the request is invalid.",
  );
}

/** `InvalidSignatureException` (the signature does not match the secret). */
export function invalidSignature(): DynamoError {
  return new DynamoError(
    `${CORAL}InvalidSignatureException`,
    "The request signature we calculated does not match the signature you provided. " +
      "Check your AWS Secret Access Key and signing method. " +
      "Consult the service documentation for details.",
  );
}

/** `ExpiredIteratorException`: a shard iterator older than 15 minutes. */
export function expiredIterator(): DynamoError {
  return new DynamoError(
    `${DYNAMO}ExpiredIteratorException`,
    "The provided iterator exceeds the maximum age allowed.",
  );
}

/** `TrimmedDataAccessException`: reading records older than the 24-hour retention. */
export function trimmedData(): DynamoError {
  return new DynamoError(
    `${DYNAMO}TrimmedDataAccessException`,
    "The data you are trying to access has been trimmed.",
  );
}

/** `IncompleteSignatureException`: a signature missing a part, with AWS's text for it. */
export function incompleteSignature(message: string): DynamoError {
  return new DynamoError(`${CORAL}IncompleteSignatureException`, message);
}

/**
 * `InvalidSignatureException` for a request dated more than 15 minutes before the server's
 * clock (AWS's words; dates in SigV4's basic format).
 */
export function signatureExpired(date: string, earliest: string, now: string): DynamoError {
  return new DynamoError(
    `${CORAL}InvalidSignatureException`,
    `Signature expired: ${date} is now earlier than ${earliest} (${now} - 15 min.)`,
  );
}

/** `InvalidSignatureException` for a request dated more than 15 minutes ahead of the server. */
export function signatureNotYetCurrent(date: string, latest: string, now: string): DynamoError {
  return new DynamoError(
    `${CORAL}InvalidSignatureException`,
    `Signature not yet current: ${date} is still later than ${latest} (${now} + 15 min.)`,
  );
}

/** `InvalidSignatureException` for a credential scoped to another service or terminator. */
export function invalidSignatureScope(message: string): DynamoError {
  return new DynamoError(`${CORAL}InvalidSignatureException`, message);
}

/** `ThrottlingException` when the shared rate limiter refuses a request. */
export function throttled(): DynamoError {
  return new DynamoError(
    `${CORAL}ThrottlingException`,
    "Rate of requests exceeds the allowed throughput.",
  );
}

/** `RequestEntityTooLarge` (HTTP 413) for a body over 16 MiB. */
export function requestTooLarge(): DynamoError {
  return new DynamoError(`${CORAL}RequestEntityTooLarge`, MESSAGES.bodyTooLarge, { status: 413 });
}

/** `InternalServerError` (HTTP 500) for a bug or a store failure. */
export function internal(): DynamoError {
  return new DynamoError(`${DYNAMO}InternalServerError`, "Internal server error", {
    status: 500,
  });
}

/**
 * The store's disk is full. DynamoDB has no such failure; a 500 (which the SDKs retry) with the
 * cause in the message tells the operator what to do, and nothing was written.
 */
export function diskFull(): DynamoError {
  return new DynamoError(`${DYNAMO}InternalServerError`, "database or disk is full", {
    status: 500,
  });
}

/** Fixed message texts, as DynamoDB words them. */
export const MESSAGES = {
  conditionFailed: "The conditional request failed",
  tableNameRequired: "The parameter 'TableName' is required but was not present in the request",
  emptyBinarySet: "Binary sets should not be empty",
  undefinedKeySchemaAttribute: "Invalid KeySchema: Some index key attribute have no definition",
  duplicateItem: "Duplicate primary key exists in table",
  keySchema: "The provided key element does not match the schema",
  itemTooLarge: "Item size has exceeded the maximum allowed size",
  emptyAttributeValue:
    "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes",
  multipleTypes:
    "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes",
  nullNotTrue:
    "One or more parameter values were invalid: Null attribute value types must have the value of true",
  bodyTooLarge: "Request size exceeded 16777216 bytes",
  tooDeep: "Nesting Levels have exceeded supported limits",
  deletionProtected:
    "Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.",
  unexpectedFieldType: "Unexpected field type",
  keySchemaAttributeCount:
    "Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions",
  streamViewTypeMissing: "StreamViewType must be specified when StreamEnabled is true",
  whereMissingKey: "Where clause does not contain a mandatory equality on all key attributes",
  selectNotWrite: "Only write statements can be planned as writes",
  invalidNextToken: "Invalid NextToken",
  mixedTransaction: "Transaction must contain either all reads or all writes",
  transactionSameItem: "Transaction request cannot include multiple operations on one item",
  transactionTooLarge: "Transaction request cannot be larger than 4 MB",
  transactWriteAction: "TransactItems can only contain one of Check, Put, Update or Delete",
  transactGetAction: "TransactItems can only contain one of Get",
  invalidShardIterator: "Invalid ShardIterator",
  throughputOnDemand:
    "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST",
  throughputProvisioned:
    "ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED",
  includeWithoutAttributes: "ProjectionType is INCLUDE, but NonKeyAttributes is not specified",
  lsiWithoutRangeKey:
    "Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex",
  consistentReadOnGsi: "Consistent reads are not supported on global secondary indexes",
  keyConditionMissing:
    "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.",
  conditionalOperatorAlone:
    "ConditionalOperator can only be used when Filter or Expected has two or more elements",
  returnValuesOldOrNone: "ReturnValues can only be ALL_OLD or NONE",
  indexExists: "Attempting to create an index which already exists",
  updateTableNothing:
    "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates is required",
  streamAlreadyDisabled: "Table already has no stream enabled",
  duplicateKeys: "Provided list of item keys contains duplicates",
  ttlAlreadyEnabled: "TimeToLive is already enabled",
  ttlAlreadyDisabled: "TimeToLive is already disabled",
  specificWithoutProjection:
    "Must specify the ProjectionExpression or AttributesToGet when choosing to get SPECIFIC_ATTRIBUTES",
  allProjectedWithoutIndex:
    "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName",
  totalSegmentsMissing:
    "The TotalSegments parameter is required but was not present in the request when Segment parameter is present",
  segmentMissing:
    "The Segment parameter is required but was not present in the request when parameter TotalSegments is present",
} as const;

/** The generic constraint texts AWS's validator words ("Member must …"). */
export const CONSTRAINTS = {
  notNull: "Member must not be null",
  namePattern: "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
  minLength: (n: number) => `Member must have length greater than or equal to ${n}`,
  maxLength: (n: number) => `Member must have length less than or equal to ${n}`,
  minValue: (n: number) => `Member must have value greater than or equal to ${n}`,
  maxValue: (n: number) => `Member must have value less than or equal to ${n}`,
  oneOf: (allowed: readonly string[]) =>
    `Member must satisfy enum value set: [${allowed.join(", ")}]`,
} as const;

/**
 * Message texts with a value in them, as DynamoDB words them (typos included: AWS's "of${n}"
 * and "set  may" are theirs).
 */
export const FORMATS = {
  // Request members (the JSON deserializer).
  memberNotConvertible: (token: string, type: string) => `${token} cannot be converted to ${type}`,
  valueNotConvertible: (token: string, type: string) =>
    `${token} can not be converted to a ${type}`,
  unexpectedValueType: (what: string) => `Unexpected value type for ${what}`,
  unrecognizedField: (name: string) =>
    `Unrecognized field ${JSON.stringify(name)} in AttributeValue`,
  badBase64: (length: number) =>
    `Base64 encoded length is expected a multiple of 4 bytes but found: ${length}`,
  // Attribute values and keys.
  duplicateSetMembers: (shown: readonly string[]) =>
    `Input collection [${shown.join(", ")}] contains duplicates.`,
  emptySet: (setName: string) => `An ${setName} set  may not be empty`,
  emptyKeyValue: (kind: "string" | "binary", name: string) =>
    "One or more parameter values are not valid. The AttributeValue for a key attribute " +
    `cannot contain an empty ${kind} value. Key: ${name}`,
  emptyIndexKeyValue: (kind: "string" | "binary", index: string, key: string) =>
    "One or more parameter values are not valid. A value specified for a secondary index key " +
    "is not supported. The AttributeValue for a key attribute cannot contain an empty " +
    `${kind} value. IndexName: ${index}, IndexKey: ${key}`,
  hashKeyTooLarge: (max: number) =>
    `Size of hashkey has exceeded the maximum size limit of${max} bytes`,
  rangeKeyTooLarge: (max: number) =>
    `Aggregated size of all range keys has exceeded the size limit of ${max} bytes`,
  missingKey: (name: string) => `Missing the key ${name} in the item`,
  keyTypeMismatch: (name: string, expected: string, actual: string) =>
    `Type mismatch for key ${name} expected: ${expected} actual: ${actual}`,
  indexKeyTypeMismatch: (name: string, expected: string, actual: string, index: string) =>
    `Type mismatch for Index Key ${name} Expected: ${expected} Actual: ${actual} IndexName: ${index}`,
  updatesKey: (name: string | number) =>
    `Cannot update attribute ${name}. This attribute is part of the key`,
  invalidAttributeValue: (message: string, key: string) =>
    `ExpressionAttributeValues contains invalid value: ${message} for key ${key}`,
  // Tables, indexes, streams, tags.
  tooManyTags: (max: number) => `Too many tags (max ${max})`,
  tooManyResourceTags: (max: number) => `Too many tags for the resource (max ${max})`,
  invalidTableArn: (arn: string) =>
    `Invalid TableArn: Invalid ResourceArn provided as input ${arn}`,
  firstKeyNotHash: (what: string) =>
    `Invalid ${what}: The first KeySchemaElement is not a HASH key type`,
  secondKeyNotRange: (what: string) =>
    `Invalid ${what}: The second KeySchemaElement is not a RANGE key type`,
  hashAfterRange: (what: string) =>
    `Invalid ${what}: HASH KeySchemaElements must come before RANGE KeySchemaElements`,
  tooManyKeyAttributes: (what: string, max: number) =>
    `Invalid ${what}: A key schema can have at most ${max} HASH and ${max} RANGE KeySchemaElements`,
  duplicateKeyAttribute: (what: string) =>
    `Invalid ${what}: Some KeySchemaElements have the same name`,
  hashAndRangeSameName: (what: string) =>
    `Both the Hash Key and the Range Key element in the ${what} have the same name`,
  undefinedKeyAttributes: (keys: readonly string[], defs: readonly string[]) =>
    `Some index key attributes are not defined in AttributeDefinitions. Keys: [${
      keys.join(", ")
    }], AttributeDefinitions: [${defs.join(", ")}]`,
  projectionTypeMissing: (index: string) => `Unknown ProjectionType: null for index: ${index}`,
  attributesWithoutInclude: (type: string) =>
    `ProjectionType is ${type}, but NonKeyAttributes is specified`,
  emptyIndexList: (member: string) => `List of ${member} is empty`,
  duplicateIndex: (name: string) => `Duplicate index name: ${name}`,
  indexWithoutRangeKey: (index: string) =>
    `Index KeySchema does not have a range key for index: ${index}`,
  lsiHashKeyDiffers: (index: string) =>
    `Index KeySchema does not have the same leading hash key as table KeySchema for index: ${index}`,
  tooManyLsis: (max: number) => `Number of LocalSecondaryIndexes exceeds per-table limit of ${max}`,
  tooManyGsis: (max: number) => `GlobalSecondaryIndex count exceeds the per-table limit of ${max}`,
  indexThroughputMissing: (index: string) =>
    `ProvisionedThroughput must be specified for index: ${index}`,
  indexThroughputOnDemand: (index: string) =>
    `ProvisionedThroughput should not be specified for index: ${index} when BillingMode is PAY_PER_REQUEST`,
  throughputUnchanged: (current: readonly number[], requested: readonly number[]) =>
    `The provisioned throughput for the table will not change. The requested value equals the current value. Current ReadCapacityUnits provisioned for the table: ${
      current[0]
    }. Requested ReadCapacityUnits: ${
      requested[0]
    }. Current WriteCapacityUnits provisioned for the table: ${
      current[1]
    }. Requested WriteCapacityUnits: ${
      requested[1]
    }. Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits.`,
  streamAlreadyEnabled: (streamArn: string) => `Table already has an enabled stream: ${streamArn}`,
  attributeTypeChange: (name: string) =>
    `Cannot change the type of an existing attribute definition: ${name}`,
  invalidSequenceNumber: (type: string) => `Invalid SequenceNumber for ShardIteratorType ${type}`,
  // Reads.
  invalidStartKey: (detail: string) => `The provided starting key is invalid: ${detail}`,
  backfillingIndex: (name: string) =>
    `Cannot read from backfilling global secondary index: ${name}`,
  noSuchIndex: (name: string) => `The table does not have the specified index: ${name}`,
  selectAllOnGsi: (index: string) =>
    `Select type ALL_ATTRIBUTES is not supported for global secondary index ${index} because its projection type is not ALL`,
  projectionWithSelect: (member: string, select: string) =>
    `Cannot specify the ${member} when choosing to get ${select}`,
  segmentOutOfRange: (segment: number, total: number) =>
    `The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: ${segment} is not less than TotalSegments: ${total}`,
  // Batches.
  requestItemsLength: (max: number) =>
    `Value at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: [${
      CONSTRAINTS.maxLength(max)
    }, ${CONSTRAINTS.minLength(1)}]`,
  tooManyBatchItems: (operation: string) => `Too many items requested for the ${operation} call`,
  requestItemsRequired: (operation: string) =>
    `The requestItems parameter is required for ${operation}`,
  // Value echoed as AWS does for an empty list; a long list is not echoed.
  batchKeysLength: (table: string, count: number, max: number) =>
    `Value ${count === 0 ? "'[]' " : ""}at 'requestItems.${table}.member.keys' failed to ` +
    `satisfy constraint: ${count === 0 ? CONSTRAINTS.minLength(1) : CONSTRAINTS.maxLength(max)}`,
  // Principal: the account basekv's ARNs carry, as its root user.
  notAuthorized: (action: string, resource: string) =>
    `User: arn:aws:iam::000000000000:root is not authorized to perform: dynamodb:${action} ` +
    `on resource: ${resource}`,
} as const;

const INVALID_PARAMETER = "One or more parameter values were invalid: ";

/** "One or more parameter values were invalid: <detail>". */
export function invalidParameter(detail: string): DynamoError {
  return validation(INVALID_PARAMETER + detail);
}

/** The same sentence for a key that does not fit its table (a KeyValidationError). */
export function invalidKey(detail: string): KeyValidationError {
  return new KeyValidationError(INVALID_PARAMETER + detail);
}

/**
 * AWS's generic constraint errors, joined as AWS does:
 * "2 validation errors detected: Value null at 'tableName' failed to satisfy constraint: …; …".
 */
export function constraintErrors(failures: readonly string[]): DynamoError {
  const n = failures.length;
  return validation(
    `${n} validation error${n === 1 ? "" : "s"} detected: ${failures.join("; ")}`,
  );
}

/** True for the store's size-limit failures, which DynamoDB reports as its own size errors. */
export function isStoreSizeLimit(error: unknown): boolean {
  return error instanceof KeyTooLargeError || error instanceof ValueTooLargeError ||
    error instanceof UnitTooLargeError;
}

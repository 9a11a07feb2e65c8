/**
 * Every DynamoDB wire error basekv sends: its `__type`, HTTP status and message text, in one
 * place shared by the handlers and the tests, so the SDKs raise the same exception classes.
 * @module
 */
import { KeyTooLargeError, UnitTooLargeError, ValueTooLargeError } from "../../src/store/mod.ts";

const DYNAMO = "com.amazonaws.dynamodb.v20120810#";
const CORAL = "com.amazon.coral.service#";
const VALIDATE = "com.amazon.coral.validate#";

/** A DynamoDB error reply: rendered as `{"__type", "message"}` with its HTTP status. */
export class DynamoError extends Error {
  /** The full `__type` (namespace#Name). */
  readonly type: string;
  readonly status: number;
  /** Extra members of the error body (e.g. the old `Item` of a failed condition). */
  readonly extra: Record<string, unknown>;

  constructor(type: string, message: string, options: {
    status?: number;
    extra?: Record<string, unknown>;
  } = {}) {
    super(message);
    this.name = "DynamoError";
    this.type = type;
    this.status = options.status ?? 400;
    this.extra = options.extra ?? {};
  }

  /** The JSON body DynamoDB sends for this error. */
  body(): Record<string, unknown> {
    const out: Record<string, unknown> = { __type: this.type };
    if (this.message !== "") out.message = this.message;
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

/** `ResourceNotFoundException` for an ARN naming no table (tags API). */
export function resourceArnNotFound(arn: string): DynamoError {
  return new DynamoError(
    `${DYNAMO}ResourceNotFoundException`,
    `Requested resource not found: ResourcArn: ${arn} not found`,
  );
}

/** `ResourceInUseException` for CreateTable on an existing name. */
export function tableExists(table: string): DynamoError {
  return new DynamoError(`${DYNAMO}ResourceInUseException`, `Table already exists: ${table}`);
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
    { extra: { CancellationReasons: reasons } },
  );
}

/** `IdempotentParameterMismatchException`: a reused ClientRequestToken with other parameters. */
export function idempotentMismatch(): DynamoError {
  return new DynamoError(
    `${DYNAMO}IdempotentParameterMismatchException`,
    "The request uses the same client token as a previous, but non-identical request.",
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

/** Fixed message texts, as DynamoDB words them. */
export const MESSAGES = {
  conditionFailed: "The conditional request failed",
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
} as const;

/** "One or more parameter values were invalid: <detail>". */
export function invalidParameter(detail: string): DynamoError {
  return validation(`One or more parameter values were invalid: ${detail}`);
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

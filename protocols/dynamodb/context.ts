/**
 * What every DynamoDB operation receives (the store, the request's region, the logger) and
 * the operation signature.
 * @module
 */
import type { Store } from "../../src/store/mod.ts";
import type { Logger } from "../../src/log.ts";
import type { Body } from "./validation.ts";

/** Per-request context handed to an operation. */
export interface OperationContext {
  /** The `dynamodb` namespace of the store. */
  store: Store;
  /** Region from the SigV4 credential scope (us-east-1 when unsigned), used in ARNs. */
  region: string;
  log: Logger;
  /** Background work (e.g. dropping a deleted table's items) the server should track. */
  background(task: Promise<unknown>): void;
}

/**
 * One API action: validated body in, response body out; throws DynamoError. A read that
 * memory answers may return its body directly rather than a promise of it.
 */
export type Operation = (
  ctx: OperationContext,
  body: Body,
) => Record<string, unknown> | Promise<Record<string, unknown>>;

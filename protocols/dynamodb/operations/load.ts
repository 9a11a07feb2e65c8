/**
 * The DynamoDB operation tables, imported on first use: the operations with their expression and
 * PartiQL parsers are most of the DynamoDB code, and a start should not wait for them.
 * @module
 */
import type * as Tables from "./mod.ts";

/** operations/mod.ts: OPERATIONS and STREAM_OPERATIONS. */
export type OperationTables = typeof Tables;

let loaded: OperationTables | null = null;
let loading: Promise<OperationTables> | null = null;

/** The tables, at once when already loaded (no await on the request path), else a promise. */
export function operationTables(): OperationTables | Promise<OperationTables> {
  return loaded ?? (loading ??= import("./mod.ts").then((tables) => loaded = tables));
}

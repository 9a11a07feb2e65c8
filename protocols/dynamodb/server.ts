/**
 * The DynamoDB HTTP front-end: `POST /` with `X-Amz-Target: DynamoDB_20120810.<Op>` and a JSON
 * 1.0 body, routed to one operation; replies carry `x-amz-crc32` and `x-amzn-RequestId`, errors
 * are `{__type, message}`. `GET /` is a health check.
 * @module
 */
import type { ServiceContext } from "../../src/server.ts";
import { ADMIN_PREFIX } from "../../src/admin.ts";
import {
  DynamoError,
  internal,
  isStoreSizeLimit,
  MESSAGES,
  requestTooLarge,
  serialization,
  throttled,
  unknownOperation,
  validation,
} from "./errors.ts";
import { decodeBody, encodeReply, requestId } from "./codec.ts";
import { ExpressionError } from "./expressions/mod.ts";
import { NumberError } from "./number.ts";
import type { Operation, OperationContext } from "./context.ts";
import { OPERATIONS, STREAM_OPERATIONS } from "./operations/mod.ts";
import { checkSignature, regionOf } from "./sigv4.ts";

/** Largest request body, DynamoDB's 16 MiB. */
export const MAX_BODY_BYTES = 16 * 1024 * 1024;
const TARGET_PREFIX = "DynamoDB_20120810.";
const STREAMS_PREFIX = "DynamoDBStreams_20120810.";
const HEALTH = "healthy: dynamodb.us-east-1.amazonaws.com ";

function reply(status: number, body: unknown, id: string): Response {
  const encoded = encodeReply(status, body, id);
  return new Response(encoded.bytes, { status, headers: encoded.headers });
}

/** Read the body, refusing more than MAX_BODY_BYTES without buffering it all. */
async function readBody(req: Request): Promise<Uint8Array> {
  if (/gzip/i.test(req.headers.get("content-encoding") ?? "") && req.body) {
    try {
      return await readStream(req.body.pipeThrough(new DecompressionStream("gzip")));
    } catch (error) {
      if (error instanceof DynamoError) throw error;
      throw serialization("");
    }
  }
  const length = req.headers.get("content-length");
  if (length !== null) {
    // The declared length bounds what the HTTP layer will read: one native copy.
    if (Number(length) > MAX_BODY_BYTES) throw requestTooLarge();
    return new Uint8Array(await req.arrayBuffer());
  }
  return req.body ? await readStream(req.body) : new Uint8Array();
}

/** Collect a stream, refusing more than MAX_BODY_BYTES. */
async function readStream(body: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of body) {
    total += chunk.length;
    if (total > MAX_BODY_BYTES) throw requestTooLarge();
    chunks.push(chunk);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** The operation an `X-Amz-Target` names, or undefined. */
function route(target: string): Operation | undefined {
  const [table, name] = target.startsWith(TARGET_PREFIX)
    ? [OPERATIONS, target.slice(TARGET_PREFIX.length)]
    : target.startsWith(STREAMS_PREFIX)
    ? [STREAM_OPERATIONS, target.slice(STREAMS_PREFIX.length)]
    : [OPERATIONS, ""];
  // Own properties only: "constructor" or "__proto__" must not reach Object.prototype.
  return Object.hasOwn(table, name) ? table[name] : undefined;
}

/** The DynamoDB error a failure is reported as; anything unexpected is logged and a 500. */
function wireError(error: unknown, log: ServiceContext["log"]): DynamoError {
  if (error instanceof DynamoError) return error;
  if (error instanceof ExpressionError || error instanceof NumberError) {
    return validation(error.message);
  }
  if (isStoreSizeLimit(error)) return validation(MESSAGES.itemTooLarge);
  log.error(`dynamodb: ${(error as Error)?.stack ?? error}`);
  return internal();
}

/** Build the request handler the service passes to `Deno.serve`. */
export function createHandler(
  ctx: ServiceContext,
  background: (task: Promise<unknown>) => void,
): (req: Request, info: Deno.ServeHandlerInfo) => Promise<Response> {
  return async (req, info) => {
    const id = requestId();
    if (req.method === "GET" && new URL(req.url).pathname === "/") {
      return new Response(HEALTH, { headers: { "x-amzn-requestid": id } });
    }
    // basekv's own readiness (not a DynamoDB route): the server assembly answers it.
    if (req.method === "GET" && new URL(req.url).pathname === "/health") return ctx.health();
    if (new URL(req.url).pathname.startsWith(ADMIN_PREFIX)) return ctx.admin(req);
    try {
      if (req.method !== "POST") throw unknownOperation();
      const op = route(req.headers.get("x-amz-target") ?? "");
      const bytes = await readBody(req);
      // AWS authenticates before it looks at the target.
      if (ctx.auth.required) checkSignature(req, bytes, ctx.auth.secret ?? "");
      if (!op) throw unknownOperation();
      const addr = info.remoteAddr as Deno.NetAddr;
      if (!ctx.limiter.take(addr.hostname ?? "local")) throw throttled();
      const body = decodeBody(bytes);
      const opCtx: OperationContext = {
        store: ctx.store,
        region: regionOf(req.headers.get("authorization")),
        log: ctx.log,
        background,
      };
      return reply(200, await op(opCtx, body), id);
    } catch (error) {
      const e = wireError(error, ctx.log);
      return reply(e.status, e.body(), id);
    }
  };
}

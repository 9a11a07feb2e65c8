/**
 * The DynamoDB HTTP front-end: `POST /` with `X-Amz-Target: DynamoDB_20120810.<Op>` and a JSON
 * 1.0 body, routed to one operation; replies carry `x-amz-crc32` and `x-amzn-RequestId`, errors
 * are `{__type, message}`. `GET /` is a health check.
 * @module
 */
import type { ServiceContext } from "../../src/server.ts";
import {
  DynamoError,
  internal,
  isStoreSizeLimit,
  MESSAGES,
  serialization,
  throttled,
  unknownOperation,
  validation,
} from "./errors.ts";
import { crc32 } from "./crc32.ts";
import { ExpressionError } from "./expressions/mod.ts";
import { NumberError } from "./number.ts";
import type { Operation, OperationContext } from "./context.ts";
import { OPERATIONS, STREAM_OPERATIONS } from "./operations/mod.ts";
import { checkSignature, regionOf } from "./sigv4.ts";

/** Largest request body, DynamoDB's 16 MiB. */
export const MAX_BODY_BYTES = 16 * 1024 * 1024;
const TARGET_PREFIX = "DynamoDB_20120810.";
const STREAMS_PREFIX = "DynamoDBStreams_20120810.";
const CONTENT_TYPE = "application/x-amz-json-1.0";
const HEALTH = "healthy: dynamodb.us-east-1.amazonaws.com ";
const encoder = new TextEncoder();

const ID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/** A 52-character request id like DynamoDB's. */
function requestId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(52));
  let out = "";
  for (const b of bytes) out += ID_CHARS[b % ID_CHARS.length];
  return out;
}

function reply(status: number, body: unknown, id: string): Response {
  const bytes = encoder.encode(JSON.stringify(body));
  return new Response(bytes, {
    status,
    headers: {
      "content-type": CONTENT_TYPE,
      "x-amzn-requestid": id,
      "x-amz-crc32": String(crc32(bytes)),
    },
  });
}

function tooLarge(): DynamoError {
  return new DynamoError("com.amazon.coral.service#RequestEntityTooLarge", MESSAGES.bodyTooLarge, {
    status: 413,
  });
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
    if (Number(length) > MAX_BODY_BYTES) throw tooLarge();
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
    if (total > MAX_BODY_BYTES) throw tooLarge();
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

const decoder = new TextDecoder();

function parseBody(bytes: Uint8Array): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(bytes));
  } catch {
    throw serialization("");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw serialization("");
  }
  return value as Record<string, unknown>;
}

/** Build the request handler for a service context (exported for in-process tests). */
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
    try {
      if (req.method !== "POST") throw unknownOperation();
      const target = req.headers.get("x-amz-target") ?? "";
      const [table, name] = target.startsWith(TARGET_PREFIX)
        ? [OPERATIONS, target.slice(TARGET_PREFIX.length)]
        : target.startsWith(STREAMS_PREFIX)
        ? [STREAM_OPERATIONS, target.slice(STREAMS_PREFIX.length)]
        : [OPERATIONS, ""];
      // Own properties only: "constructor" or "__proto__" must not reach Object.prototype.
      const op: Operation | undefined = Object.hasOwn(table, name) ? table[name] : undefined;
      const bytes = await readBody(req);
      const authorization = req.headers.get("authorization");
      // AWS authenticates before it looks at the target.
      if (ctx.auth.required) checkSignature(req, bytes, ctx.auth.secret ?? "");
      if (!op) throw unknownOperation();
      const addr = info.remoteAddr as Deno.NetAddr;
      if (!ctx.limiter.take(addr.hostname ?? "local")) throw throttled();
      const body = parseBody(bytes);
      const opCtx: OperationContext = {
        store: ctx.store,
        region: regionOf(authorization),
        log: ctx.log,
        background,
      };
      return reply(200, await op(opCtx, body), id);
    } catch (error) {
      if (error instanceof DynamoError) return reply(error.status, error.body(), id);
      if (error instanceof ExpressionError || error instanceof NumberError) {
        return reply(400, validation(error.message).body(), id);
      }
      if (isStoreSizeLimit(error)) {
        return reply(400, validation(MESSAGES.itemTooLarge).body(), id);
      }
      ctx.log.error(`dynamodb: ${(error as Error)?.stack ?? error}`);
      const e = internal();
      return reply(e.status, e.body(), id);
    }
  };
}

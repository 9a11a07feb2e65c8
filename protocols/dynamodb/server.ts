/**
 * The DynamoDB HTTP front-end: `POST /` with `X-Amz-Target: DynamoDB_20120810.<Op>` and a JSON
 * 1.0 body, routed to one operation; replies carry `x-amz-crc32` and `x-amzn-RequestId`, errors
 * are `{__type, message}`. `GET /` is a health check; CORS preflights are answered.
 * @module
 */
import { concatBytes } from "../../src/bytes.ts";
import type { ServiceContext } from "../../src/server.ts";
import { ADMIN_PREFIX } from "../../src/admin.ts";
import { DiskFullError } from "../../src/store/mod.ts";
import {
  diskFull,
  DynamoError,
  internal,
  isStoreSizeLimit,
  MESSAGES,
  missingAuthToken,
  requestTooLarge,
  serialization,
  throttled,
  unknownOperation,
  validation,
} from "./errors.ts";
import {
  type EncodedReply,
  encodeReply,
  isJsonRequest,
  parseBody,
  replyContentType,
  requestId,
  requestObject,
} from "./codec.ts";
import {
  COMPRESS_MIN_BYTES,
  compressReply,
  inflate,
  replyCoding,
  requestCoding,
} from "./compression.ts";
import { crc32 } from "./crc32.ts";
import { ExpressionError } from "./expressions/errors.ts";
import { NumberError } from "./number.ts";
import type { Operation, OperationContext } from "./context.ts";
import { type OperationTables, operationTables } from "./operations/load.ts";
import { checkSignature, checkSignatureShape } from "./sigv4.ts";
import type { Credentials } from "./credentials.ts";
import type { TtlSweeper } from "./ttl_sweeper.ts";
import { Deadlines } from "./deadlines.ts";

/** Largest request body, DynamoDB's 16 MiB. */
export const MAX_BODY_BYTES = 16 * 1024 * 1024;
const TARGET_PREFIX = "DynamoDB_20120810.";
const STREAMS_PREFIX = "DynamoDBStreams_20120810.";
const HEALTH = "healthy: dynamodb.us-east-1.amazonaws.com ";
/** basekv's admin route that runs the TTL sweeper now (not a DynamoDB route). */
const TTL_SWEEP_PATH = "/_basekv/dynamodb/ttl-sweep";
/** What DynamoDB answers a non-POST or non-JSON request with (HTTP 404). */
const NOT_FOUND_BODY = new TextEncoder().encode("<UnknownOperationException/>\n");
/** How long a browser may cache a preflight answer (DynamoDB's two days). */
const PREFLIGHT_MAX_AGE = "172800";
/** Reply headers a browser script may read. */
const EXPOSED_HEADERS = "x-amzn-RequestId,x-amzn-ErrorType,x-amz-crc32,Date";

/**
 * A reply to `req`, compressed when it is large and its Accept-Encoding asks; `contentType` is
 * the request's Content-Type header.
 */
function reply(
  req: Request,
  status: number,
  body: unknown,
  id: string,
  contentType: string | null = req.headers.get("content-type"),
): Response | Promise<Response> {
  const encoded: EncodedReply = encodeReply(status, body, id, replyContentType(contentType));
  const coding = encoded.bytes.length < COMPRESS_MIN_BYTES
    ? null
    : replyCoding(req.headers.get("accept-encoding"));
  // Only a compressed reply waits: the rest are built without a promise.
  return coding ? compressReply(encoded, coding).then(respond) : respond(encoded);
}

/**
 * The Response of an encoded reply. The headers go in the init as a record: Deno 2.9.6 hands
 * such a reply to its HTTP layer whole (8k fewer instructions than three headers.set calls).
 */
function respond(encoded: EncodedReply): Response {
  return new Response(encoded.bytes, { status: encoded.status, headers: encoded.headers });
}

/**
 * The CORS headers of a reply to a browser (a request with an Origin); null for others.
 * `origin` is the request's Origin header.
 */
function corsHeaders(req: Request, origin: string | null): Record<string, string> | null {
  if (origin === null) return null;
  const headers: Record<string, string> = {
    "access-control-allow-origin": "*",
    "access-control-expose-headers": EXPOSED_HEADERS,
  };
  if (req.method !== "OPTIONS") return headers;
  const wantHeaders = req.headers.get("access-control-request-headers");
  const wantMethod = req.headers.get("access-control-request-method");
  if (wantHeaders) headers["access-control-allow-headers"] = wantHeaders;
  if (wantMethod) headers["access-control-allow-methods"] = wantMethod;
  headers["access-control-max-age"] = PREFLIGHT_MAX_AGE;
  return headers;
}

/** DynamoDB's 404 for other methods and non-JSON bodies. */
function notFound(id: string): Response {
  return new Response(NOT_FOUND_BODY, {
    status: 404,
    headers: { "x-amzn-requestid": id, "x-amz-crc32": String(crc32(NOT_FOUND_BODY)) },
  });
}

/**
 * Read the body, refusing more than MAX_BODY_BYTES without buffering it all. As bytes, not by
 * `req.json()` (cheaper): that keeps a leading BOM, which JSON.parse refuses and TextDecoder
 * strips. Not an async function: the common body (plain, with a Content-Length) is the
 * runtime's own promise, with no frames of ours around it.
 */
function readBody(req: Request): Promise<ArrayBuffer | Uint8Array> {
  const coding = requestCoding(req.headers.get("content-encoding"));
  if (coding && req.body) {
    return readStream(inflate(req.body, coding)).catch((error) => {
      if (error instanceof DynamoError) throw error;
      throw serialization("");
    });
  }
  const length = req.headers.get("content-length");
  if (length !== null) {
    // The declared length bounds what the HTTP layer will read: one native copy.
    if (Number(length) > MAX_BODY_BYTES) throw requestTooLarge();
    return req.arrayBuffer();
  }
  return req.body ? readStream(req.body) : Promise.resolve(new Uint8Array());
}

/** A request whose body did not arrive in time: 408, and the connection is not kept. */
function timedOut(id: string): Response {
  return new Response(null, {
    status: 408,
    headers: { "x-amzn-requestid": id, connection: "close" },
  });
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
  return concatBytes(chunks, total);
}

/** The parts of a request URL the handler reads. */
export type RequestUrl = Pick<URL, "pathname" | "searchParams">;

/** What nearly every request asks for: `/`, no query string. */
const ROOT: RequestUrl = Object.freeze({
  pathname: "/",
  get searchParams() {
    return new URLSearchParams();
  },
});

/** The path and query of `url`; a bare `/` without parsing the URL (most requests). */
function requestUrl(url: string): RequestUrl {
  const scheme = url.indexOf("://");
  const path = scheme < 0 ? -1 : url.indexOf("/", scheme + 3);
  return path >= 0 && path === url.length - 1 ? ROOT : new URL(url);
}

/** The operation an `X-Amz-Target` names, or undefined. */
function route(
  { OPERATIONS, STREAM_OPERATIONS }: OperationTables,
  target: string,
): Operation | undefined {
  const [table, name] = target.startsWith(TARGET_PREFIX)
    ? [OPERATIONS, target.slice(TARGET_PREFIX.length)]
    : target.startsWith(STREAMS_PREFIX)
    ? [STREAM_OPERATIONS, target.slice(STREAMS_PREFIX.length)]
    : [OPERATIONS, ""];
  // Own properties only: "constructor" or "__proto__" must not reach Object.prototype.
  return Object.hasOwn(table, name) ? table[name] : undefined;
}

/** The client a request came from, as the rate limiter and the logs name it. */
function clientOf(info: Deno.ServeHandlerInfo): string {
  return (info.remoteAddr as Deno.NetAddr).hostname ?? "local";
}

/** The DynamoDB error a failure is reported as; anything unexpected is logged and a 500. */
function wireError(error: unknown, log: ServiceContext["log"]): DynamoError {
  if (error instanceof DynamoError) return error;
  if (error instanceof ExpressionError || error instanceof NumberError) {
    return validation(error.message);
  }
  if (isStoreSizeLimit(error)) return validation(MESSAGES.itemTooLarge);
  if (error instanceof DiskFullError) return diskFull();
  log.error(`dynamodb: ${(error as Error)?.stack ?? error}`);
  return internal();
}

/** Build the request handler the service passes to `Deno.serve`. */
export function createHandler(
  ctx: ServiceContext,
  background: (task: Promise<unknown>) => void,
  ttl: TtlSweeper,
  credentials: Credentials | null = null,
): (req: Request, info: Deno.ServeHandlerInfo) => Promise<Response> {
  // With --aws-credentials only its keys sign; with --password any key id signed with it does.
  const password = ctx.auth.secret;
  const secretFor = credentials
    ? (key: string) => credentials.get(key) ?? null
    : password !== null
    ? () => password
    : null;
  const deadlines = new Deadlines();
  const answer = async (
    req: Request,
    info: Deno.ServeHandlerInfo,
    origin: string | null,
  ): Promise<Response> => {
    const id = requestId();
    const url = requestUrl(req.url);
    if (req.method === "OPTIONS" && origin !== null) {
      return new Response(null, { headers: { "x-amzn-requestid": id } });
    }
    if (req.method === "GET" && url.pathname === "/") {
      return new Response(HEALTH, { headers: { "x-amzn-requestid": id } });
    }
    // basekv's own readiness (not a DynamoDB route): the server assembly answers it.
    if (req.method === "GET" && url.pathname === "/health") return ctx.health();
    if (req.method === "POST" && url.pathname === TTL_SWEEP_PATH) return await sweep(req, id);
    if (url.pathname.startsWith(ADMIN_PREFIX)) return ctx.admin(req);
    if (req.method !== "POST") return notFound(id);
    const contentType = req.headers.get("content-type");
    try {
      // The body, or null when it has not arrived whole within the request timeout (a client
      // trickling it would otherwise hold its connection and the buffered part forever).
      const reading = readBody(req);
      const ms = ctx.config.requestTimeoutMs;
      const got = await (ms > 0 ? deadlines.within(reading, ms) : reading);
      if (got === null) {
        reading.catch(() => {});
        await req.body?.cancel().catch(() => {});
        return timedOut(id);
      }
      const bytes = got instanceof Uint8Array ? got : new Uint8Array(got);
      if (bytes.length > 0 && !isJsonRequest(contentType)) return notFound(id);
      // AWS's order: the JSON must parse, then the target must exist, then the signature.
      const parsed = parseBody(bytes);
      const tables = operationTables();
      const target = req.headers.get("x-amz-target") ?? "";
      const op = route(tables instanceof Promise ? await tables : tables, target);
      if (!op) throw unknownOperation();
      const authorization = req.headers.get("authorization");
      const region = checkSignatureShape(req, url, authorization);
      if (secretFor) {
        try {
          checkSignature(req, bytes, secretFor);
        } catch (error) {
          ctx.log.warn(
            `dynamodb: refused request from ${clientOf(info)}: ${(error as Error).message}`,
          );
          throw error;
        }
      }
      // The remote address costs a call into the HTTP layer: asked only when limiting.
      if (ctx.limiter.enabled && !ctx.limiter.take(clientOf(info))) throw throttled();
      const body = requestObject(parsed);
      const opCtx: OperationContext = { store: ctx.store, region, log: ctx.log, background };
      const result = op(opCtx, body);
      // Awaited only when a promise: an await of a value still costs a turn of the queue.
      const res = reply(
        req,
        200,
        result instanceof Promise ? await result : result,
        id,
        contentType,
      );
      return res instanceof Promise ? await res : res;
    } catch (error) {
      const e = wireError(error, ctx.log);
      return reply(req, e.status, e.body(), id, contentType);
    }
  };
  /** The admin sweep; with a password set it must come as `Authorization: Bearer <password>`. */
  const sweep = async (req: Request, id: string): Promise<Response> => {
    const bearer = /^Bearer (.*)$/.exec(req.headers.get("authorization") ?? "")?.[1];
    if (ctx.auth.required && !(bearer !== undefined && ctx.auth.verify(bearer))) {
      const e = missingAuthToken();
      return await reply(req, e.status, e.body(), id);
    }
    await req.body?.cancel();
    return await reply(req, 200, { ExpiredItems: await ttl.sweepNow() }, id);
  };
  return (req, info) => {
    const origin = req.headers.get("origin");
    // Most requests come from no browser: their answer is handed back as it is.
    if (origin === null) return answer(req, info, origin);
    return answer(req, info, origin).then((res) => {
      const cors = corsHeaders(req, origin)!;
      for (const name in cors) res.headers.set(name, cors[name]);
      return res;
    });
  };
}

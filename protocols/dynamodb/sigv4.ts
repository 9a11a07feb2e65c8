/**
 * AWS Signature Version 4 as DynamoDB checks it: without a password or credentials file any
 * well-formed signature is accepted; with one, the access key must be known, the request dated
 * within 15 minutes of the server's clock, and signed with that key's secret.
 * @module
 */
import { hmacSha256, sha256, toHex } from "../../src/sha256.ts";
import { constantTimeEqual } from "../../src/auth.ts";
import {
  incompleteSignature,
  invalidSignature,
  invalidSignatureScope,
  missingAuthToken,
  signatureExpired,
  signatureNotYetCurrent,
  unrecognizedClient,
} from "./errors.ts";

/** Region assumed for unsigned requests. */
export const DEFAULT_REGION = "us-east-1";

const AUTH =
  /^AWS4-HMAC-SHA256\s+Credential=([^/,\s]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request,\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]+)\s*$/;

/** The region named in the credential scope, or us-east-1. */
export function regionOf(authorization: string | null): string {
  if (!authorization) return DEFAULT_REGION;
  return AUTH.exec(authorization)?.[3] ?? DEFAULT_REGION;
}

function hex(data: string | Uint8Array): string {
  return toHex(sha256(data));
}

/** How far a request's date may be from the server's clock (AWS's 15 minutes). */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

/** A time in SigV4's basic format, 20260101T000000Z. */
function basicDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

/** Milliseconds of an X-Amz-Date (basic format) or Date header (HTTP date); NaN if neither. */
function requestTime(value: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (m) return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
  return Date.parse(value);
}

/** Throw AWS's "Signature expired" / "not yet current" unless `date` is within the skew. */
function checkRequestDate(date: string, now: number): void {
  const at = requestTime(date);
  if (Number.isNaN(at)) return; // the shape check already refused unreadable dates
  if (at < now - MAX_CLOCK_SKEW_MS) {
    throw signatureExpired(basicDate(at), basicDate(now - MAX_CLOCK_SKEW_MS), basicDate(now));
  }
  if (at > now + MAX_CLOCK_SKEW_MS) {
    throw signatureNotYetCurrent(basicDate(at), basicDate(now + MAX_CLOCK_SKEW_MS), basicDate(now));
  }
}

function encodePath(path: string): string {
  return path.split("/").map((p) => encodeURIComponent(decodeURIComponent(p))).join("/");
}

const SIGNATURE_PARAMS = ["Credential", "Signature", "SignedHeaders"] as const;
const QUERY_PARAMS = ["X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature"];
const BASIC_DATE = /^\d{8}T\d{6}Z$/;
/**
 * A header every check below passes (three parameters, no stray `=`, `,` or spaces inside them,
 * the dynamodb scope): what SDKs send. It leaves only the date to check; group 1 is the region.
 */
const WELL_FORMED =
  /^AWS4-HMAC-SHA256 Credential=[^/,\s=]+\/\d{8}\/([a-z0-9-]+)\/dynamodb\/aws4_request, ?SignedHeaders=[^,\s=]+, ?Signature=[0-9a-f]+$/;

/**
 * The checks DynamoDB makes on every request whatever the secret, in its order: some
 * signature present (header or query string), its parameters and date present, the algorithm,
 * the credential's shape and scope. Without a password nothing more is checked. Returns the
 * request's region (as {@link regionOf}); `header` is the Authorization header.
 */
export function checkSignatureShape(
  req: Request,
  url: Pick<URL, "searchParams">,
  header: string | null = req.headers.get("authorization"),
): string {
  const authorization = header?.trim() ?? "";
  const wellFormed = WELL_FORMED.exec(authorization);
  if (wellFormed) {
    const amzDate = req.headers.get("x-amz-date");
    if (amzDate !== null && BASIC_DATE.test(amzDate)) return wellFormed[1];
  }
  if (!authorization.startsWith("AWS4-")) {
    if (QUERY_PARAMS.some((p) => url.searchParams.has(p))) return DEFAULT_REGION;
    throw missingAuthToken();
  }
  const params = new Map<string, string>();
  for (const part of authorization.split(" ").slice(1).join("").split(",")) {
    const [key, value] = part.trim().split("=");
    if (key && value) params.set(key, value);
  }
  const date = req.headers.get("x-amz-date") ?? req.headers.get("date");
  let missing = SIGNATURE_PARAMS.filter((p) => !params.has(p))
    .map((p) => `Authorization header requires '${p}' parameter. `).join("");
  if (!date) {
    missing += "Authorization header requires existence of either a 'X-Amz-Date' or a " +
      "'Date' header. ";
  }
  if (missing) throw incompleteSignature(`${missing}Authorization=${authorization}`);
  const amzDate = req.headers.get("x-amz-date");
  if (amzDate !== null && !BASIC_DATE.test(amzDate)) {
    throw incompleteSignature(
      `Date must be in ISO-8601 'basic format'. Got '${amzDate}'. ` +
        "See http://en.wikipedia.org/wiki/ISO_8601",
    );
  }
  const algorithm = authorization.split(" ")[0];
  if (algorithm !== "AWS4-HMAC-SHA256") {
    throw incompleteSignature(
      `Unsupported AWS 'algorithm': '${algorithm}' (only AWS4-HMAC-SHA256 for now). `,
    );
  }
  const credential = params.get("Credential")!.replace(/\/+$/, "");
  const scope = credential.split("/");
  if (scope.length !== 5) {
    throw incompleteSignature(
      "Credential must have exactly 5 slash-delimited elements, e.g. " +
        `keyid/date/region/service/term, got '${credential}'`,
    );
  }
  let wrong = "";
  if (scope[3] !== "dynamodb") {
    wrong += "Credential should be scoped to correct service: 'dynamodb'. ";
  }
  if (scope[4] !== "aws4_request") {
    wrong += `Credential should be scoped with a valid terminator: 'aws4_request', not '${
      scope[4]
    }'. `;
  }
  if (wrong) throw invalidSignatureScope(wrong.trimEnd());
  return regionOf(header);
}

/**
 * Throw AWS's error unless `req` carries a valid SigV4 signature: an access key `secretFor`
 * knows (UnrecognizedClientException otherwise), a date within 15 minutes of `now`, and a
 * signature made with that key's secret (InvalidSignatureException).
 */
export function checkSignature(
  req: Request,
  body: Uint8Array,
  secretFor: (accessKey: string) => string | null,
  now: number = Date.now(),
): void {
  const authorization = req.headers.get("authorization");
  if (!authorization) throw missingAuthToken();
  const m = AUTH.exec(authorization);
  if (!m) throw unrecognizedClient();
  const [, accessKey, date, region, service, signedHeaders, signature] = m;
  const secret = accessKey === "" ? null : secretFor(accessKey);
  if (secret === null) throw unrecognizedClient();
  const amzDate = req.headers.get("x-amz-date") ?? "";
  checkRequestDate(amzDate || (req.headers.get("date") ?? ""), now);
  const url = new URL(req.url);
  const headers = signedHeaders.split(";").map((name) =>
    `${name}:${(req.headers.get(name) ?? "").trim().replace(/\s+/g, " ")}\n`
  ).join("");
  const query = [...url.searchParams].map(([k, v]) =>
    `${encodeURIComponent(k)}=${encodeURIComponent(v)}`
  ).sort().join("&");
  const canonical = [
    "POST",
    encodePath(url.pathname),
    query,
    headers,
    signedHeaders,
    req.headers.get("x-amz-content-sha256") ?? hex(body),
  ].join("\n");
  const scope = `${date}/${region}/${service}/aws4_request`;
  const toSign = ["AWS4-HMAC-SHA256", amzDate, scope, hex(canonical)].join("\n");
  let key = hmacSha256(`AWS4${secret}`, date);
  key = hmacSha256(key, region);
  key = hmacSha256(key, service);
  key = hmacSha256(key, "aws4_request");
  const expected = hmacSha256(key, toSign);
  const given = new Uint8Array(signature.match(/../g)?.map((h) => parseInt(h, 16)) ?? []);
  if (!constantTimeEqual(given, expected)) throw invalidSignature();
}

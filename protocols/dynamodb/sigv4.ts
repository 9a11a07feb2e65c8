/**
 * AWS Signature Version 4 as DynamoDB checks it: without a password any signature (or none)
 * is accepted; with one, the request must be signed with the password as the secret key.
 * @module
 */
import { hmacSha256, sha256, toHex } from "../../src/sha256.ts";
import {
  incompleteSignature,
  invalidSignature,
  invalidSignatureScope,
  missingAuthToken,
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

/** Equal bytes, compared in time that does not depend on where they differ. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

function encodePath(path: string): string {
  return path.split("/").map((p) => encodeURIComponent(decodeURIComponent(p))).join("/");
}

const SIGNATURE_PARAMS = ["Credential", "Signature", "SignedHeaders"] as const;
const QUERY_PARAMS = ["X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature"];
const BASIC_DATE = /^\d{8}T\d{6}Z$/;

/**
 * The checks DynamoDB makes on every request whatever the secret, in its order: some
 * signature present (header or query string), its parameters and date present, the algorithm,
 * the credential's shape and scope. Without a password nothing more is checked.
 */
export function checkSignatureShape(req: Request, url: URL): void {
  const authorization = req.headers.get("authorization")?.trim() ?? "";
  if (!authorization.startsWith("AWS4-")) {
    if (QUERY_PARAMS.some((p) => url.searchParams.has(p))) return;
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
}

/** Throw AWS's error unless `req` carries a valid SigV4 signature made with `secret`. */
export function checkSignature(req: Request, body: Uint8Array, secret: string): void {
  const authorization = req.headers.get("authorization");
  if (!authorization) throw missingAuthToken();
  const m = AUTH.exec(authorization);
  if (!m) throw unrecognizedClient();
  const [, accessKey, date, region, service, signedHeaders, signature] = m;
  if (accessKey === "") throw unrecognizedClient();
  const amzDate = req.headers.get("x-amz-date") ?? "";
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
  if (!sameBytes(given, expected)) throw invalidSignature();
}

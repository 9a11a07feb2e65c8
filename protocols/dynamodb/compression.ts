/**
 * HTTP content coding on the DynamoDB endpoint: gzip/deflate request bodies inflated, replies of
 * 4 KiB or more compressed when the client's Accept-Encoding asks (as DynamoDB does), with
 * `x-amz-crc32` over the bytes sent.
 * @module
 */
import { crc32 } from "./crc32.ts";
import type { EncodedReply } from "./codec.ts";

/** The codings basekv speaks, in the order it prefers them. */
const CODINGS = ["gzip", "deflate"] as const;
type Coding = typeof CODINGS[number];

/** The coding of a request body (`Content-Encoding`), or null for identity/unknown. */
export function requestCoding(header: string | null): Coding | null {
  const name = header?.trim().toLowerCase() ?? "";
  return (CODINGS as readonly string[]).includes(name) ? name as Coding : null;
}

/**
 * Replies shorter than this go uncompressed whatever Accept-Encoding says: DynamoDB's threshold
 * (smaller bodies gain little and cost both sides a deflate).
 */
export const COMPRESS_MIN_BYTES = 4096;

/** The coding to answer with under `Accept-Encoding` (q=0 refuses one), or null. */
export function replyCoding(header: string | null): Coding | null {
  if (!header) return null;
  const accepted = new Map<string, number>();
  for (const part of header.split(",")) {
    const [name, ...params] = part.trim().toLowerCase().split(";");
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    accepted.set(name.trim(), q === undefined ? 1 : Number(q));
  }
  return CODINGS.find((c) => (accepted.get(c) ?? accepted.get("*") ?? 0) > 0) ?? null;
}

/** A body stream inflated with `coding`. */
export function inflate(
  body: ReadableStream<Uint8Array<ArrayBuffer>>,
  coding: Coding,
): ReadableStream<Uint8Array> {
  return body.pipeThrough(new DecompressionStream(coding));
}

/** `reply` compressed with `coding`; its checksum covers the compressed bytes, as AWS's does. */
export async function compressReply(reply: EncodedReply, coding: Coding): Promise<EncodedReply> {
  const stream = new Blob([reply.bytes]).stream().pipeThrough(new CompressionStream(coding));
  const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
  return {
    status: reply.status,
    bytes,
    headers: {
      ...reply.headers,
      "content-encoding": coding,
      "x-amz-crc32": String(crc32(bytes)),
    },
  };
}

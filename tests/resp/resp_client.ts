/**
 * A minimal RESP test client over RawClient: sends commands as multibulk (or raw bytes) and reads
 * replies with the codec's decoder, so tests can assert exact reply types and bytes.
 * @module
 */
import { RawClient } from "../helpers/net.ts";
import { decodeReply } from "./reply_decoder.ts";
import type { Reply } from "../../protocols/resp/reply.ts";

const enc = new TextEncoder();

/** Encode one command as a RESP multibulk request. */
export function command(...args: (string | Uint8Array)[]): Uint8Array {
  const parts: Uint8Array[] = [enc.encode(`*${args.length}\r\n`)];
  for (const a of args) {
    const bytes = typeof a === "string" ? enc.encode(a) : a;
    parts.push(enc.encode(`$${bytes.length}\r\n`), bytes, enc.encode("\r\n"));
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** A raw connection that speaks RESP. */
export class RespClient implements Disposable {
  readonly raw: RawClient;

  private constructor(raw: RawClient) {
    this.raw = raw;
  }

  static async connect(port: number): Promise<RespClient> {
    return new RespClient(await RawClient.connect(port));
  }

  /** Send raw bytes or text as they are. */
  send(data: string | Uint8Array): Promise<void> {
    return this.raw.send(data);
  }

  /** Read the next complete reply. */
  async reply(timeoutMs?: number): Promise<Reply> {
    let decoded: Reply | null = null;
    await this.raw.readUntil((buf) => {
      const d = decodeReply(buf);
      if (!d) return 0;
      decoded = d.reply;
      return d.used;
    }, timeoutMs);
    return decoded!;
  }

  /** Send one command and read its reply. */
  async call(...args: (string | Uint8Array)[]): Promise<Reply> {
    await this.send(command(...args));
    return await this.reply();
  }

  /** Send one command and read its reply's exact bytes (`expected` tells how many). */
  async callRaw(args: string[], expected: string): Promise<string> {
    await this.send(command(...args));
    return new TextDecoder().decode(await this.raw.readBytes(enc.encode(expected).length));
  }

  close(): void {
    this.raw.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

/** A reply's text when it is a string-like reply (bulk, simple, verbatim, error). */
export function replyText(r: Reply): string {
  switch (r.type) {
    case "bulk":
      return typeof r.value === "string" ? r.value : new TextDecoder().decode(r.value);
    case "simple":
    case "error":
    case "verbatim":
    case "bulkError":
      return r.value;
    default:
      throw new Error(`not a string reply: ${JSON.stringify(r)}`);
  }
}

/** A reply's elements when it is an array, set or push. */
export function replyItems(r: Reply): Reply[] {
  if (r.type === "array" || r.type === "set" || r.type === "push") return r.value;
  throw new Error(`not an aggregate reply: ${JSON.stringify(r)}`);
}

/** A reply's number when it is an integer. */
export function replyInteger(r: Reply): number {
  if (r.type === "integer") return Number(r.value);
  throw new Error(`not an integer reply: ${JSON.stringify(r)}`);
}

/** Send one command on a raw socket and return the exact bytes of its reply (latin1 text). */
export async function rawReply(client: RawClient, ...args: string[]): Promise<string> {
  await client.send(command(...args));
  const bytes = await client.readUntil((buf) => decodeReply(buf)?.used ?? 0);
  return new TextDecoder("latin1").decode(bytes);
}

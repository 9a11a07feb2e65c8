/**
 * The memcached listener: one loop per connection that reads, frames every complete command
 * (text/meta or binary, chosen by the first byte), runs them in order and writes their replies
 * in one write per read.
 * @module
 */
import type { ServiceContext } from "../../src/server.ts";
import { serveTcp, type TcpServer } from "../../src/tcp.ts";
import { parseBinary, REQUEST_MAGIC } from "./binary.ts";
import { runBinary } from "./commands/binary.ts";
import type { Chunk, Reply, Session, Shared } from "./commands/context.ts";
import { binaryThrottled, runText, textThrottled } from "./commands/dispatch.ts";
import { TEXT } from "./errors.ts";
import { Items } from "./items.ts";
import { parseText } from "./parser.ts";
import { Sequencer } from "./sequencer.ts";
import { Counters } from "./stats.ts";

/** The flag setting the largest item (memcached's -I). */
export const ITEM_MAX_FLAG = "memcached-item-max";

/** Initial per-connection read buffer; grows for big values. */
const READ_BUFFER_BYTES = 64 * 1024;

/** A running memcached listener. */
export interface MemcachedServer {
  tcp: TcpServer;
  shared: Shared;
}

/** Start listening. */
export async function startMemcachedServer(
  ctx: ServiceContext,
  listen: { hostname: string; port: number },
): Promise<MemcachedServer> {
  const items = new Items(ctx.store, Number(ctx.config.serviceFlags[ITEM_MAX_FLAG]));
  await items.open();
  const shared: Shared = { items, counters: new Counters(), ctx, port: listen.port };
  const tcp = serveTcp(
    { protocol: "memcached", ...listen },
    (conn, signal) => serveConnection(conn, signal, shared),
  );
  shared.port = tcp.addr.port;
  return { tcp, shared };
}

/** Text replies are built from ASCII and latin1-decoded keys, so latin1 is exact. */
function latin1(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** The fixed reply lines, encoded once. */
const ENCODED = new Map<string, Uint8Array>(
  [...Object.values(TEXT), "END", "HD", "EN", "NF", "NS", "EX", "MN"].map((t) => [
    t + "\r\n",
    latin1(t + "\r\n"),
  ]),
);

function bytesOf(s: string): Uint8Array {
  return ENCODED.get(s) ?? latin1(s);
}

function join(chunks: Chunk[][]): Uint8Array {
  const parts: Uint8Array[] = [];
  let length = 0;
  for (const list of chunks) {
    for (const c of list) {
      const bytes = typeof c === "string" ? bytesOf(c) : c;
      parts.push(bytes);
      length += bytes.length;
    }
  }
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(length);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

async function writeAll(conn: Deno.TcpConn, bytes: Uint8Array): Promise<void> {
  let off = 0;
  while (off < bytes.length) off += await conn.write(bytes.subarray(off));
}

const FAILURE: Chunk[] = [TEXT.SERVER_FAILURE + "\r\n"];

function settle(r: Reply): Chunk[] | Promise<Chunk[]> {
  return Array.isArray(r) ? r : r.catch(() => FAILURE);
}

async function serveConnection(
  conn: Deno.TcpConn,
  signal: AbortSignal,
  shared: Shared,
): Promise<void> {
  const { counters, ctx, items } = shared;
  counters.currConnections++;
  counters.totalConnections++;
  const session: Session = {
    shared,
    seq: new Sequencer(),
    authenticated: !ctx.auth.required,
    closing: false,
  };
  const options = { fits: (k: number, v: number, f: number) => items.fits(k, v, f) };
  let buf = new Uint8Array(READ_BUFFER_BYTES);
  let start = 0;
  let end = 0;
  let skip = 0;
  let binary: boolean | null = null;
  const client = (conn.remoteAddr as Deno.NetAddr).hostname ?? "local";
  const allowed = () => !ctx.limiter.enabled || ctx.limiter.take(client);
  // Shutdown closes a connection waiting for its next request at once; one mid-request finishes.
  let idle = false;
  const onAbort = () => idle && conn.close();
  signal.addEventListener("abort", onAbort);
  try {
    while (!signal.aborted && !session.closing) {
      if (end === buf.length) {
        if (start > 0) {
          buf.copyWithin(0, start, end);
          end -= start;
          start = 0;
        } else {
          const bigger = new Uint8Array(buf.length * 2);
          bigger.set(buf);
          buf = bigger;
        }
      }
      idle = true;
      const n = await conn.read(buf.subarray(end));
      idle = false;
      if (n === null) break;
      end += n;
      counters.bytesRead += n;
      const replies: Reply[] = [];
      const view = buf.subarray(0, end);
      while (!session.closing) {
        if (skip > 0) {
          const k = Math.min(skip, end - start);
          start += k;
          skip -= k;
          if (skip > 0) break;
        }
        if (start >= end) break;
        binary ??= buf[start] === REQUEST_MAGIC;
        if (binary) {
          const parsed = parseBinary(view, start);
          if (!parsed) break;
          if ("error" in parsed) {
            session.closing = true;
            break;
          }
          start += parsed.consumed;
          replies.push(
            allowed() ? runBinary(session, parsed.request) : binaryThrottled(parsed.request),
          );
        } else {
          const parsed = parseText(view, start, options);
          if (!parsed) break;
          start += parsed.consumed;
          if (parsed.command.kind === "reply") skip = parsed.command.skip;
          replies.push(
            parsed.command.kind === "reply" || allowed()
              ? runText(session, parsed.command)
              : textThrottled(parsed.command),
          );
        }
      }
      if (start === end) {
        start = end = 0;
        // Give back the room a big value needed.
        if (buf.length > READ_BUFFER_BYTES) buf = new Uint8Array(READ_BUFFER_BYTES);
      }
      if (replies.length === 0) continue;
      const settled = replies.length === 1
        ? [await settle(replies[0])]
        : await Promise.all(replies.map(settle));
      const out = join(settled);
      if (out.length > 0) {
        await writeAll(conn, out);
        counters.bytesWritten += out.length;
      }
    }
  } finally {
    signal.removeEventListener("abort", onAbort);
    counters.currConnections--;
  }
}

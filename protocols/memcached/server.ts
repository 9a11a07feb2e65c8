/**
 * The memcached connection loop: read, frame every complete command (text/meta or binary,
 * chosen by the first byte), run them in order and write their replies in one write per read.
 * @module
 */
import { type ConnWatch, type NetConn, writeAll } from "../../src/tcp.ts";
import { loadOnce } from "../../src/load_once.ts";
import { REQUEST_MAGIC } from "./codec/limits.ts";
import { type Chunk, encodeReplies } from "./codec/reply.ts";
import { type ParseOptions, parseText } from "./codec/text.ts";
import type { Reply, Session, Shared } from "./commands/context.ts";
import { ModuleLoading, runText, textThrottled } from "./commands/dispatch.ts";
import { storeFailureStatus, storeFailureText } from "./errors.ts";
import { Sequencer } from "./sequencer.ts";

/** A new connection's read buffer: small, so thousands of idle clients cost little. */
const IDLE_BUFFER_BYTES = 4 * 1024;
/** A drained buffer grown past this (for a big value) is given back. */
const KEEP_BUFFER_BYTES = 64 * 1024;
/**
 * Most replies a connection holds back while it frames further -R passes of one buffer: the
 * passes' writes share commits instead of each waiting for the one before.
 */
const MAX_HELD_REPLIES = 1024;

/** The binary protocol's codec and dispatch, once a binary connection has loaded them. */
interface BinaryProtocol {
  codec: typeof import("./codec/binary.ts");
  dispatch: typeof import("./commands/binary_dispatch.ts");
}
let binary: BinaryProtocol | null = null;

/**
 * Loads the binary protocol (about 20 KB of modules) for the first connection that speaks it:
 * a start, and every text-only client, skip it.
 */
const loadBinary = loadOnce(() =>
  Promise.all([import("./codec/binary.ts"), import("./commands/binary_dispatch.ts")])
    .then(([codec, dispatch]) => binary = { codec, dispatch })
);

/** The replies' chunks, in order; no promise is waited for when every reply is ready. */
function settle(replies: Reply[]): Chunk[][] | Promise<Chunk[][]> {
  for (const r of replies) if (!Array.isArray(r)) return Promise.all(replies);
  return replies as Chunk[][];
}

/** A turn of the event loop, so other connections run between -R passes (memcached's yield). */
function otherConnectionsTurn(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** One connection's read buffer: bytes [start, end) are not framed yet. */
interface ReadState {
  buf: Uint8Array;
  start: number;
  end: number;
  /** Bytes still to discard (the data block of a command answered without it). */
  skip: number;
  /** Text/meta or binary, chosen by the connection's first byte. */
  binary: boolean | null;
}

/** What framing needs besides the bytes. */
interface Framing {
  session: Session;
  options: ParseOptions;
  /** Takes a token from the client's --rate-limit bucket; false when over it. */
  allowed(): boolean;
  /** Most commands framed in one pass (-R): the rest wait for the next, after others ran. */
  perPass: number;
  /** Set when a pass stopped at a command whose module is loading: frame it again after. */
  loading: Promise<unknown> | null;
}

/** The free part of the buffer to read into, compacting or growing the buffer when full. */
function room(r: ReadState): Uint8Array {
  if (r.end === r.buf.length) {
    if (r.start > 0) {
      r.buf.copyWithin(0, r.start, r.end);
      r.end -= r.start;
      r.start = 0;
    } else {
      const bigger = new Uint8Array(r.buf.length * 2);
      bigger.set(r.buf);
      r.buf = bigger;
    }
  }
  return r.buf.subarray(r.end);
}

/** Frame and start every complete command in the buffer; their replies in request order. */
function runFramed(r: ReadState, f: Framing): Reply[] {
  const { session } = f;
  const replies: Reply[] = [];
  const view = r.buf.subarray(0, r.end);
  while (!session.closing && replies.length < f.perPass) {
    if (r.skip > 0) {
      const k = Math.min(r.skip, r.end - r.start);
      r.start += k;
      r.skip -= k;
      if (r.skip > 0) break;
    }
    if (r.start >= r.end) break;
    r.binary ??= r.buf[r.start] === REQUEST_MAGIC;
    if (r.binary) {
      // The connection loop loaded it before framing this connection's first byte.
      const { codec, dispatch } = binary!;
      const parsed = codec.parseBinary(view, r.start);
      if (!parsed) break;
      if ("error" in parsed) {
        session.closing = true;
        break;
      }
      r.start += parsed.consumed;
      const req = parsed.request;
      replies.push(
        f.allowed()
          ? orFailure(
            dispatch.runBinary(session, req),
            (e) => [codec.encodeBinaryError(req, storeFailureStatus(e))],
          )
          : dispatch.binaryThrottled(req),
      );
    } else {
      const parsed = parseText(view, r.start, f.options);
      if (!parsed) break;
      let reply: Reply;
      try {
        reply = parsed.command.kind === "reply" || f.allowed()
          ? orFailure(runText(session, parsed.command), textFailure)
          : textThrottled(parsed.command);
      } catch (error) {
        if (!(error instanceof ModuleLoading)) throw error;
        // Nothing of the command ran: it stays in the buffer for the pass after the load.
        f.loading = error.done;
        break;
      }
      r.start += parsed.consumed;
      if (parsed.command.kind === "reply") r.skip = parsed.command.skip;
      replies.push(reply);
    }
  }
  if (r.start === r.end) {
    r.start = r.end = 0;
    // Give back the room a big value needed.
    if (r.buf.length > KEEP_BUFFER_BYTES) r.buf = new Uint8Array(IDLE_BUFFER_BYTES);
  }
  return replies;
}

/** A reply that answers a failed command with `fail(error)` instead of rejecting. */
function orFailure(r: Reply, fail: (error: unknown) => Chunk[]): Reply {
  return Array.isArray(r) ? r : r.catch(fail);
}

/** A text command's store failure: memcached's line for the failure's class (noreply too). */
function textFailure(error: unknown): Chunk[] {
  return [storeFailureText(error) + "\r\n"];
}

/** Serve one client until it quits, the connection drops or the server stops. */
export async function serveConnection(
  conn: NetConn,
  signal: AbortSignal,
  shared: Shared,
  watch: ConnWatch,
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
  const client = (conn.remoteAddr as Deno.NetAddr).hostname ?? "local";
  session.addr = `${client}:${(conn.remoteAddr as Deno.NetAddr).port ?? 0}`;
  const framing: Framing = {
    session,
    options: { fits: (k: number, v: number, f: number) => items.fits(k, v, f) },
    allowed: () => !ctx.limiter.enabled || ctx.limiter.take(client),
    perPass: shared.limits.reqsPerEvent,
    loading: null,
  };
  const r: ReadState = {
    buf: new Uint8Array(IDLE_BUFFER_BYTES),
    start: 0,
    end: 0,
    skip: 0,
    binary: null,
  };
  // Shutdown closes a connection waiting for its next request at once; one mid-request finishes.
  let idle = false;
  const onAbort = () => idle && conn.close();
  signal.addEventListener("abort", onAbort);
  // Set when a pass stopped at -R commands: frame the rest before reading again.
  let more = false;
  // Replies of earlier passes over the same buffer, sent together with this pass's.
  let held: Reply[] = [];
  try {
    while (!signal.aborted && !session.closing) {
      if (framing.loading) {
        await framing.loading;
        framing.loading = null;
      } else if (more) {
        counters.connYields++;
        await otherConnectionsTurn();
      } else {
        idle = true;
        const n = await conn.read(room(r));
        idle = false;
        if (n === null) break;
        r.end += n;
        counters.bytesRead += n;
        // A first byte that starts a binary request: load the binary protocol before framing.
        if (binary === null && r.binary === null && r.buf[r.start] === REQUEST_MAGIC) {
          await loadBinary();
        }
      }
      const framed = runFramed(r, framing);
      more = !session.closing && framed.length >= framing.perPass && r.start < r.end;
      watch.heard(framed.length, r.start < r.end || r.skip > 0);
      const replies = held.length > 0 ? held.concat(framed) : framed;
      held = [];
      if ((more || framing.loading) && replies.length < MAX_HELD_REPLIES) {
        held = replies;
        continue;
      }
      if (replies.length === 0) continue;
      const ready = settle(replies);
      const settled = Array.isArray(ready) ? ready : await ready;
      const out = encodeReplies(settled);
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

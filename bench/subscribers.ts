/**
 * Subscribers for the PUBLISH benchmark rows: raw RESP2 connections that count the message frames
 * they receive, so a server that drops or garbles messages cannot pass on its publish rate alone.
 * @module
 */
import { askOn, resp } from "./bench_lib.ts";

const enc = new TextEncoder();
const STAR = 0x2a;

/** Subscribers of one channel on one server. */
export interface Subscribers extends AsyncDisposable {
  /** Messages each subscriber has received whole so far. */
  counts(): number[];
  /**
   * Wait until every subscriber holds `n` messages, one has failed (cut off, or a frame that is
   * not the expected message), or `timeoutMs` passes; returns the milliseconds waited.
   */
  until(n: number, timeoutMs: number): Promise<number>;
  /** Why a subscriber stopped counting (cut off, garbled frame), if one did. */
  failure(): string | undefined;
  close(): Promise<void>;
}

/**
 * Open `n` connections to `port` that SUBSCRIBE to `channel` and expect only `payload` messages.
 * Every message frame has the same length, so counting bytes counts messages; the first byte of
 * each frame is checked to catch a misaligned (garbled or foreign) frame.
 */
export async function subscribe(
  port: number,
  n: number,
  channel: string,
  payload: string,
): Promise<Subscribers> {
  const frameLen = enc.encode(resp("message", channel, payload)).length;
  const bytes: number[] = new Array(n).fill(0);
  let failed: string | undefined;
  let waiter: { n: number; resolve: () => void } | undefined;
  const check = () => {
    if (waiter && (failed || bytes.every((b) => b >= waiter!.n * frameLen))) waiter.resolve();
  };
  const conns: Deno.Conn[] = [];
  const readers: Promise<void>[] = [];
  for (let i = 0; i < n; i++) {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    conns.push(conn);
    // Each connection holds one subscription, so every confirmation is the same.
    const confirm = `*3\r\n$9\r\nsubscribe\r\n$${channel.length}\r\n${channel}\r\n:1\r\n`;
    const reply = await askOn(conn, resp("SUBSCRIBE", channel), (r) => r.length >= confirm.length);
    if (reply !== confirm) throw new Error(`SUBSCRIBE ${channel}: ${JSON.stringify(reply)}`);
    readers.push((async () => {
      const buf = new Uint8Array(256 * 1024);
      while (!failed) {
        const got = await conn.read(buf).catch(() => null);
        if (got === null) {
          failed ??= `subscriber ${i} cut off after ${Math.floor(bytes[i] / frameLen)} messages`;
          break;
        }
        // Offset in this chunk of the next frame start.
        for (let at = (frameLen - bytes[i] % frameLen) % frameLen; at < got; at += frameLen) {
          if (buf[at] !== STAR) {
            failed ??= `subscriber ${i}: unexpected frame after ${
              Math.floor(bytes[i] / frameLen)
            } messages`;
          }
        }
        bytes[i] += got;
        check();
      }
      check();
    })());
  }
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    failed ??= "closed";
    for (const c of conns) c.close();
    await Promise.all(readers);
  };
  return {
    counts: () => bytes.map((b) => Math.floor(b / frameLen)),
    failure: () => closed ? undefined : failed,
    async until(target: number, timeoutMs: number): Promise<number> {
      const t0 = performance.now();
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        waiter = { n: target, resolve };
        timer = setTimeout(resolve, timeoutMs);
        check();
      });
      clearTimeout(timer);
      waiter = undefined;
      return performance.now() - t0;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

/**
 * A lean keep-alive HTTP/1.1 connection for the benchmarks: requests go out as pre-serialised
 * bytes and replies are framed by Content-Length alone, so the client costs each server the same
 * few microseconds (Deno `fetch` costs ~50 us of CPU a request, more than some servers do).
 * @module
 */

const CRLF_CRLF = [13, 10, 13, 10];
const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** One reply: its status code and body bytes. */
export interface HttpReply {
  status: number;
  body: Uint8Array;
}

/** A whole request as bytes: `head` (request line and headers, without Content-Length) + `body`. */
export function httpRequest(head: string, body: string): Uint8Array {
  const bytes = encoder.encode(body);
  const start = encoder.encode(`${head}content-length: ${bytes.length}\r\n\r\n`);
  const out = new Uint8Array(start.length + bytes.length);
  out.set(start);
  out.set(bytes, start.length);
  return out;
}

/** The index of the first CRLFCRLF in `buf[from, to)`, or -1. */
function headEnd(buf: Uint8Array, from: number, to: number): number {
  for (let i = from; i + 3 < to; i++) {
    if (
      buf[i] === CRLF_CRLF[0] && buf[i + 1] === CRLF_CRLF[1] && buf[i + 2] === CRLF_CRLF[2] &&
      buf[i + 3] === CRLF_CRLF[3]
    ) return i;
  }
  return -1;
}

/** The Content-Length of a reply head (status line and headers), or throws: no chunked replies. */
function contentLength(head: string): number {
  const match = /\r\ncontent-length:[ \t]*(\d+)/i.exec(head);
  if (!match) throw new Error(`reply without Content-Length: ${JSON.stringify(head)}`);
  return Number(match[1]);
}

/** One keep-alive connection; one request at a time. */
export class HttpConnection {
  #conn: Deno.TcpConn;
  #buf = new Uint8Array(64 * 1024);
  /** Unconsumed bytes are `#buf[#start, #end)`. */
  #start = 0;
  #end = 0;

  private constructor(conn: Deno.TcpConn) {
    this.#conn = conn;
  }

  static async open(port: number, hostname = "127.0.0.1"): Promise<HttpConnection> {
    const conn = await Deno.connect({ hostname, port });
    conn.setNoDelay(true);
    return new HttpConnection(conn);
  }

  /** Send one pre-serialised request and read its reply. */
  async send(request: Uint8Array): Promise<HttpReply> {
    for (let at = 0; at < request.length;) at += await this.#conn.write(request.subarray(at));
    // Offsets relative to #start: #fill may move the unconsumed bytes to the buffer's front.
    let end: number;
    let scanned = 0;
    while ((end = headEnd(this.#buf, this.#start + scanned, this.#end)) < 0) {
      scanned = Math.max(0, this.#end - this.#start - 3);
      await this.#fill();
    }
    const head = decoder.decode(this.#buf.subarray(this.#start, end));
    const status = Number(head.slice(9, 12));
    const length = contentLength(head);
    const bodyAt = end + 4 - this.#start;
    while (this.#end - this.#start - bodyAt < length) await this.#fill();
    const from = this.#start + bodyAt;
    const body = this.#buf.slice(from, from + length);
    this.#start = from + length;
    if (this.#start === this.#end) this.#start = this.#end = 0;
    return { status, body };
  }

  /** Read more bytes, first making room (compacting or growing the buffer). */
  async #fill(): Promise<void> {
    if (this.#end === this.#buf.length) {
      const pending = this.#end - this.#start;
      if (pending * 2 > this.#buf.length) {
        const grown = new Uint8Array(this.#buf.length * 2);
        grown.set(this.#buf.subarray(this.#start, this.#end));
        this.#buf = grown;
      } else {
        this.#buf.copyWithin(0, this.#start, this.#end);
      }
      this.#start = 0;
      this.#end = pending;
    }
    const n = await this.#conn.read(this.#buf.subarray(this.#end));
    if (n === null) throw new Error("connection closed by the server mid-reply");
    this.#end += n;
  }

  close(): void {
    this.#conn.close();
  }
}

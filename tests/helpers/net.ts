/** Raw-socket helpers for protocol tests: send bytes, read until a reply is complete. */

const enc = new TextEncoder();

/** A raw TCP connection with a read buffer. */
export class RawClient implements Disposable {
  #conn: Deno.TcpConn;
  #buf: Uint8Array = new Uint8Array(0);

  private constructor(conn: Deno.TcpConn) {
    this.#conn = conn;
  }

  static async connect(port: number, hostname = "127.0.0.1"): Promise<RawClient> {
    return new RawClient(await Deno.connect({ hostname, port }));
  }

  /** Send a string (latin1-safe via UTF-8) or bytes. */
  async send(data: string | Uint8Array): Promise<void> {
    const bytes = typeof data === "string" ? enc.encode(data) : data;
    let off = 0;
    while (off < bytes.length) off += await this.#conn.write(bytes.subarray(off));
  }

  /** Read until `done(buffer)` returns a length to consume; returns those bytes. */
  async readUntil(done: (buf: Uint8Array) => number, timeoutMs = 5000): Promise<Uint8Array> {
    const deadline = Date.now() + timeoutMs;
    while (true) {
      const n = done(this.#buf);
      if (n > 0) {
        const out = this.#buf.slice(0, n);
        this.#buf = this.#buf.slice(n);
        return out;
      }
      if (Date.now() > deadline) {
        throw new Error(`timed out; have ${JSON.stringify(new TextDecoder().decode(this.#buf))}`);
      }
      const chunk = await this.#read(deadline - Date.now());
      if (chunk === null) {
        throw new Error(
          `connection closed; have ${JSON.stringify(new TextDecoder().decode(this.#buf))}`,
        );
      }
      const next = new Uint8Array(this.#buf.length + chunk.length);
      next.set(this.#buf);
      next.set(chunk, this.#buf.length);
      this.#buf = next;
    }
  }

  /** Read exactly `n` bytes. */
  readBytes(n: number, timeoutMs?: number): Promise<Uint8Array> {
    return this.readUntil((b) => (b.length >= n ? n : 0), timeoutMs);
  }

  /** Read until the buffer ends with `suffix`; returns the text. */
  async readText(suffix: string, timeoutMs?: number): Promise<string> {
    const out = await this.readUntil((b) => {
      const t = new TextDecoder("latin1").decode(b);
      const i = t.indexOf(suffix);
      return i < 0 ? 0 : i + suffix.length;
    }, timeoutMs);
    return new TextDecoder().decode(out);
  }

  /** Resolves true if the server closes the connection within `timeoutMs`. */
  async closedWithin(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const chunk = await this.#read(deadline - Date.now());
      if (chunk === null) return true;
    }
    return false;
  }

  /** Nothing more arrives within `ms` (e.g. after noreply). */
  async silentFor(ms: number): Promise<boolean> {
    if (this.#buf.length > 0) return false;
    const chunk = await this.#read(ms);
    if (chunk && chunk.length > 0) {
      this.#buf = chunk;
      return false;
    }
    return true;
  }

  #pending: Promise<Uint8Array | null> | null = null;

  async #read(timeoutMs: number): Promise<Uint8Array | null> {
    this.#pending ??= (async () => {
      const b = new Uint8Array(65536);
      const n = await this.#conn.read(b).catch(() => null);
      return n === null ? null : b.slice(0, n);
    })();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<"timeout">((r) =>
      timer = setTimeout(() => r("timeout"), Math.max(0, timeoutMs))
    );
    const result = await Promise.race([this.#pending, timeout]);
    clearTimeout(timer);
    if (result === "timeout") return new Uint8Array(0);
    this.#pending = null;
    return result;
  }

  close(): void {
    try {
      this.#conn.close();
    } catch {
      // Already closed.
    }
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

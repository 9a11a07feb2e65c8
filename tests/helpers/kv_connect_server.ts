/**
 * A fake KV Connect server (denokv `proto/kv-connect.md`) for tests: metadata exchange,
 * `snapshot_read` and `atomic_write` over HTTP on loopback, backed by an in-memory Deno KV.
 * @module
 */
import v8 from "node:v8";
import { decodeKey } from "./kv_key_codec.ts";
import {
  AW_CHECK_FAILURE,
  AW_SUCCESS,
  decodeAtomicWrite,
  decodeSnapshotRead,
  encodeAtomicWriteOutput,
  encodeSnapshotReadOutput,
  type KvEntry,
  M_DELETE,
  M_MAX,
  M_MIN,
  M_SET,
  M_SUM,
  type Mutation,
  VE_BYTES,
  VE_LE64,
  VE_V8,
} from "./protobuf.ts";

/** denokv's limits (`proto/limits.rs`), enforced as the self-hosted server does. */
export const MAX_CHECKS = 10;
export const MAX_MUTATIONS = 1000;
export const MAX_READ_RANGES = 10;
export const MAX_READ_ENTRIES = 1000;
/** Protocol versions this server speaks (v3 adds explicit read statuses, which we send). */
const SERVER_VERSIONS = [2, 3];
const DATA_PATH = "/v2";
const METADATA_TTL_MS = 60 * 60 * 1000;

/** A running fake; dispose it to stop the HTTP server and drop the data. */
export interface KvConnectServer extends AsyncDisposable {
  /** Base URL to pass to `Deno.openKv` / `--kv-url`. */
  url: string;
  token: string;
  stats: { reads: number; writes: number; checkFailures: number; maxChecks: number };
  /** Every stored key, decoded (for assertions on what travelled). */
  keys(): Promise<Deno.KvKeyPart[][]>;
  close(): Promise<void>;
}

/**
 * Values as the backing store holds them: BYTES as Uint8Array, LE64 as KvU64 (so sum/min/max run
 * natively), V8 as the deserialized value (the backing re-serializes it at the same size, so
 * the 64 KiB value limit holds as on denokv; a wrapper would add bytes and break it).
 */
type Stored = unknown;

class BadRequest extends Error {}

/**
 * V8 wire bytes from a value. The base `v8.Serializer`, not `v8.serialize`: node's default one
 * writes typed arrays as node host objects, which Deno's deserializer cannot read.
 */
function toV8(value: unknown): Uint8Array {
  const s = new v8.Serializer();
  s.writeHeader();
  s.writeValue(value);
  return new Uint8Array(s.releaseBuffer());
}

function fromV8(bytes: Uint8Array): unknown {
  const d = new v8.Deserializer(bytes);
  d.readHeader();
  return d.readValue();
}

function toStored(m: Mutation): Stored {
  if (m.encoding === VE_BYTES) return m.data;
  // Deno sends a top-level Uint8Array as BYTES, never V8, so reads can tell them apart.
  if (m.encoding === VE_V8) return fromV8(m.data);
  if (m.encoding === VE_LE64) {
    if (m.data.length !== 8) throw new BadRequest("Invalid LE64 value");
    return new Deno.KvU64(new DataView(m.data.buffer, m.data.byteOffset, 8).getBigUint64(0, true));
  }
  throw new BadRequest(`Unknown value encoding ${m.encoding}`);
}

function fromStored(value: Stored): { value: Uint8Array; encoding: number } {
  if (value instanceof Uint8Array) return { value, encoding: VE_BYTES };
  if (value instanceof Deno.KvU64) {
    const out = new Uint8Array(8);
    new DataView(out.buffer).setBigUint64(0, value.value, true);
    return { value: out, encoding: VE_LE64 };
  }
  return { value: toV8(value), encoding: VE_V8 };
}

function hexToBytes(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g)!.map((h) => parseInt(h, 16)));
}

function bytesToHex(b: Uint8Array): string {
  return [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

function validKey(key: Uint8Array): void {
  try {
    decodeKey(key);
  } catch (error) {
    throw new BadRequest(`Invalid key: ${(error as Error).message}`);
  }
}

function text(status: number, body: string): Response {
  return new Response(body, { status, headers: { "content-type": "text/plain" } });
}

function protobuf(body: Uint8Array<ArrayBuffer>): Response {
  return new Response(body, { headers: { "content-type": "application/x-protobuf" } });
}

/**
 * The token every test's fake accepts by default. Deno's KV Connect client reads its token from
 * the process environment, which test files running in parallel share: one token for all of
 * them, so no file's `Deno.env.set` can lock another file's client out.
 */
export const TEST_KV_TOKEN = "basekv-test-kv-token";

/** Start the fake on an ephemeral loopback port. */
export async function startKvConnectServer(
  token: string = TEST_KV_TOKEN,
): Promise<KvConnectServer> {
  // Backing keys are one Uint8Array part holding the client's encoded key: the tuple encoding
  // of a byte string preserves byte order, so ranges over encoded keys map one to one.
  const backing = await Deno.openKv(":memory:");
  const databaseId = crypto.randomUUID();
  const stats = { reads: 0, writes: 0, checkFailures: 0, maxChecks: 0 };
  // One request at a time: a snapshot read spans several backing lists and must not see a
  // write land between them.
  let tail: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = tail.then(fn, fn);
    tail = run.catch(() => {});
    return run;
  };

  async function snapshotRead(body: Uint8Array): Promise<Response> {
    const ranges = decodeSnapshotRead(body);
    if (ranges.length > MAX_READ_RANGES) throw new BadRequest("Too many read ranges");
    let total = 0;
    for (const r of ranges) {
      if (r.limit <= 0) throw new BadRequest("Invalid read range limit");
      total += r.limit;
    }
    if (total > MAX_READ_ENTRIES) throw new BadRequest("Read range too large");
    stats.reads++;
    const out: KvEntry[][] = [];
    for (const r of ranges) {
      const entries: KvEntry[] = [];
      if (compareBytes(r.start, r.end) < 0) {
        const iter = backing.list<Stored>({ start: [r.start], end: [r.end] }, {
          limit: r.limit,
          reverse: r.reverse,
          batchSize: Math.min(r.limit, 1000),
        });
        for await (const e of iter) {
          entries.push({
            key: e.key[0] as Uint8Array,
            ...fromStored(e.value),
            versionstamp: hexToBytes(e.versionstamp),
          });
        }
      }
      out.push(entries);
    }
    return protobuf(encodeSnapshotReadOutput(out));
  }

  async function atomicWrite(body: Uint8Array): Promise<Response> {
    const write = decodeAtomicWrite(body);
    if (write.checks.length > MAX_CHECKS) throw new BadRequest("Too many checks");
    if (write.mutations.length + write.enqueues > MAX_MUTATIONS) {
      throw new BadRequest("Too many mutations");
    }
    if (write.enqueues > 0) throw new BadRequest("Enqueue operations are not supported");
    stats.writes++;
    stats.maxChecks = Math.max(stats.maxChecks, write.checks.length);
    const op = backing.atomic();
    for (const c of write.checks) {
      validKey(c.key);
      if (c.versionstamp.length !== 0 && c.versionstamp.length !== 10) {
        throw new BadRequest("Invalid versionstamp");
      }
      op.check({
        key: [c.key],
        versionstamp: c.versionstamp.length === 0 ? null : bytesToHex(c.versionstamp),
      });
    }
    const now = Date.now();
    for (const m of write.mutations) {
      validKey(m.key);
      const key = [m.key];
      const expireIn = m.expireAtMs > 0 ? Math.max(1, m.expireAtMs - now) : undefined;
      if (m.type === M_DELETE) op.delete(key);
      else if (m.type === M_SET) op.set(key, toStored(m), { expireIn });
      else if (m.type === M_SUM || m.type === M_MIN || m.type === M_MAX) {
        const value = toStored(m);
        if (!(value instanceof Deno.KvU64)) {
          throw new BadRequest("Sum, min and max need an LE64 value");
        }
        if (m.type === M_SUM) op.sum(key, value.value);
        else if (m.type === M_MIN) op.min(key, value.value);
        else op.max(key, value.value);
      } else throw new BadRequest(`Invalid mutation type ${m.type}`);
    }
    let res: Deno.KvCommitResult | Deno.KvCommitError;
    try {
      res = await op.commit();
    } catch (error) {
      // e.g. sum over a non-U64 value: the request is at fault, and a 5xx would be retried forever.
      throw new BadRequest((error as Error).message);
    }
    if (!res.ok) {
      stats.checkFailures++;
      return protobuf(encodeAtomicWriteOutput(AW_CHECK_FAILURE));
    }
    return protobuf(encodeAtomicWriteOutput(AW_SUCCESS, hexToBytes(res.versionstamp)));
  }

  function metadata(body: string, base: URL): Response {
    let versions = [1];
    if (body.trim() !== "") {
      const parsed = JSON.parse(body) as { supportedVersions?: unknown };
      if (!Array.isArray(parsed.supportedVersions)) {
        return text(400, "supportedVersions must be an array of numbers");
      }
      versions = parsed.supportedVersions as number[];
    }
    const version = Math.max(...SERVER_VERSIONS.filter((v) => versions.includes(v)));
    if (!Number.isFinite(version)) return text(400, "No overlapping protocol versions");
    return Response.json({
      version,
      databaseId,
      endpoints: [{ url: new URL(DATA_PATH, base).href, consistency: "strong" }],
      token,
      expiresAt: new Date(Date.now() + METADATA_TTL_MS).toISOString(),
    });
  }

  async function handle(req: Request): Promise<Response> {
    if (req.method !== "POST") return text(405, "Method not allowed");
    if (req.headers.get("authorization") !== `Bearer ${token}`) {
      return text(401, "Invalid access token");
    }
    const url = new URL(req.url);
    try {
      if (url.pathname === `${DATA_PATH}/snapshot_read`) {
        const body = new Uint8Array(await req.arrayBuffer());
        return await serial(() => snapshotRead(body));
      }
      if (url.pathname === `${DATA_PATH}/atomic_write`) {
        const body = new Uint8Array(await req.arrayBuffer());
        return await serial(() => atomicWrite(body));
      }
      if (url.pathname.startsWith(`${DATA_PATH}/`)) {
        return text(404, `Not supported by this fake: ${url.pathname}`);
      }
      return metadata(await req.text(), url);
    } catch (error) {
      if (error instanceof BadRequest || error instanceof RangeError) {
        return text(400, error.message);
      }
      if (error instanceof SyntaxError) return text(400, `Invalid JSON: ${error.message}`);
      throw error;
    }
  }

  const { promise: listening, resolve } = Promise.withResolvers<Deno.NetAddr>();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: resolve }, handle);
  const addr = await listening;
  let closed: Promise<void> | null = null;
  const close = () =>
    closed ??= (async () => {
      await server.shutdown();
      await tail;
      backing.close();
    })();
  return {
    url: `http://127.0.0.1:${addr.port}`,
    token,
    stats,
    async keys() {
      const out: Deno.KvKeyPart[][] = [];
      for await (const e of backing.list({ prefix: [] })) {
        out.push(decodeKey(e.key[0] as Uint8Array));
      }
      return out;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

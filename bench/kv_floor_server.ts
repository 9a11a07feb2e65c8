/**
 * The floor under every durable write basekv makes: a bare RESP server that turns each write
 * command into the Deno KV entries its storage layout needs at least (SET: the value; HSET,
 * SADD, LPUSH: the key's entry with its size plus the member's; ZADD: plus the score
 * index entry), groups every pending write into one Deno KV atomic (no reads, TTL index, counts
 * or cache) and replies after the commit. The benchmark runs it beside basekv and the reference
 * to show how much of a write target Deno KV itself leaves reachable. GET reads its key with
 * `getMany` (10 keys a call, every call of a turn in flight at once), from a basekv data file's
 * database 0 when started with `basekv`: the floor of a read that misses every cache. Started
 * with `http`, it answers every HTTP request by writing its body as one entry and replying `{}`
 * after the commit: the floor of a DynamoDB PutItem or UpdateItem (which also reads); a read
 * (any other operation) gets a canned 1 KiB reply at once, the ceiling of a Deno.serve server;
 * every reply carries the three headers DynamoDB's do. Started
 * with `memcached`, it takes memcached text `set` commands instead of RESP.
 * Usage: deno run -A --unstable-kv bench/kv_floor_server.ts <data file> <port> [basekv|http|memcached]
 * @module
 */
import { crc32 } from "../protocols/dynamodb/crc32.ts";

const [path, portArg, layoutArg] = Deno.args;
if (!path || !portArg) throw new Error("usage: kv_floor_server.ts <data file> <port>");
const kv = await Deno.openKv(path);
const encoder = new TextEncoder();
const OK = encoder.encode("+OK\r\n");
const ONE = encoder.encode(":1\r\n");
const ERROR = encoder.encode("-ERR unknown command\r\n");
const NIL = encoder.encode("$-1\r\n");
/**
 * basekv keeps a string of database 0 under ["redis", "k", 0, key] (the Redis service's
 * namespace, then its key space) as an envelope `{d: bytes, …}`.
 */
const BASEKV = layoutArg === "basekv";
/** What a collection's own entry holds: its size and where its members live. */
const META = new Uint8Array(24);

/** One Deno KV write. */
type Write = [Deno.KvKey, Uint8Array];

/**
 * The entries a write command commits at least, by the layout issue 10 prescribes: a member
 * (or field, or list element) is an entry of its own and the key's size lives in the key's
 * entry, so a collection write is the key's entry plus each member's. Members live under a
 * number the key gets at its first write, growing as basekv's generations do, so the members
 * of new keys are appended together rather than spread over the file.
 */
const LAYOUTS: { [command: string]: (args: Uint8Array[]) => Write[] } = {
  set: ([, key, value]) => [[["s", key], value]],
  incr: ([, key]) => [[["s", key], META.subarray(0, 8)]],
  hset: ([, key, field, value]) => [[["m", key], META], [["f", generation(key), field], value]],
  sadd: ([, key, member]) => [[["m", key], META], [["f", generation(key), member], EMPTY]],
  lpush: ([, key, value]) => [[["m", key], META], [["f", generation(key), sequence++], value]],
  zadd: ([, key, score, member]) => [
    [["m", key], META],
    [["f", generation(key), 0, member], score],
    [["f", generation(key), 1, score, member], EMPTY],
  ],
};
const EMPTY = new Uint8Array(0);
let sequence = 0;
const generations = new Map<string, number>();
const latin1 = new TextDecoder("latin1");

function generation(key: Uint8Array): number {
  const name = latin1.decode(key);
  let g = generations.get(name);
  if (g === undefined) generations.set(name, g = generations.size);
  return g;
}
const decoder = new TextDecoder();

interface Pending {
  writes: Write[];
  done: () => void;
}

const pending: Pending[] = [];
let committing = false;

/** Commit what is pending, batch after batch, while SETs keep arriving. */
async function commitLoop(): Promise<void> {
  if (committing) return;
  committing = true;
  try {
    while (pending.length > 0) {
      // Deno KV takes at most 1000 mutations per atomic; a command writes at most 3.
      const batch = pending.splice(0, 333);
      const op = kv.atomic();
      for (const p of batch) {
        for (const [key, value] of p.writes) op.set(key, value);
      }
      await op.commit();
      for (const p of batch) p.done();
    }
  } finally {
    committing = false;
  }
}

/** GETs of this turn, read together once it ends. */
let reads: { key: Uint8Array; done: (reply: Uint8Array) => void }[] = [];

function readAll(): void {
  const batch = reads;
  reads = [];
  for (let i = 0; i < batch.length; i += 10) {
    const part = batch.slice(i, i + 10);
    kv.getMany(part.map(({ key }) => BASEKV ? ["redis", "k", 0, key] : ["s", key])).then(
      (entries) => {
        for (let j = 0; j < part.length; j++) {
          const value = entries[j].value as Uint8Array | { d?: Uint8Array } | null;
          const data = value === null ? null : value instanceof Uint8Array ? value : value.d;
          part[j].done(data ? bulk(data) : NIL);
        }
      },
      () => {
        for (const read of part) read.done(ERROR);
      },
    );
  }
}

function bulk(data: Uint8Array): Uint8Array {
  const head = encoder.encode(`$${data.length}\r\n`);
  const out = new Uint8Array(head.length + data.length + 2);
  out.set(head);
  out.set(data, head.length);
  out.set([13, 10], head.length + data.length);
  return out;
}

/** Parse whole RESP arrays of bulk strings from `buf`; returns them and the bytes consumed. */
function parse(buf: Uint8Array): { commands: Uint8Array[][]; used: number } {
  const commands: Uint8Array[][] = [];
  let at = 0;
  const number = (from: number): [number, number] | null => {
    const end = buf.indexOf(13, from);
    if (end < 0 || end + 1 >= buf.length) return null;
    let n = 0;
    for (let i = from + 1; i < end; i++) n = n * 10 + buf[i] - 48;
    return [n, end + 2];
  };
  outer: while (at < buf.length) {
    const head = number(at);
    if (!head) break;
    let [argc, i] = head;
    const args: Uint8Array[] = [];
    while (argc-- > 0) {
      const len = i < buf.length ? number(i) : null;
      if (!len || len[1] + len[0] + 2 > buf.length) break outer;
      args.push(buf.slice(len[1], len[1] + len[0]));
      i = len[1] + len[0] + 2;
    }
    commands.push(args);
    at = i;
  }
  return { commands, used: at };
}

/** Replies to whole RESP commands, in order, once their writes have committed. */
async function answerResp(commands: Uint8Array[][]): Promise<Uint8Array[]> {
  const replies: (Uint8Array | Promise<Uint8Array>)[] = [];
  const commits: Promise<void>[] = [];
  for (const args of commands) {
    const name = decoder.decode(args[0]).toLowerCase();
    if (name === "get" && args.length === 2) {
      if (reads.length === 0) queueMicrotask(readAll);
      replies.push(new Promise((done) => reads.push({ key: args[1], done })));
      continue;
    }
    const layout = LAYOUTS[name];
    if (!layout || args.length < 2) {
      replies.push(name === "ping" ? OK : ERROR);
      continue;
    }
    replies.push(name === "set" ? OK : ONE);
    const writes = layout(args);
    commits.push(new Promise((done) => pending.push({ writes, done })));
  }
  if (commits.length > 0) commitLoop();
  await Promise.all(commits);
  return await Promise.all(replies);
}

const STORED = encoder.encode("STORED\r\n");

const MC_ERROR = encoder.encode("ERROR\r\n");

/**
 * Whole memcached commands in `buf`: each `set <key> <flags> <exptime> <bytes>` with its data
 * block as a write, anything else as null (answered ERROR).
 */
function parseSets(buf: Uint8Array): { commands: (Write | null)[]; used: number } {
  const commands: (Write | null)[] = [];
  let at = 0;
  while (at < buf.length) {
    const eol = buf.indexOf(10, at);
    if (eol < 0) break;
    const words = decoder.decode(buf.subarray(at, eol - 1)).split(" ");
    if (words[0] !== "set" || words.length < 5) {
      commands.push(null);
      at = eol + 1;
      continue;
    }
    const bytes = Number(words[4]);
    if (eol + 1 + bytes + 2 > buf.length) break;
    const key = buf.slice(at + 4, at + 4 + words[1].length);
    commands.push([["s", key], buf.slice(eol + 1, eol + 1 + bytes)]);
    at = eol + 1 + bytes + 2;
  }
  return { commands, used: at };
}

/** Replies to whole memcached commands, in order, once their writes have committed. */
async function answerMemcached(commands: (Write | null)[]): Promise<Uint8Array[]> {
  const writes = commands.filter((c) => c !== null);
  if (writes.length > 0) {
    const committed = new Promise<void>((done) => pending.push({ writes, done }));
    commitLoop();
    await committed;
  }
  return commands.map((c) => c === null ? MC_ERROR : STORED);
}

/** A connection: whole commands as they arrive, answered in one write per read. */
async function serve<T>(
  conn: Deno.Conn,
  parseAll: (buf: Uint8Array) => { commands: T[]; used: number },
  answer: (commands: T[]) => Promise<Uint8Array[]>,
): Promise<void> {
  let buf: Uint8Array<ArrayBuffer> = new Uint8Array(0);
  const chunk = new Uint8Array(64 * 1024);
  for (;;) {
    const n = await conn.read(chunk);
    if (n === null) return;
    const joined = new Uint8Array(buf.length + n);
    joined.set(buf);
    joined.set(chunk.subarray(0, n), buf.length);
    const { commands, used } = parseAll(joined);
    buf = joined.slice(used);
    if (commands.length === 0) continue;
    const replies = await answer(commands);
    const out = new Uint8Array(replies.reduce((sum, r) => sum + r.length, 0));
    let o = 0;
    for (const r of replies) {
      out.set(r, o);
      o += r.length;
    }
    for (let w = 0; w < out.length;) w += await conn.write(out.subarray(w));
  }
}

/** DynamoDB operations the http floor commits; any other is answered at once with READ_REPLY. */
const WRITES = new Set(["PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem"]);
/** A read's canned reply, about a 10-item Query's size: the ceiling of a Deno.serve server. */
const READ_REPLY = `{"Count":0,"Items":[],"Pad":"${"x".repeat(1024)}"}`;
const WRITE_REPLY = "{}";
const CHECKSUMS = new Map(
  [READ_REPLY, WRITE_REPLY].map((body) => [body, String(crc32(encoder.encode(body)))]),
);
let requests = 0;

/**
 * A reply with the headers every DynamoDB reply carries and the SDKs read: its type, a request
 * id (a counter here, DynamoDB's are 52 characters) and the body's CRC-32 (botocore checks it).
 */
function dynamoReply(body: string): Response {
  return new Response(body, {
    headers: {
      "content-type": "application/x-amz-json-1.0",
      "x-amzn-requestid": String(++requests).padStart(52, "0"),
      "x-amz-crc32": CHECKSUMS.get(body)!,
    },
  });
}

/** The longest body prefix used as a key (Deno KV keys stop at 2 KiB). */
const MAX_KEY_BYTES = 1800;

if (layoutArg === "http") {
  Deno.serve({ hostname: "127.0.0.1", port: Number(portArg), onListen() {} }, async (request) => {
    const body = new Uint8Array(await request.arrayBuffer());
    const target = request.headers.get("x-amz-target") ?? "";
    if (!WRITES.has(target.slice(target.indexOf(".") + 1))) {
      return dynamoReply(READ_REPLY);
    }
    const writes: Write[] = [[["p", body.subarray(0, MAX_KEY_BYTES)], body]];
    const committed = new Promise<void>((done) => pending.push({ writes, done }));
    commitLoop();
    await committed;
    return dynamoReply(WRITE_REPLY);
  });
} else {
  for await (const conn of Deno.listen({ hostname: "127.0.0.1", port: Number(portArg) })) {
    const served = layoutArg === "memcached"
      ? serve(conn, parseSets, answerMemcached)
      : serve(conn, parse, answerResp);
    served.catch(() => {}).finally(() => conn.close());
  }
}

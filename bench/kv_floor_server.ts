/**
 * The floor under every durable write basekv makes: a bare RESP server that answers SET by
 * grouping every pending SET into one Deno KV atomic of raw values (no reads, no index, no
 * TTL, no counts) and replies after the commit. The benchmark runs it beside basekv and the
 * reference to show how much of a write target Deno KV itself leaves reachable.
 * Usage: deno run -A --unstable-kv bench/kv_floor_server.ts <data file> <port>
 * @module
 */
const [path, portArg] = Deno.args;
if (!path || !portArg) throw new Error("usage: kv_floor_server.ts <data file> <port>");
const kv = await Deno.openKv(path);
const OK = new TextEncoder().encode("+OK\r\n");
const ERROR = new TextEncoder().encode("-ERR only SET\r\n");

interface Pending {
  key: Uint8Array;
  value: Uint8Array;
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
      const batch = pending.splice(0, 1000);
      const op = kv.atomic();
      for (const p of batch) op.set(["s", p.key], p.value);
      await op.commit();
      for (const p of batch) p.done();
    }
  } finally {
    committing = false;
  }
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

async function serve(conn: Deno.Conn): Promise<void> {
  let buf: Uint8Array<ArrayBuffer> = new Uint8Array(0);
  const chunk = new Uint8Array(64 * 1024);
  for (;;) {
    const n = await conn.read(chunk);
    if (n === null) return;
    const joined = new Uint8Array(buf.length + n);
    joined.set(buf);
    joined.set(chunk.subarray(0, n), buf.length);
    const { commands, used } = parse(joined);
    buf = joined.slice(used);
    if (commands.length === 0) continue;
    const replies: Uint8Array[] = [];
    const commits: Promise<void>[] = [];
    for (const args of commands) {
      const isSet = args.length === 3 && args[0].length === 3 && (args[0][0] | 32) === 115;
      replies.push(isSet ? OK : ERROR);
      if (isSet) {
        commits.push(
          new Promise((done) => pending.push({ key: args[1], value: args[2], done })),
        );
      }
    }
    commitLoop();
    await Promise.all(commits);
    const out = new Uint8Array(replies.reduce((s, r) => s + r.length, 0));
    let o = 0;
    for (const r of replies) {
      out.set(r, o);
      o += r.length;
    }
    for (let w = 0; w < out.length;) w += await conn.write(out.subarray(w));
  }
}

for await (const conn of Deno.listen({ hostname: "127.0.0.1", port: Number(portArg) })) {
  serve(conn).catch(() => {}).finally(() => conn.close());
}

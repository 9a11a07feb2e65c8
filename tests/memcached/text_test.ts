/** Classic text commands over raw sockets, compared byte for byte with memcached 1.6.18. */
import assert from "node:assert/strict";
import { TEXT } from "../../protocols/memcached/errors.ts";
import { assertSilent, connect, exchange, startMemcached } from "./wire.ts";

const E = (s: string) => s + "\r\n";

Deno.test("set/get round-trips a value containing \\r\\nEND\\r\\n and 32-bit flags", async () => {
  await using s = await startMemcached();
  using c = await connect(s);
  const v = "a\r\nEND\r\nb";
  await exchange(c, `set k 4294967295 0 ${v.length}\r\n${v}\r\n`, E(TEXT.STORED));
  await exchange(c, "get k\r\n", `VALUE k 4294967295 ${v.length}\r\n${v}\r\nEND\r\n`);
  await exchange(
    c,
    "set big 4294967296 0 1\r\nx\r\nget big\r\n",
    "STORED\r\nVALUE big 0 1\r\nx\r\nEND\r\n",
  );
  await exchange(c, "set f 18446744073709551616 0 1\r\nx\r\n", E(TEXT.BAD_FORMAT) + E(TEXT.ERROR));
});

Deno.test("get/gets with many keys return hits in order and CAS only for gets", async () => {
  await using s = await startMemcached();
  using c = await connect(s);
  await exchange(c, "set a 1 0 1\r\nA\r\nset b 2 0 2\r\nBB\r\n", "STORED\r\nSTORED\r\n");
  await exchange(c, "get a miss b\r\n", "VALUE a 1 1\r\nA\r\nVALUE b 2 2\r\nBB\r\nEND\r\n");
  await c.send("gets a b\r\n");
  const text = await c.readText("END\r\n");
  const m = [...text.matchAll(/VALUE (\w) \d+ \d+ (\d+)\r\n/g)];
  assert.deepEqual(m.length, 2);
  assert.ok(m[0][2] !== m[1][2], "CAS uniques differ between items");
  await exchange(c, "get\r\n", E(TEXT.ERROR));
  await exchange(c, "GET a\r\n", E(TEXT.ERROR));
});

Deno.test("add/replace/append/prepend answer STORED or NOT_STORED", async () => {
  await using s = await startMemcached();
  using c = await connect(s);
  await exchange(c, "add k 5 0 1\r\nb\r\n", E(TEXT.STORED));
  await exchange(c, "add k 0 0 1\r\nx\r\n", E(TEXT.NOT_STORED));
  await exchange(c, "replace nope 0 0 1\r\nx\r\n", E(TEXT.NOT_STORED));
  await exchange(c, "append nope 0 0 1\r\nx\r\n", E(TEXT.NOT_STORED));
  await exchange(c, "prepend nope 0 0 1\r\nx\r\n", E(TEXT.NOT_STORED));
  await exchange(c, "append k 9 0 1\r\nc\r\nprepend k 9 0 1\r\na\r\n", "STORED\r\nSTORED\r\n");
  await exchange(c, "get k\r\n", "VALUE k 5 3\r\nabc\r\nEND\r\n");
  await exchange(c, "replace k 7 0 2\r\nzz\r\nget k\r\n", "STORED\r\nVALUE k 7 2\r\nzz\r\nEND\r\n");
});

Deno.test("cas answers STORED, EXISTS and NOT_FOUND; append changes the CAS", async () => {
  await using s = await startMemcached();
  using c = await connect(s);
  await exchange(c, "set k 0 0 1\r\na\r\n", E(TEXT.STORED));
  await c.send("gets k\r\n");
  const cas = (await c.readText("END\r\n")).match(/VALUE k 0 1 (\d+)/)![1];
  await exchange(c, "append k 0 0 1\r\nb\r\n", E(TEXT.STORED));
  await exchange(c, `cas k 0 0 1 ${cas}\r\nx\r\n`, E(TEXT.EXISTS));
  await c.send("gets k\r\n");
  const cas2 = (await c.readText("END\r\n")).match(/VALUE k 0 2 (\d+)/)![1];
  await exchange(c, `touch k 100\r\n`, E(TEXT.TOUCHED));
  await exchange(c, `cas k 3 0 1 ${cas2}\r\ny\r\n`, E(TEXT.STORED));
  await exchange(c, "get k\r\n", "VALUE k 3 1\r\ny\r\nEND\r\n");
  await exchange(c, `cas nope 0 0 1 ${cas2}\r\ny\r\n`, E(TEXT.NOT_FOUND));
  await exchange(c, `cas k 0 0 1 abc\r\ny\r\n`, E(TEXT.BAD_FORMAT) + E(TEXT.ERROR));
});

Deno.test("a cas race between two clients lets exactly one win", async () => {
  await using s = await startMemcached();
  using a = await connect(s);
  using b = await connect(s);
  await exchange(a, "set k 0 0 1\r\n0\r\n", E(TEXT.STORED));
  await a.send("gets k\r\n");
  const cas = (await a.readText("END\r\n")).match(/VALUE k 0 1 (\d+)/)![1];
  const req = (v: string) => `cas k 0 0 1 ${cas}\r\n${v}\r\n`;
  await Promise.all([a.send(req("a")), b.send(req("b"))]);
  const replies = [await a.readText("\r\n"), await b.readText("\r\n")].sort();
  assert.deepEqual(replies, [E(TEXT.EXISTS), E(TEXT.STORED)]);
});

Deno.test("50 concurrent adds of one key give exactly one STORED", async () => {
  await using s = await startMemcached();
  const clients = await Promise.all(Array.from({ length: 50 }, () => connect(s)));
  try {
    const replies = await Promise.all(clients.map(async (c, i) => {
      await c.send(`add lock 0 0 ${String(i).length}\r\n${i}\r\n`);
      return await c.readText("\r\n");
    }));
    assert.deepEqual(replies.filter((r) => r === E(TEXT.STORED)).length, 1);
    assert.deepEqual(replies.filter((r) => r === E(TEXT.NOT_STORED)).length, 49);
  } finally {
    for (const c of clients) c.close();
  }
});

Deno.test("incr/decr wrap at 2^64, floor at 0, pad, keep flags and reject bad input", async () => {
  await using s = await startMemcached();
  using c = await connect(s);
  await exchange(c, "set n 42 0 2\r\n10\r\nincr n 5\r\ndecr n 6\r\n", "STORED\r\n15\r\n9\r\n");
  await exchange(c, "get n\r\n", "VALUE n 42 2\r\n9 \r\nEND\r\n");
  await exchange(c, "set m 0 0 20\r\n18446744073709551615\r\nincr m 1\r\n", "STORED\r\n0\r\n");
  await exchange(c, "decr n 100\r\n", "0\r\n");
  await exchange(c, "incr miss 1\r\n", E(TEXT.NOT_FOUND));
  await exchange(
    c,
    "incr n abc\r\nincr n -1\r\nincr n 18446744073709551616\r\n",
    E(TEXT.BAD_DELTA).repeat(3),
  );
  await exchange(c, "set t 0 0 3\r\nabc\r\nincr t 1\r\n", E(TEXT.STORED) + E(TEXT.NON_NUMERIC));
  await exchange(c, "set u 0 0 3\r\n 12\r\nincr u 1\r\n", "STORED\r\n13\r\n");
  await exchange(c, "set v 0 0 3\r\n+12\r\nincr v +1\r\n", "STORED\r\n13\r\n");
  const zeros = "0".repeat(26) + "1";
  await exchange(
    c,
    `set w 0 0 27\r\n${zeros}\r\nincr w 1\r\nget w\r\n`,
    `STORED\r\n2\r\nVALUE w 0 27\r\n2${" ".repeat(26)}\r\nEND\r\n`,
  );
  await exchange(c, "incr n\r\n", E(TEXT.ERROR));
});

Deno.test("touch, gat and gats change expiry and keep the CAS", async () => {
  await using s = await startMemcached();
  using c = await connect(s);
  await exchange(c, "set k 1 0 1\r\nv\r\n", E(TEXT.STORED));
  await c.send("gets k\r\n");
  const before = await c.readText("END\r\n");
  const cas = before.match(/VALUE k 1 1 (\d+)/)![1];
  await exchange(c, "gats 100 k miss\r\n", `VALUE k 1 1 ${cas}\r\nv\r\nEND\r\n`);
  await exchange(c, "gat 100 k\r\n", "VALUE k 1 1\r\nv\r\nEND\r\n");
  await exchange(c, "touch miss 10\r\n", E(TEXT.NOT_FOUND));
  await exchange(
    c,
    "touch k abc\r\ngat abc k\r\ngat k\r\ntouch k\r\n",
    E(TEXT.BAD_EXPTIME).repeat(3) + E(TEXT.ERROR),
  );
  await exchange(c, "gat -1 k\r\n", "VALUE k 1 1\r\nv\r\nEND\r\n");
  await exchange(c, "get k\r\n", "END\r\n");
});

Deno.test("exptime: relative seconds, absolute beyond 30 days, negative is expired", async () => {
  await using s = await startMemcached();
  using c = await connect(s);
  const now = Math.floor(Date.now() / 1000);
  await exchange(c, "set a 0 2592000 1\r\na\r\nget a\r\n", "STORED\r\nVALUE a 0 1\r\na\r\nEND\r\n");
  await exchange(c, "set b 0 2592001 1\r\nb\r\nget b\r\n", "STORED\r\nEND\r\n");
  await exchange(
    c,
    `set c 0 ${now + 100} 1\r\nc\r\nget c\r\n`,
    "STORED\r\nVALUE c 0 1\r\nc\r\nEND\r\n",
  );
  await exchange(c, "set d 0 -1 1\r\nd\r\nget d\r\n", "STORED\r\nEND\r\n");
  // memcached keeps exptime in 32 bits: this far-future time wraps into the past.
  await exchange(c, "set f 0 99999999999 1\r\nf\r\nget f\r\n", "STORED\r\nEND\r\n");
  await exchange(c, "set e 0 1 1\r\ne\r\n", "STORED\r\n");
  await new Promise((r) => setTimeout(r, 1100));
  await exchange(c, "get e\r\n", "END\r\n");
});

Deno.test("delete answers DELETED/NOT_FOUND and rejects a delay", async () => {
  await using s = await startMemcached();
  using c = await connect(s);
  await exchange(
    c,
    "set k 0 0 1\r\nv\r\ndelete k\r\ndelete k\r\n",
    "STORED\r\nDELETED\r\nNOT_FOUND\r\n",
  );
  await exchange(c, "delete k 10\r\n", E(TEXT.BAD_DELETE));
  await exchange(c, "set k 0 0 1\r\nv\r\ndelete k 0\r\n", "STORED\r\nDELETED\r\n");
});

Deno.test("noreply suppresses every reply, failures included", async () => {
  await using s = await startMemcached();
  using c = await connect(s);
  await c.send(
    "set k 0 0 1 noreply\r\nv\r\nadd k 0 0 1 noreply\r\nv\r\nreplace x 0 0 1 noreply\r\nv\r\n" +
      "append k 0 0 1 noreply\r\nw\r\nprepend x 0 0 1 noreply\r\nw\r\ncas k 0 0 1 1 noreply\r\nz\r\n" +
      "incr k 1 noreply\r\nincr x 1 noreply\r\ndecr k abc noreply\r\ntouch k 10 noreply\r\n" +
      "touch x 10 noreply\r\ndelete x noreply\r\nset k abc 0 1 noreply\r\n" +
      "verbosity 1 noreply\r\nflush_all 0 noreply\r\nset j 0 0 3 noreply\r\nabc\r\n",
  );
  await assertSilent(c);
  await exchange(c, "get k j\r\n", "VALUE j 0 3\r\nabc\r\nEND\r\n");
  await c.send("set k 0 0 3 noreply\r\nabcde\r\n");
  await exchange(c, "", E(TEXT.ERROR));
});

Deno.test("flush_all empties the cache, with a delay later", async () => {
  await using s = await startMemcached();
  using c = await connect(s);
  await exchange(c, "set a 0 0 1\r\na\r\nflush_all\r\nget a\r\n", "STORED\r\nOK\r\nEND\r\n");
  await exchange(c, "set b 0 0 1\r\nb\r\nget b\r\n", "STORED\r\nVALUE b 0 1\r\nb\r\nEND\r\n");
  await exchange(c, "flush_all 1\r\nget b\r\n", "OK\r\nVALUE b 0 1\r\nb\r\nEND\r\n");
  await new Promise((r) => setTimeout(r, 1050));
  await exchange(c, "get b\r\nflush_all abc\r\n", "END\r\n" + E(TEXT.BAD_EXPTIME));
});

Deno.test("framing errors: bad formats, bad data chunk, unknown commands", async () => {
  await using s = await startMemcached();
  using c = await connect(s);
  await exchange(c, "set k abc 0 1\r\nx\r\n", E(TEXT.BAD_FORMAT) + E(TEXT.ERROR));
  await exchange(c, "set k 0 0 -1\r\nset k 0 0 abc\r\n", E(TEXT.BAD_FORMAT).repeat(2));
  await exchange(c, "set k 0 0 2147483647\r\n", E(TEXT.BAD_FORMAT));
  await exchange(c, `set ${"k".repeat(251)} 0 0 1\r\nx\r\n`, E(TEXT.BAD_FORMAT) + E(TEXT.ERROR));
  await exchange(c, `set ${"k".repeat(250)} 0 0 1\r\nx\r\n`, E(TEXT.STORED));
  await exchange(
    c,
    "set k 0 0 3\r\nabcde\r\nget k\r\n",
    E(TEXT.BAD_CHUNK) + E(TEXT.ERROR) + "END\r\n",
  );
  await exchange(c, "set k 0 0\r\nbogus\r\n\r\n", E(TEXT.ERROR).repeat(3));
  await exchange(c, "get k\nversion\n", "END\r\nVERSION 1.6.18\r\n");
  await exchange(c, "shutdown\r\n", E(TEXT.SHUTDOWN_DISABLED));
});

Deno.test("a 1 MiB item is stored; a larger one is refused and the connection stays in sync", async () => {
  await using s = await startMemcached();
  using c = await connect(s);
  // memcached 1.6.18 counts a 59-byte header, the key, and 4 bytes for non-zero flags.
  const max = 1048576 - 64;
  const big = "x".repeat(max);
  await exchange(c, `set k 7 0 ${max}\r\n${big}\r\n`, E(TEXT.STORED));
  await c.send("get k\r\n");
  const got = await c.readText("END\r\n");
  assert.deepEqual(got, `VALUE k 7 ${max}\r\n${big}\r\nEND\r\n`);
  await exchange(c, `set z 0 0 ${max + 4}\r\n${big}1234\r\n`, E(TEXT.STORED));
  await exchange(
    c,
    `add k 7 0 ${max + 1}\r\n${big}x\r\nget k\r\n`,
    E(TEXT.TOO_LARGE) + `VALUE k 7 ${max}\r\n`,
  );
  await c.readText("END\r\n");
  await exchange(
    c,
    `set k 0 0 ${max + 5}\r\n${big}12345\r\nget k\r\n`,
    E(TEXT.TOO_LARGE) + "END\r\n",
  );
});

Deno.test("a long line without a newline closes the connection; long gets do not", async () => {
  await using s = await startMemcached();
  using c = await connect(s);
  const keys = Array.from({ length: 400 }, (_, i) => `key${i}`).join(" ");
  await exchange(c, `get ${keys}\r\n`, "END\r\n");
  await c.send("x".repeat(3000));
  assert.deepEqual(await c.closedWithin(2000), true);
});

Deno.test("a command split byte by byte across writes is parsed whole", async () => {
  await using s = await startMemcached();
  using c = await connect(s);
  const req = "set k 3 0 5\r\na\r\nbc\r\nget k\r\n";
  for (const ch of req) {
    await c.send(ch);
    await new Promise((r) => setTimeout(r, 1));
  }
  await exchange(c, "", "STORED\r\nVALUE k 3 5\r\na\r\nbc\r\nEND\r\n");
});

Deno.test("pipelined writes and reads reply in order and reads see earlier writes", async () => {
  await using s = await startMemcached();
  using c = await connect(s);
  let req = "";
  let want = "";
  for (let i = 0; i < 50; i++) {
    req += `set k 0 0 ${String(i).length}\r\n${i}\r\nget k\r\n`;
    want += `STORED\r\nVALUE k 0 ${String(i).length}\r\n${i}\r\nEND\r\n`;
  }
  await exchange(c, req, want);
});

Deno.test("stats reports real counters; settings, items, slabs, reset", async () => {
  await using s = await startMemcached();
  using c = await connect(s);
  await exchange(
    c,
    "set a 0 0 1\r\na\r\nget a\r\nget b\r\n",
    "STORED\r\nVALUE a 0 1\r\na\r\nEND\r\nEND\r\n",
  );
  await c.send("stats\r\n");
  const stats = await c.readText("END\r\n");
  const stat = (n: string) => stats.match(new RegExp(`STAT ${n} (\\S+)\r\n`))?.[1];
  assert.deepEqual(stat("pid"), String(Deno.pid));
  assert.deepEqual(stat("version"), "1.6.18");
  assert.deepEqual(stat("cmd_get"), "2");
  assert.deepEqual(stat("get_hits"), "1");
  assert.deepEqual(stat("get_misses"), "1");
  assert.deepEqual(stat("cmd_set"), "1");
  assert.deepEqual(stat("curr_items"), "1");
  assert.deepEqual(stat("bytes"), "61"); // memcached's 59-byte header + key + value
  assert.deepEqual(stat("curr_connections"), "1");
  assert.match(stat("time")!, /^\d+$/);
  await c.send("stats settings\r\n");
  assert.match(await c.readText("END\r\n"), /STAT item_size_max 1048576\r\n/);
  await c.send("stats items\r\n");
  assert.match(await c.readText("END\r\n"), /STAT items:1:number 1\r\n/);
  await c.send("stats slabs\r\n");
  assert.match(await c.readText("END\r\n"), /STAT active_slabs 1\r\n/);
  await exchange(c, "stats reset\r\nstats bogus\r\n", "RESET\r\nERROR\r\n");
  await c.send("stats\r\n");
  assert.match(await c.readText("END\r\n"), /STAT cmd_get 0\r\n/);
});

Deno.test("version, verbosity and quit", async () => {
  await using s = await startMemcached();
  using c = await connect(s);
  await exchange(
    c,
    "version\r\nverbosity 1\r\nverbosity abc\r\n",
    "VERSION 1.6.18\r\nOK\r\n" + E(TEXT.BAD_FORMAT),
  );
  await c.send("quit\r\n");
  assert.deepEqual(await c.closedWithin(2000), true);
});

Deno.test("keys are binary-safe bytes echoed exactly", async () => {
  await using s = await startMemcached();
  using c = await connect(s);
  const key = new Uint8Array([0x6b, 0xc3, 0xa9, 0xff, 0x01]);
  const enc = new TextEncoder();
  const req = new Uint8Array([
    ...enc.encode("set "),
    ...key,
    ...enc.encode(" 0 0 1\r\nv\r\nget "),
    ...key,
    0x0d,
    0x0a,
  ]);
  await c.send(req);
  const got = await c.readBytes(8 + 6 + key.length + 6 + 3 + 5);
  assert.deepEqual([...got], [
    ...enc.encode("STORED\r\nVALUE "),
    ...key,
    ...enc.encode(" 0 1\r\nv\r\nEND\r\n"),
  ]);
});

Deno.test("key listings: lru_crawler metadump and stats cachedump; watch", async () => {
  await using s = await startMemcached();
  using c = await connect(s);
  await exchange(c, "set a%20b 0 0 1\r\n1\r\nset c 5 0 3\r\n123\r\n", "STORED\r\nSTORED\r\n");
  await c.send("lru_crawler metadump all\r\n");
  const dump = await c.readText("END\r\n");
  assert.match(dump, /^key=a%2520b exp=-1 la=\d+ cas=\d+ fetch=no cls=1 size=65\n/);
  assert.match(dump, /\nkey=c exp=-1 la=\d+ cas=\d+ fetch=no cls=1 size=67\nEND\r\n$/);
  await exchange(
    c,
    "stats cachedump 1 0\r\n",
    "ITEM a%20b [1 b; 0 s]\r\nITEM c [3 b; 0 s]\r\nEND\r\n",
  );
  await exchange(
    c,
    "stats sizes\r\nstats detail\r\n",
    "STAT sizes_status disabled\r\nEND\r\n" + E(TEXT.STATS_DETAIL_USAGE),
  );
  await exchange(c, "watch\r\n", E(TEXT.OK));
  await c.send("version\r\n");
  await assertSilent(c);
});

Deno.test("gat/gats without keys answer END; verbosity noreply is silent", async () => {
  await using s = await startMemcached();
  using c = await connect(s);
  await exchange(c, "gat\r\ngat 10\r\ngats 10\r\n", E(TEXT.ERROR) + "END\r\nEND\r\n");
  await c.send("verbosity noreply\r\n");
  await assertSilent(c);
});

Deno.test("concurrent incr from many clients never loses an increment", async () => {
  await using s = await startMemcached();
  const clients = await Promise.all(Array.from({ length: 20 }, () => connect(s)));
  try {
    await exchange(clients[0], "set n 0 0 1\r\n0\r\n", "STORED\r\n");
    await Promise.all(clients.map(async (c) => {
      await c.send("incr n 1\r\n".repeat(25));
      await c.readUntil((b) => {
        const lines = new TextDecoder().decode(b).split("\r\n").length - 1;
        return lines >= 25 ? b.length : 0;
      });
    }));
    await exchange(clients[0], "get n\r\n", "VALUE n 0 3\r\n500\r\nEND\r\n");
  } finally {
    for (const c of clients) c.close();
  }
});

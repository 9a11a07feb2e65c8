/** Meta protocol (mg/ms/md/ma/mn/me) over raw sockets, replies as memcached 1.6.18 sends them. */
import assert from "node:assert/strict";
import { TEXT } from "../../protocols/memcached/errors.ts";
import { connect, exchange, startMemcached } from "./wire.ts";

const E = (s: string) => s + "\r\n";

async function casOf(c: Awaited<ReturnType<typeof connect>>, key: string): Promise<string> {
  await c.send(`mg ${key} c\r\n`);
  return (await c.readText("\r\n")).match(/^HD c(\d+)\r\n$/)![1];
}

Deno.test("mg returns requested flags in request order; misses answer EN", async () => {
  await using s = await startMemcached();
  using c = await connect(s);
  await exchange(c, "ms mk 2 F5 T0\r\nhi\r\n", "HD\r\n");
  const cas = await casOf(c, "mk");
  await exchange(c, "mg mk s v f t k\r\n", "VA 2 s2 f5 t-1 kmk\r\nhi\r\n");
  await exchange(c, "mg mk c O77\r\n", `HD c${cas} O77\r\n`);
  await exchange(c, "mg mk\r\n", "HD\r\n");
  await exchange(c, "mg miss v O123 k\r\n", "EN O123 kmiss\r\n");
  await exchange(c, "mg\r\n", E(TEXT.ERROR));
  await exchange(c, "mg mk zz\r\nmg mk v v\r\n", E(TEXT.INVALID_FLAG) + E(TEXT.DUPLICATE_FLAG));
  await exchange(c, `mg mk O${"x".repeat(33)}\r\n`, E(TEXT.OPAQUE_TOO_LONG));
});

Deno.test("mg T updates the TTL, N vivifies on miss and hands out one win token", async () => {
  await using s = await startMemcached();
  using c = await connect(s);
  await exchange(c, "ms k 1\r\nv\r\nmg k T30 t v\r\n", "HD\r\nVA 1 t30\r\nv\r\n");
  await exchange(c, "mg viv v N30 t s\r\n", "VA 0 t30 s0 W\r\n\r\n");
  await exchange(c, "mg viv v\r\nmg viv\r\n", "VA 0 Z\r\n\r\nHD Z\r\n");
});

Deno.test("mg with b decodes base64 keys; bad base64 is an error", async () => {
  await using s = await startMemcached();
  using c = await connect(s);
  await exchange(
    c,
    "ms aw== 2 b\r\n11\r\nmg k v\r\nmg aw== b k v\r\n",
    "HD\r\nVA 2\r\n11\r\nVA 2 kaw== b\r\n11\r\n",
  );
  await exchange(c, "mg k b\r\nmg ! b\r\n", E(TEXT.BAD_KEY_ENCODING).repeat(2));
});

Deno.test("ms modes, compare-and-swap, return flags and errors", async () => {
  await using s = await startMemcached();
  using c = await connect(s);
  await exchange(c, "ms k 2 MR\r\nhi\r\n", "NS\r\n");
  await exchange(c, "ms k 2 ME O1 k\r\nhi\r\nms k 2 ME O1 k\r\nhi\r\n", "HD O1 kk\r\nNS O1 kk\r\n");
  await exchange(
    c,
    "ms k 1 MA\r\n!\r\nms k 1 MP\r\n<\r\nmg k v\r\n",
    "HD\r\nHD\r\nVA 4\r\n<hi!\r\n",
  );
  const cas = await casOf(c, "k");
  await exchange(c, `ms k 1 C${Number(cas) + 1}\r\nx\r\nms miss 1 C5\r\nx\r\n`, "EX\r\nNF\r\n");
  await c.send(`ms k 1 C${cas} c\r\ny\r\n`);
  const next = (await c.readText("\r\n")).match(/^HD c(\d+)\r\n$/)![1];
  assert.notEqual(next, cas);
  await exchange(
    c,
    "ms k 2 MZ\r\nhi\r\nms k 2 MSS\r\nhi\r\n",
    E(TEXT.BAD_MS_MODE) + E(TEXT.BAD_MODE_LENGTH),
  );
  await exchange(
    c,
    "ms k 2 Fx\r\nhi\r\nms k S2\r\nhi\r\n",
    E(TEXT.BAD_FORMAT).repeat(2) + E(TEXT.ERROR),
  );
  await exchange(c, "ms k 2 T-1\r\nhi\r\nmg k\r\n", "HD\r\nEN\r\n");
});

Deno.test("md deletes, compares CAS, and I marks stale for one winner", async () => {
  await using s = await startMemcached();
  using c = await connect(s);
  await exchange(
    c,
    "md k\r\nms k 2\r\nhi\r\nmd k O4 k\r\nmg k\r\n",
    "NF\r\nHD\r\nHD O4 kk\r\nEN\r\n",
  );
  await exchange(c, "ms k 2\r\nhi\r\n", "HD\r\n");
  const cas = await casOf(c, "k");
  await exchange(c, `md k C${Number(cas) + 1}\r\n`, "EX\r\n");
  await exchange(
    c,
    "md k I T30\r\nmg k v t\r\nmg k v\r\n",
    "HD\r\nVA 2 t30 X W\r\nhi\r\nVA 2 Z X\r\nhi\r\n",
  );
});

Deno.test("ma increments, decrements, vivifies and wraps at 2^64", async () => {
  await using s = await startMemcached();
  using c = await connect(s);
  await exchange(c, "ma n\r\nma n N0 J13 v\r\nma n v\r\n", "NF\r\nVA 2\r\n13\r\nVA 2\r\n14\r\n");
  await exchange(
    c,
    "ma n MD D20 v\r\nma n M+ D5\r\nmg n v\r\n",
    "VA 1\r\n0\r\nHD\r\nVA 2\r\n5 \r\n",
  );
  await exchange(c, "ms w 20\r\n18446744073709551615\r\nma w v\r\n", "HD\r\nVA 1\r\n0\r\n");
  await exchange(c, "ms t 1\r\nx\r\nma t\r\n", "HD\r\n" + E(TEXT.NON_NUMERIC));
  await exchange(
    c,
    "ma n Dx\r\nma n MX\r\n",
    E("CLIENT_ERROR invalid or duplicate flag") + E(TEXT.BAD_MA_MODE),
  );
  await exchange(c, "ma n v t O9 k\r\n", "VA 1 t-1 O9 kn\r\n6\r\n");
});

Deno.test("q pipelines: misses and successes are silent until mn", async () => {
  await using s = await startMemcached();
  using c = await connect(s);
  await exchange(
    c,
    "ms a 1 q\r\n1\r\nms b 1 q\r\n2\r\nms a 1 q ME\r\nx\r\nmg a k q v\r\nmg miss k q v\r\nmg b k q v\r\n" +
      "ma a q\r\nma miss q\r\nmd b q\r\nmd b q\r\nmn\r\n",
    "NS\r\nVA 1 ka\r\n1\r\nVA 1 kb\r\n2\r\nNF\r\nNF\r\nMN\r\n",
  );
});

Deno.test("me describes an item; mn answers MN", async () => {
  await using s = await startMemcached();
  using c = await connect(s);
  await exchange(c, "me nope\r\nmn\r\n", "EN\r\nMN\r\n");
  await exchange(c, "ms k 2\r\n11\r\n", "HD\r\n");
  const cas = await casOf(c, "k");
  await exchange(c, "me k\r\n", `ME k exp=-1 la=0 cas=${cas} fetch=yes cls=1 size=62\r\n`);
});

Deno.test("meta flag errors: md and ma share one message; modes are case-sensitive", async () => {
  await using s = await startMemcached();
  using c = await connect(s);
  await exchange(c, "md a zz\r\nmd a q q\r\nmd a Cabc\r\n", E(TEXT.FLAG_ERROR).repeat(3));
  await exchange(
    c,
    "ma a M\r\nmg a M\r\nmg a x\r\n",
    E(TEXT.FLAG_ERROR) + E(TEXT.BAD_MODE_LENGTH) + E(TEXT.INVALID_FLAG),
  );
  await exchange(c, "ms y 1 Ms\r\n2\r\nma y Mi\r\n", E(TEXT.BAD_MS_MODE) + E(TEXT.BAD_MA_MODE));
  await exchange(c, "ms y 1 T\r\n2\r\nms y 1 Cx\r\n2\r\n", E(TEXT.BAD_TOKEN).repeat(2));
  await exchange(c, "me\r\nme a b\r\n", E(TEXT.BAD_FORMAT).repeat(2));
});

Deno.test("C0 compares for cas, ms and md but not for ma", async () => {
  await using s = await startMemcached();
  using c = await connect(s);
  await exchange(
    c,
    "set k 0 0 1\r\n1\r\ncas k 0 0 1 0\r\n2\r\nms k 1 C0\r\n3\r\nmd k C0\r\nma k C0\r\nmg k v\r\n",
    "STORED\r\nEXISTS\r\nEX\r\nEX\r\nHD\r\nVA 1\r\n2\r\n",
  );
});

Deno.test("mg h/l and me fetch report earlier fetches; u looks without fetching", async () => {
  await using s = await startMemcached();
  using c = await connect(s);
  await exchange(c, "set a 0 0 1\r\n1\r\nme a\r\n", "STORED\r\n");
  assert.match(await c.readText("\r\n"), / la=0 cas=\d+ fetch=no /);
  await exchange(
    c,
    "mg a u h\r\nmg a h l\r\nget a\r\nmg a h\r\n",
    "HD h0\r\nHD h0 l0\r\nVALUE a 0 1\r\n1\r\nEND\r\nHD h1\r\n",
  );
  await c.send("me a\r\n");
  assert.match(await c.readText("\r\n"), / fetch=yes /);
  await exchange(c, "set a 0 0 1\r\n2\r\nmg a h\r\n", "STORED\r\nHD h0\r\n");
});

Deno.test("mg k and me echo a key's bytes as sent, 0x80-0x9f included (as memcached 1.6 does)", async () => {
  await using s = await startMemcached();
  using c = await connect(s);
  const bytes = (...parts: (string | number[])[]) =>
    new Uint8Array(
      parts.flatMap((p) => typeof p === "string" ? [...p].map((ch) => ch.charCodeAt(0)) : p),
    );
  const key = [0x80, 0x9f, 0x6b]; // not text in windows-1252: 0x80 would come back as "€"
  await c.send(bytes("set ", key, " 0 0 1\r\nx\r\nmg ", key, " k v\r\nme ", key, "\r\n"));
  const want = bytes("STORED\r\nVA 1 k", key, "\r\nx\r\nME ", key, " exp=-1");
  assert.deepEqual(await c.readBytes(want.length), want);
});

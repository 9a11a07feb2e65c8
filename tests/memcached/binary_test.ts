/** The binary protocol, through memjs (binary-only client) and raw packets. */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import memjs from "memjs";
import { encodeBinary, OP, parseBinary } from "../../protocols/memcached/codec/binary.ts";
import { STATUS } from "../../protocols/memcached/errors.ts";
import { connect, startMemcached } from "./wire.ts";
import type { RawClient } from "../helpers/net.ts";

function client(port: number, opts: Record<string, unknown> = {}) {
  return memjs.Client.create(`127.0.0.1:${port}`, { retries: 0, logger: { log() {} }, ...opts });
}

Deno.test("memjs set/get/add/replace/delete/incr/decr/append/prepend/touch/flush round-trip", async () => {
  await using s = await startMemcached();
  const mc = client(s.ports.memcached);
  try {
    assert.equal(await mc.set("k", "a\r\nEND\r\nb", { expires: 0 }), true);
    const got = await mc.get("k");
    assert.equal(got.value?.toString(), "a\r\nEND\r\nb");
    assert.equal(await mc.add("k", "x", {}), false);
    assert.equal(await mc.add("n", "10", {}), true);
    assert.equal(await mc.replace("nope", "x", {}), false);
    assert.deepEqual(await mc.increment("n", 5, {}), { success: true, value: 15 });
    assert.deepEqual(await mc.decrement("n", 20, {}), { success: true, value: 0 });
    assert.deepEqual(await mc.increment("fresh", 1, { initial: 7 }), { success: true, value: 7 });
    assert.equal(await mc.append("k", "!"), true);
    // memjs 1.3.2's prepend sends the APPEND opcode, so only append is checked through it.
    assert.equal((await mc.get("k")).value?.toString(), "a\r\nEND\r\nb!");
    assert.equal(await mc.touch("k", 100), true);
    assert.equal(await mc.touch("nope", 100), false);
    assert.equal(await mc.delete("k"), true);
    assert.equal(await mc.delete("k"), false);
    assert.equal((await mc.get("k")).value, null);
    const flushed = await mc.flush();
    assert.ok(Object.values(flushed).every((v) => v === true));
    assert.equal((await mc.get("n")).value, null);
  } finally {
    mc.close();
  }
});

Deno.test("memjs keeps flags and stores a 1 MiB value; too large answers an error", async () => {
  await using s = await startMemcached();
  const mc = client(s.ports.memcached);
  try {
    const big = Buffer.alloc(1048576 - 70, 0x61);
    assert.equal(await mc.set("big", big, {}), true);
    assert.equal((await mc.get("big")).value?.length, big.length);
    await assert.rejects(() => mc.set("big", Buffer.alloc(1048576, 0x62), {}));
    assert.equal((await mc.get("big")).value, null, "a too-large set removes the old item");
    assert.equal(await mc.set("still", "ok", {}), true);
  } finally {
    mc.close();
  }
});

Deno.test("memjs stats lists the general counters", async () => {
  await using s = await startMemcached();
  const mc = client(s.ports.memcached);
  try {
    await mc.get("miss");
    const stats = await new Promise<Record<string, string>>((resolve, reject) =>
      mc.stats((err: unknown, _server: string, st: Record<string, string>) =>
        err ? reject(err) : resolve(st)
      )
    );
    assert.equal(stats.version, "1.6.18");
    assert.equal(stats.get_misses, "1");
  } finally {
    mc.close();
  }
});

Deno.test("memjs authenticates with SASL PLAIN when a password is set", async () => {
  await using s = await startMemcached({ password: "sekret" });
  const good = client(s.ports.memcached, { username: "any", password: "sekret" });
  const bad = client(s.ports.memcached, { username: "any", password: "wrong" });
  try {
    assert.equal(await good.set("k", "v", {}), true);
    assert.equal((await good.get("k")).value?.toString(), "v");
    await assert.rejects(() => bad.get("k"));
    // The refused SASL attempt is counted (memcached's auth_cmds and auth_errors).
    const stats = await new Promise<Record<string, string>>((resolve, reject) =>
      good.stats((err: unknown, _server: string, st: Record<string, string>) =>
        err ? reject(err) : resolve(st)
      )
    );
    assert.ok(Number(stats.auth_errors) >= 1, JSON.stringify(stats));
    assert.ok(Number(stats.auth_cmds) >= 2, JSON.stringify(stats));
  } finally {
    good.close();
    bad.close();
  }
});

async function roundTrip(c: RawClient, packets: Uint8Array[], replies: number) {
  const all = new Uint8Array(packets.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of packets) {
    all.set(p, off);
    off += p.length;
  }
  // Requests are response-shaped packets with the request magic.
  for (let i = 0; i < all.length;) {
    all[i] = 0x80;
    i += 24 + new DataView(all.buffer).getUint32(i + 8);
  }
  await c.send(all);
  const out = [];
  for (let i = 0; i < replies; i++) {
    const head = await c.readBytes(24);
    const len = new DataView(head.buffer).getUint32(8);
    const body = len > 0 ? await c.readBytes(len) : new Uint8Array(0);
    const packet = new Uint8Array(24 + len);
    packet.set(head);
    packet.set(body, 24);
    packet[0] = 0x80;
    const parsed = parseBinary(packet, 0);
    assert.ok(parsed && "request" in parsed);
    out.push({ ...parsed.request, status: new DataView(head.buffer).getUint16(6) });
  }
  return out;
}

const enc = new TextEncoder();

Deno.test("binary quiet gets answer only hits, then noop ends the pipeline", async () => {
  await using s = await startMemcached();
  using c = await connect(s);
  const extras = new Uint8Array([0, 0, 0, 9, 0, 0, 0, 0]);
  const replies = await roundTrip(c, [
    encodeBinary({
      opcode: OP.SETQ,
      opaque: 1,
      extras,
      key: enc.encode("a"),
      value: enc.encode("A"),
    }),
    encodeBinary({ opcode: OP.GETKQ, opaque: 2, key: enc.encode("miss") }),
    encodeBinary({ opcode: OP.GETKQ, opaque: 3, key: enc.encode("a") }),
    encodeBinary({ opcode: OP.GET, opaque: 4, key: enc.encode("miss") }),
    encodeBinary({ opcode: OP.NOOP, opaque: 5 }),
  ], 3);
  assert.deepEqual(replies.map((r) => [r.opcode, r.opaque, r.status]), [
    [OP.GETKQ, 3, 0],
    [OP.GET, 4, STATUS.KEY_NOT_FOUND],
    [OP.NOOP, 5, 0],
  ]);
  assert.deepEqual([...replies[0].extras], [0, 0, 0, 9]);
  assert.equal(new TextDecoder().decode(replies[0].key), "a");
  assert.equal(new TextDecoder().decode(replies[1].value), "Not found");
});

Deno.test("binary add, cas mismatch and unknown opcodes answer memcached's statuses", async () => {
  await using s = await startMemcached();
  using c = await connect(s);
  const extras = new Uint8Array(8);
  const key = enc.encode("k");
  const [set, add, cas, unknown] = await roundTrip(c, [
    encodeBinary({ opcode: OP.SET, opaque: 1, extras, key, value: enc.encode("v") }),
    encodeBinary({ opcode: OP.ADD, opaque: 2, extras, key, value: enc.encode("v") }),
    encodeBinary({ opcode: OP.SET, opaque: 3, extras, key, value: enc.encode("v"), cas: 1n }),
    encodeBinary({ opcode: 0x55, opaque: 4 }),
  ], 4);
  assert.equal(set.status, 0);
  assert.ok(set.cas > 0n);
  assert.equal(add.status, STATUS.KEY_EXISTS);
  assert.equal(new TextDecoder().decode(add.value), "Data exists for key.");
  assert.equal(cas.status, STATUS.KEY_EXISTS);
  assert.equal(unknown.status, STATUS.UNKNOWN_COMMAND);
  const [prepend, get] = await roundTrip(c, [
    encodeBinary({ opcode: OP.PREPEND, opaque: 5, key, value: enc.encode("<") }),
    encodeBinary({ opcode: OP.GET, opaque: 6, key }),
  ], 2);
  assert.equal(prepend.status, 0);
  assert.equal(new TextDecoder().decode(get.value), "<v");
});

Deno.test("binary packets split byte by byte across writes are answered whole", async () => {
  await using s = await startMemcached();
  using c = await connect(s);
  const packets = [
    encodeBinary({
      opcode: OP.SET,
      opaque: 1,
      extras: new Uint8Array([0, 0, 0, 3, 0, 0, 0, 0]),
      key: enc.encode("k"),
      value: enc.encode("v\r\n"),
    }),
    encodeBinary({ opcode: OP.GET, opaque: 2, key: enc.encode("k") }),
    encodeBinary({ opcode: OP.VERSION, opaque: 3 }),
  ];
  const all = new Uint8Array(packets.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of packets) {
    p[0] = 0x80;
    all.set(p, off);
    off += p.length;
  }
  for (const byte of all) await c.send(new Uint8Array([byte]));
  const replies = [];
  for (let i = 0; i < 3; i++) {
    const head = await c.readBytes(24);
    const len = new DataView(head.buffer).getUint32(8);
    const body = len > 0 ? await c.readBytes(len) : new Uint8Array(0);
    replies.push({ opaque: new DataView(head.buffer).getUint32(12), body });
  }
  assert.deepEqual(replies.map((r) => r.opaque), [1, 2, 3]);
  assert.deepEqual([...replies[1].body], [0, 0, 0, 3, ...enc.encode("v\r\n")]);
  assert.equal(new TextDecoder().decode(replies[2].body), "1.6.18");
});

Deno.test("a malformed binary packet answers Invalid arguments and closes", async () => {
  await using s = await startMemcached();
  using c = await connect(s);
  const [bad] = await roundTrip(c, [
    encodeBinary({ opcode: OP.GET, opaque: 1, extras: enc.encode("1234"), key: enc.encode("k") }),
  ], 1);
  assert.equal(bad.status, STATUS.INVALID_ARGUMENTS);
  assert.equal(new TextDecoder().decode(bad.value), "Invalid arguments");
  assert.equal(await c.closedWithin(2000), true);
});

Deno.test("binary touch returns the flags; SASL opcodes are unknown without a password", async () => {
  await using s = await startMemcached();
  using c = await connect(s);
  const [, touch, sasl] = await roundTrip(c, [
    encodeBinary({
      opcode: OP.SET,
      opaque: 1,
      extras: new Uint8Array([0, 0, 0, 5, 0, 0, 0, 0]),
      key: enc.encode("k"),
      value: enc.encode("v"),
    }),
    encodeBinary({ opcode: OP.TOUCH, opaque: 2, extras: new Uint8Array(4), key: enc.encode("k") }),
    encodeBinary({ opcode: OP.SASL_LIST_MECHS, opaque: 3 }),
  ], 3);
  assert.deepEqual([...touch.extras], [0, 0, 0, 5]);
  assert.equal(sasl.status, STATUS.UNKNOWN_COMMAND);
});

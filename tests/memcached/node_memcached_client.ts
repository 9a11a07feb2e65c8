/**
 * Drives basekv's memcached port with the npm `memcached` client and prints OK (run as a child:
 * the client assigns `__proto__`, which needs `--unsafe-proto`).
 * @module
 */
import assert from "node:assert/strict";
import Memcached from "memcached";

type Callback<T> = (err: unknown, result: T) => void;

/** Promisify one callback-style call of the client. */
function call<T>(fn: (cb: Callback<T>) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, result) => err ? reject(err) : resolve(result)));
}

const mc = new Memcached(`127.0.0.1:${Deno.args[0]}`, { retries: 0, timeout: 5000 });
try {
  assert.equal(await call<boolean>((cb) => mc.set("json", { a: [1, "x"] }, 0, cb)), true);
  assert.deepEqual(await call((cb) => mc.get("json", cb)), { a: [1, "x"] });
  assert.equal(await call<boolean>((cb) => mc.set("num", 12, 0, cb)), true);
  assert.equal(await call((cb) => mc.get("num", cb)), 12);
  const crlf = "line1\r\nEND\r\nline2";
  await call((cb) => mc.set("crlf", crlf, 0, cb));
  assert.equal(await call((cb) => mc.get("crlf", cb)), crlf);
  assert.deepEqual(await call((cb) => mc.getMulti(["num", "crlf", "nope"], cb)), { num: 12, crlf });
  const gets = await call<{ cas: string }>((cb) => mc.gets("num", cb));
  assert.equal(await call((cb) => mc.cas("num", 13, gets.cas, 0, cb)), true);
  assert.equal(await call((cb) => mc.cas("num", 14, gets.cas, 0, cb)), false);
  assert.equal(await call((cb) => mc.incr("num", 7, cb)), 20);
  assert.equal(await call((cb) => mc.decr("num", 30, cb)), 0);
  assert.equal(await call((cb) => mc.add("num", 1, 0, cb)).catch(() => false), false);
  assert.equal(await call((cb) => mc.replace("num", "r", 0, cb)), true);
  assert.equal(await call((cb) => mc.append("num", "!", cb)), true);
  assert.equal(await call((cb) => mc.prepend("num", "<", cb)), true);
  assert.equal(await call((cb) => mc.get("num", cb)), "<r!");
  assert.equal(await call((cb) => mc.touch("num", 100, cb)), true);
  assert.equal(await call((cb) => mc.del("num", cb)), true);
  assert.equal(await call((cb) => mc.get("num", cb)), undefined);
  const [stats] = await call<Record<string, unknown>[]>((cb) => mc.stats(cb));
  assert.equal(stats.version, "1.6.18");
  const [version] = await call<Record<string, unknown>[]>((cb) => mc.version(cb));
  assert.equal(version.version, "1.6.18");
  await call((cb) => mc.flush(cb));
  assert.equal(await call((cb) => mc.get("json", cb)), undefined);
  console.log("OK");
} finally {
  mc.end();
}

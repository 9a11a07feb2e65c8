/**
 * Debian's pylibmc 1.6 (libmemcached 1.0.18) against basekv, over the text protocol and with
 * binary=True: types and their flags, storage commands, counters, cas/gets, multi-key calls with
 * key_prefix, the 1 MB item limit, zlib compression, expiry (relative, absolute, negative)/touch,
 * stats, flush, and the same calls again with the no_block behavior. The driver
 * (pylibmc_client.py) records every call's repr() or exception class; the expected replies are
 * what real memcached 1.6 gives the same driver.
 * @module
 */
import assert from "node:assert/strict";
import { startMemcached } from "./wire.ts";
import { PYTHON } from "../helpers/python.ts";

/** Every call's outcome over the text protocol, in the driver's order. */
const TEXT: Record<string, string> = {
  "behaviors": "{'tcp_nodelay': 1, 'ketama': 1, 'cas': 1}",
  "flush_all": "True",
  "set bytes": "True",
  "get bytes": "b'\\x00raw\\r\\nEND\\r\\n\\xff'",
  "flags bytes": "0",
  "set text": "True",
  "get text": "'héllo ✓'",
  "flags text": "16",
  "set int": "True",
  "get int": "42",
  "flags int": "4",
  "set negative": "True",
  "get negative": "-7",
  "flags negative": "4",
  "set big": "True",
  "get big": "1180591620717411303424",
  "flags big": "4",
  "set true": "True",
  "get true": "1",
  "flags true": "2",
  "set false": "True",
  "get false": "0",
  "flags false": "2",
  "set pickled": "True",
  "get pickled": "{'a': [1, 2.5, None], 't': (1, 'x')}",
  "flags pickled": "1",
  "set empty": "True",
  "get empty": "b''",
  "flags empty": "0",
  "set unicode key": "True",
  "get unicode key": "'v'",
  "get missing": "None",
  "get missing default": "'dflt'",
  "in": "(True, False)",
  "add existing": "False",
  "add new": "True",
  "replace missing": "False",
  "replace existing": "True",
  "get replaced": "'b'",
  "append": "True",
  "prepend": "True",
  "get appended": "'head+b+tail'",
  "append missing": "False",
  "prepend missing": "False",
  "delete": "True",
  "delete missing": "False",
  "set counter": "True",
  "incr": "15",
  "decr": "12",
  "decr floor": "0",
  "get counter": "0",
  "incr missing": "raise NotFound",
  "decr missing": "raise NotFound",
  "set max": "True",
  "incr wraps": "0",
  "set word": "True",
  "incr non-numeric": "raise ClientError",
  "incr_multi missing": "raise NotFound",
  "set counters": "[]",
  "incr_multi": "None",
  "get_multi counters": "{'ctr:c1': 3, 'ctr:c2': 7}",
  "set cas": "True",
  "gets": "('v1', True)",
  "cas wins": "True",
  "cas stale": "False",
  "get after cas": "'v2'",
  "cas missing": "raise NotFound",
  "gets missing": "(None, None)",
  "set_multi": "[]",
  "get_multi": "[('a', 1), ('b', 'two'), ('c', b'3')]",
  "get_multi raw keys": "[('m:a', 1), ('m:b', 'two')]",
  "add_multi": "['a']",
  "get m:d": "'new'",
  "delete_multi": "True",
  "delete_multi missing": "False",
  "get_multi after delete": "[('d', 'new')]",
  "set near 1MB": "True",
  "get near 1MB": "True",
  "set 1MB": "raise TooBig",
  "get after refused set": "None",
  "set 2MB": "raise TooBig",
  "get 2MB": "None",
  "alive after refusal": "True",
  "get alive": "'ok'",
  "set compressed": "True",
  "get compressed": "True",
  "flags compressed": "24",
  "set ttl": "True",
  "set touched": "True",
  "touch": "True",
  "touch missing": "False",
  "get expired": "None",
  "get touched": "'v'",
  "set absolute expiry": "True",
  "get absolute expiry": "'v'",
  "set past expiry": "True",
  "get past expiry": "None",
  "set negative expiry": "True",
  "get negative expiry": "None",
  "set long key": "True",
  "get long key": "'v'",
  "stats": "['curr_items', 'pid', 'version']",
  "flush_all again": "True",
  "get flushed": "None",
  "nb set": "True",
  "nb get": "'v'",
  "nb set_multi": "[]",
  "nb get_multi": "True",
  "nb add existing": "False",
  "nb incr": "6",
  "nb append": "True",
  "nb get appended": "'v!'",
  "nb delete_multi": "True",
  "nb get_multi after delete": "190",
};

/** Where libmemcached's binary protocol reports the same server answer differently. */
const BINARY: Record<string, string> = {
  ...TEXT,
  // NOT_STORED is a False return in text; the binary "Key not found" status raises.
  "replace missing": "raise NotFound",
  // Binary status 0x06 (non-numeric value) has no libmemcached mapping but UNKNOWN_READ_FAILURE.
  "incr non-numeric": "raise UnknownReadFailure",
  // Text sends exptime "-1" (expired at once); binary has a uint32: 4294967295, far ahead.
  "get negative expiry": "'v'",
  // Only the binary protocol can carry keys with spaces and newlines.
  "set spaced key": "True",
  "get spaced key": "'v'",
};

async function drive(protocol: "text" | "binary"): Promise<Record<string, string>> {
  await using s = await startMemcached();
  const script = new URL("./pylibmc_client.py", import.meta.url).pathname;
  const out = await new Deno.Command(PYTHON, {
    args: [script, String(s.ports.memcached), protocol],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

Deno.test("pylibmc text protocol: types/flags, storage, counters, cas, multi, 1 MB limit, zlib, expiry", async () => {
  assert.deepEqual(await drive("text"), TEXT);
});

Deno.test("pylibmc binary protocol: the same calls, libmemcached's binary answers", async () => {
  assert.deepEqual(await drive("binary"), BINARY);
});

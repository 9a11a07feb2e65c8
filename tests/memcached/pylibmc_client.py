"""Drive the memcached on port argv[1] with Debian's pylibmc (libmemcached) and print, as JSON,
what every call returned or raised, over the protocol argv[2] names ("text" or "binary").
Values are recorded as repr() so types (bytes/str/int/bool) are compared exactly."""
import json
import socket
import sys
import time

import pylibmc

port = int(sys.argv[1])
BEHAVIORS = {"tcp_nodelay": True, "ketama": True, "cas": True}


def raw_flags(key):
    """The flags word basekv stored for `key`, read over a plain text-protocol socket."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(b"get " + key.encode() + b"\r\n")
        data = b""
        while not data.endswith(b"END\r\n"):
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    header = data.split(b"\r\n", 1)[0].split()
    return int(header[2]) if header[0] == b"VALUE" else None


class Probe:
    def __init__(self, mc):
        self.mc = mc
        self.seen = {}

    def __call__(self, label, fn, *args, **kwargs):
        """Record repr(result), or the exception's class name (and its message's gist)."""
        try:
            result = fn(*args, **kwargs)
            if isinstance(result, list):
                result = sorted(result)
            self.seen[label] = repr(result)
        except pylibmc.Error as e:
            self.seen[label] = f"raise {type(e).__name__}"
        return self.seen[label]


def scenario(binary):
    mc = pylibmc.Client([f"127.0.0.1:{port}"], binary=binary, behaviors=BEHAVIORS)
    p = Probe(mc)
    p("behaviors", lambda: {k: mc.behaviors[k] for k in ("tcp_nodelay", "ketama", "cas")})
    p("flush_all", mc.flush_all)

    # Types and the flags pylibmc 1.6 stores them with: 0 bytes, 1 pickle, 2 bool (read back as
    # an int), 4 int of any size, 8 zlib, 16 str (UTF-8).
    values = {
        "bytes": b"\x00raw\r\nEND\r\n\xff",
        "text": "héllo ✓",
        "int": 42,
        "negative": -7,
        "big": 2**70,
        "true": True,
        "false": False,
        "pickled": {"a": [1, 2.5, None], "t": (1, "x")},
        "empty": b"",
    }
    for name, value in values.items():
        p(f"set {name}", mc.set, name, value)
        p(f"get {name}", mc.get, name)
        p(f"flags {name}", raw_flags, name)
    p("set unicode key", mc.set, "clé✓", "v")
    p("get unicode key", mc.get, "clé✓")
    p("get missing", mc.get, "missing")
    p("get missing default", mc.get, "missing", "dflt")
    p("in", lambda: ("text" in mc, "missing" in mc))

    # Storage commands.
    p("add existing", mc.add, "text", "x")
    p("add new", mc.add, "added", "a")
    p("replace missing", mc.replace, "missing", "x")
    p("replace existing", mc.replace, "added", "b")
    p("get replaced", mc.get, "added")
    p("append", mc.append, "added", "+tail")
    p("prepend", mc.prepend, "added", "head+")
    p("get appended", mc.get, "added")
    p("append missing", mc.append, "missing", "x")
    p("prepend missing", mc.prepend, "missing", "x")
    p("delete", mc.delete, "added")
    p("delete missing", mc.delete, "added")

    # Counters.
    p("set counter", mc.set, "n", 10)
    p("incr", mc.incr, "n", 5)
    p("decr", mc.decr, "n", 3)
    p("decr floor", mc.decr, "n", 100)
    p("get counter", mc.get, "n")
    p("incr missing", mc.incr, "nope")
    p("decr missing", mc.decr, "nope")
    p("set max", mc.set, "max", str(2**64 - 1))
    p("incr wraps", mc.incr, "max", 1)
    p("set word", mc.set, "word", "abc")
    p("incr non-numeric", mc.incr, "word")
    p("incr_multi missing", mc.incr_multi, ["c1", "c2"], key_prefix="ctr:")
    p("set counters", mc.set_multi, {"c1": 1, "c2": 5}, key_prefix="ctr:")
    p("incr_multi", mc.incr_multi, ["c1", "c2"], key_prefix="ctr:", delta=2)
    p("get_multi counters", mc.get_multi, ["ctr:c1", "ctr:c2"])

    # cas / gets.
    p("set cas", mc.set, "c", "v1")
    value, token = mc.gets("c")
    p("gets", lambda: (value, isinstance(token, int) and token > 0))
    p("cas wins", mc.cas, "c", "v2", token)
    p("cas stale", mc.cas, "c", "v3", token)
    p("get after cas", mc.get, "c")
    p("cas missing", mc.cas, "nope", "x", token)
    p("gets missing", mc.gets, "nope")

    # Multi-key calls with key_prefix.
    p("set_multi", mc.set_multi, {"a": 1, "b": "two", "c": b"3"}, key_prefix="m:")
    p("get_multi", lambda: sorted(mc.get_multi(["a", "b", "c", "zz"], key_prefix="m:").items()))
    p("get_multi raw keys", lambda: sorted(mc.get_multi(["m:a", "m:b"]).items()))
    p("add_multi", mc.add_multi, {"a": "x", "d": "new"}, key_prefix="m:")
    p("get m:d", mc.get, "m:d")
    p("delete_multi", mc.delete_multi, ["a", "b"], key_prefix="m:")
    p("delete_multi missing", mc.delete_multi, ["a", "c"], key_prefix="m:")
    p("get_multi after delete", lambda: sorted(mc.get_multi(["a", "b", "c", "d"], key_prefix="m:").items()))

    # Large values around the 1 MB item size limit (item = value + key + ~50 bytes header).
    near = b"x" * (1024 * 1024 - 512)
    p("set near 1MB", mc.set, "big", near)
    p("get near 1MB", lambda: mc.get("big") == near)
    p("set 1MB", mc.set, "big", b"y" * (1024 * 1024))
    # memcached drops the old item when it refuses a set as too large.
    p("get after refused set", mc.get, "big")
    p("set 2MB", mc.set, "big2", b"z" * (2 * 1024 * 1024))
    p("get 2MB", mc.get, "big2")
    p("alive after refusal", mc.set, "after", "ok")
    p("get alive", mc.get, "after")
    # pylibmc compresses with zlib above min_compress_len (flag 8) and inflates on get.
    text = "compress me " * 2000
    p("set compressed", mc.set, "z", text, min_compress_len=100)
    p("get compressed", lambda: mc.get("z") == text)
    p("flags compressed", raw_flags, "z")

    # Expiry and touch.
    p("set ttl", mc.set, "ttl", "v", time=1)
    p("set touched", mc.set, "touched", "v", time=1)
    p("touch", mc.touch, "touched", 100)
    p("touch missing", mc.touch, "nope", 100)
    time.sleep(2.2)
    p("get expired", mc.get, "ttl")
    p("get touched", mc.get, "touched")

    # Expiry as an absolute unix time (beyond 30 days), in the past, and negative: text sends
    # "-1" (expired at once), binary a uint32 (4294967295, far in the future).
    p("set absolute expiry", mc.set, "abs", "v", time=int(time.time()) + 100)
    p("get absolute expiry", mc.get, "abs")
    p("set past expiry", mc.set, "past", "v", time=int(time.time()) - 100)
    p("get past expiry", mc.get, "past")
    p("set negative expiry", mc.set, "neg", "v", time=-1)
    p("get negative expiry", mc.get, "neg")
    p("set long key", mc.set, "k" * 200, "v")
    p("get long key", mc.get, "k" * 200)
    if binary:
        # Binary keys are length-prefixed: spaces and newlines are plain key bytes.
        p("set spaced key", mc.set, "a b\nc", "v")
        p("get spaced key", mc.get, "a b\nc")

    p("stats", lambda: sorted(k for k in mc.get_stats()[0][1] if k in ("pid", "version", "curr_items")))
    p("flush_all again", mc.flush_all)
    p("get flushed", mc.get, "text")
    mc.disconnect_all()

    # no_block: libmemcached writes without waiting for the socket and reads replies late, so
    # requests pile up on the wire. (buffer_requests is no use here: pylibmc turns libmemcached's
    # MEMCACHED_BUFFERED status into an exception whatever the server.)
    nb = pylibmc.Client([f"127.0.0.1:{port}"], binary=binary, behaviors={"no_block": True})
    seen, p = p.seen, Probe(nb)
    p("nb set", nb.set, "nb", "v")
    p("nb get", nb.get, "nb")
    p("nb set_multi", nb.set_multi, {f"k{i}": i for i in range(200)}, time=100)
    p("nb get_multi", lambda: sorted(nb.get_multi([f"k{i}" for i in range(200)]).values()) == list(range(200)))
    p("nb add existing", nb.add, "nb", "x")
    p("nb incr", nb.incr, "k5", 1)
    p("nb append", nb.append, "nb", "!")
    p("nb get appended", nb.get, "nb")
    p("nb delete_multi", nb.delete_multi, [f"k{i}" for i in range(10)])
    p("nb get_multi after delete", lambda: len(nb.get_multi([f"k{i}" for i in range(200)])))
    nb.disconnect_all()
    return {**seen, **p.seen}


print(json.dumps(scenario({"text": False, "binary": True}[sys.argv[2]]), sort_keys=True))

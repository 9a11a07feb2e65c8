"""Drive basekv's memcached port with Debian's pymemcache (noreply by default) and print OK."""
import sys

from pymemcache.client.base import Client
from pymemcache import serde

port = int(sys.argv[1])
c = Client(("127.0.0.1", port), serde=serde.pickle_serde, connect_timeout=5, timeout=5)


def check(cond, what):
    if not cond:
        print("FAIL", what)
        sys.exit(1)


# noreply by default: every storage command is sent with noreply and must not desync.
c.set("s", "a\r\nEND\r\nb", expire=60)
c.set("d", {"x": [1, 2]})
c.set("i", 42)
check(c.get("s") == "a\r\nEND\r\nb", "string with CRLF round-trips")
check(c.get("d") == {"x": [1, 2]}, "pickled dict keeps its type flag")
check(c.get("i") == 42, "int keeps its type flag")
check(c.get_many(["s", "i", "nope"]) == {"s": "a\r\nEND\r\nb", "i": 42}, "get_many")
check(c.add("s", "x", noreply=False) is False, "add over existing")
check(c.add("new", "x", noreply=False) is True, "add new")
check(c.replace("nope", "x", noreply=False) is False, "replace missing")
c.set("n", "10")
check(c.incr("n", 5) == 15, "incr")
check(c.decr("n", 100) == 0, "decr floors at 0")
check(c.incr("nope", 1) is None, "incr missing")
c.set("t", "x", noreply=False)
check(c.touch("t", 100, noreply=False) is True, "touch")
check(c.touch("nope", 100, noreply=False) is False, "touch missing")
value, cas = c.gets("t")
check(value == "x" and cas is not None, "gets")
check(c.cas("t", "y", cas, noreply=False) is True, "cas wins")
check(c.cas("t", "z", cas, noreply=False) is False, "stale cas loses")
c.append("t", "!")
c.prepend("t", "<")
check(c.get("t") == "<y!", "append/prepend")
check(c.delete("t", noreply=False) is True, "delete")
check(c.delete("t", noreply=False) is False, "delete missing")
stats = c.stats()
check(stats[b"version"] == b"1.6.18", "stats version")
check(c.version() == b"1.6.18", "version")
c.flush_all()
check(c.get("s") is None, "flush_all")
c.quit()
print("OK")

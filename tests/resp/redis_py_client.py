"""Drive a Redis port with Debian's redis-py (python3-redis 4.3) the way Python apps do.

Usage: redis_py_client.py PORT open|auth
  open: a server without a password; runs every section below.
  auth: a server started with the password "pw"; runs the AUTH / ACL user section.
Prints "OK" when every check passed, else one "FAIL ..." line per failed check (and the traceback
of any section that raised) and exits 1. Runs against redis-server too, to check the expectations.
"""
import datetime
import hashlib
import sys
import threading
import time
import traceback

import redis
from redis.exceptions import (
    AuthenticationError,
    LockNotOwnedError,
    NoPermissionError,
    ResponseError,
    WatchError,
)

PORT = int(sys.argv[1])
MODE = sys.argv[2]
FAILURES = []


def check(what, got, want):
    if got != want:
        FAILURES.append(f"FAIL {what}: got {got!r}, want {want!r}")


def ok(what, cond, detail=""):
    if not cond:
        FAILURES.append(f"FAIL {what} {detail}".rstrip())


def raises(what, fn, exc_class, text):
    """fn() must raise exactly exc_class (not a subclass of a sibling) with message `text`."""
    try:
        got = fn()
    except Exception as e:  # noqa: BLE001 - any class is compared below
        if type(e) is not exc_class or str(e) != text:
            FAILURES.append(f"FAIL {what}: raised {type(e).__name__}({str(e)!r}), "
                            f"want {exc_class.__name__}({text!r})")
        return
    FAILURES.append(f"FAIL {what}: returned {got!r}, want {exc_class.__name__}({text!r})")


def client(**kw):
    return redis.Redis(host="127.0.0.1", port=PORT, socket_timeout=20, **kw)


def between(what, got, lo, hi):
    if not isinstance(got, (int, float)) or not lo <= got <= hi:
        FAILURES.append(f"FAIL {what}: got {got!r}, want within [{lo}, {hi}]")


def handshake(r, version):
    named = client(db=2, client_name="pyapp", decode_responses=True)
    check("config_resetstat", named.config_resetstat(), True)
    check("ping", named.ping(), True)
    check("client_getname after CLIENT SETNAME", named.client_getname(), "pyapp")
    check("set in db 2", named.set("hs", "v"), True)
    check("db 0 does not see db 2", r.get("hs"), None)
    check("echo utf-8", named.echo("héllo"), "héllo")
    raw = client(db=2)
    check("bytes mode get", raw.get("hs"), b"v")
    raw.set("bin", b"\x00\xff\r\n$-1\r\n")
    check("bytes mode binary round trip", raw.get("bin"), b"\x00\xff\r\n$-1\r\n")
    check("decode_responses get", named.get("hs"), "v")
    # A pool of one connection reused for every call: one CLIENT ID, one created connection.
    pool = redis.ConnectionPool(host="127.0.0.1", port=PORT, db=2, max_connections=2,
                                decode_responses=True)
    pooled = redis.Redis(connection_pool=pool)
    ids = {pooled.client_id() for _ in range(5)}
    for _ in range(20):
        pooled.incr("cnt")
    check("pool reuses one connection", (len(ids), pool._created_connections), (1, 1))
    check("incr through the pool", pooled.get("cnt"), "20")
    pool.disconnect()

    info = named.info()
    ok("info has no unparsable line", "__raw__" not in info, repr(info.get("__raw__")))
    check("info redis_version", str(info.get("redis_version", "")).split(".")[0], "7")
    for key in ("uptime_in_seconds", "connected_clients", "used_memory", "tcp_port"):
        ok(f"info {key} is an int", type(info.get(key)) is int, repr(info.get(key)))
    check("info tcp_port", info.get("tcp_port"), PORT)
    for section in ("all", "everything", "commandstats", "keyspace", "clients", "memory"):
        parsed = named.info(section)
        ok(f"info({section}) has no unparsable line", "__raw__" not in parsed,
           repr(parsed.get("__raw__")))
    check("info keyspace db2", named.info("keyspace").get("db2"),
          {"keys": 3, "expires": 0, "avg_ttl": 0})
    stats = named.info("commandstats").get("cmdstat_incrby", {})
    check("commandstats incrby calls (redis-py sends INCR as INCRBY 1)", stats.get("calls"), 20)
    ok("commandstats usec_per_call is a float", type(stats.get("usec_per_call")) is float,
       repr(stats))

    check("config_get maxmemory", named.config_get("maxmemory"), {"maxmemory": "0"})
    check("config_get databases", named.config_get("databases"), {"databases": "16"})
    check("config_get glob", named.config_get("hash-max-listpack-*"),
          {"hash-max-listpack-entries": "512", "hash-max-listpack-value": "64"})
    check("config_get unknown", named.config_get("no-such-parameter"), {})

    clients = named.client_list()
    mine = [c for c in clients if c.get("name") == "pyapp"]
    check("client_list finds the named client", len(mine), 1)
    if mine:
        check("client_list id", mine[0].get("id"), str(named.client_id()))
        check("client_list db", mine[0].get("db"), "2")
        check("client_list cmd", mine[0].get("cmd"), "client|list")
        ok("client_list addr", mine[0].get("addr", "").startswith("127.0.0.1:"), repr(mine[0]))
    ok("client_list: every entry has id/addr/age",
       all({"id", "addr", "age", "flags"} <= set(c) for c in clients), repr(clients))

    secs, usecs = named.time()
    ok("time() seconds", abs(secs - time.time()) < 60, repr(secs))
    ok("time() microseconds", 0 <= usecs < 1_000_000, repr(usecs))

    raises("AUTH against a server without a password", lambda: client(password="x").ping(),
           ResponseError,
           "AUTH <password> called without any password configured for the default user. "
           "Are you sure your configuration is correct?")
    raises("SELECT out of range", lambda: client(db=16).ping(), ResponseError,
           "DB index is out of range")
    for c in (named, raw, pooled):
        c.close()


def strings(r, version):
    check("set ex", r.set("s", "v", ex=100), True)
    between("ttl after ex", r.ttl("s"), 98, 100)
    between("pttl after ex", r.pttl("s"), 95000, 100000)
    check("set nx on existing", r.set("s", "w", nx=True), None)
    check("set xx on existing", r.set("s", "w", xx=True), True)
    check("set xx clears the ttl", r.ttl("s"), -1)
    check("set xx on missing", r.set("missing", "w", xx=True), None)
    r.set("s", "x", px=50000)
    check("set keepttl", r.set("s", "y", keepttl=True), True)
    between("ttl kept", r.ttl("s"), 45, 50)
    check("set get returns the old value", r.set("s", "z", get=True), "y")
    check("set get on missing", r.set("g2", "a", get=True), None)
    check("set nx get on missing", r.set("g3", "a", nx=True, get=True), None)
    check("set nx get on existing", r.set("g3", "b", nx=True, get=True), "a")
    check("set exat", r.set("s", "v", exat=int(time.time()) + 100), True)
    between("ttl after exat", r.ttl("s"), 95, 101)
    check("set pxat", r.set("s", "v", pxat=int(time.time() * 1000) + 100000), True)
    between("pttl after pxat", r.pttl("s"), 90000, 100001)
    raises("set ex 0", lambda: r.set("s", "v", ex=0), ResponseError,
           "invalid expire time in 'set' command")
    check("getex ex", r.getex("s", ex=200), "v")
    between("ttl after getex", r.ttl("s"), 195, 200)
    check("getex persist", r.getex("s", persist=True), "v")
    check("ttl after persist", r.ttl("s"), -1)
    check("getex missing", r.getex("nope", ex=5), None)

    r.set("f", "10.5")
    check("incrbyfloat", r.incrbyfloat("f", 0.1), 10.6)
    check("incrbyfloat big", r.incrbyfloat("f", 5.0e3), 5010.6)
    # Redis adds in long double: the stored text shows it (redis-py's float() hides it).
    check("get after incrbyfloat", r.get("f"), "5010.60000000000000009")
    check("incrbyfloat new key", r.incrbyfloat("f2", 1.5), 1.5)
    check("incrbyfloat exponent", r.incrbyfloat("f3", "1e2"), 100.0)
    check("get after incrbyfloat exponent", r.get("f3"), "100")
    r.set("word", "abc")
    raises("incrbyfloat on text", lambda: r.incrbyfloat("word", 1), ResponseError,
           "value is not a valid float")
    raises("incr on text", lambda: r.incr("word"), ResponseError,
           "value is not an integer or out of range")
    check("incr", r.incr("n"), 1)
    check("incrby", r.incrby("n", 41), 42)
    check("decrby", r.decrby("n", 2), 40)
    check("append", r.append("word", "def"), 6)
    check("getrange", r.getrange("word", 1, 3), "bcd")
    check("strlen", r.strlen("word"), 6)

    check("mset", r.mset({"a": "1", "b": "2"}), True)
    check("mget", r.mget(["a", "b", "nope"]), ["1", "2", None])
    check("mget varargs", r.mget("a", "b"), ["1", "2"])
    check("msetnx blocked", r.msetnx({"a": "9", "c": "3"}), False)
    check("msetnx", r.msetnx({"c": "3", "d": "4"}), True)

    for i in range(60):
        r.set(f"scan:{i}", i)
    r.hset("scan:hash", "f", "v")
    got = set(r.scan_iter(match="scan:*", count=10))
    check("scan_iter match count", got, {f"scan:{i}" for i in range(60)} | {"scan:hash"})
    check("scan_iter _type", list(r.scan_iter(match="scan:*", _type="hash")), ["scan:hash"])
    cursor, keys = r.scan(0, match="nothing:*", count=1000)
    check("scan of nothing", (cursor, keys), (0, []))

    r.set("e", "v")
    check("expire", r.expire("e", 100), True)
    check("expire missing", r.expire("nope", 100), False)
    check("expire gt smaller", r.expire("e", 50, gt=True), False)
    check("expire lt smaller", r.expire("e", 50, lt=True), True)
    check("expire nx with ttl", r.expire("e", 10, nx=True), False)
    between("ttl", r.ttl("e"), 48, 50)
    check("persist", r.persist("e"), True)
    check("persist again", r.persist("e"), False)
    check("ttl no expiry", r.ttl("e"), -1)
    check("ttl missing", r.ttl("nope"), -2)
    check("pttl missing", r.pttl("nope"), -2)
    check("pexpire", r.pexpire("e", 100000), True)
    between("pttl", r.pttl("e"), 95000, 100000)
    check("expireat", r.expireat("e", int(time.time()) + 300), True)
    between("ttl after expireat", r.ttl("e"), 295, 301)
    check("expiretime", abs(r.expiretime("e") - (int(time.time()) + 300)) <= 2, True)
    check("expire negative deletes", r.expire("e", -1), True)
    check("exists after negative expire", r.exists("e"), 0)

    r.rpush("t:list", "a")
    r.hset("t:hash", "f", "v")
    r.sadd("t:set", "m")
    r.zadd("t:zset", {"m": 1})
    r.xadd("t:stream", {"f": "v"})
    for key, want in [("word", "string"), ("t:list", "list"), ("t:hash", "hash"),
                      ("t:set", "set"), ("t:zset", "zset"), ("t:stream", "stream"),
                      ("nope", "none")]:
        check(f"type {key}", r.type(key), want)
    r.set("enc:int", "12345")
    r.set("enc:emb", "short")
    r.set("enc:raw", "x" * 45)
    check("object encoding int", r.object("encoding", "enc:int"), "int")
    check("object encoding embstr", r.object("encoding", "enc:emb"), "embstr")
    check("object encoding raw", r.object("encoding", "enc:raw"), "raw")
    check("object encoding hash", r.object("encoding", "t:hash"), "listpack")
    check("object encoding zset", r.object("encoding", "t:zset"), "listpack")
    check("object encoding stream", r.object("encoding", "t:stream"), "stream")
    # Redis 7.2 keeps small lists and sets of strings in a listpack (7.0: quicklist, hashtable).
    old = version.startswith("7.0")
    check("object encoding small list", r.object("encoding", "t:list"),
          "quicklist" if old else "listpack")
    check("object encoding small set", r.object("encoding", "t:set"),
          "hashtable" if old else "listpack")
    r.sadd("enc:intset", 1, 2, 3)
    check("object encoding intset", r.object("encoding", "enc:intset"), "intset")
    check("object encoding missing", r.object("encoding", "nope"), None)
    ok("object idletime is an int", type(r.object("idletime", "enc:int")) is int)

    rb = client()
    payload = rb.dump("word")
    ok("dump is bytes", isinstance(payload, bytes) and len(payload) > 10, repr(payload))
    check("restore", rb.restore("word2", 0, payload), b"OK")
    check("restored value", rb.get("word2"), b"abcdef")
    raises("restore over existing", lambda: rb.restore("word2", 0, payload), ResponseError,
           "BUSYKEY Target key name already exists.")
    check("restore replace with ttl", rb.restore("word2", 5000, payload, replace=True), b"OK")
    between("pttl after restore", rb.pttl("word2"), 1000, 5000)
    check("dump missing", rb.dump("nope"), None)
    raises("restore garbage", lambda: rb.restore("bad", 0, b"garbage"), ResponseError,
           "DUMP payload version or checksum are wrong")
    for key in ("t:hash", "t:list", "t:set", "t:zset", "t:stream"):
        rb.restore(key + ":copy", 0, rb.dump(key))
        check(f"restore {key} keeps its type", rb.type(key + ":copy"), rb.type(key))
    check("restored hash", rb.hgetall("t:hash:copy"), {b"f": b"v"})
    # DUMP of the string "hello" taken from redis-server 7.0 (RDB 10): basekv must restore it.
    real = bytes.fromhex("000568656c6c6f0a006372df766534200a")
    check("restore redis-server's payload", rb.restore("fromredis", 0, real), b"OK")
    check("value from redis-server's payload", rb.get("fromredis"), b"hello")
    rb.close()


def hashes(r, version):
    check("hset mapping", r.hset("h", mapping={"a": "1", "b": "2"}), 2)
    check("hset field", r.hset("h", "c", "3"), 1)
    check("hset existing", r.hset("h", "c", "4"), 0)
    check("hget", r.hget("h", "c"), "4")
    check("hget missing", r.hget("h", "zz"), None)
    check("hgetall", r.hgetall("h"), {"a": "1", "b": "2", "c": "4"})
    check("hgetall missing", r.hgetall("nope"), {})
    check("hmget", r.hmget("h", ["a", "zz", "b"]), ["1", None, "2"])
    check("hincrby", r.hincrby("h", "a", 5), 6)
    check("hincrbyfloat", r.hincrbyfloat("h", "fl", 1.5), 1.5)
    check("hincrbyfloat again", r.hincrbyfloat("h", "fl", 0.1), 1.6)
    check("hkeys", sorted(r.hkeys("h")), ["a", "b", "c", "fl"])
    check("hvals", sorted(r.hvals("h")), ["1.6", "2", "4", "6"])
    check("hlen", r.hlen("h"), 4)
    check("hexists", (r.hexists("h", "a"), r.hexists("h", "zz")), (True, False))
    check("hsetnx existing", r.hsetnx("h", "a", "x"), False)
    check("hsetnx new", r.hsetnx("h", "n", "x"), True)
    check("hstrlen", r.hstrlen("h", "fl"), 3)
    check("hdel", r.hdel("h", "n", "zz"), 1)
    check("hscan_iter", dict(r.hscan_iter("h", match="[ab]")), {"a": "6", "b": "2"})
    ok("hrandfield", r.hrandfield("h") in {"a", "b", "c", "fl"})
    check("hrandfield count withvalues", len(r.hrandfield("h", 2, withvalues=True)), 4)
    r.hset("wide", mapping={f"f{i}": "v" for i in range(512)})
    check("512 fields stay a listpack (hash-max-listpack-entries 512)",
          r.object("encoding", "wide"), "listpack")
    r.hset("wide", "one-more", "v")
    check("513 fields make a hashtable", r.object("encoding", "wide"), "hashtable")
    r.set("str", "x")
    raises("hset on a string", lambda: r.hset("str", "f", "v"), ResponseError,
           "WRONGTYPE Operation against a key holding the wrong kind of value")
    raises("hincrby on text", lambda: r.hincrby("h", "fl", 1), ResponseError,
           "hash value is not an integer")


def lists(r, version):
    check("rpush", r.rpush("l", "a", "b", "c"), 3)
    check("lpush", r.lpush("l", "z"), 4)
    check("lrange", r.lrange("l", 0, -1), ["z", "a", "b", "c"])
    check("llen", r.llen("l"), 4)
    check("lindex", r.lindex("l", -1), "c")
    check("lpos", r.lpos("l", "b"), 2)
    check("lpos missing", r.lpos("l", "q"), None)
    check("linsert", r.linsert("l", "before", "b", "x"), 5)
    check("lset", r.lset("l", 0, "y"), True)
    check("lrem", r.lrem("l", 0, "x"), 1)
    check("lpop", r.lpop("l"), "y")
    check("lpop count", r.lpop("l", 2), ["a", "b"])
    check("rpop missing", r.rpop("nope"), None)
    check("lpop count missing", r.lpop("nope", 2), None)
    r.rpush("l2", 1, 2, 3, 4, 5)
    check("ltrim", r.ltrim("l2", 1, 3), True)
    check("after ltrim", r.lrange("l2", 0, -1), ["2", "3", "4"])
    check("lmove", r.lmove("l2", "l3", "LEFT", "RIGHT"), "2")
    check("rpoplpush", r.rpoplpush("l2", "l3"), "4")
    check("l3", r.lrange("l3", 0, -1), ["4", "2"])
    t0 = time.monotonic()
    check("blpop timeout returns None", r.blpop(["empty1", "empty2"], timeout=1), None)
    ok("blpop waited about a second", time.monotonic() - t0 >= 0.8)
    check("brpop timeout returns None", r.brpop("empty1", timeout=0.1), None)
    check("blpop with data", r.blpop(["empty1", "l3"], timeout=1), ("l3", "4"))
    check("blmove timeout", r.blmove("empty1", "l3", 0.1, "LEFT", "LEFT"), None)

    def push_later():
        time.sleep(0.3)
        other = client(decode_responses=True)
        other.rpush("wake", "hello")
        other.close()

    threading.Thread(target=push_later).start()
    check("blpop woken by a push", r.blpop("wake", timeout=10), ("wake", "hello"))


def sets(r, version):
    check("sadd", r.sadd("s1", "a", "b", "c"), 3)
    check("sadd again", r.sadd("s1", "a"), 0)
    r.sadd("s2", "b", "c", "d")
    check("smembers", r.smembers("s1"), {"a", "b", "c"})
    check("smembers missing", r.smembers("nope"), set())
    check("sismember", (r.sismember("s1", "a"), r.sismember("s1", "z")), (True, False))
    check("smismember", r.smismember("s1", ["a", "z"]), [True, False])
    check("scard", r.scard("s1"), 3)
    check("sinter", r.sinter("s1", "s2"), {"b", "c"})
    check("sunion", r.sunion("s1", "s2"), {"a", "b", "c", "d"})
    check("sdiff", r.sdiff("s1", "s2"), {"a"})
    check("sunionstore", r.sunionstore("s3", ["s1", "s2"]), 4)
    check("sintercard", r.sintercard(2, ["s1", "s2"]), 2)
    check("smove", r.smove("s1", "s2", "a"), True)
    check("srem", r.srem("s2", "a", "zz"), 1)
    ok("spop", r.spop("s3") in {"a", "b", "c", "d"})
    check("spop count", len(r.spop("s3", 2)), 2)
    check("spop missing", r.spop("nope"), None)
    ok("srandmember", r.srandmember("s2") in {"b", "c", "d"})
    check("srandmember negative count", len(r.srandmember("s2", -5)), 5)
    check("sscan_iter", set(r.sscan_iter("s2")), {"b", "c", "d"})


def sorted_sets(r, version):
    check("zadd", r.zadd("z", {"a": 1, "b": 2}), 2)
    check("zadd nx existing", r.zadd("z", {"a": 5}, nx=True), 0)
    check("zscore after nx", r.zscore("z", "a"), 1.0)
    check("zadd xx ch", r.zadd("z", {"a": 5, "new": 1}, xx=True, ch=True), 1)
    check("zscore new after xx", r.zscore("z", "new"), None)
    check("zadd gt lower", r.zadd("z", {"a": 3}, gt=True, ch=True), 0)
    check("zadd lt lower", r.zadd("z", {"a": 3}, lt=True, ch=True), 1)
    check("zadd incr", r.zadd("z", {"a": 2}, incr=True), 5.0)
    check("zadd incr nx existing", r.zadd("z", {"a": 2}, nx=True, incr=True), None)
    check("zadd incr gt lower", r.zadd("z", {"a": -1}, gt=True, incr=True), None)
    raises("zadd nx xx", lambda: r.zadd("z", {"a": 1}, nx=True, xx=True), redis.DataError,
           "ZADD allows either 'nx' or 'xx', not both")
    check("zrange withscores", r.zrange("z", 0, -1, withscores=True), [("b", 2.0), ("a", 5.0)])
    ok("zrange scores are floats",
       all(type(s) is float for _, s in r.zrange("z", 0, -1, withscores=True)))
    check("zrange desc", r.zrange("z", 0, -1, desc=True), ["a", "b"])
    check("zrange byscore limit", r.zrange("z", 0, 10, byscore=True, offset=1, num=1), ["a"])
    check("zrangebyscore cast", r.zrangebyscore("z", "-inf", "+inf", withscores=True,
                                                score_cast_func=int), [("b", 2), ("a", 5)])
    check("zrangebyscore exclusive", r.zrangebyscore("z", "(2", 10), ["a"])
    check("zrevrangebyscore", r.zrevrangebyscore("z", 10, 0, withscores=True),
          [("a", 5.0), ("b", 2.0)])
    check("zincrby", r.zincrby("z", 0.5, "b"), 2.5)
    check("zscore fraction", r.zscore("z", "b"), 2.5)
    r.zadd("zinf", {"lo": float("-inf"), "hi": float("inf"), "mid": 1e-17})
    check("zrange inf", r.zrange("zinf", 0, -1, withscores=True),
          [("lo", float("-inf")), ("mid", 1e-17), ("hi", float("inf"))])
    check("zrank", r.zrank("z", "a"), 1)
    check("zrevrank", r.zrevrank("z", "a"), 0)
    check("zrank missing", r.zrank("z", "zz"), None)
    check("zcount", r.zcount("z", 0, 3), 1)
    check("zcard", r.zcard("z"), 2)
    check("zmscore", r.zmscore("z", ["a", "zz"]), [5.0, None])
    r.zadd("zl", {"a": 0, "b": 0, "c": 0, "d": 0})
    check("zrangebylex", r.zrangebylex("zl", "[b", "(d"), ["b", "c"])
    check("zlexcount", r.zlexcount("zl", "-", "+"), 4)
    check("zunionstore weights", r.zunionstore("zu", {"z": 2, "zl": 1}), 4)
    check("zunionstore result", r.zrange("zu", 0, -1, withscores=True),
          [("c", 0.0), ("d", 0.0), ("b", 5.0), ("a", 10.0)])
    check("zinterstore max", r.zinterstore("zi", ["z", "zl"], aggregate="MAX"), 2)
    check("zrangestore", r.zrangestore("zr", "zu", 0, 1), 2)
    check("zremrangebyscore", r.zremrangebyscore("zu", 0, 0), 2)
    check("zpopmin", r.zpopmin("z"), [("b", 2.5)])
    r.zadd("z", {"x": 7, "y": 8})
    check("zpopmin count", r.zpopmin("z", 2), [("a", 5.0), ("x", 7.0)])
    check("zpopmax", r.zpopmax("z"), [("y", 8.0)])
    check("zpopmin missing", r.zpopmin("z"), [])
    check("bzpopmin timeout", r.bzpopmin(["empty1"], timeout=0.1), None)
    r.zadd("zb", {"m": 1.5})
    check("bzpopmin with data", r.bzpopmin(["empty1", "zb"], timeout=1), ("zb", "m", 1.5))
    check("bzpopmax timeout", r.bzpopmax("empty1", timeout=0.1), None)
    check("zrandmember count", sorted(r.zrandmember("zl", 4)), ["a", "b", "c", "d"])
    check("zscan_iter", list(r.zscan_iter("zi")), [("b", 2.5), ("a", 5.0)])
    raises("zadd with a bad score", lambda: r.zadd("z", {"a": "nan"}), ResponseError,
           "value is not a valid float")


def streams(r, version):
    check("xadd id", r.xadd("st", {"f": "v"}, id="1-1"), "1-1")
    check("xadd id seq", r.xadd("st", {"f": "w"}, id="1-*"), "1-2")
    auto = r.xadd("st", {"g": "x", "h": "y"}, maxlen=1000, approximate=True)
    ok("xadd auto id", isinstance(auto, str) and auto.count("-") == 1, repr(auto))
    raises("xadd smaller id", lambda: r.xadd("st", {"f": "v"}, id="1-1"), ResponseError,
           "The ID specified in XADD is equal or smaller than the target stream top item")
    check("xlen", r.xlen("st"), 3)
    check("xrange", r.xrange("st", "-", "+", count=2), [("1-1", {"f": "v"}), ("1-2", {"f": "w"})])
    check("xrevrange", r.xrevrange("st", "+", "-", count=1), [(auto, {"g": "x", "h": "y"})])
    check("xadd maxlen exact", isinstance(r.xadd("st", {"f": "z"}, maxlen=2, approximate=False),
                                          str), True)
    check("xlen after trim", r.xlen("st"), 2)
    check("xread", r.xread({"st": "0"}, count=1), [["st", [(auto, {"g": "x", "h": "y"})]]])
    check("xread nothing new", r.xread({"st": "$"}, block=100), [])
    check("xread missing stream", r.xread({"nope": "0"}), [])

    check("xgroup_create mkstream", r.xgroup_create("gs", "g", id="0", mkstream=True), True)
    raises("xgroup_create again", lambda: r.xgroup_create("gs", "g", id="0"), ResponseError,
           "BUSYGROUP Consumer Group name already exists")
    raises("xgroup_create without a stream", lambda: r.xgroup_create("nope", "g"),
           ResponseError,
           "The XGROUP subcommand requires the key to exist. Note that for CREATE you may want "
           "to use the MKSTREAM option to create an empty stream automatically.")
    ids = [r.xadd("gs", {"n": str(i)}, id=f"5-{i}") for i in range(1, 4)]
    got = r.xreadgroup("g", "c1", {"gs": ">"}, count=2)
    check("xreadgroup", got, [["gs", [("5-1", {"n": "1"}), ("5-2", {"n": "2"})]]])
    check("xreadgroup history", r.xreadgroup("g", "c1", {"gs": "0"}),
          [["gs", [("5-1", {"n": "1"}), ("5-2", {"n": "2"})]]])
    check("xreadgroup nothing new", r.xreadgroup("g", "c9", {"gs": ">"}, count=5, block=100),
          [["gs", [("5-3", {"n": "3"})]]])
    check("xreadgroup blocked timeout", r.xreadgroup("g", "c9", {"gs": ">"}, block=100), [])
    summary = r.xpending("gs", "g")
    check("xpending summary", summary, {
        "pending": 3, "min": "5-1", "max": "5-3",
        "consumers": [{"name": "c1", "pending": 2}, {"name": "c9", "pending": 1}]})
    rng = r.xpending_range("gs", "g", min="-", max="+", count=10)
    check("xpending_range ids", [(e["message_id"], e["consumer"], e["times_delivered"])
                                 for e in rng],
          [("5-1", "c1", 2), ("5-2", "c1", 2), ("5-3", "c9", 1)])
    ok("xpending_range idle is an int", all(type(e["time_since_delivered"]) is int for e in rng))
    check("xpending_range consumer", len(r.xpending_range("gs", "g", "-", "+", 10,
                                                          consumername="c9")), 1)
    check("xack", r.xack("gs", "g", "5-3", "9-9"), 1)
    claimed = r.xautoclaim("gs", "g", "c2", min_idle_time=0, start_id="0-0", count=1)
    check("xautoclaim next id and entries", claimed[:2], ["5-2", [("5-1", {"n": "1"})]])
    check("xautoclaim justid", r.xautoclaim("gs", "g", "c2", 0, "0-0", justid=True),
          ["5-1", "5-2"])
    check("xclaim", r.xclaim("gs", "g", "c3", 0, ["5-2"]), [("5-2", {"n": "2"})])
    check("xinfo_consumers", sorted((c["name"], c["pending"])
                                    for c in r.xinfo_consumers("gs", "g")),
          [("c1", 0), ("c2", 1), ("c3", 1), ("c9", 0)])
    groups = r.xinfo_groups("gs")
    check("xinfo_groups", [(g["name"], g["consumers"], g["pending"], g["last-delivered-id"])
                           for g in groups], [("g", 4, 2, "5-3")])
    info = r.xinfo_stream("gs")
    check("xinfo_stream length/groups", (info["length"], info["groups"]), (3, 1))
    check("xinfo_stream first-entry", info["first-entry"], ("5-1", {"n": "1"}))
    check("xinfo_stream last-entry", info["last-entry"], ("5-3", {"n": "3"}))
    check("xinfo_stream last-generated-id", info["last-generated-id"], "5-3")
    full = r.xinfo_stream("gs", full=True)
    check("xinfo_stream full entries", full["entries"],
          {"5-1": {"n": "1"}, "5-2": {"n": "2"}, "5-3": {"n": "3"}})
    check("xinfo_stream full groups", [g["name"] for g in full["groups"]], ["g"])
    check("xdel", r.xdel("gs", "5-1"), 1)
    check("xtrim minid approximate", r.xtrim("gs", minid="5-3"), 0)
    check("xtrim minid exact", r.xtrim("gs", minid="5-3", approximate=False), 1)
    check("xgroup_createconsumer", r.xgroup_createconsumer("gs", "g", "c4"), 1)
    check("xgroup_delconsumer", r.xgroup_delconsumer("gs", "g", "c4"), 0)
    check("xgroup_setid", r.xgroup_setid("gs", "g", "0"), True)
    check("xgroup_destroy", r.xgroup_destroy("gs", "g"), 1)


def hll_geo(r, version):
    check("pfadd", r.pfadd("hll", "a", "b", "c"), 1)
    check("pfadd again", r.pfadd("hll", "a"), 0)
    check("pfcount", r.pfcount("hll"), 3)
    r.pfadd("hll2", "c", "d")
    check("pfcount union", r.pfcount("hll", "hll2"), 4)
    check("pfmerge", r.pfmerge("hll3", "hll", "hll2"), True)
    check("pfcount merged", r.pfcount("hll3"), 4)
    r.set("notahll", "plain")
    raises("pfadd on a string", lambda: r.pfadd("notahll", "x"), ResponseError,
           "WRONGTYPE Key is not a valid HyperLogLog string value.")

    check("geoadd", r.geoadd("geo", [13.361389, 38.115556, "Palermo",
                                     15.087269, 37.502669, "Catania"]), 2)
    check("geoadd nx", r.geoadd("geo", [13.0, 38.0, "Palermo"], nx=True), 0)
    check("geodist km", r.geodist("geo", "Palermo", "Catania", "km"), 166.2742)
    check("geodist missing", r.geodist("geo", "Palermo", "Nowhere"), None)
    check("geopos", r.geopos("geo", "Palermo", "Nowhere"),
          [(13.361389338970184, 38.1155563954963), None])
    check("geohash", r.geohash("geo", "Palermo"), ["sqc8b49rny0"])
    check("geosearch withdist withcoord",
          r.geosearch("geo", longitude=15, latitude=37, radius=200, unit="km", withdist=True,
                      withcoord=True, sort="ASC"),
          [["Catania", 56.4413, (15.087267458438873, 37.50266842333162)],
           ["Palermo", 190.4424, (13.361389338970184, 38.1155563954963)]])
    check("geosearch member box",
          r.geosearch("geo", member="Palermo", width=400, height=400, unit="km", sort="DESC"),
          ["Catania", "Palermo"])
    check("geosearch withhash count",
          r.geosearch("geo", longitude=15, latitude=37, radius=200, unit="km", withhash=True,
                      count=1, sort="ASC"),
          [["Catania", 3479447370796909]])
    check("geosearchstore", r.geosearchstore("geo2", "geo", longitude=15, latitude=37,
                                             radius=100, unit="km"), 1)
    check("georadius", r.georadius("geo", 15, 37, 200, unit="km", withdist=True, sort="ASC"),
          [["Catania", 56.4413], ["Palermo", 190.4424]])


def pipelines(r, version):
    r.set("acct", 10)
    other = client(decode_responses=True)
    attempts = 0
    with r.pipeline(transaction=True) as pipe:
        while True:
            try:
                pipe.watch("acct")
                value = int(pipe.get("acct"))
                attempts += 1
                if attempts == 1:
                    other.incrby("acct", 100)  # a concurrent writer: EXEC must fail
                pipe.multi()
                pipe.set("acct", value + 1)
                pipe.get("acct")
                check("watched exec", pipe.execute(), [True, str(value + 1)])
                break
            except WatchError:
                if attempts > 5:
                    raise
    check("watch retry count", attempts, 2)
    check("watched value", r.get("acct"), "111")

    def bump(pipe):
        current = int(pipe.get("acct"))
        pipe.multi()
        pipe.set("acct", current * 2)
        return current * 2

    check("transaction helper", r.transaction(bump, "acct", value_from_callable=True), 222)
    check("after transaction helper", r.get("acct"), "222")

    with r.pipeline(transaction=False) as pipe:
        pipe.set("p1", "1").incr("word-not-int-key").lpush("p1", "x").get("p1")
        r.set("word-not-int-key", "abc")
        results = pipe.execute(raise_on_error=False)
    check("pipeline length", len(results), 4)
    check("pipeline first", results[0], True)
    ok("pipeline error in the middle is an exception",
       isinstance(results[1], ResponseError)
       and str(results[1]).endswith("value is not an integer or out of range"),
       repr(results[1]))
    ok("pipeline wrongtype in the middle",
       isinstance(results[2], ResponseError)
       and str(results[2]).endswith(
           "WRONGTYPE Operation against a key holding the wrong kind of value"),
       repr(results[2]))
    check("pipeline last", results[3], "1")

    with r.pipeline(transaction=True) as pipe:
        pipe.set("t1", "a").incr("word-not-int-key").set("t2", "b")
        raises("transaction with a runtime error", pipe.execute, ResponseError,
               "Command # 2 (INCRBY word-not-int-key 1) of pipeline caused error: "
               "value is not an integer or out of range")
    check("runtime error does not roll back", r.mget("t1", "t2"), ["a", "b"])
    with r.pipeline(transaction=True) as pipe:
        pipe.set("t3", "a").execute_command("SET", "only-key")
        raises("transaction with a queueing error", pipe.execute, ResponseError,
               "Command # 2 (SET only-key) of pipeline caused error: "
               "wrong number of arguments for 'set' command")
    check("queueing error discards the transaction", r.get("t3"), None)
    with r.pipeline() as pipe:
        check("empty transaction", pipe.execute(), [])
    with r.pipeline() as pipe:
        for i in range(200):
            pipe.set(f"bulk:{i}", i)
        pipe.mget([f"bulk:{i}" for i in range(200)])
        out = pipe.execute()
    check("big transaction", out[-1], [str(i) for i in range(200)])
    other.close()


def scripts(r, version):
    body = "return redis.call('incrby', KEYS[1], ARGV[1])"
    sha = hashlib.sha1(body.encode()).hexdigest()
    check("script_flush", r.script_flush(), True)
    incr = r.register_script(body)
    check("register_script sha", incr.sha, sha)
    check("register_script first call (NOSCRIPT then load)", incr(keys=["sc"], args=[5]), 5)
    check("register_script second call", incr(keys=["sc"], args=[5]), 10)
    check("script_exists", r.script_exists(sha, "0" * 40), [True, False])
    check("script_flush again", r.script_flush("SYNC"), True)
    check("script_exists after flush", r.script_exists(sha), [False])
    raises("evalsha after flush", lambda: r.evalsha(sha, 1, "sc", 1),
           redis.exceptions.NoScriptError,
           "No matching script. Please use EVAL.")
    with r.pipeline() as pipe:
        incr(keys=["sc"], args=[1], client=pipe)
        pipe.get("sc")
        check("script in a pipeline (loaded before EXEC)", pipe.execute(), [11, "11"])
    check("script_load", r.script_load("return 1"), hashlib.sha1(b"return 1").hexdigest())
    check("eval conversions", r.eval("return {1, 'a', 3.99, false, {2}, nil, 4}", 0),
          [1, "a", 3, None, [2]])
    check("eval status reply", r.eval("return redis.status_reply('FINE')", 0), "FINE")
    check("eval bool", r.eval("return true", 0), 1)
    raises("eval error_reply", lambda: r.eval("return redis.error_reply('MY bad')", 0),
           ResponseError, "MY bad")
    r.set("str", "x")
    try:
        r.eval("return redis.call('lpush', KEYS[1], 'a')", 1, "str")
        FAILURES.append("FAIL eval wrongtype did not raise")
    except ResponseError as e:
        ok("eval wrongtype", str(e).startswith(
            "WRONGTYPE Operation against a key holding the wrong kind of value"), repr(str(e)))
    check("eval pcall", r.eval(
        "local ok = redis.pcall('lpush', KEYS[1], 'a'); return ok['err']", 1, "str"),
        "WRONGTYPE Operation against a key holding the wrong kind of value")


def pubsub(r, version):
    p = r.pubsub()
    p.subscribe("ch1")
    check("subscribe reply", p.get_message(timeout=5),
          {"type": "subscribe", "pattern": None, "channel": "ch1", "data": 1})
    p.psubscribe("ch*")
    check("psubscribe reply", p.get_message(timeout=5),
          {"type": "psubscribe", "pattern": None, "channel": "ch*", "data": 2})
    check("pubsub_numsub", r.pubsub_numsub("ch1", "none"), [("ch1", 1), ("none", 0)])
    check("pubsub_numpat", r.pubsub_numpat(), 1)
    check("pubsub_channels", r.pubsub_channels(), ["ch1"])
    check("publish counts both subscriptions", r.publish("ch1", "hi"), 2)
    check("message", p.get_message(timeout=5),
          {"type": "message", "pattern": None, "channel": "ch1", "data": "hi"})
    check("pmessage", p.get_message(timeout=5),
          {"type": "pmessage", "pattern": "ch*", "channel": "ch1", "data": "hi"})
    check("nothing more", p.get_message(timeout=0.2), None)
    p.ping("hey")
    check("ping in subscribed mode", p.get_message(timeout=5),
          {"type": "pong", "pattern": None, "channel": None, "data": "hey"})
    p.unsubscribe("ch1")
    check("unsubscribe reply", p.get_message(timeout=5),
          {"type": "unsubscribe", "pattern": None, "channel": "ch1", "data": 1})
    p.punsubscribe()
    check("punsubscribe reply", p.get_message(timeout=5),
          {"type": "punsubscribe", "pattern": None, "channel": "ch*", "data": 0})
    check("publish with no subscriber", r.publish("ch1", "x"), 0)
    p.close()

    quiet = client().pubsub(ignore_subscribe_messages=True)
    quiet.subscribe("bin")
    check("ignored subscribe reply", quiet.get_message(timeout=0.5), None)
    r.publish("bin", b"\x00\xff")
    check("bytes message", quiet.get_message(timeout=5),
          {"type": "message", "pattern": None, "channel": b"bin", "data": b"\x00\xff"})
    quiet.close()

    listener = r.pubsub()
    listener.subscribe("lst")

    def publish_later():
        time.sleep(0.2)
        for i in range(3):
            r.publish("lst", f"m{i}")

    threading.Thread(target=publish_later).start()
    got = []
    for msg in listener.listen():
        got.append((msg["type"], msg["data"]))
        if len(got) == 4:
            break
    check("listen()", got, [("subscribe", 1), ("message", "m0"), ("message", "m1"),
                            ("message", "m2")])
    listener.unsubscribe()
    check("unsubscribe all reply", listener.get_message(timeout=5)["data"], 0)
    listener.close()

    received = []
    done = threading.Event()

    def handler(msg):
        received.append(msg["data"])
        if len(received) == 2:
            done.set()

    threaded = r.pubsub()
    threaded.subscribe(**{"thr": handler})
    threaded.psubscribe(**{"thr-*": handler})
    worker = threaded.run_in_thread(sleep_time=0.05, daemon=True)
    deadline = time.monotonic() + 10
    while r.pubsub_numsub("thr")[0][1] == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    r.publish("thr", "one")
    r.publish("thr-x", "two")
    ok("run_in_thread handler got both", done.wait(10), repr(received))
    check("run_in_thread messages", sorted(received), ["one", "two"])
    worker.stop()
    worker.join(5)
    threaded.close()


def locks(r, version):
    lk = r.lock("lk", timeout=5, blocking_timeout=0.2)
    check("lock acquire", lk.acquire(), True)
    check("lock locked/owned", (lk.locked(), lk.owned()), (True, True))
    rival = r.lock("lk", timeout=5, blocking_timeout=0.2)
    t0 = time.monotonic()
    check("rival cannot acquire", rival.acquire(), False)
    ok("rival retried once before giving up", time.monotonic() - t0 >= 0.08)
    check("rival does not own", rival.owned(), False)
    check("lock extend", lk.extend(5), True)
    between("pttl after extend", r.pttl("lk"), 8000, 10000)
    check("lock extend replace_ttl", lk.extend(3, replace_ttl=True), True)
    between("pttl after replace", r.pttl("lk"), 2000, 3000)
    check("lock reacquire", lk.reacquire(), True)
    between("pttl after reacquire", r.pttl("lk"), 4000, 5000)
    lk.release()
    check("released", r.get("lk"), None)
    raises("release twice", lk.release, redis.exceptions.LockError,
           "Cannot release an unlocked lock")
    raises("extend after release", lambda: lk.extend(1), redis.exceptions.LockError,
           "Cannot extend an unlocked lock")
    with r.lock("lk2", timeout=5) as held:
        check("context manager holds", r.get("lk2"), held.local.token.decode())
    check("context manager released", r.get("lk2"), None)
    short = r.lock("lk3", timeout=0.3)
    short.acquire()
    waiter = r.lock("lk3", timeout=5, blocking_timeout=10, sleep=0.05)
    check("blocking acquire after expiry", waiter.acquire(), True)
    raises("expired lock cannot extend", lambda: short.extend(1), LockNotOwnedError,
           "Cannot extend a lock that's no longer owned")
    raises("expired lock cannot release", short.release, LockNotOwnedError,
           "Cannot release a lock that's no longer owned")
    check("the waiter still holds it", r.get("lk3"), waiter.local.token.decode())
    waiter.release()


def app_calls(r, version):
    """What Django's cache, Celery (kombu) and RQ call besides the families above."""
    check("setex", r.setex("dj:1", 300, "pickled"), True)
    between("setex ttl", r.ttl("dj:1"), 295, 300)
    check("psetex", r.psetex("dj:2", 300000, "x"), True)
    check("exists counts every key", r.exists("dj:1", "dj:2", "dj:1", "nope"), 3)
    check("touch", r.touch("dj:1", "nope"), 1)
    check("rename", r.rename("dj:2", "dj:3"), True)
    raises("rename missing", lambda: r.rename("nope", "x"), ResponseError, "no such key")
    check("renamenx onto existing", r.renamenx("dj:3", "dj:1"), False)
    check("copy", r.copy("dj:1", "dj:4"), True)
    check("copy onto existing", r.copy("dj:1", "dj:4"), False)
    between("copy keeps the ttl", r.ttl("dj:4"), 295, 300)
    check("keys pattern", sorted(r.keys("dj:*")), ["dj:1", "dj:3", "dj:4"])
    check("delete many", r.delete("dj:1", "dj:3", "nope"), 2)
    check("unlink", r.unlink("dj:4"), 1)
    r.rpush("celery", "t1", "t2")
    check("brpoplpush", r.brpoplpush("celery", "unacked", timeout=1), "t2")
    check("brpoplpush timeout", r.brpoplpush("empty9", "unacked", timeout=0.1), None)
    check("brpop over several queues", r.brpop(["empty9", "celery"], timeout=1), ("celery", "t1"))
    with r.pipeline() as pipe:
        pipe.zadd("rq:scheduled", {"job1": 100}).hset("rq:job:1", mapping={"status": "queued"})
        pipe.expire("rq:job:1", 500).zrangebyscore("rq:scheduled", 0, 200)
        check("rq-style pipeline", pipe.execute(), [1, 1, True, ["job1"]])
    check("client_setname", r.client_setname("worker-1"), True)
    check("client_getname", r.client_getname(), "worker-1")
    ok("dbsize is an int", type(r.dbsize()) is int)
    ok("randomkey", r.randomkey() is not None)
    check("sort", r.sort("sortme") if r.rpush("sortme", 3, 1, 2) else None, ["1", "2", "3"])
    check("sort alpha desc", r.sort("sortme", desc=True, alpha=True), ["3", "2", "1"])
    check("flushdb async", r.flushdb(asynchronous=True), True)
    check("dbsize after flushdb", r.dbsize(), 0)


def server_calls(r, version):
    info = r.client_info()
    check("client_info id", info.get("id"), r.client_id())
    check("client_info db", info.get("db"), 0)
    ok("lastsave is a datetime", isinstance(r.lastsave(), datetime.datetime))
    r.set("mem", "x" * 100)
    ok("memory_usage is an int", type(r.memory_usage("mem")) is int and r.memory_usage("mem") > 100)
    check("memory_usage missing", r.memory_usage("nope"), None)
    # basekv keeps no slow log (SLOWLOG GET is always empty): only the parsing is checked.
    check("slowlog_reset", r.slowlog_reset(), True)
    r.config_set("slowlog-log-slower-than", 0)
    r.get("mem")
    entries = r.slowlog_get(2)
    r.config_set("slowlog-log-slower-than", 10000)
    ok("slowlog_get parses", isinstance(entries, list)
       and all(type(e["duration"]) is int for e in entries), repr(entries))
    check("getdel", r.getdel("mem"), "x" * 100)
    check("getdel missing", r.getdel("mem"), None)
    r.rpush("mp", "a", "b", "c")
    check("lmpop", r.lmpop(2, "nope", "mp", direction="RIGHT", count=2), ["mp", ["c", "b"]])
    r.zadd("zmp", {"a": 1, "b": 2})
    check("zmpop", r.zmpop(1, ["zmp"], max=True), ["zmp", [["b", "2"]]])
    lib = "#!lua name=pylib\nredis.register_function('hi', function(keys, args) " \
          "return 'hi ' .. args[1] end)"
    check("function_load", r.function_load(lib), "pylib")
    check("fcall", r.fcall("hi", 0, "py"), "hi py")
    raises("function_load again", lambda: r.function_load(lib), ResponseError,
           "Library 'pylib' already exists")
    check("function_load replace", r.function_load(lib, replace=True), "pylib")
    check("function_delete", r.function_delete("pylib"), True)


def asyncio_client(r, version):
    """redis.asyncio (FastAPI and other async apps) over the same server."""
    import asyncio
    import redis.asyncio as aioredis

    async def run():
        a = aioredis.Redis(host="127.0.0.1", port=PORT, decode_responses=True,
                           client_name="aio")
        try:
            check("async ping", await a.ping(), True)
            check("async set ex", await a.set("aio", "v", ex=50), True)
            check("async get", await a.get("aio"), "v")
            check("async getname", await a.client_getname(), "aio")
            async with a.pipeline(transaction=True) as pipe:
                pipe.incr("aio:n").incr("aio:n").get("aio:n")
                check("async transaction", await pipe.execute(), [1, 2, "2"])
            # Concurrent calls take a pooled connection each: replies come in any order.
            check("async gather", sorted(await asyncio.gather(
                *(a.incr("aio:g") for _ in range(20)))), list(range(1, 21)))
            p = a.pubsub()
            await p.subscribe("aioch")
            check("async subscribe", await p.get_message(timeout=5),
                  {"type": "subscribe", "pattern": None, "channel": "aioch", "data": 1})
            await a.publish("aioch", "m")
            check("async message", await p.get_message(timeout=5),
                  {"type": "message", "pattern": None, "channel": "aioch", "data": "m"})
            await p.unsubscribe()
            await p.close()
            check("async blpop timeout", await a.blpop("aio:empty", timeout=0.1), None)
        finally:
            await a.close()

    asyncio.run(run())


def errors(r, version):
    r.set("str", "x")
    raises("wrongtype", lambda: r.lpush("str", "a"), ResponseError,
           "WRONGTYPE Operation against a key holding the wrong kind of value")
    raises("wrongtype zset", lambda: r.zadd("str", {"a": 1}), ResponseError,
           "WRONGTYPE Operation against a key holding the wrong kind of value")
    raises("unknown command", lambda: r.execute_command("NOSUCH", "a"), ResponseError,
           "unknown command 'NOSUCH', with args beginning with: 'a' ")
    raises("wrong arity", lambda: r.execute_command("GET"), ResponseError,
           "wrong number of arguments for 'get' command")
    raises("syntax error", lambda: r.execute_command("SET", "k", "v", "BOGUS"), ResponseError,
           "syntax error")
    raises("lset out of range", lambda: r.lset("nolist", 0, "x"), ResponseError, "no such key")
    check("connection still usable", r.ping(), True)


def auth(version_unused=None):
    raises("no password", lambda: client().ping(), AuthenticationError,
           "Authentication required.")
    raises("wrong password", lambda: client(password="bad").ping(), ResponseError,
           "WRONGPASS invalid username-password pair or user is disabled.")
    admin = client(password="pw", db=1, client_name="adm", decode_responses=True)
    check("auth + setname + select", admin.ping(), True)
    check("auth getname", admin.client_getname(), "adm")
    check("auth whoami", admin.acl_whoami(), "default")
    admin.set("in-db1", "x")
    check("selected db 1", client(password="pw").get("in-db1"), None)
    version = admin.info("server")["redis_version"]
    check("acl_setuser", admin.acl_setuser("app", enabled=True, passwords=["+apppw"],
                                           keys=["app:*"], commands=["+@all"]), True)
    user = admin.acl_getuser("app")
    ok("acl_getuser flags", "on" in user["flags"], repr(user))
    check("acl_getuser keys", user["keys"], ["~app:*"])
    check("acl_getuser passwords", user["passwords"],
          [hashlib.sha256(b"apppw").hexdigest()])
    ok("acl_users", "app" in admin.acl_users())
    app = client(username="app", password="apppw", decode_responses=True)
    check("acl user whoami", app.acl_whoami(), "app")
    check("acl user own key", app.set("app:1", "v"), True)
    denied = ("No permissions to access a key" if version.startswith("7.2") or
              not version.startswith("7.0") else
              "this user has no permissions to access one of the keys used as arguments")
    raises("acl user other key", lambda: app.set("other", "v"), NoPermissionError, denied)
    raises("acl user wrong password",
           lambda: client(username="app", password="nope").ping(), ResponseError,
           "WRONGPASS invalid username-password pair or user is disabled.")
    raises("unknown user", lambda: client(username="ghost", password="x").ping(),
           ResponseError, "WRONGPASS invalid username-password pair or user is disabled.")
    pool = redis.ConnectionPool(host="127.0.0.1", port=PORT, password="pw", db=3)
    pooled = redis.Redis(connection_pool=pool)
    for _ in range(10):
        pooled.incr("n")
    check("pool with password reuses its connection", pool._created_connections, 1)
    check("pooled value", pooled.get("n"), b"10")
    for c in (admin, app, pooled):
        c.close()


SECTIONS = [handshake, strings, hashes, lists, sets, sorted_sets, streams, hll_geo, pipelines,
            scripts, pubsub, locks, app_calls, server_calls,
            asyncio_client, errors]


def main():
    if MODE == "auth":
        sections = [("auth", lambda: auth())]
    else:
        r = client(decode_responses=True)
        r.flushall()
        version = r.info("server")["redis_version"]
        sections = [(fn.__name__, (lambda fn=fn: fn(r, version))) for fn in SECTIONS]
    for name, run in sections:
        try:
            run()
        except Exception:  # noqa: BLE001 - reported with its traceback, then the next section
            FAILURES.append(f"FAIL section {name} raised:\n{traceback.format_exc()}")
    if FAILURES:
        print("\n".join(FAILURES))
        sys.exit(1)
    print("OK")


main()

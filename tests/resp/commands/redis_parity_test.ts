/**
 * Parity with Debian's redis-server: the same commands, sent to both over raw sockets, must get
 * byte-identical replies under RESP2 and RESP3. Skipped when redis-server is not installed
 * (scripts/test-deps.sh installs it on CI). The reference is 7.0, so only commands whose replies
 * 7.0 and 7.2 share are listed (no HEXPIRE family; unordered or timing-bound replies left out).
 * @module
 */
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { RawClient } from "../../helpers/net.ts";
import { startTestServer } from "../../helpers/server.ts";
import { hasRedisServer, startRedisServer } from "../../helpers/redis_server.ts";
import { decodeReply } from "../reply_decoder.ts";
import { command } from "../resp_client.ts";

/**
 * One command per line; `\s` stands for a space and `\0` for a NUL inside an argument; a line
 * starting with `#` heads a block.
 */
const COMMANDS = `
SET k v
GET k
SET k v EX 0
SET k v EX -5
SET k v PX abc
SET k v EX 10 PX 10
SET k v KEEPTTL EX 10
SET k v NX XX
SET k v EX
SET k v GET
SET k v2 NX GET
SET nk v XX GET
SET k v EXAT 1
GET k
SET k v PXAT 99999999999999 GET
SET k v EX 9223372036854775807
SET k v EX 9223372036854775
SET k v PX 9223372036854775807
SETEX k 0 v
SETEX k abc v
PSETEX k -1 v
SETEX k 10 v
TTL k
SETNX k x
GETSET k y
GETDEL k
GETDEL k
GETEX k
SET k v
GETEX k EX 100
TTL k
GETEX k PERSIST
TTL k
GETEX k PERSIST EX 10
GETEX k EX 0
GETEX k KEEPTTL
GETEX k NX
MSET a 1 b 2
MSET a
MGET a b c
MSETNX a 1 c 3
MSETNX c 3 d 4
APPEND a xyz
APPEND newkey abc
STRLEN a
STRLEN nokey
GETRANGE a 0 -1
GETRANGE a -100 100
GETRANGE a 2 1
GETRANGE a -1 -2
GETRANGE nokey 0 -1
GETRANGE a x 1
SETRANGE a 1 ZZ
SETRANGE a -1 ZZ
SETRANGE nokey2 0 
SETRANGE nokey3 5 x
GET nokey3
SETRANGE a 536870912 x
INCR a
SET n 10
INCR n
INCRBY n -20
DECR n
DECRBY n 5
DECRBY n -9223372036854775808
INCRBY n abc
INCRBY n 9223372036854775807
SET n 9223372036854775807
INCR n
SET n -9223372036854775808
DECR n
SET n 007
INCR n
SET n +1
INCR n
SET n 1
INCRBYFLOAT n 1.5
INCRBYFLOAT n 0.1
INCRBYFLOAT n -3.6
INCRBYFLOAT n 1e3
INCRBYFLOAT n abc
INCRBYFLOAT n inf
INCRBYFLOAT n 1.7976931348623157e308
INCRBYFLOAT nf 3.0
INCRBYFLOAT nf 0.0000001
INCRBYFLOAT nf2 1.23456789012345678
INCRBYFLOAT nf3 5.0e-20
INCRBYFLOAT nf4 -0
INCRBYFLOAT nf5 \\s1
INCRBYFLOAT nf6 1e400
SET s1 ohmytext
SET s2 mynewtext
LCS s1 s2
LCS s1 s2 LEN
LCS s1 s2 IDX
LCS s1 s2 IDX WITHMATCHLEN
LCS s1 s2 IDX MINMATCHLEN 2 WITHMATCHLEN
LCS s1 s2 LEN IDX
LCS s1 s2 FOO
LCS s1 nokey
HSET h f v
LCS s1 h
GET h
INCR h
APPEND h x
SET h x GET
HSET h a 1 b 2
HSET h a
HGET h a
HGET h zz
HGET nokey a
HMGET h a zz b
HMGET nokey a
HGETALL h
HGETALL nokey
HKEYS h
HVALS h
HLEN h
HLEN nokey
HSTRLEN h a
HSTRLEN h zz
HEXISTS h a
HEXISTS h zz
HSETNX h a x
HSETNX h c 3
HDEL h zz
HDEL h a b c
HDEL h f
EXISTS h
HINCRBY h n 5
HINCRBY h n x
HINCRBY h n 9223372036854775807
HSET h s abc
HINCRBY h s 1
HINCRBYFLOAT h s 1
HINCRBYFLOAT h f 1.5
HINCRBYFLOAT h f x
HRANDFIELD h 0
HRANDFIELD h 3 WITHVALUES x
HRANDFIELD h 1 FOO
HRANDFIELD nokey
HRANDFIELD nokey 5
HRANDFIELD nokey 5 WITHVALUES
HRANDFIELD h x
HMSET h a 1
HMSET h a
HSCAN nokey 0
HSCAN h x
HSCAN h 0 COUNT 0
HSCAN h 0 MATCH
HSCAN s1 0
DEL s1 s2 nokey
EXISTS a a b nokey
TYPE a
TYPE h
TYPE nokey
RENAME nokey x
RENAME a a
RENAMENX a a
RENAME a a2
GET a2
RENAMENX a2 b
RENAMENX a2 a3
COPY a3 a3
COPY a3 a4
COPY a3 a4
COPY a3 a4 REPLACE
COPY a3 a4 DB 16
COPY a3 a4 DB x
COPY a3 a4 FOO
COPY nokey a5
TOUCH a3 a4 nokey
EXPIRE a3 100
EXPIRE a3 100 NX
EXPIRE a3 100 XX
EXPIRE a3 50 GT
EXPIRE a3 200 GT
EXPIRE a3 50 LT
EXPIRE a3 50 NX XX
EXPIRE a3 50 GT LT
EXPIRE a3 50 FOO
EXPIRE a3 abc
EXPIRE a3 9223372036854775807
EXPIRE a3 922337203685477580
PEXPIRE a3 9223372036854775807
EXPIREAT a3 9223372036854775807
TTL a3
PERSIST a3
PERSIST a3
PERSIST nokey
TTL nokey
EXPIRETIME a3
EXPIRETIME nokey
PEXPIREAT a3 99999999999999
PEXPIREAT a3 8638203527710572
PEXPIRETIME a3
EXPIRETIME a3
EXPIRE nokey 10
EXPIRE a3 -1
EXISTS a3
EXPIRE a4 0
EXISTS a4
PEXPIRE b 1 GT
PEXPIRE b 1 LT
OBJECT ENCODING h
OBJECT ENCODING nokey
OBJECT FOO
OBJECT ENCODING
OBJECT ENCODING a b
OBJECT REFCOUNT h
OBJECT FREQ h
SET i 123
OBJECT ENCODING i
OBJECT REFCOUNT i
SET i 12345678901234567890
OBJECT ENCODING i
SET i 1234567890123456789012345678901234567890123
OBJECT ENCODING i
SET i 123456789012345678901234567890123456789012345
OBJECT ENCODING i
MEMORY USAGE nokey
MEMORY FOO
MEMORY USAGE a b
MEMORY USAGE h SAMPLES x
SWAPDB 0 16
SWAPDB x 1
SWAPDB 0 x
SWAPDB 0 -1
FLUSHDB FOO
FLUSHDB SYNC x
FLUSHALL FOO
SCAN x
SCAN 0 COUNT 0
SCAN 0 COUNT x
SCAN 0 MATCH
SCAN 18446744073709551616
KEYS nomatch*
HSET hx f v
SET a hello
APPEND a world
OBJECT ENCODING a
SETRANGE a 0 H
OBJECT ENCODING a
SET n 5
INCR n
OBJECT ENCODING n
INCRBYFLOAT n 1.5
OBJECT ENCODING n
SET big 12345678901234567890123
OBJECT ENCODING big
SET neg -1
OBJECT ENCODING neg
OBJECT REFCOUNT neg
SET z 0
OBJECT REFCOUNT z
SET z 10000
OBJECT REFCOUNT z
SET e \\0bin\\0
GET e
STRLEN e
SET t v EX 100
RENAME t t2
TTL t2
COPY t2 t3
TTL t3
HSET hh f v
EXPIRE hh 100
RENAME hh hh2
TTL hh2
HGET hh2 f
COPY hh2 hh3
TTL hh3
HGETALL hh3
GETEX hh3
GETDEL hh3
GETRANGE hh3 0 1
SETRANGE hh3 0 x
STRLEN hh3
MGET hh3 a
MSET
MSET a
GETSET hh3 x
SETNX hh3 x
SET hh3 x NX GET
SET hh3 x XX
TYPE hh3
INCRBYFLOAT a 1
KEYS h?2
KEYS \\*
SET * star
KEYS \\*
KEYS [
KEYS a[
DEL *
EXISTS
DEL
TOUCH
GET
GET a b
HGET h
HSET h
HDEL h
EXPIRE a
TTL
SCAN 0 MATCH a* COUNT 1000
SCAN 0 COUNT 1000 TYPE string MATCH h*
HSCAN hh2 0 MATCH f*
HSCAN hh2 0 COUNT 1 MATCH x
HRANDFIELD hh2
HRANDFIELD hh2 -3
HRANDFIELD hh2 -2 WITHVALUES
HRANDFIELD hh2 0 WITHVALUES
HRANDFIELD hh2 1 WITHVALUES
HINCRBYFLOAT hh2 n 1e308
HINCRBYFLOAT hh2 n 1e308
HINCRBYFLOAT hh2 n 1e309
HINCRBY hh2 i -9223372036854775808
HINCRBY hh2 i -1
HSETNX hh2 f x
HSTRLEN nokey f
HEXISTS nokey f
HKEYS nokey
HVALS nokey
HLEN hh2
HDEL hh2 f n i
EXISTS hh2
LCS nokey1 nokey2
LCS nokey1 nokey2 IDX
LCS nokey1 nokey2 LEN
SET l1 abc
LCS l1 l1 IDX WITHMATCHLEN
LCS l1 l1 IDX MINMATCHLEN x
LCS l1 l1 MINMATCHLEN
LCS l1 l1 IDX MINMATCHLEN -5
SET l2 ABCBDAB
SET l3 BDCABA
LCS l2 l3
LCS l2 l3 IDX WITHMATCHLEN
SET x 1
PEXPIRE x 50000 GT
PEXPIRE x 50000 LT
PEXPIRE x 100000 LT
PEXPIRE x 40000 GT
PEXPIRE x 10000 XX LT
EXPIREAT x -10
EXISTS x
SET x 1
PEXPIREAT x 0
EXISTS x
SET x 1 KEEPTTL
TTL x
SET x 1 EXAT 99999999999
EXPIRETIME x
TTL x
SET y 1 PXAT 99999999999999 GET
SET y 1 GET GET
SETEX y 9223372036854775807 v
PSETEX y 9223372036854775807 v
SETEX y 9223372036854775 v
GETEX y EXAT 0
GETEX y PXAT -1
GETEX y FOO
GETEX nokey EX 10
MSETNX
MSETNX a
COPY a a2 DB 0 REPLACE
COPY a a2 REPLACE DB 1 FOO
COPY a a DB 1
FLUSHDB
INCRBYFLOAT f 0.1
INCRBYFLOAT f 0.1
INCRBYFLOAT f 0.1
INCRBYFLOAT f 1000.1
INCRBYFLOAT f -1000.4
INCRBYFLOAT f 1.23456789012345678
INCRBYFLOAT f 1e-20
INCRBYFLOAT f 5.0e3
INCRBYFLOAT f -5001.23456789012345678
INCRBYFLOAT f 0
INCRBYFLOAT g 1.7976931348623157e308
INCRBYFLOAT g 1.7976931348623157e308
INCRBYFLOAT g 1e400
INCRBYFLOAT h 1e4932
INCRBYFLOAT h 1e4933
INCRBYFLOAT i 3.14159265358979323846264338327950288
INCRBYFLOAT i -3.14159265358979323846264338327950288
INCRBYFLOAT i .5
INCRBYFLOAT i 5.
INCRBYFLOAT i +1
INCRBYFLOAT i -inf
INCRBYFLOAT i infinity
INCRBYFLOAT i nan
INCRBYFLOAT i 0x10
INCRBYFLOAT i 1e
INCRBYFLOAT i 123456789012345678901234567890
INCRBYFLOAT i -0.00000000000000001
INCRBYFLOAT i 0.000000000000000005
INCRBYFLOAT j 0.000000000000000015
INCRBYFLOAT k 0.000000000000000025
INCRBYFLOAT l 2.5e-18
INCRBYFLOAT m -0.0
SET s 10.50
INCRBYFLOAT s 0.1
SET s 1e5
INCRBYFLOAT s 1
SET s \\s1
INCRBYFLOAT s 1
HINCRBYFLOAT hh a 0.1
HINCRBYFLOAT hh a 0.2
HINCRBYFLOAT hh a inf
HINCRBYFLOAT hh a nan
HINCRBYFLOAT hh a 1e400
HINCRBYFLOAT hh a -1e400
HINCRBYFLOAT hh a 1.5e4932
HINCRBYFLOAT hh a 1.5e4932
HINCRBYFLOAT hh b 10.5
HINCRBYFLOAT hh b 0.1
HSET hh c inf
HINCRBYFLOAT hh c 1
HINCRBY hh c 1
INCRBYFLOAT hh 1
SET str inf
INCRBYFLOAT str 1
INCRBYFLOAT hx 0x1.8p3
INCRBYFLOAT hx 0X.8
INCRBYFLOAT hx 0x
INCRBYFLOAT hx -0x10p-2
# Lists (no OBJECT ENCODING: 7.0 reports quicklist for every list, 7.2 listpack)
RPUSH l a b c a b c 1 2 300
LPUSH l x y
LPUSHX nokey a
RPUSHX l z
RPUSHX nokey z
LLEN l
LLEN nokey
LRANGE l 0 -1
LRANGE l -3 -1
LRANGE l 5 2
LRANGE l -100 100
LRANGE l 20 30
LRANGE nokey 0 -1
LRANGE l a 1
LINDEX l 0
LINDEX l -1
LINDEX l 100
LINDEX l -100
LINDEX nokey x
LINDEX l x
LSET l 0 X
LSET l -1 Z
LSET l 100 q
LSET nokey 0 q
LSET l x q
LRANGE l 0 -1
LINSERT l before a A
LINSERT l after c C
LINSERT l after nope C
LINSERT nokey after c C
LINSERT l middle c C
LRANGE l 0 -1
LPOS l a
LPOS l a rank 2
LPOS l a rank -1
LPOS l a count 0
LPOS l a count 2 rank -1
LPOS l a maxlen 3
LPOS l nope
LPOS l nope count 0
LPOS nokey a
LPOS nokey a count 1
LPOS l a rank 0
LPOS l a count -1
LPOS l a maxlen -1
LPOS l a rank
LPOS l a foo 1
LREM l 1 a
LRANGE l 0 -1
LREM l -1 b
LRANGE l 0 -1
LREM l 0 c
LRANGE l 0 -1
LREM nokey 0 c
LREM l x c
LPOP l
RPOP l
LPOP l 2
RPOP l 2
LPOP l 0
LPOP nokey
LPOP nokey 2
LPOP nokey 0
LPOP l -1
LPOP l x
LPOP l 1 2
LRANGE l 0 -1
LTRIM l 1 -2
LRANGE l 0 -1
LTRIM l 5 1
EXISTS l
RPUSH l 1 2 3 4 5
LTRIM l -2 100
LRANGE l 0 -1
LTRIM nokey 0 1
LTRIM l x 1
RPUSH src a b c
LMOVE src dst left right
LMOVE src dst right left
LRANGE dst 0 -1
LMOVE src src left right
LRANGE src 0 -1
LMOVE nokey dst left left
LMOVE src dst up left
RPOPLPUSH src dst
RPOPLPUSH src dst
EXISTS src
LRANGE dst 0 -1
RPOPLPUSH nokey dst
SET s v
LPUSH s a
LRANGE s 0 1
LMOVE dst s left left
LRANGE dst 0 -1
LMPOP 2 nokey dst left
LMPOP 2 nokey dst right count 10
LMPOP 1 nokey left
LMPOP 0 dst left
LMPOP 1 dst left count 0
LMPOP 3 a b left
LMPOP 1 dst middle
LMPOP 1 dst left count 1 count 1
LMPOP 1 s left
LMPOP x dst left
RPUSH e a
TYPE e
LPOP e
TYPE e
RPUSH big 1 2 3
COPY big big2
LRANGE big2 0 -1
RENAME big2 big3
LRANGE big3 0 -1
LPUSH s2
LPOS
FLUSHALL
RPUSH l a b a c a d a
LPOS l a rank -2 count 2
LPOS l a rank 2 count 0 maxlen 5
LPOS l a rank -1 maxlen 2
LPOS l a rank 10
LPOS l a rank 10 count 1
LPOS l a count 0 rank -1
LPOS l a rank 9223372036854775807
LRANGE l 0 9223372036854775807
LRANGE l -9223372036854775808 1
LINDEX l 9223372036854775807
LINDEX l -9223372036854775808
LREM l -2 a
LRANGE l 0 -1
LREM l 2 a
LRANGE l 0 -1
RPUSH r x
RPOPLPUSH r r
LMOVE r r left right
LRANGE r 0 -1
RPUSH r y z
LMOVE r r right left
LRANGE r 0 -1
LMOVE r r left right
LRANGE r 0 -1
LPUSH l
LINSERT r before z Z
LINSERT r after z Z2
LINSERT r before x X
LRANGE r 0 -1
LSET r 2 mid
LRANGE r 0 -1
LTRIM r 1 1
LRANGE r 0 -1
LTRIM r 0 -1
LREM r 0 nope
SET str v
LPOS str a
LLEN str
LRANGE str 0 1
LINDEX str 0
LTRIM str 0 1
LREM str 0 a
LSET str 0 a
LINSERT str before a b
LMOVE str r left left
LMOVE r str left left
LMPOP 1 str left
RPUSHX str a
LPOP str
LPOP str 0
RPOP str 1
RPUSH n 1 2 3 4 5 6 7 8 9 10
LREM n 0 5
LINSERT n before 1 0
LINSERT n after 10 11
LINSERT n after 6 6.5
LRANGE n 0 -1
LPOP n 100
EXISTS n
` +
  // Sets (issue 10): set commands on intsets (7.0 and 7.2 agree on those), SSCAN, SORT.
  `
SADD set:a 3 1 2
SADD set:a 2 4
SMEMBERS set:a
OBJECT ENCODING set:a
SCARD set:a
SCARD set:nokey
SISMEMBER set:a 1
SISMEMBER set:a 9
SISMEMBER set:nokey 1
SMISMEMBER set:a 1 9 2
SMISMEMBER set:nokey 1
SMISMEMBER set:a
SREM set:a 1 9 1
SMEMBERS set:a
SADD set:a -5 10 100
SMEMBERS set:a
SET set:str v
SADD set:str a
SREM set:str a
SMEMBERS set:str
SCARD set:str
SISMEMBER set:str a
SADD set:b 3 4 5 6
SINTER set:a set:b
SINTER set:a set:b set:nokey
SINTER set:a set:str
SINTER set:nokey set:str
SUNION set:a set:b
SUNION set:a set:nokey
SDIFF set:a set:b
SDIFF set:b set:a
SDIFF set:nokey set:a
SINTERSTORE set:d set:a set:b
SMEMBERS set:d
OBJECT ENCODING set:d
SUNIONSTORE set:d set:a set:b
SMEMBERS set:d
SDIFFSTORE set:d set:a set:b
SMEMBERS set:d
SINTERSTORE set:d set:a set:nokey
EXISTS set:d
SINTERCARD 2 set:a set:b
SINTERCARD 2 set:a set:b LIMIT 1
SINTERCARD 2 set:a set:b LIMIT 0
SINTERCARD 0 set:a
SINTERCARD x set:a
SINTERCARD 3 set:a
SINTERCARD 1 set:a LIMIT -1
SINTERCARD 1 set:a LIMIT x
SINTERCARD 1 set:a FOO
SINTERCARD 1 set:a LIMIT
SINTERCARD 1 set:str
SMOVE set:a set:b 4
SMOVE set:a set:b 99
SMOVE set:nokey set:b 4
SMOVE set:a set:a 3
SMOVE set:a set:a 99
SMOVE set:a set:str 3
SMOVE set:nokey set:str 3
SMOVE set:a set:new 3
SMEMBERS set:new
SMEMBERS set:a
SPOP set:nokey
SPOP set:nokey 2
SPOP set:a 0
SPOP set:a -1
SPOP set:a x
SPOP set:a 1 2
SPOP set:str
SRANDMEMBER set:nokey
SRANDMEMBER set:nokey 3
SRANDMEMBER set:a 0
SRANDMEMBER set:a x
SRANDMEMBER set:a -9223372036854775808
SRANDMEMBER set:a 1 2
SRANDMEMBER set:new
SRANDMEMBER set:new -3
SRANDMEMBER set:a 50
SPOP set:new
EXISTS set:new
SADD
SADD set:a
SREM set:a
SINTERSTORE set:d
SMOVE set:a set:b
SSCAN set:a 0
SSCAN set:a 0 MATCH 1*
SSCAN set:nokey 0 COUNT 0
SSCAN set:a x
SSCAN set:a 0 COUNT 0
SSCAN set:a 0 FOO
SSCAN set:str 0
HSCAN set:str 0
ZSCAN set:str 0
ZSCAN set:nokey 0
SADD set:s 3 1 2 10
SORT set:s
SORT set:s DESC
SORT set:s LIMIT 1 2
SORT set:s LIMIT -1 2
SORT set:s LIMIT 2 -1
SORT set:s LIMIT 10 2
SORT set:s LIMIT x 2
SORT set:s LIMIT 1
SORT set:s ALPHA
SORT set:s ALPHA DESC LIMIT 0 2
MSET set:w_1 30 set:w_2 20 set:w_3 10
SORT set:s BY set:w_*
SORT set:s BY set:w_* DESC
SORT set:s BY set:w_* ALPHA
SORT set:s BY nosort GET #
SORT set:s BY set:w_* GET # GET set:w_*
SORT set:s GET set:w_* GET set:nokey
HSET set:h_1 f 5
HSET set:h_2 f 1
SORT set:s BY set:h_*->f GET set:h_*->f GET #
SORT set:s BY set:h_*->f GET set:h_*->
SORT set:s FOO
SORT set:s STORE set:dst
TYPE set:dst
SORT set:s BY set:w_* STORE set:dst2
SORT_RO set:s STORE set:dst
SORT_RO set:s BY set:w_* DESC
SORT set:nokey
SORT set:nokey STORE set:dst3
EXISTS set:dst3
SORT set:str
SADD set:x x y z
SORT set:x
SORT set:x ALPHA
SORT set:x ALPHA DESC
SORT
SORT set:s GET
SORT set:s BY
SET set:c_1 abc
SORT set:s BY set:c_*
SORT set:s BY set:c_* ALPHA
SREM set:b 3 4 5 6
EXISTS set:b
FLUSHALL
SETBIT bm 7 1
SETBIT bm 7 1
SETBIT bm 7 0
SETBIT bm 100 1
GET bm
STRLEN bm
GETBIT bm 100
GETBIT bm 101
GETBIT bm 100000
GETBIT nokey 0
SETBIT bm -1 1
SETBIT bm abc 1
SETBIT bm 4294967296 1
SETBIT bm 0 2
SETBIT bm 0 -1
SETBIT bm 0 x
SETBIT bm 4294967295 x
GETBIT bm -1
GETBIT bm 4294967296
SET s foobar
BITCOUNT s
BITCOUNT s 0 0
BITCOUNT s 1 1
BITCOUNT s 1 1 BYTE
BITCOUNT s 5 30 BIT
BITCOUNT s -1 -1
BITCOUNT s -2 -1 BIT
BITCOUNT s 0 -1 BIT
BITCOUNT s 3 1
BITCOUNT s -1 -3
BITCOUNT s 0 100
BITCOUNT s 0 1 FOO
BITCOUNT s 0
BITCOUNT s a b
BITCOUNT s 1 2 BIT
BITCOUNT s 7 7 BIT
BITCOUNT s 9 14 BIT
BITCOUNT nokey
SETBIT z2 0 1
BITPOS s 1
BITPOS s 0
BITPOS ones 0
BITPOS ones 1
BITPOS ones 0 0
BITPOS ones 0 0 -1
BITPOS ones 0 1 2 BIT
BITPOS ones 0 0 -1 BIT
BITPOS s 1 2
BITPOS s 1 2 -1
BITPOS s 1 7 15 BIT
BITPOS s 0 7 15 BIT
BITPOS s 1 -1 -1 BIT
BITPOS s 0 -1
BITPOS s 2
BITPOS s 1 0 1 BYTE
BITPOS s 1 0 1 FOO
BITPOS s 1 2 1
BITPOS s 1 a
BITPOS nokey 1
BITPOS nokey 0
BITPOS s 1 100
BITPOS s 1 -100
BITPOS s 0 3 3 BIT
BITPOS s 0 10 20 BIT
BITPOS s 1 10 20 BIT
SET e \s
SETRANGE e 0 \s
SET a1 abc
BITOP AND dest a1 a2
GET dest
BITOP OR dest a1 a2
GET dest
BITOP XOR dest a1 a2 nokey
GET dest
BITOP NOT dest a1
GET dest
BITOP NOT dest a1 a2
BITOP FOO dest a1
BITOP AND dest nokey nokey2
EXISTS dest
HSET h f v
BITOP AND dest h
BITOP AND h a1
TYPE h
GET h
SET dest x EX 100
BITOP OR dest a1
TTL dest
BITCOUNT h
SETBIT h 0 1
GETBIT h 0
BITPOS h 1
BITFIELD bf SET i8 0 100
BITFIELD bf GET i8 0 GET u8 0 GET u4 0 GET i4 4
BITFIELD bf INCRBY i8 0 100
BITFIELD bf OVERFLOW SAT INCRBY i8 0 100
BITFIELD bf OVERFLOW FAIL INCRBY i8 0 100
BITFIELD bf OVERFLOW WRAP INCRBY i8 0 100
BITFIELD bf SET u8 #1 255 GET u8 #1 INCRBY u8 #1 10
BITFIELD bf OVERFLOW SAT SET u8 8 -1 GET u8 8
BITFIELD bf OVERFLOW WRAP SET u8 8 -1 GET u8 8
BITFIELD bf OVERFLOW FAIL SET u8 8 -1 GET u8 8
BITFIELD bf OVERFLOW SAT SET i8 8 -1000 GET i8 8
BITFIELD bf SET i64 0 -1 GET i64 0 GET u63 0 GET u63 1
BITFIELD bf INCRBY i64 0 1
BITFIELD bf SET i64 0 9223372036854775807 INCRBY i64 0 1
BITFIELD bf OVERFLOW SAT INCRBY i64 0 9223372036854775807
BITFIELD bf OVERFLOW SAT INCRBY i64 0 -9223372036854775808
BITFIELD bf OVERFLOW SAT INCRBY i64 0 -9223372036854775808
BITFIELD bf SET u63 3 9223372036854775807 GET u63 3 INCRBY u63 3 1
BITFIELD bf GET u64 0
BITFIELD bf GET i65 0
BITFIELD bf GET i0 0
BITFIELD bf GET I8 0
BITFIELD bf GET x8 0
BITFIELD bf GET i8 -1
BITFIELD bf GET i8 #-1
BITFIELD bf GET i8 #a
BITFIELD bf SET i8 0 x
BITFIELD bf SET i8 0
BITFIELD bf OVERFLOW FOO GET i8 0
BITFIELD bf OVERFLOW
BITFIELD bf FOO
BITFIELD bf get i8 0 set i8 0 1 incrby i8 0 1 overflow sat
BITFIELD bf
BITFIELD nokey GET i8 0
EXISTS nokey
BITFIELD newk OVERFLOW FAIL INCRBY u2 100 7
EXISTS newk
GET newk
BITFIELD_RO bf GET i8 0 GET u16 4
BITFIELD_RO bf SET i8 0 1
BITFIELD_RO bf
BITFIELD h GET i8 0
BITFIELD h SET i8 0 1
BITFIELD_RO h GET i8 0
BITFIELD bf GET i8 4294967296
BITFIELD bf GET i8 4294967288
BITFIELD bf GET u8 #536870911
BITFIELD bf GET u8 #536870912
BITFIELD bf SET u1 0 2 SET u1 1 -1 SET i1 2 1 SET i1 3 -1 SET i1 4 -2 GET u8 0
BITFIELD bf OVERFLOW SAT SET i1 2 1 SET i1 3 -2 SET u1 4 5
GET bf
OBJECT ENCODING bf
SET n 5
SETBIT n 0 0
OBJECT ENCODING n
FLUSHALL
PFADD h a b c
PFADD h a
PFCOUNT h
GET h
PFADD h
PFADD new
GET new
PFCOUNT new
PFCOUNT nokey
PFCOUNT nokey nokey2
SET s foo
PFADD s a
PFCOUNT s
PFCOUNT h s
PFMERGE s h
HSET hh f v
PFADD hh a
PFCOUNT hh
SET n 123456789012345678
PFADD n a
PFMERGE m3
GET m3
PFMERGE m4 nokey
EXISTS m4
OBJECT ENCODING h
SET x HYLLxxxxxxxxxxxxxxxxxxx
PFADD x a
APPEND h z
PFCOUNT h
PFADD ttl a
EXPIRE ttl 100
PFADD ttl b
TTL ttl
FLUSHALL
CONFIG SET hash-max-ziplist-value 128
CONFIG GET hash-max-listpack-value
CONFIG GET hash-max-ziplist-value
CONFIG SET hash-max-listpack-value 64
CONFIG SET list-compress-depth -1
CONFIG SET set-max-intset-entries -1
CONFIG SET list-max-listpack-size -9999999999
CONFIG SET hash-max-listpack-value abc
CONFIG SET hash-max-listpack-entries abc
CONFIG SET hash-max-listpack-value 1kb
CONFIG GET hash-max-listpack-value
CONFIG SET hash-max-listpack-value 64
CONFIG SET stream-node-max-entries -1
CONFIG SET stream-node-max-bytes 1x
CONFIG SET hll-sparse-max-bytes 007
CONFIG GET hll-sparse-max-bytes
CONFIG SET hll-sparse-max-bytes 3000
CONFIG SET hash-max-listpack-entries 007
CONFIG SET zset-max-ziplist-entries 64
CONFIG GET zset-max-listpack-entries
CONFIG SET zset-max-listpack-entries 128
CONFIG SET list-max-ziplist-size 5
CONFIG GET list-max-listpack-size
CONFIG SET list-max-ziplist-size -2
CONFIG SET stream-node-max-entries 50
CONFIG GET stream-node-max-entries
CONFIG SET stream-node-max-entries 100
CONFIG SET stream-node-max-bytes 4kb
CONFIG GET stream-node-max-bytes
CONFIG SET stream-node-max-bytes 4096
CONFIG SET set-max-intset-entries 9223372036854775808
CONFIG SET set-max-intset-entries 9223372036854775807
CONFIG GET set-max-intset-entries
CONFIG SET set-max-intset-entries 512
CONFIG SET hash-max-listpack-entries 1
HSET smallh a 1
OBJECT ENCODING smallh
HSET smallh b 2
OBJECT ENCODING smallh
CONFIG SET hash-max-listpack-entries 512
CONFIG SET hash-max-listpack-value 2
HSET smallh2 a 123
OBJECT ENCODING smallh2
HSET smallh3 abc 1
OBJECT ENCODING smallh3
HSET smallh4 ab 12
OBJECT ENCODING smallh4
CONFIG SET hash-max-listpack-value 64
` +
  hllBulk() +
  `
# sorted sets
ZADD z 1 a 2 b 3 c
ZADD z 1 a 2 b 3 c
ZADD z CH 1 a 5 b 3 c
ZADD z NX XX 1 a
ZADD z GT LT 1 a
ZADD z NX GT 1 a
ZADD z INCR 1 a 2 b
ZADD z 1
ZADD z abc a
ZADD z nan a
ZADD z 1e400 a
ZADD z XX 10 newm
ZADD z GT 0 a
ZADD z GT CH 9 a
ZADD z LT CH 9 a
ZADD z INCR 1.5 a
ZADD z NX INCR 1 a
ZADD z INCR inf inf1
ZADD z INCR -inf inf1
ZADD z -inf ninf
ZADD z 2.5 d 2.5 e 2.5 dd
ZINCRBY z 2 c
ZINCRBY z x c
ZINCRBY nz 4 m
ZSCORE z a
ZSCORE z nope
ZSCORE nz a
ZMSCORE z a nope b
ZMSCORE nz a b
ZCARD z
ZCARD nz
ZRANGE z 0 -1
ZRANGE z 0 -1 WITHSCORES
ZRANGE z -3 -1 WITHSCORES
ZRANGE z 2 1
ZRANGE z 100 200
ZRANGE z 0 1 REV WITHSCORES
ZRANGE z 0 1 LIMIT 0 1
ZRANGE z 0 a
ZRANGE z 0 1 BOGUS
ZRANGE z (1 5 BYSCORE
ZRANGE z 5 (1 BYSCORE REV WITHSCORES
ZRANGE z -inf +inf BYSCORE LIMIT 1 2
ZRANGE z -inf +inf BYSCORE LIMIT -1 2
ZRANGE z -inf +inf BYSCORE LIMIT 2 -1
ZRANGE z [a [z BYLEX WITHSCORES
ZRANGE z a z BYLEX
ZRANGE z x y BYSCORE
ZRANGEBYSCORE z 1 3
ZRANGEBYSCORE z (1 (3 WITHSCORES
ZRANGEBYSCORE z 3 1
ZRANGEBYSCORE z -inf inf WITHSCORES LIMIT 0 3
ZRANGEBYSCORE z 1 2 LIMIT 0
ZRANGEBYSCORE z 1 2 REV
ZRANGEBYSCORE z ( (
ZREVRANGEBYSCORE z +inf -inf
ZREVRANGEBYSCORE z 3 (1 WITHSCORES LIMIT 1 1
ZREVRANGE z 0 2 WITHSCORES
ZREVRANGE z -1 -1
ZRANGESTORE dst z 0 1
ZRANGE dst 0 -1 WITHSCORES
ZRANGESTORE dst z 5 1 BYSCORE REV LIMIT 0 2
ZRANGE dst 0 -1 WITHSCORES
ZRANGESTORE dst z 0 1 WITHSCORES
ZRANGESTORE dst nz 0 -1
EXISTS dst
ZRANK z a
ZRANK z nope
ZREVRANK z a
ZRANK nz a
ZCOUNT z -inf +inf
ZCOUNT z (1 3
ZCOUNT z a b
ZCOUNT nz 0 1
ZADD lex 0 a 0 b 0 c 0 d 0 e 0 f
ZRANGEBYLEX lex - +
ZRANGEBYLEX lex [b (e
ZRANGEBYLEX lex (b [e LIMIT 1 2
ZRANGEBYLEX lex [e [b
ZRANGEBYLEX lex b e
ZRANGEBYLEX lex + -
ZRANGEBYLEX lex - + WITHSCORES
ZREVRANGEBYLEX lex + -
ZREVRANGEBYLEX lex [e (b
ZLEXCOUNT lex - +
ZLEXCOUNT lex (a [c
ZLEXCOUNT lex a c
ZREMRANGEBYLEX lex [a (c
ZRANGE lex 0 -1
ZREMRANGEBYRANK lex 0 0
ZREMRANGEBYRANK lex -2 -1
ZRANGE lex 0 -1
ZREMRANGEBYRANK lex 0 -1
EXISTS lex
ZREMRANGEBYSCORE z -inf (2
ZREMRANGEBYSCORE z x 1
ZREMRANGEBYLEX z x y
ZREMRANGEBYRANK z a 1
ZRANGE z 0 -1 WITHSCORES
ZPOPMIN z
ZPOPMAX z
ZPOPMIN z 2
ZPOPMAX z 0
ZPOPMIN z -1
ZPOPMIN z 1 2
ZPOPMIN nz
ZPOPMIN nz 3
ZADD p 1 a 2 b 3 c
ZMPOP 1 p MIN
ZMPOP 2 nz p MAX COUNT 5
ZMPOP 1 p MIN
ZMPOP 0 p MIN
ZMPOP 1 p LEFT
ZMPOP 1 p MIN COUNT 0
ZMPOP 2 p
EXISTS p
ZREM z nope
ZREM nz a
ZADD s1 1 a 2 b 3 c
ZADD s2 10 b 20 c 30 d
ZUNION 2 s1 s2
ZUNION 2 s1 s2 WITHSCORES
ZUNION 2 s1 s2 WEIGHTS 2 0.5 WITHSCORES
ZUNION 2 s1 s2 AGGREGATE MAX WITHSCORES
ZUNION 2 s1 s2 AGGREGATE MIN WITHSCORES
ZUNION 2 s1 s2 AGGREGATE AVG
ZUNION 2 s1 s2 WEIGHTS 1 x
ZUNION 0 s1
ZUNION 3 s1 s2
ZINTER 2 s1 s2 WITHSCORES
ZINTER 2 s1 nz
ZINTER 2 s1 s2 WEIGHTS 1 -1 AGGREGATE SUM WITHSCORES
ZDIFF 2 s1 s2 WITHSCORES
ZDIFF 1 s1
ZDIFF 2 s1 s2 WEIGHTS 1 1
ZUNIONSTORE out 2 s1 s2
ZRANGE out 0 -1 WITHSCORES
ZINTERSTORE out 2 s1 s2 AGGREGATE MAX
ZRANGE out 0 -1 WITHSCORES
ZDIFFSTORE out 2 s1 s2
ZRANGE out 0 -1 WITHSCORES
ZINTERSTORE out 2 s1 nz
EXISTS out
ZINTERCARD 2 s1 s2
ZINTERCARD 2 s1 s2 LIMIT 1
ZINTERCARD 2 s1 s2 LIMIT -1
ZINTERCARD 0 s1
SET str v
ZADD str 1 a
ZRANGE str 0 -1
ZUNION 2 s1 str
ZSCORE str a
OBJECT ENCODING s1
ZADD big 1 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
OBJECT ENCODING big
TYPE s1
ZADD wide 0.5 a 1e20 b -2.25 c 123456789 d
ZRANGE wide 0 -1 WITHSCORES
ZADD sp 1 a
ZRANGEBYSCORE sp \s1 1
ZADD sp 0x10 b
ZADD sp 1e-400 c
ZSCORE sp b
# geo
GEOADD Sicily 13.361389 38.115556 Palermo 15.087269 37.502669 Catania
GEOADD Sicily 13.361389 38.115556 Palermo
GEOADD Sicily CH 13.361389 38.2 Palermo
GEOADD Sicily 13.361389 38.115556 Palermo
GEOADD Sicily NX XX 1 2 m
GEOADD Sicily 200 100 bad
GEOADD Sicily 1 2
GEOADD Sicily x 2 m
GEOADD Sicily 12.758489 38.788135 edge1 17.241510 38.788135 edge2
GEODIST Sicily Palermo Catania
GEODIST Sicily Palermo Catania km
GEODIST Sicily Palermo Catania mi
GEODIST Sicily Palermo Catania ft
GEODIST Sicily Palermo Catania parsec
GEODIST Sicily Palermo nope
GEODIST nokey a b
GEODIST Sicily Palermo Catania km extra
GEOPOS Sicily Palermo Catania NonExisting
GEOPOS nokey a
GEOHASH Sicily Palermo Catania nope
GEOHASH nokey a
GEORADIUS Sicily 15 37 200 km WITHDIST ASC
GEORADIUS Sicily 15 37 200 km WITHCOORD WITHDIST WITHHASH ASC
GEORADIUS Sicily 15 37 200 km COUNT 1 DESC
GEORADIUS Sicily 15 37 200 km COUNT 0
GEORADIUS Sicily 15 37 200 km ANY
GEORADIUS Sicily 15 37 -1 km
GEORADIUS Sicily 15 37 x km
GEORADIUS Sicily 15 37 200 lightyears
GEORADIUS Sicily 15 37 200 km BOGUS
GEORADIUS Sicily 15 37 200 km STORE dst WITHDIST
GEORADIUS Sicily 15 37 200 km ASC STORE dst
ZRANGE dst 0 -1 WITHSCORES
GEORADIUS Sicily 15 37 200 km ASC STOREDIST dst
ZRANGE dst 0 -1
GEORADIUS_RO Sicily 15 37 200 km ASC STORE dst
GEORADIUS_RO Sicily 15 37 200 km WITHDIST ASC
GEORADIUSBYMEMBER Sicily Palermo 300 km WITHDIST ASC
GEORADIUSBYMEMBER Sicily nope 300 km
GEORADIUSBYMEMBER nokey nope 300 km
GEORADIUSBYMEMBER_RO Sicily Palermo 100 km DESC
GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km ASC WITHDIST WITHCOORD
GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 400 400 km ASC WITHCOORD WITHDIST
GEOSEARCH Sicily FROMMEMBER Palermo BYBOX 400 400 km DESC
GEOSEARCH Sicily FROMMEMBER Palermo BYRADIUS 10 km ASC
GEOSEARCH Sicily FROMMEMBER Palermo FROMLONLAT 1 2 BYRADIUS 10 km
GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 10 km BYBOX 1 1 km
GEOSEARCH Sicily BYRADIUS 10 km ASC
GEOSEARCH Sicily FROMLONLAT 15 37 ASC
GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX -1 1 km
GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km STORE dst
GEOSEARCH nokey FROMMEMBER x BYRADIUS 10 km
GEOSEARCHSTORE dst Sicily FROMLONLAT 15 37 BYBOX 400 400 km ASC COUNT 3
ZRANGE dst 0 -1 WITHSCORES
GEOSEARCHSTORE dst Sicily FROMLONLAT 15 37 BYBOX 400 400 km ASC COUNT 3 STOREDIST
ZRANGE dst 0 -1
GEOSEARCHSTORE dst Sicily FROMLONLAT 15 37 BYBOX 400 400 km WITHDIST
GEOSEARCHSTORE dst nokey FROMLONLAT 15 37 BYBOX 400 400 km
EXISTS dst
GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km ANY COUNT 1 WITHHASH
GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km ANY
ZADD notgeo 1 a
GEOPOS notgeo a
GEOADD str 1 2 m
ZADD q GT 5 a LT 6 b
ZADD q GT CH 1 a 7 b 1 c
ZADD q XX GT CH 9 a 0 c 3 zz
ZADD q NX CH 100 a 4 d
ZRANGE q 0 -1 WITHSCORES
ZADD q INCR XX 1 zz
ZADD q INCR GT -1 a
ZADD q INCR LT -1 a
ZADD q 0 -0z -0 -0m
ZRANGEBYSCORE q 0 0
ZRANGEBYSCORE q (0 1
ZRANGEBYSCORE q -1 (0
ZCOUNT q -0 0
ZADD lq 0 a 0 b 0 c 0 d 0 e
ZRANGESTORE lx lq [a [d BYLEX
ZRANGESTORE lx lq [d [a BYLEX REV LIMIT 0 2
ZRANGE lx 0 -1
ZRANGE lq (c - BYLEX REV
ZRANGE q +inf -inf BYSCORE REV LIMIT 1 2 WITHSCORES
ZRANGE q 0 -1 REV REV
ZRANGE q 0 -1 BYSCORE BYLEX
ZRANGEBYSCORE q 0 10 LIMIT 1
ZRANDMEMBER nz
ZRANDMEMBER nz 5
ZRANDMEMBER nz -5 WITHSCORES
ZRANDMEMBER q 0
ZRANDMEMBER q x
ZRANDMEMBER q 1 WITHSCORE
ZRANDMEMBER q -9223372036854775808
ZRANDMEMBER q 9223372036854775807 WITHSCORES
ZRANDMEMBER q 100 WITHSCORES
ZMPOP 1 q MIN COUNT
ZMPOP 1 q MIN COUNT 1 COUNT 1
ZMPOP 1 q MAX COUNT 2
ZMPOP x q MIN
ZINTERCARD 1 str
ZINTERCARD 2 q nz
ZINTERCARD 1 q LIMIT x
ZINTERCARD 1 q WEIGHTS 1
ZUNION 1 q WITHSCORES WITHSCORES
ZUNIONSTORE out 1 q WITHSCORES
ZUNIONSTORE out 0 q
ZDIFFSTORE out 2 nz q
ZINTER 1 q AGGREGATE
ZREMRANGEBYRANK q 10 1
ZREMRANGEBYRANK nz 0 -1
ZREMRANGEBYSCORE q (0 (0
ZREMRANGEBYLEX q - +
EXISTS q
ZPOPMAX nz 0
ZPOPMIN str 0
ZRANK q
ZRANK q a b c
ZRANGEBYLEX q [a
ZLEXCOUNT q [a (
ZSCORE q
`;

/**
 * HyperLogLog with many elements (generated, too long to list): sparse runs split and merged,
 * the promotion to dense, cached counts, unions and merges; GET compares the HLL bytes.
 */
function hllBulk(): string {
  const lines = ["FLUSHALL"];
  const ranges: [string, number, number][] = [["h1", 0, 100], ["h2", 50, 2000], ["h3", 0, 6000]];
  for (const [key, from, to] of ranges) {
    for (let i = from; i < to; i += 100) {
      const chunk = Array.from({ length: Math.min(100, to - i) }, (_, j) => `e${i + j}`);
      lines.push(`PFADD ${key} ${chunk.join(" ")}`);
    }
    lines.push(`PFCOUNT ${key}`, `GET ${key}`, `PFCOUNT ${key}`, `GET ${key}`);
  }
  lines.push(
    "PFCOUNT h1 h2",
    "PFCOUNT h1 h2 h3 nokey",
    "GET h1",
    "PFMERGE m h1 h2",
    "GET m",
    "PFCOUNT m",
    "PFMERGE m2 h1 h3",
    "GET m2",
    "PFCOUNT m2",
    "PFMERGE h1",
    "GET h1",
    "PFMERGE h2 h1 h3",
    "PFCOUNT h2",
    "GET h2",
    "PFADD h2 zz",
  );
  return lines.join("\n") + "\n";
}

/** Send one command and return the exact bytes of its reply. */
async function call(client: RawClient, args: string[]): Promise<string> {
  await client.send(command(...args));
  const bytes = await client.readUntil((buf) => decodeReply(buf)?.used ?? 0);
  return new TextDecoder("latin1").decode(bytes);
}

Deno.test({
  name: "data commands reply byte for byte as redis-server does, under RESP2 and RESP3",
  ignore: !(await hasRedisServer),
  async fn() {
    await using redis = await startRedisServer({ durable: false });
    await using s = await startTestServer({ protocols: ["redis"] });
    const reference = await RawClient.connect(redis.port);
    const ours = await RawClient.connect(s.ports.redis);
    try {
      const lines = COMMANDS.split("\n").filter((l) => l.length > 0 && !l.startsWith("#"));
      for (const protocol of ["2", "3"]) {
        for (const client of [reference, ours]) {
          await call(client, ["HELLO", protocol]);
          await call(client, ["FLUSHALL"]);
        }
        const mismatches: string[] = [];
        for (const line of lines) {
          const args = line.split(" ").map((a) => a.replaceAll("\\s", " ").replaceAll("\\0", "\0"));
          const [want, got] = [await call(reference, args), await call(ours, args)];
          if (want !== got) {
            mismatches.push(
              `${line}: redis ${JSON.stringify(want)}, basekv ${JSON.stringify(got)}`,
            );
          }
        }
        assertEquals(mismatches, [], `RESP${protocol}`);
      }
    } finally {
      reference.close();
      ours.close();
    }
  },
});

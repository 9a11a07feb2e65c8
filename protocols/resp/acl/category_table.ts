/**
 * Redis 7's ACL categories and the commands in each (from `ACL CAT <category>` of redis-server
 * 7.0.15, subcommands as "container|sub"): what `+@category` grants, ACL CAT lists and COMMAND INFO
 * reports. Commands newer than that table get categories derived from their flags.
 * @module
 */

/** Every category, in ACL CAT's order. */
export const CATEGORIES: readonly string[] = [
  "keyspace",
  "read",
  "write",
  "set",
  "sortedset",
  "list",
  "hash",
  "string",
  "bitmap",
  "hyperloglog",
  "geo",
  "stream",
  "pubsub",
  "admin",
  "fast",
  "slow",
  "blocking",
  "dangerous",
  "connection",
  "transaction",
  "scripting",
];

/** The commands of each category, space-separated. */
const MEMBERS: Readonly<Record<string, string>> = {
  keyspace:
    "copy dbsize del dump exists expire expireat expiretime flushall flushdb keys migrate " +
    "move object|encoding object|freq object|help object|idletime object|refcount persist " +
    "pexpire pexpireat pexpiretime pttl randomkey rename renamenx restore restore-asking scan " +
    "swapdb touch ttl type unlink",
  read: "bitcount bitfield_ro bitpos dbsize dump exists expiretime geodist geohash geopos " +
    "georadius_ro georadiusbymember_ro geosearch get getbit getrange hexists hget hgetall " +
    "hkeys hlen hmget hrandfield hscan hstrlen hvals keys lcs lindex llen lolwut lpos lrange " +
    "memory|usage mget object|encoding object|freq object|idletime object|refcount " +
    "pexpiretime pfcount pttl randomkey scan scard sdiff sinter sintercard sismember smembers " +
    "smismember sort_ro srandmember sscan strlen substr sunion touch ttl type xinfo|consumers " +
    "xinfo|groups xinfo|stream xlen xpending xrange xread xrevrange zcard zcount zdiff zinter " +
    "zintercard zlexcount zmscore zrandmember zrange zrangebylex zrangebyscore zrank " +
    "zrevrange zrevrangebylex zrevrangebyscore zrevrank zscan zscore zunion",
  write:
    "append bitfield bitop blmove blmpop blpop brpop brpoplpush bzmpop bzpopmax bzpopmin copy " +
    "decr decrby del expire expireat flushall flushdb function|delete function|flush " +
    "function|load function|restore geoadd georadius georadiusbymember geosearchstore getdel " +
    "getex getset hdel hincrby hincrbyfloat hmset hset hsetnx incr incrby incrbyfloat linsert " +
    "lmove lmpop lpop lpush lpushx lrem lset ltrim migrate move mset msetnx persist pexpire " +
    "pexpireat pfadd pfdebug pfmerge psetex rename renamenx restore restore-asking rpop " +
    "rpoplpush rpush rpushx sadd sdiffstore set setbit setex setnx setrange sinterstore smove " +
    "sort spop srem sunionstore swapdb unlink xack xadd xautoclaim xclaim xdel xgroup|create " +
    "xgroup|createconsumer xgroup|delconsumer xgroup|destroy xgroup|setid xreadgroup xsetid " +
    "xtrim zadd zdiffstore zincrby zinterstore zmpop zpopmax zpopmin zrangestore zrem " +
    "zremrangebylex zremrangebyrank zremrangebyscore zunionstore",
  set: "sadd scard sdiff sdiffstore sinter sintercard sinterstore sismember smembers smismember " +
    "smove sort sort_ro spop srandmember srem sscan sunion sunionstore",
  sortedset:
    "bzmpop bzpopmax bzpopmin sort sort_ro zadd zcard zcount zdiff zdiffstore zincrby zinter " +
    "zintercard zinterstore zlexcount zmpop zmscore zpopmax zpopmin zrandmember zrange " +
    "zrangebylex zrangebyscore zrangestore zrank zrem zremrangebylex zremrangebyrank " +
    "zremrangebyscore zrevrange zrevrangebylex zrevrangebyscore zrevrank zscan zscore zunion " +
    "zunionstore",
  list: "blmove blmpop blpop brpop brpoplpush lindex linsert llen lmove lmpop lpop lpos lpush " +
    "lpushx lrange lrem lset ltrim rpop rpoplpush rpush rpushx sort sort_ro",
  hash: "hdel hexists hget hgetall hincrby hincrbyfloat hkeys hlen hmget hmset hrandfield hscan " +
    "hset hsetnx hstrlen hvals",
  string: "append decr decrby get getdel getex getrange getset incr incrby incrbyfloat lcs mget " +
    "mset msetnx psetex set setex setnx setrange strlen substr",
  bitmap: "bitcount bitfield bitfield_ro bitop bitpos getbit setbit",
  hyperloglog: "pfadd pfcount pfdebug pfmerge pfselftest",
  geo: "geoadd geodist geohash geopos georadius georadius_ro georadiusbymember " +
    "georadiusbymember_ro geosearch geosearchstore",
  stream:
    "xack xadd xautoclaim xclaim xdel xgroup|create xgroup|createconsumer xgroup|delconsumer " +
    "xgroup|destroy xgroup|help xgroup|setid xinfo|consumers xinfo|groups xinfo|help " +
    "xinfo|stream xlen xpending xrange xread xreadgroup xrevrange xsetid xtrim",
  pubsub: "psubscribe publish pubsub|channels pubsub|numpat pubsub|numsub pubsub|shardchannels " +
    "pubsub|shardnumsub punsubscribe spublish ssubscribe subscribe sunsubscribe unsubscribe",
  admin: "acl|deluser acl|dryrun acl|getuser acl|list acl|load acl|log acl|save acl|setuser " +
    "acl|users bgrewriteaof bgsave client|kill client|list client|no-evict client|pause " +
    "client|unblock client|unpause cluster|addslots cluster|addslotsrange cluster|bumpepoch " +
    "cluster|count-failure-reports cluster|delslots cluster|delslotsrange cluster|failover " +
    "cluster|flushslots cluster|forget cluster|meet cluster|replicas cluster|replicate " +
    "cluster|reset cluster|saveconfig cluster|set-config-epoch cluster|setslot cluster|slaves " +
    "config|get config|resetstat config|rewrite config|set debug failover lastsave " +
    "latency|doctor latency|graph latency|histogram latency|history latency|latest " +
    "latency|reset module|list module|load module|loadex module|unload monitor pfdebug " +
    "pfselftest psync replconf replicaof role save shutdown slaveof slowlog|get slowlog|len " +
    "slowlog|reset sync",
  fast: "append asking auth bitfield_ro bzpopmax bzpopmin dbsize decr decrby discard echo exists " +
    "expire expireat expiretime get getbit getdel getex getset hdel hello hexists hget " +
    "hincrby hincrbyfloat hlen hmget hmset hset hsetnx hstrlen incr incrby incrbyfloat " +
    "lastsave llen lolwut lpop lpush lpushx mget move multi persist pexpire pexpireat " +
    "pexpiretime pfadd ping pttl publish quit readonly readwrite renamenx reset role rpop " +
    "rpush rpushx sadd scard select setnx sismember smismember smove spop spublish srem " +
    "strlen swapdb time touch ttl type unlink unwatch watch xack xadd xautoclaim xclaim xdel " +
    "xlen xsetid zadd zcard zcount zincrby zlexcount zmscore zpopmax zpopmin zrank zrem " +
    "zrevrank zscore",
  slow: "acl acl|cat acl|deluser acl|dryrun acl|genpass acl|getuser acl|help acl|list acl|load " +
    "acl|log acl|save acl|setuser acl|users acl|whoami bgrewriteaof bgsave bitcount bitfield " +
    "bitop bitpos blmove blmpop blpop brpop brpoplpush bzmpop client client|caching " +
    "client|getname client|getredir client|help client|id client|info client|kill client|list " +
    "client|no-evict client|pause client|reply client|setname client|tracking " +
    "client|trackinginfo client|unblock client|unpause cluster cluster|addslots " +
    "cluster|addslotsrange cluster|bumpepoch cluster|count-failure-reports " +
    "cluster|countkeysinslot cluster|delslots cluster|delslotsrange cluster|failover " +
    "cluster|flushslots cluster|forget cluster|getkeysinslot cluster|help cluster|info " +
    "cluster|keyslot cluster|links cluster|meet cluster|myid cluster|nodes cluster|replicas " +
    "cluster|replicate cluster|reset cluster|saveconfig cluster|set-config-epoch " +
    "cluster|setslot cluster|shards cluster|slaves cluster|slots command command|count " +
    "command|docs command|getkeys command|getkeysandflags command|help command|info " +
    "command|list config config|get config|help config|resetstat config|rewrite config|set " +
    "copy debug del dump eval eval_ro evalsha evalsha_ro exec failover fcall fcall_ro " +
    "flushall flushdb function function|delete function|dump function|flush function|help " +
    "function|kill function|list function|load function|restore function|stats geoadd geodist " +
    "geohash geopos georadius georadius_ro georadiusbymember georadiusbymember_ro geosearch " +
    "geosearchstore getrange hgetall hkeys hrandfield hscan hvals info keys latency " +
    "latency|doctor latency|graph latency|help latency|histogram latency|history " +
    "latency|latest latency|reset lcs lindex linsert lmove lmpop lpos lrange lrem lset ltrim " +
    "memory memory|doctor memory|help memory|malloc-stats memory|purge memory|stats " +
    "memory|usage migrate module module|help module|list module|load module|loadex " +
    "module|unload monitor mset msetnx object object|encoding object|freq object|help " +
    "object|idletime object|refcount pfcount pfdebug pfmerge pfselftest psetex psubscribe " +
    "psync pubsub pubsub|channels pubsub|help pubsub|numpat pubsub|numsub " +
    "pubsub|shardchannels pubsub|shardnumsub punsubscribe randomkey rename replconf replicaof " +
    "restore restore-asking rpoplpush save scan script script|debug script|exists " +
    "script|flush script|help script|kill script|load sdiff sdiffstore set setbit setex " +
    "setrange shutdown sinter sintercard sinterstore slaveof slowlog slowlog|get slowlog|help " +
    "slowlog|len slowlog|reset smembers sort sort_ro srandmember sscan ssubscribe subscribe " +
    "substr sunion sunionstore sunsubscribe sync unsubscribe wait xgroup xgroup|create " +
    "xgroup|createconsumer xgroup|delconsumer xgroup|destroy xgroup|help xgroup|setid xinfo " +
    "xinfo|consumers xinfo|groups xinfo|help xinfo|stream xpending xrange xread xreadgroup " +
    "xrevrange xtrim zdiff zdiffstore zinter zintercard zinterstore zmpop zrandmember zrange " +
    "zrangebylex zrangebyscore zrangestore zremrangebylex zremrangebyrank zremrangebyscore " +
    "zrevrange zrevrangebylex zrevrangebyscore zscan zunion zunionstore",
  blocking: "blmove blmpop blpop brpop brpoplpush bzmpop bzpopmax bzpopmin xread xreadgroup",
  dangerous: "acl|deluser acl|dryrun acl|getuser acl|list acl|load acl|log acl|save acl|setuser " +
    "acl|users bgrewriteaof bgsave client|kill client|list client|no-evict client|pause " +
    "client|unblock client|unpause cluster|addslots cluster|addslotsrange cluster|bumpepoch " +
    "cluster|count-failure-reports cluster|delslots cluster|delslotsrange cluster|failover " +
    "cluster|flushslots cluster|forget cluster|meet cluster|replicas cluster|replicate " +
    "cluster|reset cluster|saveconfig cluster|set-config-epoch cluster|setslot cluster|slaves " +
    "config|get config|resetstat config|rewrite config|set debug failover flushall flushdb " +
    "info keys lastsave latency|doctor latency|graph latency|histogram latency|history " +
    "latency|latest latency|reset migrate module|list module|load module|loadex module|unload " +
    "monitor pfdebug pfselftest psync replconf replicaof restore restore-asking role save " +
    "shutdown slaveof slowlog|get slowlog|len slowlog|reset sort sort_ro swapdb sync",
  connection: "asking auth client|caching client|getname client|getredir client|help client|id " +
    "client|info client|kill client|list client|no-evict client|pause client|reply " +
    "client|setname client|tracking client|trackinginfo client|unblock client|unpause command " +
    "command|count command|docs command|getkeys command|getkeysandflags command|help " +
    "command|info command|list echo hello ping quit readonly readwrite reset select wait",
  transaction: "discard exec multi unwatch watch",
  scripting: "eval eval_ro evalsha evalsha_ro fcall fcall_ro function|delete function|dump " +
    "function|flush function|help function|kill function|list function|load function|restore " +
    "function|stats script|debug script|exists script|flush script|help script|kill " +
    "script|load",
};
/**
 * Command full name → its categories, built from MEMBERS on first use: only ACL rules naming
 * categories and COMMAND INFO ask, and a start should not build some 400 sets for them.
 */
let byCommand: Map<string, Set<string>> | null = null;

function commandCategories(): Map<string, Set<string>> {
  if (byCommand) return byCommand;
  byCommand = new Map();
  for (const category of CATEGORIES) {
    for (const name of MEMBERS[category].split(" ")) {
      let set = byCommand.get(name);
      if (!set) byCommand.set(name, set = new Set());
      set.add(category);
    }
  }
  return byCommand;
}

/** The commands Redis's table places in `category` (ACL CAT <category>). */
export function commandsIn(category: string): readonly string[] {
  return MEMBERS[category]?.split(" ") ?? [];
}

/** Redis's categories of `fullName` ("get", "client|list"), or undefined when it is not known. */
export function knownCategories(fullName: string): ReadonlySet<string> | undefined {
  return commandCategories().get(fullName);
}

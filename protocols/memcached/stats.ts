/**
 * Server-wide memcached counters (shared by all connections of one service) and the `stats`
 * reply bodies.
 * @module
 */
import process from "node:process";
import { VERSION } from "./version.ts";

/** Counters `stats` reports; reset by `stats reset` (except the gauges). */
export class Counters {
  readonly startedAt = Date.now();
  currConnections = 0;
  totalConnections = 0;
  cmdGet = 0;
  cmdSet = 0;
  cmdFlush = 0;
  cmdTouch = 0;
  getHits = 0;
  getMisses = 0;
  deleteHits = 0;
  deleteMisses = 0;
  incrHits = 0;
  incrMisses = 0;
  decrHits = 0;
  decrMisses = 0;
  casHits = 0;
  casMisses = 0;
  casBadval = 0;
  touchHits = 0;
  touchMisses = 0;
  authCmds = 0;
  authErrors = 0;
  bytesRead = 0;
  bytesWritten = 0;
  totalItems = 0;

  /** `stats reset`: zero the counters, keep the gauges. */
  reset(): void {
    const keep = { c: this.currConnections };
    for (const k of Object.keys(this) as (keyof this)[]) {
      if (typeof this[k] === "number" && k !== "startedAt") (this[k] as number) = 0;
    }
    this.currConnections = keep.c;
  }
}

/** What `stats` needs beyond the counters. */
export interface StatsInput {
  counters: Counters;
  itemMax: number;
  items: number;
  bytes: number;
}

type Pairs = [string, string | number][];

function render(pairs: Pairs): string {
  return pairs.map(([k, v]) => `STAT ${k} ${v}\r\n`).join("") + "END\r\n";
}

/** The general `stats` body, in memcached's order. */
export function generalStats(s: StatsInput): string {
  const c = s.counters;
  const now = Date.now();
  const cpu = process.cpuUsage();
  const rusage = (us: number) => (us / 1e6).toFixed(6);
  return render([
    ["pid", Deno.pid],
    ["uptime", Math.floor((now - c.startedAt) / 1000)],
    ["time", Math.floor(now / 1000)],
    ["version", VERSION],
    ["libevent", "2.1.12-stable"],
    ["pointer_size", 64],
    ["rusage_user", rusage(cpu.user)],
    ["rusage_system", rusage(cpu.system)],
    ["max_connections", 1024],
    ["curr_connections", c.currConnections],
    ["total_connections", c.totalConnections],
    ["rejected_connections", 0],
    ["connection_structures", c.currConnections],
    ["cmd_get", c.cmdGet],
    ["cmd_set", c.cmdSet],
    ["cmd_flush", c.cmdFlush],
    ["cmd_touch", c.cmdTouch],
    ["cmd_meta", 0],
    ["get_hits", c.getHits],
    ["get_misses", c.getMisses],
    ["get_expired", 0],
    ["get_flushed", 0],
    ["delete_misses", c.deleteMisses],
    ["delete_hits", c.deleteHits],
    ["incr_misses", c.incrMisses],
    ["incr_hits", c.incrHits],
    ["decr_misses", c.decrMisses],
    ["decr_hits", c.decrHits],
    ["cas_misses", c.casMisses],
    ["cas_hits", c.casHits],
    ["cas_badval", c.casBadval],
    ["touch_hits", c.touchHits],
    ["touch_misses", c.touchMisses],
    ["auth_cmds", c.authCmds],
    ["auth_errors", c.authErrors],
    ["bytes_read", c.bytesRead],
    ["bytes_written", c.bytesWritten],
    ["limit_maxbytes", 67108864],
    ["accepting_conns", 1],
    ["threads", 1],
    ["conn_yields", 0],
    ["hash_power_level", 16],
    ["evictions", 0],
    ["reclaimed", 0],
    ["curr_items", s.items],
    ["total_items", c.totalItems],
    ["bytes", s.bytes],
  ]);
}

/** `stats settings`. */
export function settingsStats(s: { itemMax: number; port: number }): string {
  return render([
    ["maxbytes", 67108864],
    ["maxconns", 1024],
    ["tcpport", s.port],
    ["udpport", 0],
    ["verbosity", 0],
    ["oldest", 0],
    ["evictions", "off"],
    ["domain_socket", "NULL"],
    ["umask", 700],
    ["growth_factor", "1.25"],
    ["chunk_size", 48],
    ["num_threads", 1],
    ["stat_key_prefix", ":"],
    ["detail_enabled", "no"],
    ["reqs_per_event", 20],
    ["cas_enabled", "yes"],
    ["tcp_backlog", 1024],
    ["binding_protocol", "auto-negotiate"],
    ["auth_enabled_sasl", "no"],
    ["item_size_max", s.itemMax],
    ["maxconns_fast", "yes"],
    ["hashpower_init", 0],
    ["slab_reassign", "yes"],
    ["slab_automove", 1],
    ["lru_crawler", "yes"],
    ["lru_maintainer_thread", "yes"],
    ["temp_lru", "no"],
    ["flush_enabled", "yes"],
    ["dump_enabled", "yes"],
  ]);
}

/** `stats items`: everything reported as one slab class. */
export function itemsStats(s: StatsInput): string {
  if (s.items === 0) return "END\r\n";
  return render([
    ["items:1:number", s.items],
    ["items:1:number_hot", 0],
    ["items:1:number_warm", 0],
    ["items:1:number_cold", s.items],
    ["items:1:age_hot", 0],
    ["items:1:age_warm", 0],
    ["items:1:age", 0],
    ["items:1:mem_requested", s.bytes],
    ["items:1:evicted", 0],
    ["items:1:evicted_nonzero", 0],
    ["items:1:evicted_time", 0],
    ["items:1:outofmemory", 0],
    ["items:1:tailrepairs", 0],
    ["items:1:reclaimed", 0],
    ["items:1:expired_unfetched", 0],
    ["items:1:evicted_unfetched", 0],
    ["items:1:evicted_active", 0],
    ["items:1:crawler_reclaimed", 0],
    ["items:1:crawler_items_checked", 0],
    ["items:1:lrutail_reflocked", 0],
    ["items:1:moves_to_cold", 0],
    ["items:1:moves_to_warm", 0],
    ["items:1:moves_within_lru", 0],
    ["items:1:direct_reclaims", 0],
    ["items:1:hits_to_hot", 0],
    ["items:1:hits_to_warm", 0],
    ["items:1:hits_to_cold", 0],
    ["items:1:hits_to_temp", 0],
  ]);
}

/** `stats slabs`: one pseudo slab class holding everything. */
export function slabsStats(s: StatsInput): string {
  const pairs: Pairs = s.items === 0 ? [] : [
    ["1:chunk_size", s.itemMax],
    ["1:chunks_per_page", 1],
    ["1:total_pages", s.items],
    ["1:total_chunks", s.items],
    ["1:used_chunks", s.items],
    ["1:free_chunks", 0],
    ["1:free_chunks_end", 0],
    ["1:get_hits", s.counters.getHits],
    ["1:cmd_set", s.counters.cmdSet],
    ["1:delete_hits", s.counters.deleteHits],
    ["1:incr_hits", s.counters.incrHits],
    ["1:decr_hits", s.counters.decrHits],
    ["1:cas_hits", s.counters.casHits],
    ["1:cas_badval", s.counters.casBadval],
    ["1:touch_hits", s.counters.touchHits],
  ];
  pairs.push(["active_slabs", s.items === 0 ? 0 : 1], ["total_malloced", s.bytes]);
  return render(pairs);
}

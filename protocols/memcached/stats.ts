/**
 * Server-wide memcached counters (shared by all connections of one service) and the `stats`
 * reply bodies.
 * @module
 */
import { cpuUsage } from "../../src/cpu.ts";
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
  cmdMeta = 0;
  storeTooLarge = 0;
  rejectedConnections = 0;
  connYields = 0;

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
  /** -c, the connection limit. */
  maxConns: number;
  items: number;
  bytes: number;
}

/** What `stats settings` reports beyond fixed defaults. */
export interface SettingsInput {
  itemMax: number;
  maxConns: number;
  reqsPerEvent: number;
  port: number;
  host: string;
  auth: boolean;
}

type Pairs = [string, string | number][];

/** memcached's default memory limit (-m 64), reported though basekv never evicts. */
const LIMIT_MAXBYTES = 64 * 1024 * 1024;
function render(pairs: Pairs): string {
  return pairs.map(([k, v]) => `STAT ${k} ${v}\r\n`).join("") + "END\r\n";
}

/**
 * The general `stats` body: memcached 1.6.18's names in its order; gauges basekv lacks are 0.
 * Long because it is the list itself, one line per stat, in the order clients see.
 */
export function generalStats(s: StatsInput): string {
  const c = s.counters;
  const now = Date.now();
  const cpu = cpuUsage();
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
    ["max_connections", s.maxConns],
    ["curr_connections", c.currConnections],
    ["total_connections", c.totalConnections],
    ["rejected_connections", c.rejectedConnections],
    ["connection_structures", c.currConnections],
    ["response_obj_oom", 0],
    ["response_obj_count", 0],
    ["response_obj_bytes", 0],
    ["read_buf_count", 0],
    ["read_buf_bytes", 0],
    ["read_buf_bytes_free", 0],
    ["read_buf_oom", 0],
    ["reserved_fds", 0],
    ["cmd_get", c.cmdGet],
    ["cmd_set", c.cmdSet],
    ["cmd_flush", c.cmdFlush],
    ["cmd_touch", c.cmdTouch],
    ["cmd_meta", c.cmdMeta],
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
    ["store_too_large", c.storeTooLarge],
    ["store_no_memory", 0],
    ["auth_cmds", c.authCmds],
    ["auth_errors", c.authErrors],
    ["bytes_read", c.bytesRead],
    ["bytes_written", c.bytesWritten],
    ["limit_maxbytes", LIMIT_MAXBYTES],
    ["accepting_conns", 1],
    ["listen_disabled_num", 0],
    ["time_in_listen_disabled_us", 0],
    ["threads", 1],
    ["conn_yields", c.connYields],
    ["hash_power_level", 16],
    ["hash_bytes", 524288],
    ["hash_is_expanding", 0],
    ["slab_reassign_rescues", 0],
    ["slab_reassign_chunk_rescues", 0],
    ["slab_reassign_evictions_nomem", 0],
    ["slab_reassign_inline_reclaim", 0],
    ["slab_reassign_busy_items", 0],
    ["slab_reassign_busy_deletes", 0],
    ["slab_reassign_running", 0],
    ["slabs_moved", 0],
    ["lru_crawler_running", 0],
    ["lru_crawler_starts", 0],
    ["lru_maintainer_juggles", 0],
    ["malloc_fails", 0],
    ["log_worker_dropped", 0],
    ["log_worker_written", 0],
    ["log_watcher_skipped", 0],
    ["log_watcher_sent", 0],
    ["log_watchers", 0],
    ["unexpected_napi_ids", 0],
    ["round_robin_fallback", 0],
    ["bytes", s.bytes],
    ["curr_items", s.items],
    ["total_items", c.totalItems],
    ["slab_global_page_pool", 0],
    ["expired_unfetched", 0],
    ["evicted_unfetched", 0],
    ["evicted_active", 0],
    ["evictions", 0],
    ["reclaimed", 0],
    ["crawler_reclaimed", 0],
    ["crawler_items_checked", 0],
    ["lrutail_reflocked", 0],
    ["moves_to_cold", 0],
    ["moves_to_warm", 0],
    ["moves_within_lru", 0],
    ["direct_reclaims", 0],
    ["lru_bumps_dropped", 0],
  ]);
}

/**
 * `stats settings`: memcached 1.6.18's names, order and defaults, with basekv's real values.
 * Long because it is the list itself, one line per setting.
 */
export function settingsStats(s: SettingsInput): string {
  return render([
    ["maxbytes", LIMIT_MAXBYTES],
    ["maxconns", s.maxConns],
    ["tcpport", s.port],
    ["udpport", 0],
    ["inter", s.host],
    ["verbosity", 0],
    ["oldest", 0],
    ["evictions", "off"],
    ["domain_socket", "NULL"],
    ["umask", 700],
    ["shutdown_command", "no"],
    ["growth_factor", "1.25"],
    ["chunk_size", 48],
    ["num_threads", 1],
    ["num_threads_per_udp", 1],
    ["stat_key_prefix", ":"],
    ["detail_enabled", "no"],
    ["reqs_per_event", s.reqsPerEvent],
    ["cas_enabled", "yes"],
    ["tcp_backlog", 1024],
    ["binding_protocol", "auto-negotiate"],
    ["auth_enabled_sasl", s.auth ? "yes" : "no"],
    ["auth_enabled_ascii", s.auth ? "yes" : "no"],
    ["item_size_max", s.itemMax],
    ["maxconns_fast", "yes"],
    ["hashpower_init", 0],
    ["slab_reassign", "yes"],
    ["slab_automove", 1],
    ["slab_automove_ratio", "0.80"],
    ["slab_automove_window", 30],
    ["slab_chunk_max", Math.min(s.itemMax, 524288)],
    ["lru_crawler", "yes"],
    ["lru_crawler_sleep", 100],
    ["lru_crawler_tocrawl", 0],
    ["tail_repair_time", 0],
    ["flush_enabled", "yes"],
    ["dump_enabled", "yes"],
    ["hash_algorithm", "murmur3"],
    ["lru_maintainer_thread", "yes"],
    ["lru_segmented", "yes"],
    ["hot_lru_pct", 20],
    ["warm_lru_pct", 40],
    ["hot_max_factor", "0.20"],
    ["warm_max_factor", "2.00"],
    ["temp_lru", "no"],
    ["temporary_ttl", 61],
    ["idle_timeout", 0],
    ["watcher_logbuf_size", 262144],
    ["worker_logbuf_size", 65536],
    ["read_buf_mem_limit", 0],
    ["track_sizes", "no"],
    ["inline_ascii_response", "no"],
    ["ext_item_size", 512],
    ["ext_item_age", 4294967295],
    ["ext_low_ttl", 0],
    ["ext_recache_rate", 2000],
    ["ext_wbuf_size", 4194304],
    ["ext_compact_under", 0],
    ["ext_drop_under", 0],
    ["ext_max_sleep", 1000000],
    ["ext_max_frag", "0.80"],
    ["slab_automove_freeratio", "0.010"],
    ["ext_drop_unread", "no"],
    ["ssl_enabled", "no"],
    ["ssl_chain_cert", "(null)"],
    ["ssl_key", "(null)"],
    ["ssl_verify_mode", 0],
    ["ssl_keyformat", 1],
    ["ssl_ciphers", "NULL"],
    ["ssl_ca_cert", "NULL"],
    ["ssl_wbuf_size", 16384],
    ["ssl_session_cache", "no"],
    ["ssl_kernel_tls", "no"],
    ["ssl_min_version", "tlsv1.2"],
    ["num_napi_ids", "(null)"],
    ["memory_file", "(null)"],
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

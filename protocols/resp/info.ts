/**
 * INFO's text: Redis 7.2's sections and field names (server.c genRedisInfoString), filled from
 * the server state, the process and the keyspace counts.
 * @module
 */
import { cpuUsage } from "../../src/cpu.ts";
import { VERSION } from "../../src/version.ts";
import type { DbStats } from "./keyspace.ts";
import type { ServerState } from "./server_state.ts";

/** The Redis version basekv reports (HELLO, INFO). */
export const REDIS_VERSION = "7.2.4";

/** Every section, in Redis's order ("all" and "everything"). */
const ALL_SECTIONS = [
  "server",
  "clients",
  "memory",
  "persistence",
  "stats",
  "replication",
  "cpu",
  "modules",
  "commandstats",
  "errorstats",
  "cluster",
  "keyspace",
] as const;

type Section = typeof ALL_SECTIONS[number];

/** Sections INFO prints with no argument or "default": all but commandstats. */
const DEFAULT_SECTIONS: readonly Section[] = ALL_SECTIONS.filter((s) => s !== "commandstats");

/** Facts INFO needs beyond the server state. */
export interface InfoInput {
  state: ServerState;
  keyspace: Map<number, DbStats>;
  expiredKeys: number;
}

function human(bytes: number): string {
  const units = ["B", "K", "M", "G", "T"];
  let n = bytes;
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return i === 0 ? `${bytes}B` : `${n.toFixed(2)}${units[i]}`;
}

function osName(): string {
  const names: Record<string, string> = { linux: "Linux", darwin: "Darwin", windows: "Windows" };
  const release = Deno.osRelease();
  return `${names[Deno.build.os] ?? Deno.build.os} ${release} ${Deno.build.arch}`;
}

function lines(fields: [string, string | number][]): string[] {
  return fields.map(([k, v]) => `${k}:${v}`);
}

function serverSection(input: InfoInput): string[] {
  const { state } = input;
  const now = Date.now();
  const uptime = Math.floor((now - state.startedAt) / 1000);
  return lines([
    ["redis_version", REDIS_VERSION],
    ["redis_git_sha1", "00000000"],
    ["redis_git_dirty", 0],
    ["redis_build_id", "0"],
    ["redis_mode", "standalone"],
    ["os", osName()],
    ["arch_bits", 64],
    ["monotonic_clock", "POSIX clock_gettime"],
    ["multiplexing_api", "epoll"],
    ["atomicvar_api", "c11-builtin"],
    ["gcc_version", "0.0.0"],
    ["process_id", Deno.pid],
    ["process_supervised", "no"],
    ["run_id", state.runId],
    ["tcp_port", state.port],
    ["server_time_usec", now * 1000],
    ["uptime_in_seconds", uptime],
    ["uptime_in_days", Math.floor(uptime / 86400)],
    ["hz", 10],
    ["configured_hz", 10],
    ["lru_clock", Math.floor(now / 1000) % (1 << 24)],
    ["executable", Deno.execPath()],
    ["config_file", ""],
    ["io_threads_active", 0],
    ["basekv_version", VERSION],
  ]);
}

function clientsSection(input: InfoInput): string[] {
  const { state } = input;
  return lines([
    ["connected_clients", state.clients.size],
    ["cluster_connections", 0],
    ["maxclients", state.config.value("maxclients")],
    ["client_recent_max_input_buffer", 0],
    ["client_recent_max_output_buffer", 0],
    ["blocked_clients", state.blocking.size],
    ["tracking_clients", state.tracking.clientCount],
    ["clients_in_timeout_table", 0],
    ["total_blocking_keys", state.blocking.keys],
    ["total_blocking_keys_on_nokey", 0],
  ]);
}

function memorySection(input: InfoInput): string[] {
  const { state } = input;
  const mem = Deno.memoryUsage();
  const maxmemory = Number(state.config.value("maxmemory")) || 0;
  return lines([
    ["used_memory", mem.heapUsed],
    ["used_memory_human", human(mem.heapUsed)],
    ["used_memory_rss", mem.rss],
    ["used_memory_rss_human", human(mem.rss)],
    ["used_memory_peak", mem.heapTotal],
    ["used_memory_peak_human", human(mem.heapTotal)],
    ["total_system_memory", Deno.systemMemoryInfo().total],
    ["total_system_memory_human", human(Deno.systemMemoryInfo().total)],
    ["maxmemory", maxmemory],
    ["maxmemory_human", human(maxmemory)],
    ["maxmemory_policy", state.config.value("maxmemory-policy")],
    ["mem_fragmentation_ratio", (mem.rss / Math.max(1, mem.heapUsed)).toFixed(2)],
    ["mem_allocator", "libc"],
    ["lazyfree_pending_objects", 0],
  ]);
}

function persistenceSection(input: InfoInput): string[] {
  const { state } = input;
  return lines([
    ["loading", 0],
    ["async_loading", 0],
    ["current_cow_peak", 0],
    ["rdb_changes_since_last_save", 0],
    ["rdb_bgsave_in_progress", 0],
    ["rdb_last_save_time", state.lastSave],
    ["rdb_last_bgsave_status", "ok"],
    ["rdb_last_bgsave_time_sec", -1],
    ["rdb_current_bgsave_time_sec", -1],
    ["aof_enabled", state.config.value("appendonly") === "yes" ? 1 : 0],
    ["aof_rewrite_in_progress", 0],
    ["aof_rewrite_scheduled", 0],
    ["aof_last_rewrite_time_sec", -1],
    ["aof_current_rewrite_time_sec", -1],
    ["aof_last_bgrewrite_status", "ok"],
    ["aof_rewrites", 0],
    ["aof_last_write_status", "ok"],
  ]);
}

function statsSection(input: InfoInput): string[] {
  const { state } = input;
  const s = state.stats;
  return lines([
    ["total_connections_received", s.connectionsReceived],
    ["total_commands_processed", s.commandsProcessed],
    ["instantaneous_ops_per_sec", 0],
    ["total_net_input_bytes", s.netInputBytes],
    ["total_net_output_bytes", s.netOutputBytes],
    ["rejected_connections", s.rejectedConnections],
    ["expired_keys", input.expiredKeys],
    ["evicted_keys", 0],
    ["keyspace_hits", 0],
    ["keyspace_misses", 0],
    ["pubsub_channels", state.pubsub.channelCount],
    ["pubsub_patterns", state.pubsub.patternCount],
    ["unexpected_error_replies", 0],
    ["total_error_replies", s.errorReplies],
    ["dump_payload_sanitizations", 0],
    ["total_reads_processed", 0],
    ["total_writes_processed", 0],
    ["acl_access_denied_auth", state.acl?.denied.auth ?? 0],
    ["acl_access_denied_cmd", state.acl?.denied.cmd ?? 0],
    ["acl_access_denied_key", state.acl?.denied.key ?? 0],
    ["acl_access_denied_channel", state.acl?.denied.channel ?? 0],
  ]);
}

function replicationSection(input: InfoInput): string[] {
  const { state } = input;
  return lines([
    ["role", "master"],
    ["connected_slaves", 0],
    ["master_failover_state", "no-failover"],
    ["master_replid", state.replId],
    ["master_replid2", "0".repeat(40)],
    ["master_repl_offset", 0],
    ["second_repl_offset", -1],
    ["repl_backlog_active", 0],
    ["repl_backlog_size", 1048576],
    ["repl_backlog_first_byte_offset", 0],
    ["repl_backlog_histlen", 0],
  ]);
}

function cpuSection(): string[] {
  const cpu = cpuUsage();
  return lines([
    ["used_cpu_sys", (cpu.system / 1e6).toFixed(6)],
    ["used_cpu_user", (cpu.user / 1e6).toFixed(6)],
    ["used_cpu_sys_children", "0.000000"],
    ["used_cpu_user_children", "0.000000"],
  ]);
}

/** cmdstat_<name>:calls=…,usec=…,usec_per_call=…,rejected_calls=…,failed_calls=… */
function commandstatsSection({ state }: InfoInput): string[] {
  const out: string[] = [];
  for (const c of state.stats.commands.values()) {
    if (!c.calls && !c.rejected && !c.failed) continue;
    const usec = Math.round(c.usec);
    const perCall = c.calls ? (usec / c.calls).toFixed(2) : "0.00";
    out.push(
      `cmdstat_${c.name}:calls=${c.calls},usec=${usec},usec_per_call=${perCall},` +
        `rejected_calls=${c.rejected},failed_calls=${c.failed}`,
    );
  }
  return out;
}

/** Each section's lines. */
const SECTIONS: Record<Section, (input: InfoInput) => string[]> = {
  server: serverSection,
  clients: clientsSection,
  memory: memorySection,
  persistence: persistenceSection,
  stats: statsSection,
  replication: replicationSection,
  cpu: cpuSection,
  modules: () => [],
  commandstats: commandstatsSection,
  errorstats: ({ state }) =>
    [...state.stats.errorCodes].map(([code, n]) => `errorstat_${code}:count=${n}`),
  cluster: () => ["cluster_enabled:0"],
  keyspace: ({ keyspace }) =>
    [...keyspace].sort(([a], [b]) => a - b).map(([db, s]) =>
      `db${db}:keys=${s.keys},expires=${s.expires},avg_ttl=${s.avgTtl}`
    ),
};

const TITLES: Record<Section, string> = {
  server: "Server",
  clients: "Clients",
  memory: "Memory",
  persistence: "Persistence",
  stats: "Stats",
  replication: "Replication",
  cpu: "CPU",
  modules: "Modules",
  commandstats: "Commandstats",
  errorstats: "Errorstats",
  cluster: "Cluster",
  keyspace: "Keyspace",
};

/** The sections named by INFO's arguments (none, "default", "all", "everything" or names). */
export function infoSections(args: string[]): Section[] {
  const wanted = args.map((a) => a.toLowerCase());
  if (wanted.some((w) => w === "all" || w === "everything")) return [...ALL_SECTIONS];
  if (wanted.length === 0 || wanted.includes("default")) {
    const extra = ALL_SECTIONS.filter((s) => wanted.includes(s));
    return ALL_SECTIONS.filter((s) => DEFAULT_SECTIONS.includes(s) || extra.includes(s));
  }
  return ALL_SECTIONS.filter((s) => wanted.includes(s));
}

/** INFO's text: each section titled "# Name", separated by a blank line, CRLF line ends. */
export function infoText(sections: Section[], input: InfoInput): string {
  return sections.map((s) =>
    [`# ${TITLES[s]}`, ...SECTIONS[s](input)].map((l) => l + "\r\n").join("")
  ).join("\r\n");
}

/** True when the keyspace counts are needed for these sections. */
export function needsKeyspace(sections: Section[]): boolean {
  return sections.includes("keyspace");
}

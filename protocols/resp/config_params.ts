/**
 * The CONFIG GET/SET parameter table: the parameters clients and tools read (save, appendonly,
 * databases, maxmemory-policy, …) with Redis 7.2's defaults, adjusted to what basekv does
 * (every write is durable before it is acknowledged, like appendfsync always).
 * @module
 */
import { globMatch } from "./glob.ts";
import { DATABASES } from "./storage/layout.ts";
import { type EncodingLimits, limitsFrom } from "./encoding_limits.ts";
import { parseInt64 } from "./numbers.ts";
import { BAD_FLAGS, formatEventFlags, parseEventFlags } from "./notify.ts";
import {
  type ConnectionLimits,
  connectionLimitsFrom,
  OUTPUT_LIMITS_DEFAULT,
  outputLimitsInvalid,
  outputLimitsNormalised,
  parseMemory,
} from "./connection_limits.ts";

/** How a parameter's value is checked on CONFIG SET. */
type Kind = "string" | "bool" | "int" | "memory" | "enum" | "immutable" | "events" | "obuf";

interface Param {
  value: string;
  kind: Kind;
  choices?: readonly string[];
  /** Inclusive bounds of an "int" or "memory" value, as config.c's numericBoundaryCheck. */
  min?: bigint;
  max?: bigint;
}

const LONG_MAX = 2n ** 63n - 1n;
const INT_MIN = -(2n ** 31n);
const INT_MAX = 2n ** 31n - 1n;

/** A size_t threshold (0..LONG_MAX) read as a plain integer. */
function size(value: number): Param {
  return { value: String(value), kind: "int", min: 0n, max: LONG_MAX };
}

/** A size_t threshold (0..LONG_MAX) read as a memory value ("1kb"). */
function bytes(value: number): Param {
  return { value: String(value), kind: "memory", min: 0n, max: LONG_MAX };
}

/** Old names Redis still accepts for a parameter (CONFIG GET answers under either name). */
const ALIASES: Record<string, string> = {
  "hash-max-ziplist-entries": "hash-max-listpack-entries",
  "hash-max-ziplist-value": "hash-max-listpack-value",
  "list-max-ziplist-size": "list-max-listpack-size",
  "zset-max-ziplist-entries": "zset-max-listpack-entries",
  "zset-max-ziplist-value": "zset-max-listpack-value",
  "lua-time-limit": "busy-reply-threshold",
};

const MAXMEMORY_POLICIES = [
  "volatile-lru",
  "volatile-lfu",
  "volatile-random",
  "volatile-ttl",
  "allkeys-lru",
  "allkeys-lfu",
  "allkeys-random",
  "noeviction",
] as const;

function defaults(port: number, password: string | null): Record<string, Param> {
  return {
    "appendonly": { value: "yes", kind: "bool" },
    "appendfsync": { value: "always", kind: "enum", choices: ["always", "everysec", "no"] },
    "appendfilename": { value: "appendonly.aof", kind: "immutable" },
    "save": { value: "", kind: "string" },
    "dbfilename": { value: "dump.rdb", kind: "string" },
    "dir": { value: Deno.cwd(), kind: "string" },
    "databases": { value: String(DATABASES), kind: "immutable" },
    "maxmemory": { value: "0", kind: "memory" },
    "maxmemory-policy": { value: "noeviction", kind: "enum", choices: MAXMEMORY_POLICIES },
    "maxmemory-samples": { value: "5", kind: "int" },
    "maxclients": { value: "10000", kind: "int", min: 1n, max: 2n ** 32n - 1n },
    "timeout": { value: "0", kind: "int", min: 0n, max: INT_MAX },
    "tcp-keepalive": { value: "300", kind: "int" },
    "port": { value: String(port), kind: "immutable" },
    "bind": { value: "127.0.0.1", kind: "immutable" },
    "protected-mode": { value: "no", kind: "bool" },
    "requirepass": { value: password ?? "", kind: "immutable" },
    "daemonize": { value: "no", kind: "immutable" },
    "cluster-enabled": { value: "no", kind: "immutable" },
    "io-threads": { value: "1", kind: "immutable" },
    "loglevel": {
      value: "notice",
      kind: "enum",
      choices: ["debug", "verbose", "notice", "warning", "nothing"],
    },
    "hz": { value: "10", kind: "int" },
    "notify-keyspace-events": { value: "", kind: "events" },
    "proto-max-bulk-len": { value: "536870912", kind: "memory", min: 1024n * 1024n, max: LONG_MAX },
    "client-query-buffer-limit": {
      value: "1073741824",
      kind: "memory",
      min: 1024n * 1024n,
      max: LONG_MAX,
    },
    "client-output-buffer-limit": { value: OUTPUT_LIMITS_DEFAULT, kind: "obuf" },
    "busy-reply-threshold": size(5000),
    "slowlog-log-slower-than": { value: "10000", kind: "int" },
    "slowlog-max-len": { value: "128", kind: "int" },
    "latency-monitor-threshold": { value: "0", kind: "int" },
    "lazyfree-lazy-user-flush": { value: "no", kind: "bool" },
    "replica-read-only": { value: "yes", kind: "bool" },
    "hash-max-listpack-entries": size(512),
    "hash-max-listpack-value": bytes(64),
    "list-max-listpack-size": { value: "-2", kind: "int", min: INT_MIN, max: INT_MAX },
    "list-compress-depth": { value: "0", kind: "int", min: 0n, max: INT_MAX },
    "set-max-intset-entries": size(512),
    "set-max-listpack-entries": size(128),
    "set-max-listpack-value": bytes(64),
    "zset-max-listpack-entries": size(128),
    "zset-max-listpack-value": bytes(64),
    "hll-sparse-max-bytes": bytes(3000),
    "stream-node-max-bytes": bytes(4096),
    "stream-node-max-entries": size(100),
    "activedefrag": { value: "no", kind: "bool" },
    "lfu-log-factor": { value: "10", kind: "int" },
    "lfu-decay-time": { value: "1", kind: "int" },
  };
}

/** The reason text CONFIG SET gives for a bad value; null when the value is fine. */
function invalid(param: Param, value: string): string | null {
  switch (param.kind) {
    case "bool":
      return ["yes", "no"].includes(value.toLowerCase()) ? null : "argument must be 'yes' or 'no'";
    case "int": {
      const n = parseInt64(value);
      return n === null ? "argument couldn't be parsed into an integer" : outOfBounds(param, n);
    }
    case "memory": {
      const n = parseMemory(value);
      return n === null ? "argument must be a memory value" : outOfBounds(param, n);
    }
    case "obuf":
      return outputLimitsInvalid(value);
    case "enum":
      return param.choices!.includes(value.toLowerCase())
        ? null
        : "argument(s) must be one of the following: " +
          param.choices!.join(", ");
    case "events":
      return parseEventFlags(value) === null ? BAD_FLAGS : null;
    default:
      return null;
  }
}

/** numericBoundaryCheck's reason (an unsigned parameter sees a negative value as huge). */
function outOfBounds(param: Param, n: bigint): string | null {
  if (param.min === undefined || param.max === undefined) return null;
  const seen = param.min >= 0n && n < 0n ? n + 2n ** 64n : n;
  if (seen >= param.min && seen <= param.max) return null;
  return `argument must be between ${param.min} and ${param.max} inclusive`;
}

/** The value as CONFIG GET shows it afterwards (memory values in bytes, enums lower-case). */
function normalise(param: Param, value: string): string {
  if (param.kind === "obuf") return outputLimitsNormalised(param.value, value);
  if (param.kind === "bool" || param.kind === "enum") return value.toLowerCase();
  if (param.kind === "events") return formatEventFlags(parseEventFlags(value)!);
  if (param.kind === "memory") return String(parseMemory(value));
  return value;
}

/** What CONFIG SET decided. */
export type SetResult = { ok: true } | {
  ok: false;
  error: "unknown" | "immutable" | string;
  name: string;
};

/** The live parameter values of one server. */
export class ConfigParams {
  #params: Record<string, Param>;
  /** The encoding thresholds, parsed once per CONFIG SET (read on every collection write). */
  limits: EncodingLimits;
  /** notify-keyspace-events as bits, parsed once per CONFIG SET (read on every write unit). */
  notifyFlags = 0;
  /** The connection limits, parsed once per CONFIG SET (read on every read and accept). */
  connection: ConnectionLimits;

  constructor(options: { port: number; password: string | null }) {
    this.#params = defaults(options.port, options.password);
    this.limits = limitsFrom((name) => this.value(name));
    this.connection = connectionLimitsFrom((name) => this.value(name));
  }

  /** A parameter by its name or alias. */
  #param(name: string): Param | undefined {
    return this.#params[ALIASES[name] ?? name];
  }

  /** Update a value the server learns after start (the bound port). */
  setInternal(name: string, value: string): void {
    if (this.#params[name]) this.#params[name].value = value;
    this.connection = connectionLimitsFrom((name) => this.value(name));
  }

  /** Every parameter whose name matches one of the globs (case-insensitive), once each. */
  get(patterns: Uint8Array[]): [string, string][] {
    const enc = new TextEncoder();
    const out: [string, string][] = [];
    const names = [...Object.keys(this.#params), ...Object.keys(ALIASES)];
    for (const name of names) {
      const bytes = enc.encode(name);
      if (patterns.some((p) => globMatch(p, bytes, true))) {
        out.push([name, this.#param(name)!.value]);
      }
    }
    return out;
  }

  /** Set several parameters all-or-nothing, as Redis 7's multi-parameter CONFIG SET. */
  set(pairs: [string, string][]): SetResult {
    const seen = new Set<string>();
    for (const [rawName, value] of pairs) {
      const name = rawName.toLowerCase();
      if (seen.has(name)) return { ok: false, error: "duplicate parameter", name: rawName };
      seen.add(name);
      const param = this.#param(name);
      if (!param) return { ok: false, error: "unknown", name: rawName };
      if (param.kind === "immutable") return { ok: false, error: "immutable", name };
      const reason = invalid(param, value);
      if (reason) return { ok: false, error: reason, name };
    }
    for (const [name, value] of pairs) {
      const param = this.#param(name.toLowerCase())!;
      param.value = normalise(param, value);
      // The flags come from the value as given: "An" shows as "A" yet still sends "new".
      if (param.kind === "events") this.notifyFlags = parseEventFlags(value)!;
    }
    this.limits = limitsFrom((name) => this.value(name));
    this.connection = connectionLimitsFrom((name) => this.value(name));
    return { ok: true };
  }

  /** One value (for INFO). */
  value(name: string): string {
    return this.#params[name]?.value ?? "";
  }
}

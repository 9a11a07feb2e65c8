/**
 * Command-line flags and BASEKV_* environment variables, parsed and validated into one typed
 * Config. Bad input is a ConfigError whose message is the one line the user sees.
 * @module
 */
import { parseArgs } from "node:util";

/** The protocols basekv can serve. */
export const PROTOCOLS = ["redis", "memcached", "dynamodb"] as const;
export type ProtocolName = typeof PROTOCOLS[number];

export type LogLevel = "debug" | "info" | "warn" | "error";
const LOG_LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error"];

/** Everything the server needs to start. */
export interface Config {
  host: string;
  redisPort: number;
  memcachedPort: number;
  httpPort: number;
  protocols: ProtocolName[];
  /** Local data file; ignored with `memory` or `kvUrl`. */
  data: string;
  memory: boolean;
  kvUrl: string | null;
  password: string | null;
  /** Requests per second per client; 0 = unlimited. */
  rateLimit: number;
  logLevel: LogLevel;
  /** Read-cache budget in MiB. */
  cacheMb: number;
  /** Largest memcached item in bytes (memcached's -I). */
  memcachedItemMax: number;
}

/** What `parseConfig` decided: run with a config, or print text and exit. */
export type ConfigResult =
  | { kind: "run"; config: Config }
  | { kind: "print"; text: string };

/** A bad flag or variable; the message is meant for the user as it is. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

const OPTIONS = {
  host: { type: "string", default: "127.0.0.1", help: "address to listen on" },
  "redis-port": { type: "string", default: "6380", help: "Redis RESP port" },
  "memcached-port": { type: "string", default: "11211", help: "Memcached port" },
  "http-port": { type: "string", default: "8000", help: "DynamoDB HTTP port" },
  protocols: {
    type: "string",
    default: PROTOCOLS.join(","),
    help: "listeners to start: redis,memcached,dynamodb",
  },
  data: {
    type: "string",
    default: "./data/basekv.sqlite",
    help: "data file (directories created)",
  },
  memory: { type: "boolean", default: false, help: "keep data in memory only" },
  "kv-url": {
    type: "string",
    default: "",
    help: "remote KV Connect URL (token from DENO_KV_ACCESS_TOKEN)",
  },
  password: { type: "string", default: "", help: "password clients must authenticate with" },
  "rate-limit": { type: "string", default: "0", help: "requests/s per client, 0 = off" },
  "log-level": { type: "string", default: "info", help: "debug, info, warn or error" },
  "cache-mb": { type: "string", default: "64", help: "read-cache budget in MiB (local stores)" },
  "memcached-item-max": {
    type: "string",
    default: "1048576",
    help: "largest memcached item in bytes",
  },
  help: { type: "boolean", default: false, help: "print this help" },
  version: { type: "boolean", default: false, help: "print the version" },
} as const;

type OptionName = keyof typeof OPTIONS;

/** The usage text. */
export function usage(): string {
  const lines = ["Usage: basekv [options]", "", "Options (each also read from BASEKV_<NAME>):"];
  for (const [name, opt] of Object.entries(OPTIONS)) {
    const flag = opt.type === "string" ? `--${name} <value>` : `--${name}`;
    const def = opt.type === "string" && opt.default ? ` (default ${opt.default})` : "";
    lines.push(`  ${flag.padEnd(30)} ${opt.help}${def}`);
  }
  return lines.join("\n");
}

function envName(name: string): string {
  return `BASEKV_${name.toUpperCase().replaceAll("-", "_")}`;
}

function port(name: string, text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n > 65535) {
    throw new ConfigError(`Invalid --${name}: ${JSON.stringify(text)} is not a port (0-65535)`);
  }
  return n;
}

function whole(name: string, text: string, min: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || !Number.isSafeInteger(n)) {
    throw new ConfigError(
      `Invalid --${name}: ${JSON.stringify(text)} is not a whole number >= ${min}`,
    );
  }
  return n;
}

/** Parse argv and an environment into a Config (flags win over the environment). */
export function parseConfig(
  args: string[],
  env: (name: string) => string | undefined = (n) => Deno.env.get(n),
): ConfigResult {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: Object.fromEntries(
        Object.entries(OPTIONS).map(([k, v]) => [k, { type: v.type }]),
      ) as { [K in OptionName]: { type: (typeof OPTIONS)[K]["type"] } },
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    throw new ConfigError(`${(error as Error).message}. Run with --help for the options.`);
  }
  const values = { ...parsed.values } as Record<string, string | boolean | undefined>;
  if (values.help) return { kind: "print", text: usage() };
  const get = (name: OptionName): string => {
    const flag = values[name];
    if (typeof flag === "string") return flag;
    const fromEnv = env(envName(name));
    return fromEnv ?? String(OPTIONS[name].default);
  };
  const flag = (name: OptionName): boolean => {
    if (values[name] === true) return true;
    const fromEnv = env(envName(name));
    return fromEnv !== undefined && ["1", "true", "yes", "on"].includes(fromEnv.toLowerCase());
  };
  if (flag("version")) return { kind: "print", text: "" };

  const protocols = get("protocols").split(",").map((p) => p.trim()).filter(Boolean);
  for (const p of protocols) {
    if (!PROTOCOLS.includes(p as ProtocolName)) {
      throw new ConfigError(
        `Invalid --protocols: unknown protocol ${JSON.stringify(p)} (choose from ${
          PROTOCOLS.join(", ")
        })`,
      );
    }
  }
  if (protocols.length === 0) throw new ConfigError("Invalid --protocols: name at least one");
  const logLevel = get("log-level") as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(
      `Invalid --log-level: ${JSON.stringify(logLevel)} (choose from ${LOG_LEVELS.join(", ")})`,
    );
  }
  const kvUrl = get("kv-url");
  if (kvUrl && !/^https?:\/\//.test(kvUrl)) {
    throw new ConfigError(`Invalid --kv-url: ${JSON.stringify(kvUrl)} is not an http(s) URL`);
  }
  const data = get("data");
  if (!data) throw new ConfigError("Invalid --data: the path is empty");
  return {
    kind: "run",
    config: {
      host: get("host"),
      redisPort: port("redis-port", get("redis-port")),
      memcachedPort: port("memcached-port", get("memcached-port")),
      httpPort: port("http-port", get("http-port")),
      protocols: [...new Set(protocols)] as ProtocolName[],
      data,
      memory: flag("memory"),
      kvUrl: kvUrl || null,
      password: get("password") || null,
      rateLimit: whole("rate-limit", get("rate-limit"), 0),
      logLevel,
      cacheMb: whole("cache-mb", get("cache-mb"), 0),
      memcachedItemMax: whole("memcached-item-max", get("memcached-item-max"), 1024),
    },
  };
}

/**
 * Command-line flags and BASEKV_* environment variables, parsed and validated into one typed
 * Config. Bad input is a ConfigError whose message is the one line the user sees.
 * @module
 */
import type { TlsFiles } from "./tls.ts";

/** A flag a service declares for itself: text, or a whole number of at least `min`. */
export interface ServiceFlag {
  default: string;
  help: string;
  /** Parse as a whole number no smaller than this. */
  min?: number;
}

/** What the config needs to know of a service: its name, its port flag and its own flags. */
export interface ServiceFlags {
  /** The name `--protocols` selects it by, and its namespace in the store. */
  name: string;
  /** Its port flag, e.g. `redis-port`, with the default port and help text. */
  port: { flag: string; default: number; help: string };
  /** Flags of its own beyond the port (limits and the like). */
  flags?: Readonly<Record<string, ServiceFlag>>;
}

export type LogLevel = "debug" | "info" | "warn" | "error";
const LOG_LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error"];

/** Everything the server needs to start. */
export interface Config {
  host: string;
  /** The port of each service, by service name. */
  ports: Readonly<Record<string, number>>;
  /** The services to start, by name, in the order given. */
  protocols: string[];
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
  /** Where to write the readiness report once every listener answers; null = nowhere. */
  readyFile: string | null;
  /** How long a started request (or TLS handshake) may take to arrive whole; 0 = no limit. */
  requestTimeoutMs: number;
  /** Serve every listener over TLS with this certificate and key; null = plain TCP/HTTP. */
  tls: TlsFiles | null;
  /** Fixture files loaded at start and on reset (`--seed`, repeatable), in order. */
  seeds: string[];
  /** Each service's own flags, parsed, by flag name. */
  serviceFlags: Readonly<Record<string, string | number>>;
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

/** A command-line option: its kind, default and help. */
interface OptionSpec {
  type: "string" | "boolean";
  default: string | boolean;
  help: string;
  /** May be given more than once; every value is kept, in order. */
  multiple?: boolean;
}

/** The engine's own options; the services' come after them in the usage. */
const OPTIONS = {
  host: { type: "string", default: "127.0.0.1", help: "address to listen on" },
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
  "cache-mb": { type: "string", default: "96", help: "read-cache budget in MiB (local stores)" },
  "ready-file": {
    type: "string",
    default: "",
    help: "write the readiness report (JSON) here when ready; removed at exit",
  },
  "tls-cert": {
    type: "string",
    default: "",
    help: "PEM certificate chain: every listener TLS-only (reloaded on SIGHUP)",
  },
  "tls-key": { type: "string", default: "", help: "PEM private key of --tls-cert" },
  "tls-ca": {
    type: "string",
    default: "",
    help: "PEM CA bundle: clients must present a certificate it signed (reloaded on SIGHUP)",
  },
  "tls-auth-clients": {
    type: "string",
    default: "yes",
    help: "with --tls-ca: yes (a certificate is required), optional (verified if sent) or no",
  },
  "request-timeout": {
    type: "string",
    default: "60",
    help: "seconds a request may take to arrive whole before its connection is closed, 0 = off",
  },
  seed: {
    type: "string",
    default: "",
    multiple: true,
    help: "load this fixture file (JSON) at start and on reset; repeatable",
  },
  help: { type: "boolean", default: false, help: "print this help" },
  version: { type: "boolean", default: false, help: "print the version" },
} as const satisfies Record<string, OptionSpec>;

/** Every option: `--host`, each service's port, `--protocols`, the engine's, the services'. */
function allOptions(services: readonly ServiceFlags[]): Map<string, OptionSpec> {
  const { host, ...engine } = OPTIONS;
  const options = new Map<string, OptionSpec>([["host", host]]);
  for (const s of services) {
    options.set(s.port.flag, {
      type: "string",
      default: String(s.port.default),
      help: s.port.help,
    });
  }
  const names = services.map((s) => s.name).join(",");
  options.set("protocols", {
    type: "string",
    default: names,
    help: `listeners to start: ${names}`,
  });
  for (const [name, spec] of Object.entries(engine)) options.set(name, spec);
  for (const s of services) {
    for (const [flag, spec] of Object.entries(s.flags ?? {})) {
      options.set(flag, { type: "string", default: spec.default, help: spec.help });
    }
  }
  return options;
}

/** The usage text. */
export function usage(services: readonly ServiceFlags[]): string {
  const lines = [
    "Usage: basekv [options]",
    "       basekv export|import|backup ... (--help for each)",
    "",
    "Options (each also read from BASEKV_<NAME>):",
  ];
  for (const [name, opt] of allOptions(services)) {
    const flag = opt.type === "string" ? `--${name} <value>` : `--${name}`;
    const def = opt.type === "string" && opt.default ? ` (default ${opt.default})` : "";
    lines.push(`  ${flag.padEnd(30)} ${opt.help}${def}`);
  }
  return lines.join("\n");
}

function envName(name: string): string {
  return `BASEKV_${name.toUpperCase().replaceAll("-", "_")}`;
}

function port(label: string, text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n > 65535) {
    throw new ConfigError(`Invalid ${label}: ${JSON.stringify(text)} is not a port (0-65535)`);
  }
  return n;
}

function whole(label: string, text: string, min: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || !Number.isSafeInteger(n)) {
    throw new ConfigError(
      `Invalid ${label}: ${JSON.stringify(text)} is not a whole number >= ${min}`,
    );
  }
  return n;
}

/**
 * Split argv into flag values: `--name value`, `--name=value`, or a bare `--name` for a boolean.
 * Written here rather than taken from node:util, whose compatibility layer would double the
 * server's start time.
 */
function parseFlags(
  args: string[],
  options: Map<string, OptionSpec>,
): Record<string, string | boolean | string[] | undefined> {
  const values: Record<string, string | boolean | string[] | undefined> = {};
  const fail = (message: string) => {
    throw new ConfigError(`${message}. Run with --help for the options.`);
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith("--") || arg === "--") fail(`Unexpected argument '${arg}'`);
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const spec = options.get(name);
    if (!spec) fail(`Unknown option '--${name}'`);
    if (spec!.type === "boolean") {
      if (eq >= 0) fail(`Option '--${name}' does not take a value`);
      values[name] = true;
    } else {
      let value = "";
      if (eq >= 0) value = arg.slice(eq + 1);
      else if (i + 1 < args.length) value = args[++i];
      else fail(`Option '--${name} <value>' argument missing`);
      const before = values[name];
      values[name] = spec!.multiple ? [...(Array.isArray(before) ? before : []), value] : value;
    }
  }
  return values;
}

/**
 * Parse argv and an environment into a Config (flags win over the environment), for the
 * services given: each brings its port flag and flags of its own.
 */
export function parseConfig(
  args: string[],
  services: readonly ServiceFlags[],
  env: (name: string) => string | undefined = (n) => Deno.env.get(n),
): ConfigResult {
  const options = allOptions(services);
  const values = parseFlags(args, options);
  if (values.help) return { kind: "print", text: usage(services) };
  const get = (name: string): string => {
    const flag = values[name];
    if (typeof flag === "string") return flag;
    const fromEnv = env(envName(name));
    return fromEnv ?? String(options.get(name)!.default);
  };
  // A bad value is reported under the name the user gave it by: the flag, or the variable.
  const label = (name: string): string =>
    values[name] === undefined && env(envName(name)) !== undefined ? envName(name) : `--${name}`;
  const flag = (name: string): boolean => {
    if (values[name] === true) return true;
    const fromEnv = env(envName(name));
    return fromEnv !== undefined && ["1", "true", "yes", "on"].includes(fromEnv.toLowerCase());
  };
  if (flag("version")) return { kind: "print", text: "" };

  const known = services.map((s) => s.name);
  const protocols = get("protocols").split(",").map((p) => p.trim()).filter(Boolean);
  for (const p of protocols) {
    if (!known.includes(p)) {
      throw new ConfigError(
        `Invalid ${label("protocols")}: unknown protocol ${JSON.stringify(p)} (choose from ${
          known.join(", ")
        })`,
      );
    }
  }
  if (protocols.length === 0) {
    throw new ConfigError(`Invalid ${label("protocols")}: name at least one`);
  }
  const logLevel = get("log-level") as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(
      `Invalid ${label("log-level")}: ${JSON.stringify(logLevel)} (choose from ${
        LOG_LEVELS.join(", ")
      })`,
    );
  }
  const kvUrl = get("kv-url");
  if (kvUrl && !/^https?:\/\//.test(kvUrl)) {
    throw new ConfigError(
      `Invalid ${label("kv-url")}: ${JSON.stringify(kvUrl)} is not an http(s) URL`,
    );
  }
  const data = get("data");
  if (!data) throw new ConfigError(`Invalid ${label("data")}: the path is empty`);
  const memory = flag("memory");
  // Each of these picks where the data lives; two of them given together is a mistake to report.
  const given = (name: string) => values[name] !== undefined || env(envName(name)) !== undefined;
  const places = (["memory", "data", "kv-url"] as const).filter((name) =>
    name === "memory" ? memory : given(name) && get(name) !== ""
  );
  if (places.length > 1) {
    throw new ConfigError(
      `${places.map(label).join(" and ")} exclude each other: --memory keeps nothing on disk, ` +
        "--data keeps a local file, --kv-url uses a remote store",
    );
  }
  const tlsCert = get("tls-cert");
  const tlsKey = get("tls-key");
  if (Boolean(tlsCert) !== Boolean(tlsKey)) {
    throw new ConfigError(
      `${label(tlsCert ? "tls-cert" : "tls-key")} needs ${
        tlsCert ? "--tls-key" : "--tls-cert"
      } too: TLS takes a certificate and its key`,
    );
  }
  const authClients = get("tls-auth-clients");
  if (!["yes", "optional", "no"].includes(authClients)) {
    throw new ConfigError(
      `${label("tls-auth-clients")} must be yes, optional or no, not '${authClients}'`,
    );
  }
  if (get("tls-ca") && !tlsCert) {
    throw new ConfigError(`${label("tls-ca")} needs --tls-cert and --tls-key too`);
  }
  // Redis's tls-auth-clients no: the CA is not asked for, clients are not asked for one.
  const caFile = authClients === "no" ? "" : get("tls-ca");
  return {
    kind: "run",
    config: {
      host: get("host"),
      ports: Object.fromEntries(
        services.map((s) => [s.name, port(label(s.port.flag), get(s.port.flag))]),
      ),
      protocols: [...new Set(protocols)],
      data,
      memory,
      kvUrl: kvUrl || null,
      password: get("password") || null,
      rateLimit: whole(label("rate-limit"), get("rate-limit"), 0),
      logLevel,
      cacheMb: whole(label("cache-mb"), get("cache-mb"), 0),
      readyFile: get("ready-file") || null,
      requestTimeoutMs: whole(label("request-timeout"), get("request-timeout"), 0) * 1000,
      tls: tlsCert
        ? {
          certFile: tlsCert,
          keyFile: tlsKey,
          ...(caFile ? { caFile, requireClientCert: authClients === "yes" } : {}),
        }
        : null,
      seeds: Array.isArray(values.seed) ? values.seed : [get("seed")].filter(Boolean),
      serviceFlags: Object.fromEntries(
        services.flatMap((s) => Object.entries(s.flags ?? {})).map((
          [name, spec],
        ) => [name, spec.min === undefined ? get(name) : whole(label(name), get(name), spec.min)]),
      ),
    },
  };
}

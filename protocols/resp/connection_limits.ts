/**
 * The per-connection limits Redis reads from its config (maxclients, timeout, proto-max-bulk-len,
 * client-query-buffer-limit, client-output-buffer-limit), parsed once per CONFIG SET and read by
 * the listener and the connection loop.
 * @module
 */
import { DEFAULT_REQUEST_LIMITS, type RequestLimits } from "./codec/request_parser.ts";

/** What a connection may do, from the live config. */
export interface ConnectionLimits {
  /** Most connected clients (maxclients). */
  maxClients: number;
  /** Close clients idle this long; 0 = never (timeout, in seconds in the config). */
  idleTimeoutMs: number;
  /** Declared lengths an authenticated client may send (proto-max-bulk-len). */
  request: RequestLimits;
  /** The same for a client that must still AUTH. */
  unauthenticated: RequestLimits;
  /** Bytes a client's unparsed input may reach before it is closed (client-query-buffer-limit). */
  queryBufferLimit: number;
  /** Hard output limit of normal and of pub/sub clients; 0 = none. */
  normalOutputHard: number;
  pubsubOutputHard: number;
}

/** Redis 7.2's default `client-output-buffer-limit`, as CONFIG GET shows it. */
export const OUTPUT_LIMITS_DEFAULT =
  "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60";

/** Units of a memory value ("1mb", "64kb", "100"), as config.c's memtoull. */
const MEMORY_UNITS: Record<string, number> = {
  "": 1,
  b: 1,
  k: 1000,
  kb: 1024,
  m: 1000 ** 2,
  mb: 1024 ** 2,
  g: 1000 ** 3,
  gb: 1024 ** 3,
};

/** A memory value in bytes; null when it is not one. */
export function parseMemory(text: string): bigint | null {
  const m = /^(\d+)([a-z]*)$/i.exec(text);
  const unit = m && Object.hasOwn(MEMORY_UNITS, m[2].toLowerCase())
    ? MEMORY_UNITS[m[2].toLowerCase()]
    : undefined;
  return unit === undefined ? null : BigInt(m![1]) * BigInt(unit);
}

function memory(text: string): number | null {
  const n = parseMemory(text);
  return n === null ? null : Number(n);
}

/** Class names as CONFIG GET writes them (`replica` is read as `slave`). */
const CLASSES: Record<string, string> = {
  normal: "normal",
  slave: "slave",
  replica: "slave",
  pubsub: "pubsub",
};

/** Each class's [hard, soft, softSeconds]. */
type OutputLimits = Record<string, [number, number, number]>;

function parseOutputLimits(text: string, base: OutputLimits): OutputLimits | string {
  const words = text.trim().split(/\s+/).filter(Boolean);
  if (words.length % 4 !== 0) return "Wrong number of arguments in buffer limit configuration.";
  const out = { ...base };
  for (let i = 0; i < words.length; i += 4) {
    const name = CLASSES[words[i].toLowerCase()];
    if (!name) return "Invalid client class specified in buffer limit configuration.";
    const hard = memory(words[i + 1]);
    const soft = memory(words[i + 2]);
    const seconds = /^\d+$/.test(words[i + 3]) ? Number(words[i + 3]) : null;
    if (hard === null || soft === null || seconds === null) {
      return "Error in hard, soft or soft_seconds setting in buffer limit configuration.";
    }
    out[name] = [hard, soft, seconds];
  }
  return out;
}

const DEFAULT_OUTPUT = parseOutputLimits(OUTPUT_LIMITS_DEFAULT, {}) as OutputLimits;

/** CONFIG SET's reason for a bad `client-output-buffer-limit`; null when it is fine. */
export function outputLimitsInvalid(text: string): string | null {
  const parsed = parseOutputLimits(text, DEFAULT_OUTPUT);
  return typeof parsed === "string" ? parsed : null;
}

/** The value CONFIG GET shows after setting `text` over `current`: every class, in bytes. */
export function outputLimitsNormalised(current: string, text: string): string {
  const base = parseOutputLimits(current, DEFAULT_OUTPUT) as OutputLimits;
  const parsed = parseOutputLimits(text, base) as OutputLimits;
  return ["normal", "slave", "pubsub"].map((c) => `${c} ${parsed[c].join(" ")}`).join(" ");
}

/** The limits from the config's values. */
export function connectionLimitsFrom(value: (name: string) => string): ConnectionLimits {
  const output = parseOutputLimits(value("client-output-buffer-limit"), DEFAULT_OUTPUT);
  const classes = typeof output === "string" ? DEFAULT_OUTPUT : output;
  return {
    maxClients: Number(value("maxclients")),
    idleTimeoutMs: Number(value("timeout")) * 1000,
    request: { ...DEFAULT_REQUEST_LIMITS, maxBulk: Number(value("proto-max-bulk-len")) },
    unauthenticated: { unauthenticated: true, maxBulk: Number(value("proto-max-bulk-len")) },
    queryBufferLimit: Number(value("client-query-buffer-limit")),
    normalOutputHard: classes.normal[0],
    pubsubOutputHard: classes.pubsub[0],
  };
}

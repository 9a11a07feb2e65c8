/**
 * Server commands: flush_all, version, verbosity, stats, key listings (metadump, cachedump), watch,
 * shutdown, quit.
 * @module
 */
import { latin1Text } from "../../../src/bytes.ts";
import { TEXT } from "../errors.ts";
import { hasNoreply, parseInteger, text } from "../codec/text.ts";
import { generalStats, itemsStats, settingsStats, slabsStats } from "../stats.ts";
import { VERSION } from "../version.ts";
import {
  type Chunk,
  line,
  type LineHandler,
  type Reply,
  type Session,
  settingsOf,
} from "./context.ts";

/** flush_all `[delay] [noreply]`. */
export function flushCommand(s: Session, tokens: Uint8Array[]): Reply {
  if (tokens.length > 3) return line(TEXT.ERROR);
  const noreply = hasNoreply(tokens);
  const args = tokens.length - (noreply ? 2 : 1);
  let delay = 0;
  if (args === 1) {
    const n = parseInteger(tokens[1]);
    if (n === null) return noreply ? [] : line(TEXT.BAD_EXPTIME);
    delay = Math.max(0, n);
  }
  s.shared.counters.cmdFlush++;
  return s.seq.write(() => s.shared.items.flush(delay)).then(() => noreply ? [] : line(TEXT.OK));
}

/** version. */
export function versionCommand(): Reply {
  return line("VERSION " + VERSION);
}

/** verbosity `<n> [noreply]` (accepted, no effect). */
export function verbosityCommand(tokens: Uint8Array[]): Reply {
  if (tokens.length !== 2 && tokens.length !== 3) return line(TEXT.ERROR);
  const noreply = hasNoreply(tokens);
  if (parseInteger(tokens[1]) === null) return noreply ? [] : line(TEXT.BAD_FORMAT);
  return noreply ? [] : line(TEXT.OK);
}

/** stats `[settings|items|slabs|reset|conns|sizes]`. */
export async function statsCommand(s: Session, tokens: Uint8Array[]): Promise<Chunk[]> {
  const { items, counters } = s.shared;
  const arg = tokens.length > 1 ? text(tokens[1]) : "";
  if (arg === "reset") {
    counters.reset();
    return ["RESET\r\n"];
  }
  if (arg === "settings") return [settingsStats(settingsOf(s.shared))];
  if (arg === "sizes") return ["STAT sizes_status disabled\r\nEND\r\n"];
  if (arg === "detail") return line(TEXT.STATS_DETAIL_USAGE);
  if (arg === "conns" || arg === "extstore") return ["END\r\n"];
  if (arg === "cachedump") return cachedump(s, tokens);
  if (arg !== "" && arg !== "items" && arg !== "slabs") return [TEXT.ERROR + "\r\n"];
  const usage = await s.seq.read(() => items.usage());
  const input = { counters, itemMax: items.itemMax, maxConns: s.shared.limits.maxConns, ...usage };
  if (arg === "items") return [itemsStats(input)];
  if (arg === "slabs") return [slabsStats(input)];
  return [generalStats(input)];
}

/** Longest key listing one command returns. */
const LISTING_MAX = 1_000_000;

/** `stats cachedump <class> <limit>`: `ITEM <key> [<bytes> b; <exptime> s]` lines. */
async function cachedump(s: Session, tokens: Uint8Array[]): Promise<string[]> {
  const limit = parseInteger(tokens[3]) || LISTING_MAX;
  const items = await s.seq.read(() => s.shared.items.listing(Math.min(limit, LISTING_MAX)));
  const lines = items.map((i) =>
    `ITEM ${latin1Text(i.key)} [${i.length} b; ${
      i.expiresAt === null ? 0 : Math.ceil(i.expiresAt / 1000)
    } s]\r\n`
  );
  return [lines.join("") + "END\r\n"];
}

/** memcached's uriencode: unreserved bytes as they are, the rest as %XX. */
function uriEncode(key: Uint8Array): string {
  let out = "";
  for (const b of key) {
    const c = String.fromCharCode(b);
    out += /[A-Za-z0-9\-._~]/.test(c) ? c : "%" + b.toString(16).toUpperCase().padStart(2, "0");
  }
  return out;
}

/** `lru_crawler metadump <all|hash|classes>`: one line per item, then END. */
export async function lruCrawlerCommand(s: Session, tokens: Uint8Array[]): Promise<Chunk[]> {
  if (tokens.length !== 3 || text(tokens[1]) !== "metadump") return line(TEXT.ERROR);
  const items = await s.seq.read(() => s.shared.items.listing(LISTING_MAX));
  const access = s.shared.items.access;
  const lines = items.map((i) => {
    const seen = access.peek(i.cas, i.updatedAt);
    const exp = i.expiresAt === null ? -1 : Math.ceil(i.expiresAt / 1000);
    const fetch = seen.fetched ? "yes" : "no";
    return `key=${uriEncode(i.key)} exp=${exp} la=${Math.floor(seen.at / 1000)} cas=${i.cas} ` +
      `fetch=${fetch} cls=1 size=${i.size}\n`;
  });
  return [lines.join("") + "END\r\n"];
}

/** `watch`: acknowledged; basekv has no log stream to send. */
export function watchCommand(s: Session): Reply {
  s.watching = true;
  return line(TEXT.OK);
}

/** Server commands by name. */
export const ADMIN_COMMANDS: Readonly<Record<string, LineHandler>> = {
  flush_all: flushCommand,
  version: () => versionCommand(),
  verbosity: (_s, t) => verbosityCommand(t),
  stats: statsCommand,
  lru_crawler: lruCrawlerCommand,
  watch: (s) => watchCommand(s),
  shutdown: () => line(TEXT.SHUTDOWN_DISABLED),
  quit: (s) => {
    s.closing = true;
    return [];
  },
};

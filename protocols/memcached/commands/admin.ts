/**
 * Server commands: flush_all, version, verbosity, stats, quit, shutdown.
 * @module
 */
import { TEXT } from "../errors.ts";
import { parseInteger, text } from "../parser.ts";
import { generalStats, itemsStats, settingsStats, slabsStats } from "../stats.ts";
import { VERSION } from "../version.ts";
import { line, type Reply, type Session } from "./context.ts";
import { hasNoreply } from "./retrieval.ts";

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
  if (noreply && tokens.length === 2) return line(TEXT.ERROR);
  if (parseInteger(tokens[1]) === null) return noreply ? [] : line(TEXT.BAD_FORMAT);
  return noreply ? [] : line(TEXT.OK);
}

/** stats `[settings|items|slabs|reset|conns|sizes]`. */
export async function statsCommand(s: Session, tokens: Uint8Array[]): Promise<string[]> {
  const { items, counters, port } = s.shared;
  const arg = tokens.length > 1 ? text(tokens[1]) : "";
  if (arg === "reset" && tokens.length === 2) {
    counters.reset();
    return ["RESET\r\n"];
  }
  if (arg === "settings") return [settingsStats({ itemMax: items.itemMax, port })];
  if (arg === "conns" || arg === "sizes" || arg === "extstore") return ["END\r\n"];
  if (arg === "cachedump" || arg === "detail") return ["END\r\n"];
  if (arg !== "" && arg !== "items" && arg !== "slabs") return [TEXT.ERROR + "\r\n"];
  const usage = await s.seq.read(() => items.usage());
  const input = { counters, itemMax: items.itemMax, ...usage };
  if (arg === "items") return [itemsStats(input)];
  if (arg === "slabs") return [slabsStats(input)];
  return [generalStats(input)];
}

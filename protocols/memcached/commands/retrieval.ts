/**
 * Retrieval: get/gets, and gat/gats (get and touch).
 * @module
 */
import { TEXT } from "../errors.ts";
import { KEY_MAX } from "../codec/limits.ts";
import { parseExptime } from "../codec/text.ts";
import type { Item } from "../storage/items.ts";
import { line, type LineHandler, type Reply, type Session, valueBlocks } from "./context.ts";

/** get/gets `<key>*`. */
export function getCommand(s: Session, tokens: Uint8Array[], withCas: boolean): Reply {
  const keys = tokens.slice(1);
  if (keys.length === 0) return line(TEXT.ERROR);
  if (keys.some((k) => k.length > KEY_MAX)) return line(TEXT.BAD_FORMAT);
  const { items } = s.shared;
  // Nothing of this connection's in flight and every key in memory: answered at once.
  const known = s.seq.idle ? items.peekMany(keys) : undefined;
  if (known) return getReply(s, known, withCas);
  return s.seq.read(() => items.getMany(keys)).then((found) => getReply(s, found, withCas));
}

/** A get's reply and counts, for what it found. */
function getReply(s: Session, found: readonly (Item | null)[], withCas: boolean): Reply {
  const { items, counters } = s.shared;
  const hits: Item[] = [];
  const now = Date.now();
  for (const item of found) {
    counters.cmdGet++;
    if (item) {
      counters.getHits++;
      items.fetched(item, now);
      hits.push(item);
    } else counters.getMisses++;
  }
  return valueBlocks(hits, withCas);
}

/** gat/gats `<exptime> <key>*`: get and touch each key. */
export function gatCommand(s: Session, tokens: Uint8Array[], withCas: boolean): Reply {
  if (tokens.length < 2) return line(TEXT.ERROR);
  const exptime = parseExptime(tokens[1]);
  if (exptime === null) return line(TEXT.BAD_EXPTIME);
  const keys = tokens.slice(2);
  if (keys.some((k) => k.length > KEY_MAX)) return line(TEXT.BAD_FORMAT);
  const { items, counters } = s.shared;
  const touched = keys.map((k) => s.seq.write(() => items.touch(k, exptime)));
  return Promise.all(touched).then((found) => {
    const hits: Item[] = [];
    for (const item of found) {
      counters.cmdGet++;
      counters.cmdTouch++;
      if (item) {
        counters.getHits++;
        counters.touchHits++;
        items.fetched(item, Date.now());
        hits.push(item);
      } else {
        counters.getMisses++;
        counters.touchMisses++;
      }
    }
    return valueBlocks(hits, withCas);
  });
}

/** Retrieval commands by name. */
export const RETRIEVAL_COMMANDS: Readonly<Record<string, LineHandler>> = {
  get: (s, t) => getCommand(s, t, false),
  gets: (s, t) => getCommand(s, t, true),
  gat: (s, t) => gatCommand(s, t, false),
  gats: (s, t) => gatCommand(s, t, true),
};

/**
 * Retrieval: get/gets, and gat/gats (get and touch).
 * @module
 */
import { TEXT } from "../errors.ts";
import { KEY_MAX } from "../codec/limits.ts";
import { parseExptime } from "../codec/text.ts";
import {
  type Chunk,
  line,
  type LineHandler,
  type Reply,
  type Session,
  valueBlock,
} from "./context.ts";

const END = "END\r\n";

/** get/gets `<key>*`. */
export function getCommand(s: Session, tokens: Uint8Array[], withCas: boolean): Reply {
  const keys = tokens.slice(1);
  if (keys.length === 0) return line(TEXT.ERROR);
  if (keys.some((k) => k.length > KEY_MAX)) return line(TEXT.BAD_FORMAT);
  const { items, counters } = s.shared;
  return s.seq.read(() => items.getMany(keys)).then((found) => {
    const out: Chunk[] = [];
    const now = Date.now();
    for (const item of found) {
      counters.cmdGet++;
      if (item) {
        counters.getHits++;
        items.fetched(item, now);
        out.push(...valueBlock(item, withCas));
      } else counters.getMisses++;
    }
    out.push(END);
    return out;
  });
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
    const out: Chunk[] = [];
    for (const item of found) {
      counters.cmdGet++;
      counters.cmdTouch++;
      if (item) {
        counters.getHits++;
        counters.touchHits++;
        items.fetched(item, Date.now());
        out.push(...valueBlock(item, withCas));
      } else {
        counters.getMisses++;
        counters.touchMisses++;
      }
    }
    out.push(END);
    return out;
  });
}

/** Retrieval commands by name. */
export const RETRIEVAL_COMMANDS: Readonly<Record<string, LineHandler>> = {
  get: (s, t) => getCommand(s, t, false),
  gets: (s, t) => getCommand(s, t, true),
  gat: (s, t) => gatCommand(s, t, false),
  gats: (s, t) => gatCommand(s, t, true),
};

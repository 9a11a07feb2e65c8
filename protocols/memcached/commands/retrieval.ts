/**
 * get/gets/gat/gats, touch and delete.
 * @module
 */
import { TEXT } from "../errors.ts";
import { KEY_MAX } from "../codec/limits.ts";
import { hasNoreply, parseExptime, text } from "../codec/text.ts";
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

/** touch `<key> <exptime> [noreply]`. */
export function touchCommand(s: Session, tokens: Uint8Array[]): Reply {
  if (tokens.length !== 3 && tokens.length !== 4) return line(TEXT.ERROR);
  const noreply = hasNoreply(tokens);
  if (tokens[1].length > KEY_MAX) return noreply ? [] : line(TEXT.BAD_FORMAT);
  const exptime = parseExptime(tokens[2]);
  if (exptime === null) return noreply ? [] : line(TEXT.BAD_EXPTIME);
  const { items, counters } = s.shared;
  counters.cmdTouch++;
  return s.seq.write(() => items.touch(tokens[1], exptime)).then((item) => {
    if (item) counters.touchHits++;
    else counters.touchMisses++;
    return noreply ? [] : line(item ? TEXT.TOUCHED : TEXT.NOT_FOUND);
  });
}

/** delete `<key> [0] [noreply]`. */
export function deleteCommand(s: Session, tokens: Uint8Array[]): Reply {
  if (tokens.length < 2 || tokens.length > 4) return line(TEXT.ERROR);
  const noreply = hasNoreply(tokens);
  const extra = tokens.length - (noreply ? 3 : 2);
  // Only the legacy `delete <key> 0` form may carry a time.
  if (extra > 1 || (extra === 1 && text(tokens[2]) !== "0")) {
    return noreply ? [] : line(TEXT.BAD_DELETE);
  }
  if (tokens[1].length > KEY_MAX) return noreply ? [] : line(TEXT.BAD_FORMAT);
  const { items, counters } = s.shared;
  return s.seq.write(() => items.delete(tokens[1])).then((r) => {
    if (r.status === "ok") counters.deleteHits++;
    else counters.deleteMisses++;
    return noreply ? [] : line(r.status === "ok" ? TEXT.DELETED : TEXT.NOT_FOUND);
  });
}

/** Retrieval, touch and delete commands by name. */
export const RETRIEVAL_COMMANDS: Readonly<Record<string, LineHandler>> = {
  get: (s, t) => getCommand(s, t, false),
  gets: (s, t) => getCommand(s, t, true),
  gat: (s, t) => gatCommand(s, t, false),
  gats: (s, t) => gatCommand(s, t, true),
  touch: touchCommand,
  delete: deleteCommand,
};

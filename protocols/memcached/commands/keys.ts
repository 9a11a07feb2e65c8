/**
 * touch and delete: change or end one item's life without reading it.
 * @module
 */
import { KEY_MAX } from "../codec/limits.ts";
import { hasNoreply, parseExptime, text } from "../codec/text.ts";
import { TEXT } from "../errors.ts";
import { line, type LineHandler, type Reply, type Session } from "./context.ts";

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

/** touch and delete by name. */
export const KEY_COMMANDS: Readonly<Record<string, LineHandler>> = {
  touch: touchCommand,
  delete: deleteCommand,
};

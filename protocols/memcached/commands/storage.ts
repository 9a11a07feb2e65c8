/**
 * Classic storage commands: set/add/replace/append/prepend/cas.
 * @module
 */
import { TEXT } from "../errors.ts";
import type { StorageCommand } from "../codec/text.ts";
import type { Status } from "../storage/items.ts";
import { textAuth } from "./auth.ts";
import { type Chunk, line, type Reply, type Session } from "./context.ts";

/** Each outcome's reply, built once (shared by every reply: never mutated). */
const STORE_REPLY: Readonly<Record<Status, Chunk[]>> = {
  ok: line(TEXT.STORED),
  not_stored: line(TEXT.NOT_STORED),
  exists: line(TEXT.EXISTS),
  not_found: line(TEXT.NOT_FOUND),
  non_numeric: line(TEXT.NON_NUMERIC),
  too_large: line(TEXT.OUT_OF_MEMORY),
};

/** One generic handler for every classic storage command. */
export function storageCommand(s: Session, cmd: StorageCommand): Reply {
  if (!s.authenticated) return textAuth(s, cmd);
  const { items, counters } = s.shared;
  counters.cmdSet++;
  const mode = cmd.name === "cas" ? "set" : cmd.name;
  return s.seq.write(() =>
    items.store({
      mode,
      key: cmd.key,
      value: cmd.data,
      flags: cmd.flags,
      exptime: cmd.exptime,
      cas: cmd.name === "cas" ? cmd.cas : undefined,
    })
  ).then((r): Chunk[] => {
    if (cmd.name === "cas") {
      if (r.status === "ok") counters.casHits++;
      else if (r.status === "exists") counters.casBadval++;
      else counters.casMisses++;
    }
    if (r.status === "ok") counters.totalItems++;
    return cmd.noreply ? [] : STORE_REPLY[r.status];
  });
}

/** A `set` too large for the cache removes the old item (add/append/… keep it). */
export function tooLargeCommand(
  s: Session,
  tooLarge: { name: string; key: Uint8Array },
): void {
  if (tooLarge.name !== "set" || !s.authenticated) return;
  s.seq.write(() => s.shared.items.delete(tooLarge.key)).catch(() => {});
}

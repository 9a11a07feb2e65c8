/**
 * Classic storage commands (set/add/replace/append/prepend/cas) and memcached's text-protocol
 * authentication, which rides on `set`.
 * @module
 */
import { TEXT } from "../errors.ts";
import type { StorageCommand } from "../codec/text.ts";
import type { Status } from "../storage/items.ts";
import { type Chunk, line, type Reply, type Session } from "./context.ts";

const STORE_REPLY: Readonly<Record<Status, string>> = {
  ok: TEXT.STORED,
  not_stored: TEXT.NOT_STORED,
  exists: TEXT.EXISTS,
  not_found: TEXT.NOT_FOUND,
  non_numeric: TEXT.NON_NUMERIC,
  too_large: TEXT.OUT_OF_MEMORY,
};

/** One generic handler for every classic storage command. */
export function storageCommand(s: Session, cmd: StorageCommand): Reply {
  if (!s.authenticated) return authenticate(s, cmd);
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
    return cmd.noreply ? [] : line(STORE_REPLY[r.status]);
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

/** memcached -Y: `set <any> <flags> <exptime> <n>\r\n<user> <password>\r\n`. */
function authenticate(s: Session, cmd: StorageCommand): Chunk[] {
  const { counters, ctx } = s.shared;
  counters.authCmds++;
  if (cmd.name !== "set") return line(TEXT.UNAUTHENTICATED);
  const text = new TextDecoder().decode(cmd.data);
  const space = text.indexOf(" ");
  if (space <= 0) return line(TEXT.AUTH_FORMAT);
  if (!ctx.auth.verify(text.slice(space + 1))) {
    counters.authErrors++;
    return line(TEXT.AUTH_FAILURE);
  }
  s.authenticated = true;
  return line(TEXT.STORED);
}

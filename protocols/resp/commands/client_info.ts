/**
 * A connected client as CLIENT LIST / INFO and the ACL LOG show it, and the argument checks
 * CLIENT shares with HELLO. Apart from client.ts so HELLO and the ACL rules need not load CLIENT.
 * @module
 */
import { latin1Text } from "../../../src/bytes.ts";
import type { CommandContext } from "../command.ts";
import type { ClientRecord } from "../server_state.ts";
import type { TrackingClient } from "../tracking.ts";

/** The argument as lower-case text (option names). */
export function lowerOption(arg: Uint8Array): string {
  return latin1Text(arg).toLowerCase();
}

/** Client names and SETINFO values: printable ASCII without spaces ('!'..'~'). */
export function validClientText(arg: Uint8Array): boolean {
  return arg.every((c) => c >= 33 && c <= 126);
}

/** The calling connection's entry in the clients registry. */
export function clientRecord(ctx: CommandContext): ClientRecord {
  return ctx.server.clients.get(ctx.session.id)!;
}

/** One CLIENT LIST / CLIENT INFO line (Redis 7.2 field order). */
export function clientLine(c: ClientRecord, now: number, tracking?: TrackingClient): string {
  const s = c.session;
  const trackingFlags = tracking
    ? "t" + (tracking.brokenRedirect ? "R" : "") + (tracking.bcast ? "B" : "")
    : "";
  // A monitor is a replica to Redis: its O comes first.
  const flags = (c.monitoring ? "O" : "") + trackingFlags + (c.noEvict ? "e" : "") +
      (c.noTouch ? "T" : "") || "N";
  return [
    `id=${s.id}`,
    `addr=${s.addr}`,
    `laddr=${c.laddr}`,
    `fd=${s.id + 7}`,
    `name=${s.name ?? ""}`,
    `age=${Math.floor((now - c.createdAt) / 1000)}`,
    `idle=${Math.floor((now - c.lastActive) / 1000)}`,
    `flags=${flags}`,
    `db=${s.db}`,
    "sub=0 psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=1024 rbp=0",
    "obl=0 oll=0 omem=0 tot-mem=1024 events=r",
    `cmd=${c.lastCommand}`,
    `user=${s.user} redir=${tracking ? tracking.redirect : -1}`,
    `resp=${s.protocol}`,
    `lib-name=${c.libName}`,
    `lib-ver=${c.libVer}`,
  ].join(" ");
}

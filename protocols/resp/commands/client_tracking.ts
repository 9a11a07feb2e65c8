/**
 * CLIENT TRACKING, CACHING, GETREDIR and TRACKINGINFO (networking.c's clientCommand), over the
 * server's tracking table (tracking.ts), with Redis 7.2's option checks and errors.
 * @module
 */
import { latin1Bytes, latin1Text } from "../../../src/bytes.ts";
import type { CommandContext } from "../command.ts";
import { ERRORS, SERVER_ERRORS, TRACKING_ERRORS } from "../errors.ts";
import { parseInteger } from "../numbers.ts";
import { array, bulk, error, integer, map, OK, type Reply } from "../reply.ts";
import { keyId } from "../notify.ts";

function lower(arg: Uint8Array): string {
  return latin1Text(arg).toLowerCase();
}

/** One prefix starts the other (Redis's stringCheckPrefix). */
function overlap(a: string, b: string): boolean {
  return a.startsWith(b) || b.startsWith(a);
}

/** checkPrefixCollisionsOrReply: the error for overlapping BCAST prefixes, or null. */
function prefixCollision(existing: Iterable<string>, prefixes: readonly string[]): string | null {
  for (let i = 0; i < prefixes.length; i++) {
    for (const p of existing) {
      if (overlap(p, prefixes[i])) return TRACKING_ERRORS.prefixOverlapsExisting(prefixes[i], p);
    }
    for (let j = i + 1; j < prefixes.length; j++) {
      if (overlap(prefixes[i], prefixes[j])) {
        return TRACKING_ERRORS.prefixOverlapsProvided(prefixes[i], prefixes[j]);
      }
    }
  }
  return null;
}

/** CLIENT TRACKING ON|OFF [REDIRECT id] [PREFIX p]… [BCAST] [OPTIN] [OPTOUT] [NOLOOP]. */
export function clientTracking(ctx: CommandContext, argv: Uint8Array[]): Reply | Promise<Reply> {
  const options = { bcast: false, optin: false, optout: false, noloop: false, redirect: 0 };
  const prefixes: string[] = [];
  for (let j = 3; j < argv.length; j++) {
    const o = lower(argv[j]);
    const more = j + 1 < argv.length;
    if (o === "redirect" && more) {
      j++;
      if (options.redirect !== 0) return error(TRACKING_ERRORS.singleRedirect);
      const id = parseInteger(argv[j]);
      if (id === null) return error(ERRORS.notInteger);
      if (!ctx.server.clients.has(id)) return error(TRACKING_ERRORS.noRedirectClient);
      options.redirect = id;
    } else if (o === "bcast") {
      options.bcast = true;
    } else if (o === "optin") {
      options.optin = true;
    } else if (o === "optout") {
      options.optout = true;
    } else if (o === "noloop") {
      options.noloop = true;
    } else if (o === "prefix" && more) {
      prefixes.push(keyId(argv[++j]));
    } else {
      return error(ERRORS.syntax);
    }
  }
  const tracking = ctx.server.tracking;
  const id = ctx.session.id;
  const mode = lower(argv[2]);
  if (mode === "off") {
    tracking.disable(id);
    ctx.server.fanout?.changed().catch(() => {});
    return OK;
  }
  if (mode !== "on") return error(ERRORS.syntax);
  const current = tracking.of(id);
  if (!options.bcast && prefixes.length > 0) return error(TRACKING_ERRORS.prefixNeedsBcast);
  if (current && current.bcast !== options.bcast) return error(TRACKING_ERRORS.switchBcast);
  if (options.bcast && (options.optin || options.optout)) {
    return error(TRACKING_ERRORS.optBcast);
  }
  if (options.optin && options.optout) return error(TRACKING_ERRORS.optinAndOptout);
  if ((options.optin && current?.optout) || (options.optout && current?.optin)) {
    return error(TRACKING_ERRORS.switchOpt);
  }
  if (options.bcast) {
    const collision = prefixCollision(current?.prefixes ?? [], prefixes);
    if (collision) return error(collision);
  }
  tracking.enable(id, { ...options, prefixes: new Set(prefixes) });
  // On a shared store, the reply waits until other front-ends can learn that keys are tracked.
  const announced = ctx.server.fanout?.changed();
  if (!announced || ctx.inTransaction) {
    announced?.catch(() => {});
    return OK;
  }
  return announced.then(() => OK);
}

/** CLIENT CACHING YES|NO: whether the next command's keys are tracked (OPTIN / OPTOUT). */
export function clientCaching(ctx: CommandContext, argv: Uint8Array[]): Reply {
  const t = ctx.server.tracking.of(ctx.session.id);
  if (!t) return error(SERVER_ERRORS.cachingWithoutTracking);
  const o = lower(argv[2]);
  if (o === "yes") {
    if (!t.optin) return error(TRACKING_ERRORS.cachingYes);
  } else if (o === "no") {
    if (!t.optout) return error(TRACKING_ERRORS.cachingNo);
  } else {
    return error(ERRORS.syntax);
  }
  t.caching = true;
  return OK;
}

/** CLIENT GETREDIR: the redirect id, 0 without one, -1 when tracking is off. */
export function clientGetredir(ctx: CommandContext): Reply {
  return integer(ctx.server.tracking.of(ctx.session.id)?.redirect ?? -1);
}

/** CLIENT TRACKINGINFO: flags, redirect and prefixes. */
export function clientTrackinginfo(ctx: CommandContext): Reply {
  const t = ctx.server.tracking.of(ctx.session.id);
  const flags: string[] = [];
  if (!t) {
    flags.push("off");
  } else {
    flags.push("on");
    if (t.bcast) flags.push("bcast");
    if (t.optin) flags.push("optin");
    if (t.optin && t.current) flags.push("caching-yes");
    if (t.optout) flags.push("optout");
    if (t.optout && t.current) flags.push("caching-no");
    if (t.noloop) flags.push("noloop");
    if (t.brokenRedirect) flags.push("broken_redirect");
  }
  const prefixes = [...t?.prefixes ?? []].sort().map((p) => bulk(latin1Bytes(p)));
  return map([
    [bulk("flags"), { type: "set", value: flags.map((f) => bulk(f)) }],
    [bulk("redirect"), integer(t ? t.redirect : -1)],
    [bulk("prefixes"), array(prefixes)],
  ]);
}

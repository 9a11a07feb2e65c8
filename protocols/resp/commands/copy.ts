/**
 * COPY source destination [DB db] [REPLACE]. Small values copy in one unit; a big hash copies
 * its fields page by page in units queued back to back (no other client's write runs between
 * them), then the last unit points the destination at the new generation.
 * @module
 */
import type { WriteTx } from "../../../src/store/mod.ts";
import { command, type CommandContext, type CommandSpec } from "../command.ts";
import { integer, type Reply } from "../reply.ts";
import { copyFieldsPage, copyValue, finishPagedCopy } from "../storage/copy.ts";
import { getKey, type KeyEntry, putKey, slotOf } from "../storage/db.ts";
import { genMarkerKey, newGeneration } from "../storage/layout.ts";
import { checkKey, dbArg, fail, option, readSlot, sameBytes, unitSize } from "./common.ts";
import { DATA_ERRORS } from "../errors.ts";
import { GENERIC, NEW, notify } from "../notify.ts";

/** Extra page units queued beyond the field count seen, for fields added meanwhile. */
const SPARE_PAGES = 2;
/** Attempts at a paged copy of a hash that keeps outgrowing the queued pages. */
const MAX_PAGED_ATTEMPTS = 3;

interface CopyRequest {
  from: Uint8Array;
  to: Uint8Array;
  db: number;
  replace: boolean;
}

/** Source and destination entries and slots, read inside a unit. */
async function locate(ctx: CommandContext, tx: WriteTx, req: CopyRequest) {
  const sourceSlot = await slotOf(tx, ctx.session.db);
  const targetSlot = await slotOf(tx, req.db);
  const source = await getKey(tx, sourceSlot, req.from);
  const old = source ? await getKey(tx, targetSlot, req.to) : null;
  return { targetSlot, source, old };
}

/** Whether the copy may go ahead: source present, destination free or REPLACE given. */
function allowed(req: CopyRequest, source: KeyEntry | null, old: KeyEntry | null): boolean {
  return source !== null && !(old && !req.replace);
}

/** COPY's events; REPLACE deletes the destination and adds the copy anew ("new" again). */
function notifyCopied(tx: WriteTx, req: CopyRequest, old: KeyEntry | null): void {
  if (old) notify(tx, NEW, "new", req.to, req.db);
  notify(tx, GENERIC, "copy_to", req.to, req.db);
}

function copyInOneUnit(ctx: CommandContext, req: CopyRequest): Promise<boolean> {
  return ctx.write(async (tx) => {
    const { targetSlot, source, old } = await locate(ctx, tx, req);
    if (!allowed(req, source, old)) return false;
    const record = await copyValue(tx, source!, targetSlot, req.to);
    putKey(tx, { slot: targetSlot, key: req.to, record, old, db: req.db });
    notifyCopied(tx, req, old);
    return true;
  });
}

/** Copy a big hash in queued units; null when it grew past the queued pages (try again). */
async function copyInPages(
  ctx: CommandContext,
  req: CopyRequest,
  fields: number,
): Promise<boolean | null> {
  const gen = newGeneration();
  const size = unitSize(ctx);
  const pages = Math.ceil(fields / size) + SPARE_PAGES;
  const units: Promise<unknown>[] = [];
  for (let i = 0; i < pages; i++) {
    units.push(ctx.write(async (tx) => {
      const { source } = await locate(ctx, tx, req);
      if (!source?.meta?.g) return;
      await copyFieldsPage(tx, source.meta, gen, size);
    }));
  }
  const last = ctx.write(async (tx) => {
    const { targetSlot, source, old } = await locate(ctx, tx, req);
    const record = source?.meta?.g
      ? await finishPagedCopy(tx, { source, gen, slot: targetSlot, key: req.to })
      : null;
    if (!allowed(req, source, old) || record === null) {
      tx.set(genMarkerKey(gen), { expiresAt: tx.now + 1 });
      return source === null || !source.meta?.g || !allowed(req, source, old) ? false : null;
    }
    putKey(tx, { slot: targetSlot, key: req.to, record, old, db: req.db });
    notifyCopied(tx, req, old);
    return true;
  });
  await Promise.all(units);
  return await last;
}

async function copy(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  const req: CopyRequest = {
    from: argv[1],
    to: checkKey(argv[2]),
    db: ctx.session.db,
    replace: false,
  };
  for (let i = 3; i < argv.length; i++) {
    const opt = option(argv[i]);
    if (opt === "REPLACE") req.replace = true;
    else if (opt === "DB" && i + 1 < argv.length) req.db = dbArg(argv[++i]);
    else fail(DATA_ERRORS.syntax);
  }
  if (req.db === ctx.session.db && sameBytes(req.from, req.to)) fail(DATA_ERRORS.sameObject);
  for (let attempt = 0; attempt < MAX_PAGED_ATTEMPTS; attempt++) {
    const source = await readSlot(ctx, (r, slot) => getKey(r, slot, req.from));
    const fields = source?.meta?.g ? source.meta.n ?? 0 : 0;
    const done = fields > unitSize(ctx)
      ? await copyInPages(ctx, req, fields)
      : await copyInOneUnit(ctx, req);
    if (done !== null) return integer(done ? 1 : 0);
  }
  return fail(DATA_ERRORS.copyBusy);
}

/** The COPY command. */
export const COMMANDS: CommandSpec[] = [
  command("copy", { arity: -3, flags: ["write", "denyoom"], keys: [1, 2, 1] }, copy),
];

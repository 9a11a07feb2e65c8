/**
 * The SCAN family: SCAN (MATCH, COUNT, TYPE), HSCAN (NOVALUES), SSCAN and ZSCAN, over one cursor
 * scheme (scan.ts: a cursor is a persisted token for a position in key order). Small encodings
 * (listpack, intset) answer whole in one reply with cursor 0, in Redis's order, as Redis does.
 * @module
 */
import type { Entry, Key } from "../../../src/store/mod.ts";
import {
  command,
  type CommandContext,
  type CommandSpec,
  ONE_KEY as ONE,
  READONLY as R,
} from "../command.ts";
import { globMatch, matchesAll } from "../glob.ts";
import { ascii, parseInteger } from "../numbers.ts";
import { array, bulk, type Reply } from "../reply.ts";
import { literalPrefix, loadCursor, type Position, saveCursor, scanPage } from "../scan.ts";
import { type Access, getKey, type KeyEntry, keyName } from "../storage/db.ts";
import { fieldName, listFields } from "../storage/hash.ts";
import { fieldPrefix, type KeyMeta, slotPrefix } from "../storage/layout.ts";
import { listMembers, memberName, setEncoding } from "../storage/set.ts";
import { fail, option, readSlot } from "./common.ts";
import { encodingOf } from "./introspection.ts";
import { type EncodingLimits, encodingLimits } from "../encoding_limits.ts";
import { zsetScanSource } from "./zscan_adapter.ts";
import { DATA_ERRORS } from "../errors.ts";

/** Names examined per call by default. */
const SCAN_DEFAULT_COUNT = 10;

/** The options after the cursor. */
export interface ScanOptions {
  pattern: Uint8Array | null;
  count: number;
  type: string | null;
  noValues: boolean;
}

/** Which options a command takes beyond MATCH and COUNT. */
type Extra = "type" | "novalues" | null;

/** Parse `[MATCH p] [COUNT n] [TYPE t | NOVALUES]` from argv[at]. */
export function parseScanOptions(argv: Uint8Array[], at: number, extra: Extra): ScanOptions {
  const out: ScanOptions = {
    pattern: null,
    count: SCAN_DEFAULT_COUNT,
    type: null,
    noValues: false,
  };
  for (let i = at; i < argv.length; i++) {
    const opt = option(argv[i]);
    const hasNext = i + 1 < argv.length;
    if (opt === "COUNT" && hasNext) {
      const count = parseInteger(argv[++i]);
      if (count === null) fail(DATA_ERRORS.notInteger);
      if (count < 1) fail(DATA_ERRORS.syntax);
      out.count = count;
    } else if (opt === "MATCH" && hasNext) {
      out.pattern = argv[++i];
    } else if (extra === "type" && opt === "TYPE" && hasNext) {
      out.type = ascii(argv[++i]).toLowerCase();
    } else if (extra === "novalues" && opt === "NOVALUES") {
      out.noValues = true;
    } else fail(DATA_ERRORS.syntax);
  }
  return out;
}

/** A cursor argument: a decimal unsigned 64-bit integer. */
export function parseCursor(arg: Uint8Array): bigint {
  const text = ascii(arg);
  if (!/^[0-9]+$/.test(text)) fail(DATA_ERRORS.invalidCursor);
  const value = BigInt(text);
  if (value >= 2n ** 64n) fail(DATA_ERRORS.invalidCursor);
  return value;
}

/** One returned element: its name and, for hashes and sorted sets, its value. */
export type ScanItem = [name: Uint8Array, value: Uint8Array | null];

/** What one call found: items in order, and the position to resume after (null = done). */
export interface ScanResult {
  items: ScanItem[];
  next: Position | null;
}

/** How to read one collection's members for a scan. */
export interface ScanSource {
  /** Small encodings: every member in Redis's order, answered whole. */
  whole?: () => Promise<ScanItem[]>;
  /** Where member entries live, for paging in key order. */
  parent: Key;
  /** A member entry as an item. */
  item(entry: Entry<unknown>): ScanItem;
  /** Whether the page needs entry payloads. */
  needsData: boolean;
}

/** Read one call's worth of a source. */
async function readSource(
  r: Access,
  source: ScanSource,
  after: Position | null,
  opts: ScanOptions,
): Promise<ScanResult> {
  if (source.whole) return { items: await source.whole(), next: null };
  const page = await scanPage(r, {
    parent: source.parent,
    after,
    count: opts.count,
    prefix: opts.pattern ? literalPrefix(opts.pattern) : undefined,
    keysOnly: !source.needsData,
  });
  return { items: page.entries.map(source.item), next: page.next };
}

/** The two-element scan reply: the next cursor, then the matching names (and values). */
async function scanReply(
  ctx: CommandContext,
  result: ScanResult,
  opts: ScanOptions,
): Promise<Reply> {
  const out: Reply[] = [];
  const all = !opts.pattern || matchesAll(opts.pattern);
  for (const [name, value] of result.items) {
    if (!all && !globMatch(opts.pattern!, name)) continue;
    out.push(bulk(name));
    if (value !== null && !opts.noValues) out.push(bulk(value));
  }
  const cursor = result.next ? await saveCursor(ctx, result.next) : "0";
  return array([bulk(cursor), array(out)]);
}

const EMPTY_SCAN: Reply = array([bulk("0"), array([])]);

async function scan(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  const cursor = parseCursor(argv[1]);
  const opts = parseScanOptions(argv, 2, "type");
  const result = await readSlot(ctx, async (r, slot) => {
    const page = await scanPage<KeyMeta>(r, {
      parent: slotPrefix(slot),
      after: await loadCursor(r, cursor),
      count: opts.count,
      prefix: opts.pattern ? literalPrefix(opts.pattern) : undefined,
    });
    const items: ScanItem[] = page.entries
      .filter((e) => opts.type === null || e.meta?.t === opts.type)
      .map((e) => [keyName(e), null]);
    return { items, next: page.next };
  });
  return await scanReply(ctx, result, opts);
}

/**
 * HSCAN/SSCAN/ZSCAN: cursor, then the key (a missing key is an empty scan, whatever the
 * options), then the options, as Redis checks them.
 */
function collectionScan(
  type: string,
  extra: Extra,
  sourceOf: (r: Access, entry: KeyEntry, opts: ScanOptions, limits: EncodingLimits) => ScanSource,
) {
  return async (ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> => {
    const cursor = parseCursor(argv[2]);
    const found = await readSlot(ctx, async (r, slot) => {
      const entry = await getKey(r, slot, argv[1]);
      if (!entry) return null;
      if (entry.meta?.t !== type) fail(DATA_ERRORS.wrongType);
      const opts = parseScanOptions(argv, 3, extra);
      const source = sourceOf(r, entry, opts, encodingLimits(ctx));
      return { opts, result: await readSource(r, source, await loadCursor(r, cursor), opts) };
    });
    return found ? await scanReply(ctx, found.result, found.opts) : EMPTY_SCAN;
  };
}

function hashSource(
  r: Access,
  entry: KeyEntry,
  opts: ScanOptions,
  limits: EncodingLimits,
): ScanSource {
  const item = (f: Entry<unknown>): ScanItem => [fieldName(f), opts.noValues ? null : f.data];
  return {
    // A small (listpack) hash answers in insertion order, as Redis's does.
    whole: encodingOf(entry, limits) === "listpack"
      ? async () => (await listFields(r, entry.meta!, opts.noValues)).map(item)
      : undefined,
    parent: fieldPrefix(entry.meta!.g!),
    item,
    needsData: !opts.noValues,
  };
}

function setSource(r: Access, entry: KeyEntry): ScanSource {
  const meta = entry.meta!;
  return {
    whole: setEncoding(meta) !== "hashtable"
      ? async () => (await listMembers(r, meta)).map((m): ScanItem => [m, null])
      : undefined,
    parent: fieldPrefix(meta.g!),
    item: (e) => [memberName(e), null],
    needsData: false,
  };
}

/** The SCAN family. */
export const COMMANDS: CommandSpec[] = [
  command("scan", { arity: -2, flags: R }, scan),
  command(
    "hscan",
    { arity: -3, flags: R, keys: ONE },
    collectionScan("hash", "novalues", hashSource),
  ),
  command("sscan", { arity: -3, flags: R, keys: ONE }, collectionScan("set", null, setSource)),
  command(
    "zscan",
    { arity: -3, flags: R, keys: ONE },
    collectionScan("zset", null, zsetScanSource),
  ),
];

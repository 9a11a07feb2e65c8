/**
 * SORT and SORT_RO (sort.c) over lists, sets and sorted sets: BY patterns (hash fields with
 * `->`, a pattern without `*` skips sorting), LIMIT, GET (`#` is the element), ASC/DESC, ALPHA,
 * STORE as a list. Lists and sorted sets are read through storage/collection_adapters.ts.
 * @module
 */
import type { WriteTx } from "../../../src/store/mod.ts";
import { command, type CommandContext, type CommandSpec } from "../command.ts";
import { ascii, parseInt64 } from "../numbers.ts";
import { array, bulkOrNull, integer, type Reply } from "../reply.ts";
import { type Access, getKey, type KeyEntry } from "../storage/db.ts";
import { getField } from "../storage/hash.ts";
import { listMembers } from "../storage/set.ts";
import {
  LIST_TYPE,
  listElements,
  writeList,
  ZSET_TYPE,
  zsetMembersInOrder,
} from "../storage/collection_adapters.ts";
import { checkKey, fail, notifyStored, option, readSlot, writeSlot } from "./common.ts";
import { compareBytes } from "../scan.ts";
import { DATA_ERRORS } from "../errors.ts";
import { LIST } from "../notify.ts";

const STAR = 0x2a;
const EMPTY = new Uint8Array(0);
/** Lookups run at once while resolving BY and GET patterns. */
const LOOKUP_BATCH = 256;

/** A parsed SORT request. */
interface SortRequest {
  key: Uint8Array;
  by: Uint8Array | null;
  dontSort: boolean;
  limit: { start: number; count: number } | null;
  gets: Uint8Array[];
  desc: boolean;
  alpha: boolean;
  store: Uint8Array | null;
}

function parseSort(argv: Uint8Array[], readonly: boolean): SortRequest {
  const req: SortRequest = {
    key: argv[1],
    by: null,
    dontSort: false,
    limit: null,
    gets: [],
    desc: false,
    alpha: false,
    store: null,
  };
  let syntaxError = false;
  for (let j = 2; j < argv.length && !syntaxError; j++) {
    const opt = option(argv[j]);
    const left = argv.length - j - 1;
    if (opt === "ASC") req.desc = false;
    else if (opt === "DESC") req.desc = true;
    else if (opt === "ALPHA") req.alpha = true;
    else if (opt === "LIMIT" && left >= 2) {
      const start = parseInt64(argv[j + 1]);
      const count = parseInt64(argv[j + 2]);
      if (start === null || count === null) fail(DATA_ERRORS.notInteger);
      req.limit = { start: Number(start), count: Number(count) };
      j += 2;
    } else if (opt === "STORE" && left >= 1 && !readonly) {
      req.store = checkKey(argv[++j]);
    } else if (opt === "BY" && left >= 1) {
      req.by = argv[++j];
      // A pattern without '*' names one key for every element: nothing to sort by.
      if (!req.by.includes(STAR)) req.dontSort = true;
    } else if (opt === "GET" && left >= 1) {
      req.gets.push(argv[++j]);
    } else syntaxError = true;
  }
  if (syntaxError) fail(DATA_ERRORS.syntax);
  return req;
}

/** The key (or hash key and field) a pattern names for one element; null when it names none. */
function substitute(pattern: Uint8Array, element: Uint8Array) {
  const star = pattern.indexOf(STAR);
  if (star < 0) return null;
  let fieldAt = -1;
  for (let i = star + 1; i + 2 < pattern.length; i++) {
    if (pattern[i] === 0x2d && pattern[i + 1] === 0x3e) {
      fieldAt = i;
      break;
    }
  }
  const tail = pattern.subarray(star + 1, fieldAt < 0 ? pattern.length : fieldAt);
  const key = new Uint8Array(star + element.length + tail.length);
  key.set(pattern.subarray(0, star));
  key.set(element, star);
  key.set(tail, star + element.length);
  return { key, field: fieldAt < 0 ? null : pattern.subarray(fieldAt + 2) };
}

/** What a BY or GET pattern yields for `element` (lookupKeyByPattern): a string or hash field. */
async function lookupPattern(
  r: Access,
  slot: number,
  pattern: Uint8Array,
  element: Uint8Array,
): Promise<Uint8Array | null> {
  if (pattern.length === 1 && pattern[0] === 0x23) return element;
  const target = substitute(pattern, element);
  if (!target) return null;
  const entry = await getKey(r, slot, target.key);
  if (!entry) return null;
  if (target.field) {
    if (entry.meta?.t !== "hash") return null;
    return (await getField(r, entry.meta, target.field))?.data ?? null;
  }
  return entry.meta?.t === "string" ? entry.data : null;
}

/** Resolve `pattern` for every element, a batch of lookups at a time. */
async function lookupAll(
  r: Access,
  slot: number,
  pattern: Uint8Array,
  elements: Uint8Array[],
): Promise<(Uint8Array | null)[]> {
  const out: (Uint8Array | null)[] = [];
  for (let i = 0; i < elements.length; i += LOOKUP_BATCH) {
    const batch = elements.slice(i, i + LOOKUP_BATCH);
    out.push(...await Promise.all(batch.map((e) => lookupPattern(r, slot, pattern, e))));
  }
  return out;
}

const STRTOD =
  /^[ \t\n\v\f\r]*[+-]?(([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?|0[xX]([0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)([pP][+-]?[0-9]+)?|inf(inity)?)$/i;

/** A sort weight as strtod reads it; null when Redis refuses it (junk, NaN, out of range). */
function sortScore(value: Uint8Array): number | null {
  if (value.length === 0) return 0;
  const text = ascii(value);
  if (!STRTOD.test(text)) return null;
  const trimmed = text.trim();
  const unsigned = trimmed.replace(/^[+-]/, "");
  const negative = trimmed.startsWith("-");
  let n: number;
  if (/^inf/i.test(unsigned)) n = Infinity;
  else if (/^0x/i.test(unsigned)) n = parseHex(unsigned.slice(2));
  else n = Number(unsigned);
  if (!/^inf/i.test(unsigned) && !Number.isFinite(n)) return null;
  // strtod reports underflow (a non-zero number rounding to 0) as a range error.
  if (n === 0 && /[1-9]/.test(unsigned.split(/[eEpP]/)[0])) return null;
  return negative ? -n : n;
}

function parseHex(text: string): number {
  const [mantissa, exp = "0"] = text.split(/[pP]/);
  const [int, frac = ""] = mantissa.split(".");
  const digits = int + frac;
  let v = 0;
  for (const d of digits) v = v * 16 + parseInt(d, 16);
  return v * 2 ** (Number(exp) - 4 * frac.length);
}

/** The elements SORT works on, in the collection's own order. */
async function loadElements(r: Access, entry: KeyEntry | null): Promise<Uint8Array[]> {
  if (!entry) return [];
  const meta = entry.meta!;
  if (meta.t === "set") return await listMembers(r, meta);
  if (meta.t === LIST_TYPE) return await listElements(r, meta);
  if (meta.t === ZSET_TYPE) return (await zsetMembersInOrder(r, meta)).map((m) => m.member);
  return fail(DATA_ERRORS.wrongType);
}

/** Sort and cut the elements; returns the selected elements in output order. */
async function sortElements(
  r: Access,
  slot: number,
  req: SortRequest,
  entry: KeyEntry | null,
): Promise<Uint8Array[]> {
  let elements = await loadElements(r, entry);
  let { dontSort, alpha, by } = req;
  // Redis sorts a set even without a sort order when storing, so the stored list is stable.
  if (dontSort && entry?.meta?.t === "set" && req.store) {
    dontSort = false;
    alpha = true;
    by = null;
  }
  const n = elements.length;
  let start = req.limit ? Math.max(0, req.limit.start) : 0;
  let end = req.limit && req.limit.count >= 0 ? start + req.limit.count - 1 : n - 1;
  if (start >= n) {
    start = n - 1;
    end = n - 2;
  }
  if (end >= n) end = n - 1;
  if (dontSort) {
    // A sorted set without sorting is walked from its tail for DESC, as Redis does.
    if (entry?.meta?.t === ZSET_TYPE && req.desc) elements = elements.reverse();
    return elements.slice(start, end + 1);
  }
  const weights = by ? await lookupAll(r, slot, by, elements) : elements;
  const rows = elements.map((element, i) => ({ element, weight: weights[i], score: 0 }));
  if (!alpha) {
    for (const row of rows) {
      if (row.weight === null) continue;
      const score = sortScore(row.weight);
      if (score === null) fail(DATA_ERRORS.sortNotDouble);
      row.score = score;
    }
  }
  const sign = req.desc ? -1 : 1;
  rows.sort((a, b) => {
    let cmp: number;
    if (!alpha) {
      cmp = a.score > b.score ? 1 : a.score < b.score ? -1 : compareBytes(a.element, b.element);
    } else if (by) {
      if (a.weight === null || b.weight === null) {
        cmp = a.weight === b.weight ? 0 : a.weight === null ? -1 : 1;
      } else cmp = compareBytes(a.weight, b.weight);
    } else cmp = compareBytes(a.element, b.element);
    return sign * cmp;
  });
  return rows.slice(start, end + 1).map((row) => row.element);
}

/** The output values: each element, or each GET pattern's value for it. */
async function outputs(
  r: Access,
  slot: number,
  req: SortRequest,
  elements: Uint8Array[],
): Promise<(Uint8Array | null)[]> {
  if (req.gets.length === 0) return elements;
  const columns = await Promise.all(req.gets.map((g) => lookupAll(r, slot, g, elements)));
  return elements.flatMap((_, i) => columns.map((c) => c[i]));
}

function sortGeneric(readonly: boolean) {
  return async (ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> => {
    const req = parseSort(argv, readonly);
    const run = async (r: Access, slot: number) => {
      const entry = await getKey(r, slot, req.key);
      const elements = await sortElements(r, slot, req, entry);
      return await outputs(r, slot, req, elements);
    };
    if (!req.store) {
      const values = await readSlot(ctx, run);
      return array(values.map(bulkOrNull));
    }
    const target = req.store;
    const stored = await writeSlot(ctx, async (tx: WriteTx, slot) => {
      const values = (await run(tx, slot)).map((v) => v ?? EMPTY);
      const old = await getKey(tx, slot, target);
      writeList(tx, slot, target, values, old);
      notifyStored(tx, LIST, "sortstore", target, values.length, old);
      return values.length;
    });
    return integer(stored);
  };
}

/** SORT and SORT_RO. */
export const COMMANDS: CommandSpec[] = [
  command(
    "sort",
    { arity: -2, flags: ["write", "denyoom", "movablekeys"], keys: [1, 1, 1] },
    sortGeneric(false),
  ),
  command(
    "sort_ro",
    { arity: -2, flags: ["readonly", "movablekeys"], keys: [1, 1, 1] },
    sortGeneric(true),
  ),
];

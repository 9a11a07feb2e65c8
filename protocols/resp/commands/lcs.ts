/**
 * LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]: the longest common subsequence
 * of two strings, ported from Redis's lcsCommand (the DP table, then matches walked back from
 * the ends, so ranges come out last first, as Redis reports them).
 * @module
 */
import { command, type CommandContext, type CommandSpec } from "../command.ts";
import { array, bulk, integer, map, type Reply } from "../reply.ts";
import { getKey } from "../storage/db.ts";
import { fail, intArg, option, readSlot } from "./common.ts";
import { DATA_ERRORS } from "../errors.ts";

const EMPTY = new Uint8Array(0);

/** LCS options. */
interface LcsOptions {
  len: boolean;
  idx: boolean;
  minMatchLen: number;
  withMatchLen: boolean;
}

function parseLcsOptions(argv: Uint8Array[]): LcsOptions {
  const out: LcsOptions = { len: false, idx: false, minMatchLen: 0, withMatchLen: false };
  for (let i = 3; i < argv.length; i++) {
    const opt = option(argv[i]);
    if (opt === "IDX") out.idx = true;
    else if (opt === "LEN") out.len = true;
    else if (opt === "WITHMATCHLEN") out.withMatchLen = true;
    else if (opt === "MINMATCHLEN" && i + 1 < argv.length) {
      out.minMatchLen = Math.max(0, intArg(argv[++i]));
    } else fail(DATA_ERRORS.syntax);
  }
  return out;
}

/** lcsCommand, ported: the DP table, then matches walked back from the ends. */
function lcsReply(a: Uint8Array, b: Uint8Array, o: LcsOptions): Reply {
  const width = b.length + 1;
  const table = new Uint32Array((a.length + 1) * width);
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      table[i * width + j] = a[i - 1] === b[j - 1]
        ? table[(i - 1) * width + j - 1] + 1
        : Math.max(table[(i - 1) * width + j], table[i * width + j - 1]);
    }
  }
  const total = table[a.length * width + b.length];
  if (o.len && !o.idx) return integer(total);
  const result = new Uint8Array(total);
  const matches: Reply[] = [];
  let idx = total;
  let aStart = a.length, aEnd = 0, bStart = 0, bEnd = 0;
  let i = a.length, j = b.length;
  while (i > 0 && j > 0) {
    let emit = false;
    if (a[i - 1] === b[j - 1]) {
      result[idx - 1] = a[i - 1];
      if (aStart === a.length) {
        aStart = aEnd = i - 1;
        bStart = bEnd = j - 1;
      } else if (aStart === i && bStart === j) {
        aStart--;
        bStart--;
      } else emit = true;
      if (aStart === 0 || bStart === 0) emit = true;
      idx--;
      i--;
      j--;
    } else {
      if (table[(i - 1) * width + j] > table[i * width + j - 1]) i--;
      else j--;
      if (aStart !== a.length) emit = true;
    }
    const matchLen = aEnd - aStart + 1;
    if (emit) {
      if (o.minMatchLen === 0 || matchLen >= o.minMatchLen) {
        const item = [
          array([integer(aStart), integer(aEnd)]),
          array([integer(bStart), integer(bEnd)]),
        ];
        if (o.withMatchLen) item.push(integer(matchLen));
        matches.push(array(item));
      }
      aStart = a.length;
    }
  }
  if (!o.idx) return bulk(result);
  return map([[bulk("matches"), array(matches)], [bulk("len"), integer(total)]]);
}

async function lcs(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  const options = parseLcsOptions(argv);
  if (options.len && options.idx) fail(DATA_ERRORS.lcsLenAndIdx);
  const [a, b] = await readSlot(
    ctx,
    (r, slot) => Promise.all([getKey(r, slot, argv[1]), getKey(r, slot, argv[2])]),
  );
  if ((a && a.meta?.t !== "string") || (b && b.meta?.t !== "string")) {
    fail(DATA_ERRORS.lcsNotString);
  }
  return lcsReply(a?.data ?? EMPTY, b?.data ?? EMPTY, options);
}

/** The LCS command. */
export const COMMANDS: CommandSpec[] = [
  command("lcs", { arity: -3, flags: ["readonly"], keys: [1, 2, 1] }, lcs),
];

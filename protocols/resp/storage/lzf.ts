/**
 * LZF as Redis's bundled liblzf 3.6 does it (HLOG 16, VERY_FAST), so DUMP payloads compress the
 * strings redis-server compresses into the same bytes, and RESTORE reads compressed strings.
 * @module
 */

const HLOG = 16;
const HSIZE = 1 << HLOG;
const MAX_LIT = 1 << 5;
const MAX_OFF = 1 << 13;
const MAX_REF = (1 << 8) + (1 << 3);

/** liblzf's hash of the three bytes ending at `h` (IDX with VERY_FAST). */
function idx(h: number): number {
  return ((h >>> (3 * 8 - HLOG)) - Math.imul(h, 5)) & (HSIZE - 1);
}

/**
 * lzf_compress into at most `outLen` bytes; null when the result would not fit (Redis then
 * stores the string plain). The hash table starts empty (liblzf leaves it uninitialised).
 */
export function lzfCompress(input: Uint8Array, outLen: number): Uint8Array | null {
  const inLen = input.length;
  if (inLen === 0 || outLen <= 0) return null;
  const out = new Uint8Array(outLen + 1);
  const htab = new Int32Array(HSIZE).fill(-1);
  let ip = 0;
  let op = 0;
  let lit = 0;
  op++; // start run
  // One more literal byte; a full run is closed and the next one started.
  const copyLiteral = () => {
    lit++;
    out[op++] = input[ip++];
    if (lit === MAX_LIT) {
      out[op - lit - 1] = lit - 1;
      lit = 0;
      op++;
    }
  };
  let hval = ((input[0] << 8) | input[1]) >>> 0;
  while (ip < inLen - 2) {
    hval = ((hval << 8) | input[ip + 2]) >>> 0;
    const slot = idx(hval);
    const ref = htab[slot];
    htab[slot] = ip;
    const off = ip - ref - 1;
    if (
      ref > 0 && off < MAX_OFF &&
      input[ref] === input[ip] && input[ref + 1] === input[ip + 1] &&
      input[ref + 2] === input[ip + 2]
    ) {
      let len = 2;
      const maxlen = Math.min(inLen - ip - len, MAX_REF);
      out[op - lit - 1] = lit - 1; // stop run
      if (lit === 0) op--; // undo an empty run
      if (op + 3 + 1 >= outLen) return null;
      // liblzf compares 16 bytes unrolled (without the maxlen check) when maxlen > 16.
      let mismatch = false;
      for (let k = 0; maxlen > 16 && k < 16; k++) {
        len++;
        if (input[ref + len] !== input[ip + len]) {
          mismatch = true;
          break;
        }
      }
      if (!mismatch) {
        do len++; while (len < maxlen && input[ref + len] === input[ip + len]);
      }
      len -= 2; // now octets - 1
      ip++;
      if (len < 7) out[op++] = (off >> 8) + (len << 5);
      else {
        out[op++] = (off >> 8) + (7 << 5);
        out[op++] = len - 7;
      }
      out[op++] = off & 0xff;
      lit = 0;
      op++; // start run
      ip += len + 1;
      if (ip >= inLen - 2) break;
      ip -= 2;
      hval = ((input[ip] << 8) | input[ip + 1]) >>> 0;
      hval = ((hval << 8) | input[ip + 2]) >>> 0;
      htab[idx(hval)] = ip;
      ip++;
      hval = ((hval << 8) | input[ip + 2]) >>> 0;
      htab[idx(hval)] = ip;
      ip++;
    } else {
      if (op >= outLen) return null;
      copyLiteral();
    }
  }
  if (op + 3 > outLen) return null;
  while (ip < inLen) copyLiteral();
  out[op - lit - 1] = lit - 1; // end run
  if (lit === 0) op--;
  return out.slice(0, op);
}

/** lzf_decompress into exactly `length` bytes; null for input that does not decode to it. */
export function lzfDecompress(input: Uint8Array, length: number): Uint8Array | null {
  const out = new Uint8Array(length);
  let ip = 0;
  let op = 0;
  while (ip < input.length) {
    let ctrl = input[ip++];
    if (ctrl < 32) {
      ctrl++;
      if (op + ctrl > length || ip + ctrl > input.length) return null;
      out.set(input.subarray(ip, ip + ctrl), op);
      ip += ctrl;
      op += ctrl;
    } else {
      let len = ctrl >> 5;
      let ref = op - ((ctrl & 0x1f) << 8) - 1;
      if (len === 7) len += input[ip++];
      ref -= input[ip++];
      len += 2;
      if (op + len > length || ref < 0) return null;
      for (let i = 0; i < len; i++) out[op++] = out[ref++];
    }
  }
  return op === length ? out : null;
}

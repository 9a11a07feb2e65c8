/**
 * HyperLogLog values byte for byte as Redis's hyperloglog.c lays them out ("HYLL" header, sparse
 * and dense register encodings), with its hash (MurmurHash64A) and cardinality estimator.
 * @module
 */

/** Register index bits (HLL_P) and registers (HLL_REGISTERS). */
const P = 14;
export const REGISTERS = 1 << P;
/** Hash bits left for the run of zeros (HLL_Q). */
const Q = 64 - P;
const REGISTER_MAX = 63;
export const HEADER = 16;
export const DENSE_SIZE = HEADER + Math.floor((REGISTERS * 6 + 7) / 8);
const DENSE = 0;
const SPARSE = 1;
const SPARSE_VAL_MAX_VALUE = 32;
const SPARSE_VAL_MAX_LEN = 4;
const SPARSE_ZERO_MAX_LEN = 64;
const ALPHA_INF = 0.721347520444481703680;

const M_HI = 0xc6a4a793;
const M_LO = 0x5bd1e995;
const SEED = 0xadc83b19;

/** 64-bit values as two uint32 halves: the last product or hash, kept here to avoid allocating. */
let hi = 0;
let lo = 0;

/** (hi, lo) = (ahi, alo) * (bhi, blo) mod 2^64, in 16-bit limbs so every step is exact. */
function mul64(ahi: number, alo: number, bhi: number, blo: number): void {
  const a00 = alo & 0xffff, a16 = alo >>> 16, a32 = ahi & 0xffff, a48 = ahi >>> 16;
  const b00 = blo & 0xffff, b16 = blo >>> 16, b32 = bhi & 0xffff, b48 = bhi >>> 16;
  let c00 = a00 * b00;
  let c16 = c00 >>> 16;
  c00 &= 0xffff;
  c16 += a16 * b00;
  let c32 = c16 >>> 16;
  c16 &= 0xffff;
  c16 += a00 * b16;
  c32 += c16 >>> 16;
  c16 &= 0xffff;
  c32 += a32 * b00;
  let c48 = c32 >>> 16;
  c32 &= 0xffff;
  c32 += a16 * b16;
  c48 += c32 >>> 16;
  c32 &= 0xffff;
  c32 += a00 * b32;
  c48 += c32 >>> 16;
  c32 &= 0xffff;
  c48 += a48 * b00 + a32 * b16 + a16 * b32 + a00 * b48;
  c48 &= 0xffff;
  hi = ((c48 << 16) | c32) >>> 0;
  lo = ((c16 << 16) | c00) >>> 0;
}

/** MurmurHash64A as Redis calls it (little-endian words, seed 0xadc83b19), into (hi, lo). */
function murmur(data: Uint8Array): void {
  const len = data.length;
  mul64(0, len, M_HI, M_LO);
  let hHi = hi;
  let hLo = (lo ^ SEED) >>> 0;
  const whole = len - (len & 7);
  for (let i = 0; i < whole; i += 8) {
    const kLo = (data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24)) >>> 0;
    const kHi = (data[i + 4] | (data[i + 5] << 8) | (data[i + 6] << 16) | (data[i + 7] << 24)) >>>
      0;
    mul64(kHi, kLo, M_HI, M_LO);
    mul64(hi, (lo ^ (hi >>> 15)) >>> 0, M_HI, M_LO);
    hHi = (hHi ^ hi) >>> 0;
    hLo = (hLo ^ lo) >>> 0;
    mul64(hHi, hLo, M_HI, M_LO);
    hHi = hi;
    hLo = lo;
  }
  const rest = len & 7;
  if (rest > 0) {
    for (let i = rest - 1; i >= 0; i--) {
      if (i >= 4) hHi = (hHi ^ (data[whole + i] << (8 * (i - 4)))) >>> 0;
      else hLo = (hLo ^ (data[whole + i] << (8 * i))) >>> 0;
    }
    mul64(hHi, hLo, M_HI, M_LO);
    hHi = hi;
    hLo = lo;
  }
  mul64(hHi, (hLo ^ (hHi >>> 15)) >>> 0, M_HI, M_LO);
  lo = (lo ^ (hi >>> 15)) >>> 0;
}

/** MurmurHash64A of `data` as one 64-bit value. */
export function murmur64a(data: Uint8Array): bigint {
  murmur(data);
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/** hllPatLen: the register an element lands in and the length of its zero run plus one. */
export function patLen(element: Uint8Array): { index: number; count: number } {
  murmur(element);
  const index = lo & (REGISTERS - 1);
  // The hash without its index bits, with bit Q set so the run ends by then.
  const restLo = ((lo >>> P) | (hi << (32 - P))) >>> 0;
  const restHi = ((hi >>> P) | (1 << (Q - 32))) >>> 0;
  const trailing = restLo !== 0
    ? 31 - Math.clz32(restLo & -restLo)
    : 32 + 31 - Math.clz32(restHi & -restHi);
  return { index, count: trailing + 1 };
}

/** createHLLObject: an empty sparse HLL (one XZERO run over every register). */
export function emptyHll(): Uint8Array {
  const out = new Uint8Array(HEADER + 2);
  out.set([0x48, 0x59, 0x4c, 0x4c, SPARSE]);
  out[HEADER] = 0x40 | ((REGISTERS - 1) >> 8);
  out[HEADER + 1] = (REGISTERS - 1) & 0xff;
  return out;
}

/** isHLLObjectOrReply's checks on a string's bytes. */
export function isHll(data: Uint8Array): boolean {
  if (data.length < HEADER) return false;
  if (data[0] !== 0x48 || data[1] !== 0x59 || data[2] !== 0x4c || data[3] !== 0x4c) return false;
  if (data[4] > SPARSE) return false;
  return data[4] !== DENSE || data.length === DENSE_SIZE;
}

function denseGet(r: Uint8Array, at: number, i: number): number {
  const byte = at + Math.floor(i * 6 / 8);
  const fb = (i * 6) & 7;
  const b1 = byte + 1 < r.length ? r[byte + 1] : 0;
  return ((r[byte] >> fb) | (b1 << (8 - fb))) & REGISTER_MAX;
}

function denseSet(r: Uint8Array, at: number, i: number, v: number): void {
  const byte = at + Math.floor(i * 6 / 8);
  const fb = (i * 6) & 7;
  r[byte] = (r[byte] & ~(REGISTER_MAX << fb)) | ((v << fb) & 0xff);
  if (byte + 1 < r.length) {
    r[byte + 1] = (r[byte + 1] & ~(REGISTER_MAX >> (8 - fb))) | (v >> (8 - fb));
  }
}

/** Run every register of a sparse body: fn(first, length, value); false if malformed. */
function walkSparse(
  data: Uint8Array,
  fn: (first: number, length: number, value: number) => void,
): boolean {
  let idx = 0;
  for (let p = HEADER; p < data.length;) {
    const op = data[p];
    if ((op & 0xc0) === 0) {
      idx += (op & 0x3f) + 1;
      p++;
    } else if ((op & 0xc0) === 0x40) {
      if (p + 1 >= data.length) return false;
      idx += (((op & 0x3f) << 8) | data[p + 1]) + 1;
      p += 2;
    } else {
      const len = (op & 3) + 1;
      if (idx + len > REGISTERS) return false;
      fn(idx, len, ((op >> 2) & 0x1f) + 1);
      idx += len;
      p++;
    }
  }
  return idx === REGISTERS;
}

/** hllMerge: raise `max` to this HLL's registers; false when the value is corrupt. */
export function mergeInto(max: Uint8Array, data: Uint8Array): boolean {
  if (data[4] === DENSE) {
    for (let i = 0; i < REGISTERS; i++) {
      const v = denseGet(data, HEADER, i);
      if (v > max[i]) max[i] = v;
    }
    return true;
  }
  return walkSparse(data, (first, length, value) => {
    for (let i = first; i < first + length; i++) if (value > max[i]) max[i] = value;
  });
}

/** hllSparseToDense: the dense form with the same header (cached cardinality included). */
export function toDense(data: Uint8Array): Uint8Array | null {
  if (data[4] === DENSE) return data;
  const out = new Uint8Array(DENSE_SIZE);
  out.set(data.subarray(0, HEADER));
  out[4] = DENSE;
  const ok = walkSparse(data, (first, length, value) => {
    for (let i = first; i < first + length; i++) denseSet(out, HEADER, i, value);
  });
  return ok ? out : null;
}

/** One HLL value being changed (its bytes are replaced as the sparse body grows). */
export class HllValue {
  constructor(public bytes: Uint8Array, readonly sparseMaxBytes: number) {}

  /** hllAdd: 1 when a register changed, 0 when not, -1 when the value is corrupt. */
  add(element: Uint8Array): number {
    const { index, count } = patLen(element);
    return this.set(index, count);
  }

  /** hllDenseSet / hllSparseSet: raise register `index` to `count`. */
  set(index: number, count: number): number {
    if (this.bytes[4] === DENSE) {
      if (count <= denseGet(this.bytes, HEADER, index)) return 0;
      denseSet(this.bytes, HEADER, index, count);
      return 1;
    }
    if (count > SPARSE_VAL_MAX_VALUE) return this.#promote(index, count);
    return this.#sparseSet(index, count);
  }

  /** Mark the cached cardinality stale (HLL_INVALIDATE_CACHE). */
  invalidate(): void {
    this.bytes[15] |= 0x80;
  }

  #promote(index: number, count: number): number {
    const dense = toDense(this.bytes);
    if (!dense) return -1;
    this.bytes = dense;
    denseSet(dense, HEADER, index, count);
    return 1;
  }

  /** hllSparseSet's steps: find the opcode, split it, splice it in, merge equal neighbours. */
  #sparseSet(index: number, count: number): number {
    const b = this.bytes;
    const end = b.length;
    let p = HEADER;
    let first = 0;
    let span = 0;
    let prev = -1;
    while (p < end) {
      const oplen = (b[p] & 0xc0) === 0x40 ? 2 : 1;
      span = opSpan(b, p);
      if (index <= first + span - 1) break;
      prev = p;
      p += oplen;
      first += span;
    }
    if (span === 0 || p >= end) return -1;
    const op = b[p];
    const isVal = (op & 0x80) !== 0;
    const isXzero = (op & 0xc0) === 0x40;
    const runlen = span;
    let body: Uint8Array = b;
    if (isVal) {
      const old = ((op >> 2) & 0x1f) + 1;
      if (old >= count) return 0;
    }
    if ((isVal || !isXzero) && runlen === 1) {
      b[p] = valOp(count, 1);
    } else {
      const seq: number[] = [];
      const last = first + span - 1;
      const curval = ((op >> 2) & 0x1f) + 1;
      const run = (len: number) => {
        if (isVal) seq.push(valOp(curval, len));
        else if (len > SPARSE_ZERO_MAX_LEN) seq.push(0x40 | ((len - 1) >> 8), (len - 1) & 0xff);
        else seq.push(len - 1);
      };
      if (index !== first) run(index - first);
      seq.push(valOp(count, 1));
      if (index !== last) run(last - index);
      const oldlen = isXzero ? 2 : 1;
      const delta = seq.length - oldlen;
      if (delta > 0 && b.length + delta > this.sparseMaxBytes) return this.#promote(index, count);
      body = new Uint8Array(b.length + delta);
      body.set(b.subarray(0, p));
      body.set(seq, p);
      body.set(b.subarray(p + oldlen), p + seq.length);
    }
    this.bytes = mergeRuns(body, prev >= 0 ? prev : HEADER);
    this.invalidate();
    return 1;
  }
}

/** Registers an opcode covers. */
function opSpan(b: Uint8Array, p: number): number {
  const op = b[p];
  if ((op & 0xc0) === 0) return (op & 0x3f) + 1;
  if (op & 0x80) return (op & 3) + 1;
  return (((op & 0x3f) << 8) | (b[p + 1] ?? 0)) + 1;
}

function valOp(value: number, len: number): number {
  return 0x80 | ((value - 1) << 2) | (len - 1);
}

/** hllSparseSet step 4: merge adjacent equal VAL opcodes, scanning up to 5 from `from`. */
function mergeRuns(b: Uint8Array, from: number): Uint8Array {
  const out = Array.from(b);
  let p = from;
  let scan = 5;
  while (p < out.length && scan-- > 0) {
    if ((out[p] & 0xc0) === 0x40) {
      p += 2;
      continue;
    }
    if ((out[p] & 0xc0) === 0) {
      p++;
      continue;
    }
    if (p + 1 < out.length && (out[p + 1] & 0x80)) {
      const v1 = ((out[p] >> 2) & 0x1f) + 1;
      const v2 = ((out[p + 1] >> 2) & 0x1f) + 1;
      const len = (out[p] & 3) + 1 + (out[p + 1] & 3) + 1;
      if (v1 === v2 && len <= SPARSE_VAL_MAX_LEN) {
        out[p + 1] = valOp(v1, len);
        out.splice(p, 1);
        continue;
      }
    }
    p++;
  }
  return out.length === b.length ? b : Uint8Array.from(out);
}

/** The cached cardinality, or null when stale. */
export function cachedCount(data: Uint8Array): number | null {
  if (data[15] & 0x80) return null;
  let card = 0;
  for (let i = 7; i >= 0; i--) card = card * 256 + data[8 + i];
  return card;
}

/** Store a cardinality in the header's cache. */
export function setCachedCount(data: Uint8Array, card: number): void {
  let rest = card;
  for (let i = 0; i < 8; i++) {
    data[8 + i] = rest % 256;
    rest = Math.floor(rest / 256);
  }
}

/** The registers of an HLL value (REGISTERS bytes), or null when corrupt. */
export function registersOf(data: Uint8Array): Uint8Array | null {
  const max = new Uint8Array(REGISTERS);
  return mergeInto(max, data) ? max : null;
}

function sigma(x: number): number {
  if (x === 1) return Infinity;
  let zPrime;
  let y = 1;
  let z = x;
  do {
    x *= x;
    zPrime = z;
    z += x * y;
    y += y;
  } while (zPrime !== z);
  return z;
}

function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let zPrime;
  let y = 1.0;
  let z = 1 - x;
  do {
    x = Math.sqrt(x);
    zPrime = z;
    y *= 0.5;
    z -= Math.pow(1 - x, 2) * y;
  } while (zPrime !== z);
  return z / 3;
}

/** hllCount: Ertl's improved estimator over the register histogram. */
export function estimate(registers: Uint8Array): number {
  const m = REGISTERS;
  const histo = new Array<number>(64).fill(0);
  for (const r of registers) histo[r]++;
  let z = m * tau((m - histo[Q + 1]) / m);
  for (let j = Q; j >= 1; --j) {
    z += histo[j];
    z *= 0.5;
  }
  z += m * sigma(histo[0] / m);
  return Math.round(ALPHA_INF * m * m / z);
}
